"""Fooling jobs end to end on tiny saved models: files, extra '2's, means, sweeps, the transfer
matrix, every configured method of a model, and the evaluations-for-all-ten-digits table."""

import functools

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims.common import replicates
from mnist_fooling.stages.fooling.fragment import budget_table, digits_markdown
from mnist_fooling.stages.fooling.plan import plan_for
from mnist_fooling.stages.fooling.run import (
    converged_means,
    grid_points,
    method_seed,
    run_fooling,
    run_model,
    run_sweep,
    transfer_table,
)
from mnist_fooling.stages.fooling.stall import STALL_WINDOW

GENETIC = dict(population=10, selected=3, mutate_factor=1.0, max_iter=3, max_attempts=1)
HILL = dict(steps=3, threshold=0.99, candidates=20, density=0.05, amplitude=0.5, patience=2)
MAP_ELITES = dict(
    steps=2, threshold=0.9999, batch_size=8, mutation_rate=0.1, eta=15.0, halve_every=1000
)
CSV_COLUMNS = [
    "model",
    "method",
    "run",
    "replicate",
    "extra",
    "target",
    "confidence",
    "top",
    "top_output",
    "outcome",
    "converged",
    "cost",
    "attempts",
    "evaluations",
    "steps",
    "shared_evaluations",
]


def fool(tmp_path, models, method, params, *, model="mlp", data=None, **counts):
    return run_fooling(
        model_name=model,
        model_path=models[model],
        method=method,
        params=params,
        seed=5,
        data=data,
        out_npz=tmp_path / f"{method}.npz",
        out_csv=tmp_path / f"{method}.csv",
        **{"runs_per_digit": 2, **counts},
    )


def test_extra_twos_are_flagged_and_averaged_but_not_replicates(tmp_path, models, mnist_npz):
    # tol 100: every attempt converges at its first check.
    params = dict(GENETIC, tol=100.0)
    table = fool(tmp_path, models, "genetic_prior", params, data=mnist_npz, runs_of_two=4)
    csv = pd.read_csv(tmp_path / "genetic_prior.csv")
    assert list(csv.columns) == CSV_COLUMNS and len(csv) == len(table) == 24
    extra = csv[csv.extra]
    assert len(extra) == 4 and list(csv.index[csv.extra]) == [20, 21, 22, 23]
    assert (extra.target == 2).all() and (extra.replicate == -1).all()
    reps = csv[~csv.extra]
    assert sorted(reps.replicate[reps.target == 2]) == [0, 1]
    assert np.bincount(reps.target).tolist() == [2] * 10
    assert len(replicates(csv, "mlp", "genetic_prior")) == 20  # what every rate counts
    assert csv.converged.all() and (csv.outcome == "converged").all() and (csv.steps == 0).all()
    with np.load(tmp_path / "genetic_prior.npz", allow_pickle=False) as npz:
        assert npz["images"].shape == (24, 28, 28) and npz["outputs"].shape == (24, 10)
        assert npz["extra"].tolist() == [False] * 20 + [True] * 4
        assert npz["mean_n"].tolist() == [2, 2, 6, 2, 2, 2, 2, 2, 2, 2]  # '2': 2 runs + 4 extra
        np.testing.assert_allclose(npz["means"][2], npz["images"][npz["target"] == 2].mean(0))
        assert npz["curve"].shape == (24, len(npz["curve_evaluations"]))
        np.testing.assert_allclose(
            npz["outputs"][np.arange(24), npz["target"]], csv.confidence, atol=1e-6
        )
    # The digits table counts the replicates: 2 runs of '2', not 6.
    assert "| mlp | genetic_prior | 2/2 [34–100] | 2/2 [34–100] | 2/2 [34–100] |" in (
        digits_markdown(csv)
    )


def test_extra_twos_retry_up_to_their_attempts(tmp_path, models):
    params = dict(GENETIC, tol=1e-9)  # never converges
    table = fool(tmp_path, models, "genetic", params, runs_of_two=3, attempts_of_two=4)
    reps, extra = table[~table.extra], table[table.extra]
    assert (reps.attempts == 1).all() and (extra.attempts == 4).all()
    assert (reps.outcome == "budget").all() and not table.converged.any()
    one = reps.evaluations.iloc[0]
    assert (reps.evaluations == one).all() and (extra.evaluations == 4 * one).all()
    with np.load(tmp_path / "genetic.npz", allow_pickle=False) as npz:
        assert npz["mean_n"].sum() == 0 and not npz["means"].any()  # nothing converged


