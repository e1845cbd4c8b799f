"""Train one classifier on the MNIST training split and save it as ``.keras``."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import keras
import numpy as np

from ...core.backend import seed_everything
from ...core.io import save_keras_model
from ...core.models import TrainConfig, build_model
from ..data.mnist import load_mnist

log = logging.getLogger(__name__)


class Progress(keras.callbacks.Callback):
    """A log line every ``seconds`` during training: epoch, batch, loss, images per second."""

    def __init__(self, *, epochs: int, batches: int, batch_size: int, seconds: float = 10.0):
        super().__init__()
        self.epochs, self.batches, self.batch_size = epochs, batches, batch_size
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = self.last = time.monotonic()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        # Keras calls this once per compiled call (steps_per_execution batches): count from
        # the batch index, not the calls.
        done = self.epoch * self.batches + batch + 1
        now = time.monotonic()
        if now - self.last >= self.seconds:
            self.last = now
            loss = (logs or {}).get("loss", float("nan"))
            log.info(
                "epoch %d/%d, batch %d/%d, loss %.4f, %.0f images/s, %.0f s",
                self.epoch + 1,
                self.epochs,
                batch + 1,
                self.batches,
                float(loss),
                done * self.batch_size / (now - self.start),
                now - self.start,
            )


def train_model(
    name: str, *, data: Path, out: Path, cfg: TrainConfig, n_train: int | None = None
) -> dict[str, float]:
    """Train model ``name`` on the first ``n_train`` training images; write ``out``.

    Returns:
        ``{"val_accuracy": ...}`` measured on the validation split after training.
    """
    mnist = load_mnist(data)
    x, y = mnist.x_train, mnist.y_train
    if n_train is not None:
        if n_train < 10:
            raise ValueError(f"n_train must be at least 10, got {n_train}")
        x, y = x[:n_train], y[:n_train]
    seed_everything(cfg.seed)
    model = build_model(name, cfg, n_train=len(x))
    # Nielsen's sigmoid outputs learn one-hot targets; the others take integer labels.
    targets = np.eye(10, dtype=np.float32)[y] if name == "mlp" else y
    log.info("training %s on %d images: %s", name, len(x), cfg)
    progress = Progress(
        epochs=cfg.epochs, batches=-(-len(x) // cfg.batch_size), batch_size=cfg.batch_size
    )
    model.fit(
        x,
        targets,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        shuffle=True,
        verbose=2,
        callbacks=[progress],
    )
    val = float(np.mean(np.argmax(model.predict(mnist.x_val, verbose=0), axis=1) == mnist.y_val))
    log.info("%s validation accuracy %.4f", name, val)
    save_keras_model(model, out)
    return {"val_accuracy": val}
