"""A fooling job end to end on tiny saved models: files, shapes, means and the transfer matrix."""

import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.fooling import BUDGET, budget_table, run_fooling, transfer_table
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
        runs_of_two=4,  # the posts' many '2's, scaled down
        seed=5,
        data=mnist_npz,
        out_npz=tmp_path / "g.npz",
        out_csv=tmp_path / "g.csv",
    )
    with np.load(tmp_path / "g.npz", allow_pickle=False) as npz:
        assert npz["images"].shape == (22, 28, 28) and npz["outputs"].shape == (22, 10)
        assert npz["curve"].shape == (22, 4) and npz["means"].shape == (10, 28, 28)
        np.testing.assert_allclose(npz["means"][3], npz["images"][npz["target"] == 3].mean(0))
        assert (npz["evaluations"] == 40).all()  # initial population + 3 generations of 10
        assert np.bincount(npz["target"]).tolist() == [2, 2, 4, 2, 2, 2, 2, 2, 2, 2]
        assert sorted(npz["replicate"][npz["target"] == 2]) == [0, 1, 2, 3]
    csv = pd.read_csv(tmp_path / "g.csv")
    assert list(csv.columns) == [
        "model",
        "method",
        "run",
        "replicate",
        "target",
        "confidence",
        "top",
        "converged",
        "evaluations",
        "steps",
        "shared_evaluations",
    ]
    assert len(csv) == len(table) == 22
    assert (csv.steps == 3).all() and not csv.shared_evaluations.any()


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


def test_map_elites_job_shares_evaluations(tmp_path, models):
    params = dict(
        steps=2, threshold=0.9999, batch_size=8, mutation_rate=0.1, eta=15.0, halve_every=1000
    )
    table = run_fooling(
        model_name="softmax",
        model_path=models["softmax"],
        method="map_elites",
        params=params,
        runs_per_digit=2,
        runs_of_two=5,  # only the genetic methods make extra '2's
        seed=0,
        data=None,
        out_npz=tmp_path / "m.npz",
        out_csv=tmp_path / "m.csv",
    )
    assert len(table) == 20 and table.shared_evaluations.all()
    assert (table.evaluations == 24).all()  # generation 0 and two more, 8 images each


def runs_frame(method, evaluations, converged, *, shared=False, replicates=2):
    n = 10 * replicates
    return pd.DataFrame(
        dict(
            model="cnn",
            method=method,
            target=np.repeat(np.arange(10), replicates),
            replicate=np.tile(np.arange(replicates), 10),
            evaluations=evaluations,
            converged=converged,
            shared_evaluations=shared,
            confidence=np.where(converged, 0.99995, 0.5),
        )
    ).iloc[:n]


def test_budget_counts_whole_replicates():
    genetic = runs_frame("genetic", np.full(20, 10_000), np.ones(20, bool))
    evals = np.tile([30_000, 50_000], 10)
    evals[0] = 40_000  # replicate 0's slowest digit
    me = runs_frame("map_elites", evals, np.ones(20, bool), shared=True)
    failed = np.ones(20, bool)
    failed[3] = False  # replicate 1 of digit 1 never converged
    hill = runs_frame("hillclimb", np.full(20, 1_000), failed)
    grad = runs_frame("gradient", np.full(20, 1), np.ones(20, bool))
    t = budget_table(pd.concat([genetic, me, hill, grad])).set_index("method")
    assert "gradient" not in t.index
    assert t.loc["genetic", "median_total"] == 100_000  # ten runs of 10,000 each
    assert t.loc["genetic", "within_budget"] == 0 and BUDGET == 90_000
    assert t.loc["map_elites", "median_total"] == 45_000  # max per replicate: 40k and 50k
    assert t.loc["map_elites", "within_budget"] == 1
    assert t.loc["hillclimb", "complete"] == 1 and t.loc["hillclimb", "within_budget"] == 0.5
    assert t.loc["hillclimb", "median_total"] == np.inf  # half the replicates incomplete
    hill_099 = hill.assign(confidence=0.995)  # converged at its own 0.99, not fooled at 99.99%
    assert budget_table(hill_099).complete.iloc[0] == 0