@pytest.mark.parametrize(
    ("method", "params", "counts", "message"),
    [
        ("annealing", HILL, {}, "unknown method 'annealing'"),
        ("hillclimb", HILL, dict(runs_of_two=2), "runs_of_two is for the genetic methods"),
        ("map_elites", MAP_ELITES, dict(runs_of_two=5), "runs_of_two is for the genetic methods"),
        ("hillclimb", HILL, dict(runs_per_digit=0), "runs_per_digit must be at least 1"),
        ("genetic", dict(GENETIC, tol=1.0), dict(runs_of_two=-1), "runs_of_two must be at least"),
        ("genetic", dict(GENETIC, tol=1.0), dict(attempts_of_two=0), "attempts_of_two at least 1"),
    ],
)
def test_run_fooling_rejects_bad_requests_before_writing(
    tmp_path, models, method, params, counts, message
):
    with pytest.raises(ValueError, match=message):
        fool(tmp_path, models, method, params, **counts)
    assert list(tmp_path.iterdir()) == []


def test_transfer_table_diagonal_matches_the_search(tmp_path, models):
    fool(tmp_path, models, "hillclimb", HILL, model="softmax", runs_per_digit=1)
    table = transfer_table({("softmax", "hillclimb"): tmp_path / "hillclimb.npz"}, models)
    assert list(table.scorer) == ["softmax", "mlp"] and (table.n == 10).all()
    own = table[table.scorer == "softmax"].iloc[0]
    csv = pd.read_csv(tmp_path / "hillclimb.csv")
    assert own.mean_target_output == pytest.approx(csv.confidence.mean(), abs=1e-5)
    assert own.above_half == pytest.approx((csv.confidence > 0.5).mean())
    assert own.called_target == pytest.approx((csv.top == csv.target).mean())


def test_map_elites_job_shares_evaluations(tmp_path, models):
    table = fool(tmp_path, models, "map_elites", MAP_ELITES, model="softmax")
    assert len(table) == 20 and table.shared_evaluations.all() and not table.extra.any()
    assert (table.evaluations == 24).all()  # generation 0 and two more, 8 images each


def test_run_model_runs_every_method_with_its_counts(tmp_path, models):
    fooling = dict(
        runs_per_digit=1,
        runs_of_two=3,
        attempts_of_two=1,
        counts=dict(mlp=dict(genetic=dict(runs_per_digit=2, runs_of_two=1))),
        methods=dict(hillclimb=HILL, genetic=dict(GENETIC, tol=1.0)),
    )
    run = functools.partial(
        run_model, model_name="mlp", model_path=models["mlp"], seed=0, data=None
    )
    plan = plan_for(fooling, "mlp", ["hillclimb", "genetic"])
    run(out_dir=tmp_path, plan=plan)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "genetic.csv",
        "genetic.npz",
        "hillclimb.csv",
        "hillclimb.npz",
    ]
    hill, genetic = pd.read_csv(tmp_path / "hillclimb.csv"), pd.read_csv(tmp_path / "genetic.csv")
    assert len(hill) == 10 and not hill.extra.any()  # the default runs_of_two is not hill's
    assert len(genetic) == 21 and genetic.extra.sum() == 1
    # The same job run alone gives the same runs (one stream per model and method).
    run_fooling(
        model_name="mlp",
        model_path=models["mlp"],
        method="hillclimb",
        params=HILL,
        runs_per_digit=1,
        seed=0,
        data=None,
        out_npz=tmp_path / "alone" / "h.npz",
        out_csv=tmp_path / "alone" / "h.csv",
    )
    with (
        np.load(tmp_path / "alone" / "h.npz") as alone,
        np.load(tmp_path / "hillclimb.npz") as job,
    ):
        assert alone["images"].any()
        np.testing.assert_array_equal(alone["images"], job["images"])
    # A job of its own for one method (the workflow runs hill climbing apart): same runs.
    run(out_dir=tmp_path / "apart", plan={"hillclimb": plan["hillclimb"]})
    assert sorted(p.name for p in (tmp_path / "apart").iterdir()) == [
        "hillclimb.csv",
        "hillclimb.npz",
    ]
    with (
        np.load(tmp_path / "apart" / "hillclimb.npz") as apart,
        np.load(tmp_path / "hillclimb.npz") as job,
    ):
        np.testing.assert_array_equal(apart["images"], job["images"])
    bad = {"hillclimb": plan["hillclimb"], "square_search": dict(plan["hillclimb"], params={})}
    with pytest.raises(ValueError, match="plan.square_search.params: .*missing"):
        run(out_dir=tmp_path / "none", plan=bad)  # checked before anything is written
    assert not (tmp_path / "none").exists()


