import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import claims_table
from mnist_fooling.pca import (
    components_for,
    eigen_ink,
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


def test_rescale_unit_and_eigen_ink():
    v = np.array([[-2.0, 0.0, 2.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(rescale_unit(v), [[0, 0.5, 1], [0, 0, 0]])
    comps = np.eye(784)[:3] - 0.5 * np.eye(784)[3:6]
    ink, index, sign = eigen_ink(comps, 3)
    assert ink.shape == (6, 28, 28) and list(index) == [1, 2, 3, 1, 2, 3]
    assert ink[0].max() == 1 and ink[3].max() == 1  # -v's positive part is the other entry


def test_pca_and_edge_claims():
    acc = pd.DataFrame(columns=["model", "split"])
    conf = pd.DataFrame(columns=["model", "source"])
    pca_acc = pd.DataFrame(
        [
            dict(
                rule="nearest class mean",
                k=10,
                n=100,
                correct=72,
                accuracy=0.72,
                ci_low=0.6,
                ci_high=0.8,
            ),
            dict(
                rule="1-nearest neighbour",
                k=10,
                n=100,
                correct=95,
                accuracy=0.95,
                ci_low=0.9,
                ci_high=0.98,
            ),
        ]
    )
    eigen = pd.DataFrame(
        dict(
            model="cnn",
            component=[1, 1, 2, 2],
            sign=[1, -1, 1, -1],
            top1=[0, 3, 9, 1],
            p1=[0.9, 0.2, 0.3, 0.4],
        )
    )
    drawn = pd.DataFrame(
        [
            dict(model="mlp", digit=2, style=0, size="large", top1=5, p1=0.9995, top2=2, p2=0.0),
            dict(model="mlp", digit=9, style=0, size="large", top1=3, p1=0.02, top2=5, p2=0.01),
            dict(model="mlp", digit=2, style=0, size="small", top1=2, p1=0.99, top2=3, p2=0.0),
        ]
    )
    border = pd.DataFrame(
        [
            dict(
                model="mlp",
                central_box=20,
                n=100,
                accuracy=0.8,
                mean_output_change=0.3,
                top_changed=0.05,
            )
        ]
    )
    table = claims_table(
        accuracy=acc, confidence=conf, pca_accuracy=pca_acc, eigen=eigen, drawn=drawn, border=border
    ).set_index("id")
    assert table.loc["C2", "verdict"] == "reproduced"  # 1 of 2 at >= 50%
    assert table.loc["C3", "verdict"] == "reproduced"  # 72% vs 70%
    assert table.loc["C10", "verdict"] == "reproduced"
    assert table.loc["C11", "verdict"] == "reproduced"
    assert table.loc["C12", "verdict"] == "partly"  # correct but below 99.99%
    assert table.loc["C13", "verdict"] == "partly"  # 5% of top classes change


def test_fooling_errors_per_run(tmp_path):
    from mnist_fooling.io import write_npz
    from mnist_fooling.pca import fooling_errors

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
