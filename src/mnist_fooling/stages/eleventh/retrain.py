"""Nguyen et al.'s defence (N2): retrain with fooling images as an 11th class, then fool again."""

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


def fooling_class_set(images: np.ndarray, size: int) -> np.ndarray:
    """``(size, 28, 28)``: the fooling images repeated in order until ``size`` (a class about
    as large as a digit class, as Nguyen et al. add as many fooling images as a class holds)."""
    if len(images) == 0:
        raise ValueError("no fooling images to retrain with")
    return np.resize(images, (size, 28, 28)).astype(np.float32)


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
    """Fine-tune the model with an 11th class made of its own fooling images; write both.

    The summary CSV says how the retrained model fares: test accuracy on the digits, the share
    of the fooling images it now calls "fooling", and that share on fresh uniform noise.
    """
    mnist = load_mnist(data)
    x, y = mnist.x_train, mnist.y_train
    if n_train is not None:
        x, y = x[:n_train], y[:n_train]
    found = np.concatenate([read_arrays(path, ("images",))["images"] for path in fooling])
    extra = fooling_class_set(found, max(len(found), len(y) // 10))
    seed_everything(seed)
    model = with_fooling_class(load_model(model_path))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        steps_per_execution=steps_per_execution(batch_size),
    )
    x_all = np.concatenate([x, extra])
    y_all = np.concatenate([y, np.full(len(extra), FOOLING_CLASS)])
    log.info(
        "retraining on %d digits + %d fooling images (%d distinct)", len(y), len(extra), len(found)
    )
    progress = Progress(epochs=epochs, batches=-(-len(y_all) // batch_size), batch_size=batch_size)
    model.fit(
        x_all,
        y_all,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=2,
        callbacks=[progress],
    )
    noise = np.random.default_rng(seed).random((2000, 28, 28), dtype=np.float32)
    checks = (
        ("test accuracy on the digits", mnist.x_test, mnist.y_test),
        ("fooling images called 'fooling'", found, FOOLING_CLASS),
        ("uniform noise called 'fooling'", noise, FOOLING_CLASS),
    )
    table = pd.DataFrame(
        [
            dict(measure=measure, value=called(model, images, label), n=len(images))
            for measure, images, label in checks
        ]
    )
    save_keras_model(model, out)
    write_csv(summary, table)
    return table