def test_run_sweep_one_row_per_run_and_grid_point(tmp_path, models, mnist_npz):
    out = tmp_path / "sweep.csv"
    table = run_sweep(
        model_name="softmax",
        model_path=models["softmax"],
        method="hillclimb",
        params=HILL,
        grid=dict(density=[0.01, 0.2], amplitude=[0.5]),
        runs_per_digit=1,
        seed=0,
        data=mnist_npz,
        out=out,
    )
    assert len(table) == 20 and table.groupby("density").size().tolist() == [10, 10]
    assert (table.amplitude == 0.5).all() and list(table.target[:10]) == list(range(10))
    expected = {"model", "method", "density", "amplitude", "target", "confidence", "outcome"}
    expected |= {"converged", "steps", "evaluations", "late_gain", "late_window", "own_corr"}
    assert set(table.columns) == expected | {"looks"}
    # The rise over the last iterations: never negative (the best only rises), at most the
    # final best; the window the stall rule used travels with the rows.
    assert (
        table.late_gain.between(0, 1).all() and (table.late_gain <= table.confidence + 1e-6).all()
    )
    assert (table.late_window == STALL_WINDOW).all()
    assert table.own_corr.between(-1, 1).all() and table.looks.dtype == bool
    assert pd.read_csv(out).shape == table.shape
    for grid in ({}, dict(density=[])):
        with pytest.raises(ValueError, match="at least one value per parameter"):
            run_sweep(
                model_name="softmax",
                model_path=models["softmax"],
                method="hillclimb",
                params=HILL,
                grid=grid,
                runs_per_digit=1,
                seed=0,
                data=mnist_npz,
                out=tmp_path / "bad.csv",
            )
    assert not (tmp_path / "bad.csv").exists()


def test_sweeps_and_runs_draw_from_separate_streams():
    main, sweep = method_seed(1, "cnn", "hillclimb"), method_seed(1, "cnn", "hillclimb", purpose=1)
    assert main.random() != sweep.random()
    assert (
        method_seed(1, "cnn", "hillclimb").random() == method_seed(1, "cnn", "hillclimb").random()
    )
    assert method_seed(1, "cnn", "genetic").random() != method_seed(1, "mlp", "genetic").random()


def test_grid_points_and_converged_means():
    assert grid_points(dict(a=[1, 2], b=[3])) == [dict(a=1, b=3), dict(a=2, b=3)]
    images = np.arange(4 * 784, dtype=np.float32).reshape(4, 28, 28)
    means, n = converged_means(images, np.array([3, 3, 3, 5]), np.array([True, True, False, False]))
    assert n.tolist() == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    np.testing.assert_array_equal(means[3], images[:2].mean(0))
    assert not means[5].any() and means.shape == (10, 28, 28)


# --- evaluations to fool all ten digits (fooling_report.budget_table) --------------------------


def runs_frame(method, evaluations, fooled, *, shared=False, replicates=2, confidence=None):
    return pd.DataFrame(
        dict(
            model="cnn",
            method=method,
            extra=False,
            target=np.repeat(np.arange(10), replicates),
            replicate=np.tile(np.arange(replicates), 10),
            evaluations=evaluations,
            converged=fooled,
            shared_evaluations=shared,
            confidence=np.where(fooled, 0.99995, 0.5) if confidence is None else confidence,
        )
    )


