"""N2: an 11th 'fooling' class bolted onto a trained softmax model, retrained (one round and the
next), summarised."""

import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.io import save_keras_model, write_npz
from mnist_fooling.core.models import build_model, load_model
from mnist_fooling.search.engine import Scorer
from mnist_fooling.stages.eleventh.retrain import (
    FOOLING_CLASS,
    eleven_way,
    fooling_weight,
    retrain_with_fooling_class,
    with_fooling_class,
)
from tests.conftest import train_config


@pytest.fixture
def softmax(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_model("softmax", train_config("softmax"), n_train=10)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(784, 10)).astype(np.float32)
    model.get_layer("out").set_weights([w, np.zeros(10, np.float32)])
    path = tmp_path / "softmax.keras"
    save_keras_model(model, path)
    return path


def test_new_head_keeps_the_digits_ranking_and_starts_unlikely(softmax):
    model = load_model(softmax)
    eleven = with_fooling_class(model)
    x = np.random.default_rng(1).random((50, 28, 28), dtype=np.float32)
    old, new = model.predict(x, verbose=0), eleven.predict(x, verbose=0)
    assert new.shape == (50, 11)
    np.testing.assert_array_equal(old.argmax(1), new[:, :10].argmax(1))
    # Softmax over 11 logits: the digits keep their ratios, the new class adds its own mass.
    np.testing.assert_allclose(new[:, :10] / new[:, :10].sum(1, keepdims=True), old, rtol=1e-4)
    assert Scorer(eleven).forward(x).shape == (50, 10)  # searches see the ten digits only


def test_an_mlp_has_no_softmax_to_extend():
    keras.utils.set_random_seed(0)
    with pytest.raises(ValueError, match="softmax output"):
        with_fooling_class(build_model("mlp", train_config("mlp"), n_train=10))


@pytest.mark.parametrize(
    ("n_images", "n_digits", "weight"),
    [
        (100, 20000, 20.0),  # 2,000 digits a class: 100 images weigh 20 each
        (1999, 20000, 2000 / 1999),
        (2000, 20000, 1.0),  # as many as a digit class: weight 1
        (5000, 20000, 1.0),  # more: never below 1
        (1, 10, 1.0),
    ],
)
def test_fooling_weight_gives_the_class_a_digit_class_weight(n_images, n_digits, weight):
    assert fooling_weight(n_images, n_digits) == pytest.approx(weight)


def test_fooling_weight_needs_images():
    with pytest.raises(ValueError, match="no fooling images"):
        fooling_weight(0, 100)


def test_eleven_way_keeps_an_eleven_class_model(softmax):
    eleven = with_fooling_class(load_model(softmax))
    assert eleven_way(eleven) is eleven
    assert eleven_way(load_model(softmax)).outputs[0].shape[-1] == 11


def fooling_file(path, *, n, seed):
    rng = np.random.default_rng(seed)
    write_npz(path, images=rng.random((n, 28, 28), dtype=np.float32), target=np.arange(n) % 10)
    return path


def retrain(tmp_path, *, model, fooling, data, name):
    out, summary = tmp_path / f"{name}.keras", tmp_path / f"{name}.csv"
    table = retrain_with_fooling_class(
        model_path=model,
        data=data,
        fooling=fooling,
        out=out,
        summary=summary,
        epochs=30,
        batch_size=10,
        learning_rate=0.01,
        seed=0,
    )
    return out, summary, table.iloc[0]


def test_retraining_learns_the_fooling_class_round_after_round(tmp_path, softmax, mnist_npz):
    first = fooling_file(tmp_path / "genetic.npz", n=20, seed=2)
    out, summary, row = retrain(
        tmp_path, model=softmax, fooling=[first], data=mnist_npz, name="round1"
    )
    assert row.caught > 0.9  # uniform noise is easy to learn
    assert row.fooling_images == 20 and load_model(out).outputs[0].shape[-1] == 11
    assert FOOLING_CLASS == 10
    assert list(pd.read_csv(summary).columns) == [
        "fooling_images", "weight", "test_accuracy", "n_test", "caught", "noise_caught", "n_noise"
    ]  # fmt: skip
    # Round 2 fine-tunes round 1's 11-class model with the grown class.
    second = fooling_file(tmp_path / "round1.npz", n=10, seed=3)
    _, _, row = retrain(tmp_path, model=out, fooling=[first, second], data=mnist_npz, name="round2")
    assert row.fooling_images == 30 and row.caught > 0.9


def test_fine_tuning_digits_names_the_tighter_limit():
    from mnist_fooling.stages.eleventh.fragment import fine_tuning_digits

    both = dict(data=dict(n_train=3000), eleventh=dict(n_train=10000))
    assert fine_tuning_digits(both) == "the first 3,000 training digits"
    assert fine_tuning_digits(dict(data=dict(n_train=None), eleventh={})) == "the training digits"
    only = dict(data=dict(n_train=None), eleventh=dict(n_train=10000))
    assert fine_tuning_digits(only) == "the first 10,000 training digits"
