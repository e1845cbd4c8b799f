"""The stage end to end: the same seed gives the same bytes, through the CLI too."""

import json

import pandas as pd
import pytest

from mnist_fooling.stages.detectors.config import ATTACK_SETS, DETECTORS, NOISE_SET
from mnist_fooling.stages.detectors.evaluate import run_detectors
from tests.stages.detectors.synthetic import PARAMS


def test_same_seed_gives_the_same_bytes_through_the_cli(workspace, tmp_path):
    from mnist_fooling.cli import main

    d, runs = workspace
    common = dict(
        models={"softmax": d / "softmax.keras"},
        data=d / "mnist.npz",
        runs=runs,
        pca=d / "pca.npz",
        params=PARAMS,
        seed=3,
        eleventh=("softmax", d / "eleven.keras"),
    )
    table = run_detectors(**common, out_dir=tmp_path / "a")
    argv = [
        "detectors",
        "--models",
        f"softmax={d / 'softmax.keras'}",
        "--data",
        str(d / "mnist.npz"),
    ]
    argv += ["--runs", *map(str, runs), "--pca", str(d / "pca.npz"), "--seed", "3"]
    argv += ["--eleventh", f"softmax={d / 'eleven.keras'}", "--params-json", json.dumps(PARAMS)]
    assert main([*argv, "--out-dir", str(tmp_path / "b")]) == 0
    for name in ("auroc.csv", "adaptive.csv", "roc.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert set(table.detector) == set(DETECTORS)
    assert set(table.set) == {"genetic", "hillclimb", NOISE_SET, *ATTACK_SETS}
    row = table[(table.set == "genetic") & (table.detector == "energy")].iloc[0]
    assert row.n == 12 and row.n_converged == 8 and row.n_negatives == 40
    adaptive = pd.read_csv(tmp_path / "a" / "adaptive.csv")
    assert len(adaptive) == 6 and (adaptive.runs == 10).all()
    bad = [*argv, "--out-dir", str(tmp_path / "c"), "--eleventh", "cnn=x.keras"]
    assert main(bad) == 2


def test_fooling_sets_are_read_through_the_run_format(workspace, tmp_path):
    from mnist_fooling.core.errors import UserInputError
    from mnist_fooling.stages.detectors.evaluate import load_fooling_sets

    _, runs = workspace
    sets = load_fooling_sets(list(reversed(runs)))
    assert list(sets) == ["softmax"] and list(sets["softmax"]) == ["genetic", "hillclimb"]
    assert sets["softmax"]["genetic"]["images"].shape == (12, 28, 28)
    with pytest.raises(UserInputError, match="not a fooling run file") as bad:
        load_fooling_sets([*runs, tmp_path / "softmax" / "annealing.npz"])
    assert "\n" not in str(bad.value)
    (tmp_path / "softmax").mkdir()
    (tmp_path / "softmax" / "genetic.npz").write_text("not an archive")
    with pytest.raises(UserInputError, match="not a readable .npz"):
        load_fooling_sets([tmp_path / "softmax" / "genetic.npz"])
