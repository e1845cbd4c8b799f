"""Three small models of the report's architectures with random weights, and their lab page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import ROOT, synthetic_arrays, train_config

NAMES = ("softmax", "mlp", "cnn")


def lab_methods() -> dict:
    """The searches' parameters as the workflow passes them (config/config.yaml)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    from mnist_fooling.stages.lab.page import METHODS

    return {m: config["fooling"]["methods"][m] for m in METHODS}


@pytest.fixture(scope="session")
def lab_models(tmp_path_factory) -> dict[str, Path]:
    """softmax, mlp and cnn ``.keras`` files with seeded random weights (peaked outputs)."""
    import keras

    from mnist_fooling.core.io import save_keras_model
    from mnist_fooling.core.models import build_model

    d = tmp_path_factory.mktemp("lab_models")
    rng = np.random.default_rng(3)
    paths = {}
    for name in NAMES:
        keras.utils.set_random_seed(1)
        model = build_model(name, train_config(name), n_train=10)
        if name == "softmax":  # zero-initialised: give it weights
            kernel, bias = model.get_layer("out").get_weights()
            model.get_layer("out").set_weights(
                [rng.normal(0, 0.3, kernel.shape).astype("f4"), rng.normal(0, 1, 10).astype("f4")]
            )
        paths[name] = d / f"{name}.keras"
        save_keras_model(model, paths[name])
    return paths


@pytest.fixture(scope="session")
def lab_page(lab_models, tmp_path_factory) -> Path:
    from mnist_fooling.stages.lab.page import write_lab

    out = tmp_path_factory.mktemp("lab") / "lab.html"
    write_lab(models=lab_models, out=out, methods=lab_methods())
    return out


def digits_and_fooling(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthetic digits and ``n`` fooling-like images (noise, sparse masks on black,
    black-and-white squares, saturated): ``(2n, 28, 28)`` float32 and targets ``(2n,)``."""
    x = synthetic_arrays(n=n, seed=5)["x_test"].astype(np.float32) / 255.0
    rng = np.random.default_rng(7)
    q = n // 4
    noise = rng.random((q, 28, 28), dtype=np.float32)
    sparse = np.where(rng.random((q, 28, 28)) < 0.05, rng.random((q, 28, 28)), 0).astype("f4")
    squares = (rng.random((q, 7, 7)) < 0.5).astype("f4").repeat(4, 1).repeat(4, 2)
    saturated = np.clip(rng.normal(0.5, 1.0, (n - 3 * q, 28, 28)), 0, 1).astype("f4")
    fooling = np.concatenate([noise, sparse, squares, saturated])
    images = np.concatenate([x, fooling]).astype(np.float32)
    targets = np.arange(len(images)) % 10
    return images, targets
