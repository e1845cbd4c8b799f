"""``likeness`` and its figures (``plot fooling:calibration_figures``): the readers chosen by
sensitivity and specificity, their tables and figures; bad input gives one line and exit code 2."""

import json

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.cli import main
from mnist_fooling.core.io import write_npz
from tests.conftest import synthetic_arrays

SECTION = dict(
    knn=dict(k=3, quantile=0.99, n_train=None),
    candidates=[dict(blur=1.0, similarity="correlation"), dict(blur=1.0, similarity="centred")],
    n_negatives=20,
    strengths=[0.0, 0.3, 1.0],
    n_calibration=10,
    permutations=99,
)
OUTPUTS = ["likeness", "calibration", "similarity", "readers", "specificity"]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """MNIST and one fooling run (cnn/hillclimb: a noisy image of each digit)."""
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "mnist.npz", **synthetic_arrays())
    rng = np.random.default_rng(0)
    (tmp_path / "cnn").mkdir()
    write_npz(
        tmp_path / "cnn" / "hillclimb.npz",
        images=rng.random((10, 28, 28), dtype=np.float32),
        target=np.arange(10),
        converged=np.ones(10, bool),
    )
    return tmp_path


def likeness(section) -> list[str]:
    args = ["likeness", "--runs", "cnn/hillclimb.npz", "--data", "mnist.npz"]
    args += ["--likeness-json", json.dumps(section), "--out", "likeness.csv"]
    for name in OUTPUTS[1:]:
        args += [f"--{name}-out", f"{name}.csv"]
    return args


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({k: v for k, v in SECTION.items() if k != "candidates"}, "lacks ['candidates']"),
        (dict(SECTION, knn=dict(k=3, quantile=0.99, blur=1.0)), "lacks ['knn.n_train']"),
        (dict(SECTION, candidates=[dict(blur=1.0)]), "lacks ['candidates[0].similarity']"),
    ],
)
def test_likeness_names_what_its_section_lacks(workdir, capsys, section, message):
    before = sorted(workdir.iterdir())
    assert main(likeness(section)) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
    assert sorted(workdir.iterdir()) == before


def test_likeness_writes_every_table_and_plot_likeness_its_figures(workdir, capsys):
    assert main(likeness(SECTION)) == 0
    tables = {name: pd.read_csv(workdir / f"{name}.csv") for name in OUTPUTS}
    assert "knn_shuffled" in tables["likeness"]
    assert tables["readers"].chosen.sum() == 1 and len(tables["readers"]) == 3
    assert len(tables["specificity"]) == 3 * 5
    (workdir / "figures").mkdir()
    inputs = [f"{n}={n}.csv" for n in ("calibration", "readers", "specificity")]
    plot = ["plot", "fooling:calibration_figures", "--input", *inputs, "data=mnist.npz"]
    assert main([*plot, "--out", "figures"]) == 0
    names = sorted(p.name for p in (workdir / "figures").iterdir())
    assert names == [f"likeness_{n}.png" for n in ("blends", "calibration", "negatives")]
    capsys.readouterr()
    assert main([*plot[:4], "--out", "figures"]) == 2  # readers, specificity and data missing
    assert "plot fooling:calibration_figures: no input readers" in capsys.readouterr().err
