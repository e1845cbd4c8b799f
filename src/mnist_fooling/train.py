"""Train one classifier on the MNIST training split and save it as ``.keras``."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .backend import seed_everything
from .data import load_mnist
from .io import save_keras_model
from .models import TrainConfig, build_model

log = logging.getLogger(__name__)


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
    model.fit(x, targets, epochs=cfg.epochs, batch_size=cfg.batch_size, shuffle=True, verbose=2)
    val = float(np.mean(np.argmax(model.predict(mnist.x_val, verbose=0), axis=1) == mnist.y_val))
    log.info("%s validation accuracy %.4f", name, val)
    save_keras_model(model, out)
    return {"val_accuracy": val}
