"""Shared fixtures of the detectors' tests: the bar reader, its fit, a saved workspace."""

import keras
import numpy as np
import pytest

from mnist_fooling.core.io import save_keras_model, write_npz
from mnist_fooling.stages.detectors.fit import fit_detectors
from mnist_fooling.stages.detectors.score import build_probe
from tests.conftest import synthetic_arrays
from tests.stages.detectors.synthetic import BARS, bar_images, bar_reader, identity_pca


@pytest.fixture(scope="package")
def reader():
    keras.utils.set_random_seed(0)
    return bar_reader()


@pytest.fixture(scope="package")
def fitted(reader):
    x, y = bar_images(200)
    pca = identity_pca(784)
    pca["components"] = np.eye(784, dtype=np.float32)[np.argsort(-BARS.sum(0).ravel())]
    fit = fit_detectors(reader, x_fit=x, y_fit=y, pca=pca, pca_k=10, ridge=0.01)
    return fit, build_probe(reader, fit)


@pytest.fixture(scope="package")
def workspace(tmp_path_factory):
    """Synthetic MNIST, a saved bar reader with its 11th-class model, fooling sets, pca.npz."""
    from mnist_fooling.stages.eleventh.retrain import with_fooling_class
    from mnist_fooling.stages.pca.compute import fit_pca

    d = tmp_path_factory.mktemp("detectors")
    arrays = synthetic_arrays(n=80)
    np.savez(d / "mnist.npz", **arrays)
    keras.utils.set_random_seed(0)
    model = bar_reader()
    save_keras_model(model, d / "softmax.keras")
    save_keras_model(with_fooling_class(model), d / "eleven.keras")
    mean, components, eigenvalues = fit_pca(arrays["x_train"] / 256.0)
    write_npz(d / "pca.npz", mean=mean, components=components, eigenvalues=eigenvalues)
    rng = np.random.default_rng(0)
    runs = []
    for method in ("genetic", "hillclimb"):
        runs.append(d / "fooling" / "softmax" / f"{method}.npz")
        write_npz(
            runs[-1],
            images=rng.random((12, 28, 28), dtype=np.float32),
            target=np.arange(12) % 10,
            converged=np.arange(12) % 3 > 0,
        )
    return d, runs
