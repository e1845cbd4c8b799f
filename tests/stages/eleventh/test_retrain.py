"""N2: an 11th 'fooling' class bolted onto a trained softmax model, retrained, summarised."""

import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.io import save_keras_model, write_npz
from mnist_fooling.core.models import TrainConfig, build_model, load_model
from mnist_fooling.search.engine import Scorer
from mnist_fooling.stages.eleventh.retrain import (
    FOOLING_CLASS,
    fooling_class_set,
    retrain_with_fooling_class,
    with_fooling_class,
)


@pytest.fixture
def softmax(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_model("softmax", TrainConfig(), n_train=10)
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
        with_fooling_class(build_model("mlp", TrainConfig(), n_train=10))


def test_fooling_class_set_repeats_to_size():
    images = np.arange(3 * 784, dtype=np.float32).reshape(3, 28, 28)
    out = fooling_class_set(images, 7)
    assert out.shape == (7, 28, 28) and np.array_equal(out[3], images[0])
    with pytest.raises(ValueError, match="no fooling images"):
        fooling_class_set(images[:0], 5)


def test_retraining_learns_the_fooling_class(tmp_path, softmax, mnist_npz):
    rng = np.random.default_rng(2)
    fooling = tmp_path / "genetic.npz"
    write_npz(fooling, images=rng.random((20, 28, 28), dtype=np.float32), target=np.arange(20) % 10)
    out, summary = tmp_path / "eleven.keras", tmp_path / "retrain.csv"
    table = retrain_with_fooling_class(
        model_path=softmax,
        data=mnist_npz,
        fooling=[fooling],
        out=out,
        summary=summary,
        epochs=30,
        batch_size=10,
        learning_rate=0.01,
        seed=0,
    )
    values = table.set_index("measure").value
    assert values["fooling images called 'fooling'"] > 0.9  # uniform noise is easy to learn
    assert load_model(out).outputs[0].shape[-1] == 11 and FOOLING_CLASS == 10
    assert pd.read_csv(summary).shape == (3, 3)


def test_fine_tuning_digits_names_the_tighter_limit():
    from mnist_fooling.stages.eleventh.fragment import fine_tuning_digits

    both = dict(data=dict(n_train=3000), eleventh=dict(n_train=10000))
    assert fine_tuning_digits(both) == "the first 3,000 training digits"
    assert fine_tuning_digits(dict(data=dict(n_train=None), eleventh={})) == "the training digits"
    only = dict(data=dict(n_train=None), eleventh=dict(n_train=10000))
    assert fine_tuning_digits(only) == "the first 10,000 training digits"
