"""Synthetic digits for the detectors' tests: bars on faint noise and a hand-set reader."""

import keras
import numpy as np

from mnist_fooling.core.models import build_softmax

BARS = np.zeros((10, 28, 28), np.float32)
BARS[np.arange(10), 2 * np.arange(10) + 4, 4:24] = 1.0  # digit d: a bar at row 2d + 4


def bar_images(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images of digit bars on faint noise, and their labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    x = 0.15 * rng.random((n, 28, 28), dtype=np.float32)
    return np.maximum(x, BARS[y]), y


def bar_reader() -> keras.Model:
    """Softmax regression whose class-d weights are bar d minus the mean bar (hand-set)."""
    model = build_softmax()
    kernel = (BARS - BARS.mean(axis=0)).reshape(10, -1).T  # (784, 10)
    model.get_layer("out").set_weights([kernel, np.zeros(10, np.float32)])
    return model


def identity_pca(k: int) -> dict[str, np.ndarray]:
    return dict(mean=np.zeros(784, np.float32), components=np.eye(784, dtype=np.float32))


def detector_params(**changes) -> dict:
    """config/config.yaml's ``detectors`` section under ``changes`` (``adaptive`` merged)."""
    import yaml

    from tests.conftest import ROOT

    found = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["detectors"]
    adaptive = {**found["adaptive"], **changes.pop("adaptive", {})}
    return {**found, **changes, "adaptive": adaptive}


PARAMS = detector_params(
    n_negatives=40, n_fit=60, bootstrap=10, pca_k=5, adaptive=dict(runs_per_digit=1, steps=4)
)


def attack_config(**overrides):
    """:class:`AttackConfig` as config/config.yaml's ``detectors.adaptive`` sets it, under
    ``overrides``."""
    import yaml

    from mnist_fooling.stages.detectors.config import AttackConfig
    from tests.conftest import ROOT

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return AttackConfig(**{**config["detectors"]["adaptive"], **overrides})
