"""Ours, beyond N2: the last round's MAP-Elites searches continued from their own images."""

import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.io import save_keras_model, write_npz
from mnist_fooling.core.models import build_model
from mnist_fooling.search.engine import run_search
from mnist_fooling.stages.eleventh.continued import (
    ContinuedMapElites,
    continue_search,
    start_images,
)
from mnist_fooling.stages.eleventh.retrain import with_fooling_class
from tests.conftest import train_config

SETTINGS = dict(threshold=0.9999, batch_size=4, mutation_rate=0.1, eta=15.0, halve_every=1000)


class PixelScorer:
    """Digit c's output is the image's c-th pixel: a network-free stand-in."""

    def __init__(self):
        self.calls = []

    def forward(self, images):
        self.calls.append(images.copy())
        return images.reshape(len(images), -1)[:, :10].astype(np.float32)


def digit_major(replicates: int) -> np.ndarray:
    return np.repeat(np.arange(10), replicates)


def test_start_images_put_each_run_at_its_replicate_and_digit():
    target = digit_major(2)
    images = np.zeros((20, 28, 28), np.float32)
    images.reshape(20, -1)[:, 100] = np.arange(20)  # run i carries i
    start = start_images(images, target)
    assert start.shape == (2, 10, 784)
    # Run 2d + k is the k-th run of digit d: replicate k, digit d.
    np.testing.assert_array_equal(start[:, :, 100], np.arange(20).reshape(10, 2).T)


@pytest.mark.parametrize("target", [np.arange(9), np.array([0, 0, *range(1, 10)]), np.arange(0)])
def test_start_images_need_every_digit_in_every_replicate(target):
    with pytest.raises(ValueError, match="every digit in every replicate"):
        start_images(np.zeros((len(target), 28, 28), np.float32), target)


def continued(start: np.ndarray, steps: int, after: int = 250) -> ContinuedMapElites:
    return ContinuedMapElites(**SETTINGS, steps=steps, start=start, after=after)


def test_generation_zero_is_the_start_not_noise():
    target = digit_major(2)
    images = np.zeros((20, 28, 28), np.float32)
    flat = images.reshape(20, -1)
    flat[target == 3, 3] = 1.0  # digit 3's start images already reach the threshold
    flat[target == 5, 5] = 0.5
    method = continued(start_images(images, target), steps=3)
    scorer = PixelScorer()
    result = run_search(method, scorer, targets=target, rng=np.random.default_rng(0))
    first = scorer.calls[0].reshape(-1, 784)
    np.testing.assert_array_equal(first, start_images(images, target).reshape(-1, 784))
    assert (result.outcome[target == 3] == "converged").all()
    assert (result.steps[target == 3] == 0).all() and (result.evaluations[target == 3] == 10).all()
    assert (result.steps[target != 3] == 3).all()
    # The archive keeps the best met: digit 5's output never falls below its start's.
    assert (result.outputs[target == 5, 5] >= 0.5).all()


def test_the_mutation_schedule_goes_on_from_the_generations_already_run():
    target = digit_major(1)
    start = start_images(np.full((10, 28, 28), 0.2, np.float32), target)
    method = continued(start, steps=1, after=1999)  # halve_every 1000: the third quarter
    run_search(method, PixelScorer(), targets=target, rng=np.random.default_rng(0))
    assert method.emitter.generation == 2001
    assert method.emitter.current_rate() == pytest.approx(0.1 / 4)


def test_continue_search_writes_one_row_per_run(tmp_path):
    keras.utils.set_random_seed(0)
    model = with_fooling_class(build_model("softmax", train_config("softmax"), n_train=10))
    out, b = model.get_layer("out").get_weights()
    b[10] = 50.0  # everything is 'fooling' but bright images (the weights below)
    out[:, 10] = 0.0
    out[:, :10] = 0.0
    out[:, 3] = 1.0  # digit 3's logit: the image's total ink
    model.get_layer("out").set_weights([out, b])
    path = tmp_path / "eleven.keras"
    save_keras_model(model, path)
    target = digit_major(2)
    images = np.zeros((20, 28, 28), np.float32)
    images[target == 3] = 1.0  # 784 ink: called 3
    write_npz(tmp_path / "start.npz", images=images, target=target)
    table = continue_search(
        model_path=path,
        start=tmp_path / "start.npz",
        params={**SETTINGS, "steps": 250},
        steps=2,
        after=250,
        seed=0,
        model_name="softmax",
        out_csv=tmp_path / "continued.csv",
    )
    written = pd.read_csv(tmp_path / "continued.csv")
    assert len(written) == 20 and (written.generations == 2).all()
    assert written.start_fooling.tolist() == (target != 3).tolist()
    assert written.converged[target == 3].all() and not written.converged[target != 3].any()
    assert set(table.columns) >= {"target", "converged", "evaluations", "start_fooling"}


def test_continue_search_needs_a_step(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        continue_search(
            model_path=tmp_path / "m.keras", start=tmp_path / "s.npz", params={}, steps=0,
            after=0, seed=0, model_name="cnn", out_csv=tmp_path / "o.csv",
        )  # fmt: skip
