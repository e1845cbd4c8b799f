"""A fooling job end to end on tiny saved models: files, shapes, means and the transfer matrix."""

import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.fooling import run_fooling, transfer_table
from mnist_fooling.io import save_keras_model
from mnist_fooling.models import TrainConfig, build_model


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("m")
    paths = {}
    for name in ("softmax", "mlp"):
        keras.utils.set_random_seed(1)
        paths[name] = d / f"{name}.keras"
        save_keras_model(build_model(name, TrainConfig(), n_train=10), paths[name])
    return paths


def test_run_fooling_writes_arrays_and_summary(tmp_path, models, mnist_npz):
    params = dict(steps=3, threshold=0.9999, population=10, selected=3, mutate_factor=1.0)
    table = run_fooling(
        model_name="mlp",
        model_path=models["mlp"],
        method="genetic_prior",
        params=params,
        runs_per_digit=2,
        seed=5,
        data=mnist_npz,
        out_npz=tmp_path / "g.npz",
        out_csv=tmp_path / "g.csv",
    )
    with np.load(tmp_path / "g.npz", allow_pickle=False) as npz:
        assert npz["images"].shape == (20, 28, 28) and npz["outputs"].shape == (20, 10)
        assert npz["curve"].shape == (20, 4) and npz["means"].shape == (10, 28, 28)
        np.testing.assert_allclose(npz["means"][3], npz["images"][npz["target"] == 3].mean(0))
        assert (npz["evaluations"] == 40).all()  # initial population + 3 generations of 10
    csv = pd.read_csv(tmp_path / "g.csv")
    assert list(csv.columns) == [
        "model",
        "method",
        "run",
        "target",
        "confidence",
        "top",
        "converged",
        "evaluations",
    ]
    assert len(csv) == len(table) == 20


def test_run_fooling_rejects_unknown_method(tmp_path, models):
    with pytest.raises(ValueError, match="unknown method"):
        run_fooling(
            model_name="mlp",
            model_path=models["mlp"],
            method="annealing",
            params=dict(steps=1, threshold=0.5),
            runs_per_digit=1,
            seed=0,
            data=None,
            out_npz=tmp_path / "x.npz",
            out_csv=tmp_path / "x.csv",
        )
    assert not (tmp_path / "x.npz").exists()


def test_transfer_table_diagonal_matches_the_search(tmp_path, models):
    params = dict(steps=5, threshold=0.9999, candidates=20, mask_fraction=0.05)
    run_fooling(
        model_name="softmax",
        model_path=models["softmax"],
        method="hillclimb",
        params=params,
        runs_per_digit=1,
        seed=0,
        data=None,
        out_npz=tmp_path / "h.npz",
        out_csv=tmp_path / "h.csv",
    )
    table = transfer_table({("softmax", "hillclimb"): tmp_path / "h.npz"}, models)
    assert list(table.scorer) == ["softmax", "mlp"]
    own = table[table.scorer == "softmax"].iloc[0]
    expected = pd.read_csv(tmp_path / "h.csv").confidence.mean()
    assert own.mean_target_output == pytest.approx(expected, abs=1e-5)
    assert ((table.above_half >= 0) & (table.above_half <= 1)).all()
