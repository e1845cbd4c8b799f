"""The search benchmark: every measure present, ratios consistent with the throughputs, and its
report fragment."""

from types import SimpleNamespace

import keras
import pandas as pd
import pytest

from mnist_fooling.core.io import save_keras_model
from mnist_fooling.core.models import build_model
from mnist_fooling.stages.benchmark.fragment import fragment
from mnist_fooling.stages.benchmark.speed import (
    _row,
    _runs,
    loop_steps,
    raw_batch,
    run_benchmark,
    timed_params,
)
from tests.conftest import train_config
from tests.search.configured import config_methods


def benchmark_mlp(tmp_path, *, seconds: float, repeats: int):
    """``(table, csv path)`` of the benchmark on a small untrained MLP."""
    keras.utils.set_random_seed(0)
    path = tmp_path / "mlp.keras"
    save_keras_model(build_model("mlp", train_config("mlp"), n_train=10), path)
    out = tmp_path / "search.csv"
    table = run_benchmark(
        models={"mlp": path},
        methods=config_methods(),
        runs_per_digit=1,
        steps=2,
        seconds=seconds,
        repeats=repeats,
        out=out,
    )
    return table, out


def test_benchmark_rows_ratios_and_fragment(tmp_path):
    table, out = benchmark_mlp(tmp_path, seconds=0.1, repeats=1)
    assert list(table.measure) == [
        "raw forward pass (images/s)",
        "genetic search (evaluations/s)",
        "hillclimb search (evaluations/s)",
        "map_elites search (evaluations/s)",
        "one-at-a-time genetic (evaluations/s)",
    ]
    assert (table.per_second > 0).all() and (table.model == "mlp").all()
    assert (table.rounds == 1).all() and (table.ratio_min == table.ratio_max).all()
    raw, genetic, hill, _, single = table.per_second
    assert abs(table.ratio[1] - genetic / raw) < 1e-9 and abs(table.ratio[2] - hill / raw) < 1e-9
    assert abs(table.ratio[4] - genetic / single) < 1e-9
    assert table.target[4] == "batched ≥ 100 × this"
    assert table.target[1] == "≥ 0.8 × forward" and table.target[2] == ""  # MLP: genetic only
    assert set(table.met[[1, 4]]) <= {"yes", "no"} and table.met[2] == ""
    frag = fragment({"speed": out}, {})
    lines = frag["tables"]["speed"].splitlines()
    assert len(lines) == 2 + len(pd.read_csv(out))
    assert lines[2] == f"| mlp | raw forward pass (images/s) | {raw:,.0f} | 1.00 |  |  |"
    assert frag["variables"] == {"rounds": 1}


def test_rounds_give_the_median_ratio_and_its_range(tmp_path):
    table, out = benchmark_mlp(tmp_path, seconds=0.05, repeats=3)
    assert (table.rounds == 3).all()
    assert (table.ratio_min <= table.ratio).all() and (table.ratio <= table.ratio_max).all()
    frag = fragment({"speed": out}, {})
    assert frag["variables"] == {"rounds": 3}


@pytest.mark.parametrize(
    ("ratios", "goal", "met"),
    [
        ([0.7, 0.85, 0.9], 0.8, "yes"),  # the median decides, not the best round
        ([0.7, 0.75, 0.95], 0.8, "no"),
        ([0.8, 0.8, 0.8], 0.8, "yes"),  # the boundary meets the target
        ([0.5], None, ""),  # no target, no verdict
    ],
)
def test_a_target_is_met_by_the_median_round(ratios, goal, met):
    rounds = pd.DataFrame(dict(per_second=[1.0] * len(ratios), ratio=ratios))
    row = _row("cnn", "genetic search (evaluations/s)", rounds, goal, "≥ {goal} × forward")
    assert row["met"] == met and row["ratio"] == sorted(ratios)[len(ratios) // 2]
    assert (row["ratio_min"], row["ratio_max"]) == (min(ratios), max(ratios))
    assert row["rounds"] == len(ratios)


def test_the_speed_table_shows_the_median_and_its_range(tmp_path):
    rows = [
        dict(model="cnn", measure="raw forward pass (images/s)", per_second=6000.0, ratio=1.0,
             ratio_min=1.0, ratio_max=1.0, rounds=3, target="", met=""),
        dict(model="cnn", measure="genetic search (evaluations/s)", per_second=5000.0,
             ratio=0.83, ratio_min=0.79, ratio_max=0.9, rounds=3, target="≥ 0.8 × forward",
             met="yes"),
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "search.csv", index=False)
    lines = fragment({"speed": tmp_path / "search.csv"}, {})["tables"]["speed"].splitlines()
    assert "0.83 (0.79–0.90)" in lines[3] and "≥ 0.8 × forward" in lines[3] and "yes" in lines[3]


def test_loops_are_timed_on_steps_of_about_the_raw_batch():
    dense, conv = SimpleNamespace(batch_size=10_000), SimpleNamespace(batch_size=256)
    assert raw_batch(dense, 100) == 10_000 and raw_batch(conv, 100) == 2_048
    assert raw_batch(conv, 10) == 1_000  # never more than a genetic generation
    params = timed_params(config_methods())
    methods = ("genetic", "hillclimb", "map_elites")
    assert [_runs(params[m], 100, batch=10_000) for m in methods] == [100, 20, 50]
    assert [_runs(params[m], 100, batch=2_048) for m in methods] == [21, 5, 11]
    assert _runs(params["hillclimb"], 100, batch=100) == 1
    assert _runs(params["genetic"], 3, batch=2_048) == 3


def test_timed_loops_never_stop_and_keep_the_configs_other_settings():
    params = timed_params(config_methods())
    assert params["genetic"]["tol"] == 0.0 and params["hillclimb"]["threshold"] > 1
    assert params["genetic"]["population"] == config_methods()["genetic"]["population"]
    with pytest.raises(ValueError, match="the config lacks \\['map_elites'\\]"):
        timed_params({k: v for k, v in config_methods().items() if k != "map_elites"})


def test_slow_loops_are_timed_for_about_as_long_as_the_raw_pass():
    # MLP: 10,000 images a step at 780,000/s: the configured 20 steps are well under a second.
    assert loop_steps(steps=20, seconds=1.0, raw=780_000, batch=10_000) == 20
    # CNN: 2,048 images a step at 3,900/s: 2 steps make a second; never fewer than 3.
    assert loop_steps(steps=20, seconds=1.0, raw=3_900, batch=2_048) == 3
    assert loop_steps(steps=20, seconds=4.0, raw=3_900, batch=2_048) == 8
    assert loop_steps(steps=2, seconds=1.0, raw=3_900, batch=2_048) == 2  # at most steps
