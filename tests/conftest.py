"""Shared fixtures: small synthetic MNIST-like data, written as the pipeline would write it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]


def synthetic_arrays(n: int = 60, seed: int = 0) -> dict[str, np.ndarray]:
    """Six MNIST-shaped uint8/int64 arrays: each digit d is a bright bar at row 2d (learnable)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split in ("train", "val", "test"):
        y = np.arange(n) % 10
        x = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
        x[np.arange(n), 2 * y + 4, 4:24] = 250
        arrays[f"x_{split}"] = x
        arrays[f"y_{split}"] = y.astype(np.int64)
    return arrays


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    return synthetic_arrays()


@pytest.fixture
def mnist_npz(tmp_path, arrays) -> Path:
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    return path


def run_with_jax(script: str) -> str:
    """Run ``script`` in a fresh interpreter with ``KERAS_BACKEND=jax`` on the CPU; its stdout."""
    import subprocess
    import sys
    import textwrap

    pytest.importorskip("jax")
    env = {
        "KERAS_BACKEND": "jax",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),  # + tests.*
        "PATH": "/usr/bin:/bin",
        "JAX_PLATFORMS": "cpu",
    }
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    """Untrained softmax and MLP models saved as .keras (seed 1), by name."""
    import keras

    from mnist_fooling.core.io import save_keras_model
    from mnist_fooling.core.models import build_model

    d = tmp_path_factory.mktemp("models")
    paths = {}
    for name in ("softmax", "mlp"):
        keras.utils.set_random_seed(1)
        paths[name] = d / f"{name}.keras"
        save_keras_model(build_model(name, train_config(name), n_train=10), paths[name])
    return paths


def train_config(model: str, **overrides):
    """:class:`~mnist_fooling.core.models.TrainConfig` of ``model`` as config/config.yaml sets it
    (its ``train.<model>`` section and ``seed``), under ``overrides``."""
    from mnist_fooling.core.models import TrainConfig

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return TrainConfig(**{**config["train"][model], "seed": config["seed"], **overrides})
