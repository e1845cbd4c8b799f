"""Nguyen et al.'s defence (N2): retrain with fooling images as an 11th class (one round)."""

from __future__ import annotations

import logging
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from ...core.backend import predict_batched, seed_everything
from ...core.io import save_keras_model, write_csv
from ...core.models import load_model, steps_per_execution
from ..data.mnist import load_mnist
from ..fooling.runs import read_arrays
from ..train.training import Progress

log = logging.getLogger(__name__)
FOOLING_CLASS = 10


def with_fooling_class(model: keras.Model) -> keras.Model:
    """``model`` with an 11-way softmax head named ``out``: the ten digits' weights copied,
    the fooling class's weights zero and its bias the lowest digit bias (it starts unlikely).

    Args:
        model: a trained softmax classifier whose last layer is a ``Dense`` named ``out``.
    """
    old = model.get_layer("out")
    if old.activation is not keras.activations.softmax:
        raise ValueError("an 11th class needs a softmax output layer (softmax or cnn)")
    w, b = old.get_weights()  # (features, 10), (10,)
    head = keras.layers.Dense(11, activation="softmax", name="out")
    features = old.input  # the tensor that fed the old head
    new = keras.Model(model.inputs, head(features), name=f"{model.name}_eleven")
    head.set_weights([np.concatenate([w, np.zeros_like(w[:, :1])], axis=1), np.append(b, b.min())])
    return new


def fooling_weight(n_images: int, n_digits: int) -> float:
    """Each fooling image's ``sample_weight``: the class weighs as much as a digit class
    (``n_digits / 10`` images of weight 1) when it has fewer images, 1 when it has as many.

    Nguyen et al. add as many fooling images as a class holds; with fewer distinct images we
    weight them rather than train on repeated copies (our choice)."""
    if n_images == 0:
        raise ValueError("no fooling images to retrain with")
    return max(1.0, n_digits / 10 / n_images)


def eleven_way(model: keras.Model) -> keras.Model:
    """``model`` itself when it already has the fooling class (a later round fine-tunes the
    previous round's model), else :func:`with_fooling_class`."""
    return model if model.outputs[0].shape[-1] == FOOLING_CLASS + 1 else with_fooling_class(model)


def called(model: keras.Model, images: np.ndarray, label) -> float:
    """Share of images ``(n, 28, 28)`` whose top output is ``label`` (a class or ``(n,)``)."""
    return float(np.mean(predict_batched(model, images).argmax(axis=1) == label))


def retrain_with_fooling_class(
    *,
    model_path: Path,
    data: Path,
    fooling: list[Path],
    out: Path,
    summary: Path,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    n_train: int | None = None,
) -> pd.DataFrame:
    """Fine-tune a model with an 11th class made of the fooling images in ``fooling``; write it
    and a one-row summary CSV.

    ``model_path`` is a 10-class model (round 1: a head is added) or the previous round's
    11-class model (fine-tuned further). The summary: the class's size and per-image weight,
    test accuracy on the digits, the share of the class's own images called "fooling", and
    that share on fresh uniform noise.
    """
    mnist = load_mnist(data)
    x, y = mnist.x_train, mnist.y_train
    if n_train is not None:
        x, y = x[:n_train], y[:n_train]
    found = np.concatenate([read_arrays(path, ("images",))["images"] for path in fooling]).astype(
        np.float32
    )
    weight = fooling_weight(len(found), len(y))
    seed_everything(seed)
    model = eleven_way(load_model(model_path))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        steps_per_execution=steps_per_execution(batch_size),
    )
    x_all = np.concatenate([x, found])
    y_all = np.concatenate([y, np.full(len(found), FOOLING_CLASS)])
    weights = np.concatenate([np.ones(len(y)), np.full(len(found), weight)]).astype(np.float32)
    log.info(
        "retraining on %d digits + %d fooling images of weight %.3g", len(y), len(found), weight
    )
    progress = Progress(epochs=epochs, batches=-(-len(y_all) // batch_size), batch_size=batch_size)
    model.fit(
        x_all,
        y_all,
        sample_weight=weights,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=2,
        callbacks=[progress],
    )
    noise = np.random.default_rng(seed).random((2000, 28, 28), dtype=np.float32)
    table = pd.DataFrame(
        [
            dict(
                fooling_images=len(found),
                weight=weight,
                test_accuracy=called(model, mnist.x_test, mnist.y_test),
                n_test=len(mnist.y_test),
                caught=called(model, found, FOOLING_CLASS),
                noise_caught=called(model, noise, FOOLING_CLASS),
                n_noise=len(noise),
            )
        ]
    )
    save_keras_model(model, out)
    write_csv(summary, table)
    return table
