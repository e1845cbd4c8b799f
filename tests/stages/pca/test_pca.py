import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.io import write_npz
from mnist_fooling.stages.data.mnist import load_mnist
from mnist_fooling.stages.fooling.likeness import templates
from mnist_fooling.stages.pca.compute import (
    components_for,
    eigen_likeness,
    fit_pca,
    nearest_class_mean,
    nearest_neighbour,
    reconstruct,
    rescale_unit,
)


def planted(n=400, seed=0):
    """Images varying mostly along two known orthogonal directions u (strong) and v (weak)."""
    rng = np.random.default_rng(seed)
    u = np.zeros(784)
    u[:392] = 1 / np.sqrt(392)
    v = np.zeros(784)
    v[::2] = 1 / np.sqrt(392)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    x = 0.5 + rng.normal(0, 3, (n, 1)) * u + rng.normal(0, 1, (n, 1)) * v
    x += rng.normal(0, 0.01, (n, 784))
    return x.reshape(n, 28, 28), u, v


def test_fit_pca_finds_the_planted_directions():
    x, u, v = planted()
    mean, comps, values = fit_pca(x)
    assert abs(comps[0] @ u) > 0.99 and abs(comps[1] @ v) > 0.99
    np.testing.assert_allclose(comps @ comps.T, np.eye(784), atol=1e-8)
    assert np.all(np.diff(values) <= 1e-12)
    assert values[0] / values[1] == pytest.approx(9, rel=0.3)
    assert components_for(values, 0.5) == 1 and components_for(values, 0.95) == 2


def test_reconstruction_from_all_components_is_exact():
    x, _, _ = planted(n=50)
    mean, comps, _ = fit_pca(x)
    np.testing.assert_allclose(reconstruct(x, mean, comps, 784), x, atol=1e-8)


def test_signs_are_fixed():
    x, _, _ = planted()
    _, comps, _ = fit_pca(x)
    idx = np.abs(comps).argmax(axis=1)
    assert np.all(comps[np.arange(784), idx] > 0)


def test_classifiers_on_separated_clusters():
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 10, (10, 5))
    y = np.repeat(np.arange(10), 30)
    z = centres[y] + rng.normal(0, 0.5, (300, 5))
    assert (nearest_class_mean(z, y, z) == y).all()
    assert (nearest_neighbour(z, y, z + 0.01, chunk=7) == y).all()


def test_rescale_unit():
    v = np.array([[-2.0, 0.0, 2.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(rescale_unit(v), [[0, 0.5, 1], [0, 0, 0]])


def test_eigen_likeness_reads_either_sign(tmp_path, mnist_npz):
    """A component shaped like digit 3, one like minus digit 5, and noise: the first two look
    like digits in their better sign, the noise does not."""
    mnist = load_mnist(mnist_npz)
    t = templates(mnist.x_train, mnist.y_train).reshape(10, -1)
    noise = np.random.default_rng(0).normal(size=784)
    components = np.stack([t[3] - t[3].mean(), t[5].mean() - t[5], noise])
    components /= np.linalg.norm(components, axis=1, keepdims=True)
    write_npz(tmp_path / "pca.npz", components=components.astype(np.float32))
    out = tmp_path / "eigen.csv"
    table = eigen_likeness(pca_npz=tmp_path / "pca.npz", data=mnist_npz, n=3, out=out)
    assert list(table.component) == [1, 2, 3] and list(table.sign[:2]) == [1, -1]
    assert list(table.digit[:2]) == [3, 5] and list(table.looks_like_digit) == [True, True, False]
    assert table["corr"][0] == pytest.approx(1.0, abs=1e-5) and table["corr"][2] < table.floor[2]
    assert 0 < table.floor[0] < 1 and table.floor.nunique() == 1
    pd.testing.assert_frame_equal(pd.read_csv(out), table, check_dtype=False)
    assert len(eigen_likeness(pca_npz=tmp_path / "pca.npz", data=mnist_npz, n=1, out=out)) == 1


def test_fooling_errors_per_run(tmp_path):
    from mnist_fooling.core.io import write_npz
    from mnist_fooling.stages.pca.compute import fooling_errors

    x, _, _ = planted(n=60)
    mean, comps, _ = fit_pca(x)
    write_npz(tmp_path / "pca.npz", mean=mean, components=comps)
    (tmp_path / "cnn").mkdir()
    on_subspace = reconstruct(x[:4], mean, comps, 2)
    write_npz(tmp_path / "cnn" / "genetic.npz", images=on_subspace)
    table = fooling_errors(
        pca_npz=tmp_path / "pca.npz",
        runs=[tmp_path / "cnn" / "genetic.npz"],
        k=2,
        out=tmp_path / "err.csv",
    )
    assert list(table.model) == ["cnn"] * 4 and list(table.method) == ["genetic"] * 4
    assert table.rms_error.max() < 1e-6  # images built from 2 components lie on the subspace