def test_budget_counts_whole_replicates():
    genetic = runs_frame("genetic", np.full(20, 10_000), np.ones(20, bool))
    evals = np.tile([30_000, 50_000], 10)
    evals[0] = 40_000  # replicate 0's slowest digit
    me = runs_frame("map_elites", evals, np.ones(20, bool), shared=True)
    failed = np.ones(20, bool)
    failed[3] = False  # replicate 1 of digit 1 never got there
    hill = runs_frame("hillclimb", np.full(20, 1_000), failed)
    extra = runs_frame("genetic", np.full(20, 1), np.zeros(20, bool)).iloc[:5].assign(extra=True)
    t = budget_table(pd.concat([genetic, me, hill, extra])).set_index("method")
    assert list(t.index) == ["genetic", "map_elites", "hillclimb"]
    assert t.loc["genetic", "done_median"] == 100_000  # ten runs of 10,000 each, summed
    assert (t.loc["genetic", "complete"], t.loc["genetic", "replicates"]) == (2, 2)
    assert t.loc["map_elites", "median"] == 45_000  # the longest run: 40k and 50k
    assert (t.loc["map_elites", "q1"], t.loc["map_elites", "q3"]) == (42_500, 47_500)
    assert t.loc["hillclimb", "complete"] == 1 and t.loc["hillclimb", "done_median"] == 10_000
    assert t.loc["hillclimb", "median"] == np.inf  # over all replicates: one is incomplete
    assert t.loc["map_elites", "kind"] == "black-box" and t.loc["genetic", "source"].startswith(
        "seed 000"
    )


def test_budget_needs_target_outputs_above_9999_and_all_ten_digits():
    hill_099 = runs_frame("hillclimb", np.full(20, 1_000), np.ones(20, bool), confidence=0.995)
    t = budget_table(hill_099).iloc[0]
    assert t.complete == 0 and t.done_median == np.inf and t.replicates == 2
    nine = runs_frame("genetic", np.full(20, 1_000), np.ones(20, bool))
    nine = nine[~((nine.target == 9) & (nine.replicate == 1))]  # replicate 1 lacks a '9'
    assert budget_table(nine).iloc[0].replicates == 1
    assert budget_table(nine[nine.target != 9]).empty


def test_search_path_is_the_host_under_tensorflow(monkeypatch):
    """The TensorFlow default runs the numpy/numba path; the device path needs JAX."""
    from mnist_fooling.stages.fooling.run import search_path

    monkeypatch.delenv("MNIST_FOOLING_SEARCH", raising=False)
    assert search_path() == "host"
    monkeypatch.setenv("MNIST_FOOLING_SEARCH", "device")
    with pytest.raises(ValueError, match="KERAS_BACKEND=jax"):
        search_path()
    monkeypatch.setenv("MNIST_FOOLING_SEARCH", "gpu")
    with pytest.raises(ValueError, match="'device' or 'host'"):
        search_path()


def test_run_fooling_takes_the_device_path_when_asked():
    """Under JAX (CPU) with MNIST_FOOLING_SEARCH=device, run_fooling's searches run on the
    device path and write the same files."""
    from tests.conftest import run_with_jax

    out = run_with_jax(
        """
        import os, tempfile
        from pathlib import Path
        import numpy as np, keras
        os.environ["MNIST_FOOLING_SEARCH"] = "device"
        from mnist_fooling.stages.fooling import run as fooling
        from mnist_fooling.search import device
        from tests.search.configured import params

        called = []
        original = device.run_search_device
        device.run_search_device = lambda *a, **k: called.append(1) or original(*a, **k)
        inputs = keras.Input((28, 28))
        x = keras.layers.Flatten()(inputs)
        model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="out")(x))
        out = Path(tempfile.mkdtemp())
        table = fooling.run_fooling(
            model_name="softmax", model_path=None, method="gradient_sign",
            params=params("gradient_sign", steps=5), runs_per_digit=1, seed=0, data=None,
            out_npz=out / "a.npz", out_csv=out / "a.csv",
            scorer=fooling.Scorer(model))
        assert fooling.search_path() == "device" and called, called
        print("ROWS", len(table), (out / "a.npz").exists())
        """
    )
    assert "ROWS 10 True" in out
