"""The search benchmark: every measure present, ratios consistent with the throughputs, and its
report fragment."""

from types import SimpleNamespace

import keras
import pandas as pd

from mnist_fooling.benchmark import _runs, fragment, raw_batch, run_benchmark
from mnist_fooling.io import save_keras_model
from mnist_fooling.models import TrainConfig, build_model


def test_benchmark_rows_ratios_and_fragment(tmp_path):
    keras.utils.set_random_seed(0)
    path = tmp_path / "mlp.keras"
    save_keras_model(build_model("mlp", TrainConfig(), n_train=10), path)
    out = tmp_path / "search.csv"
    table = run_benchmark(models={"mlp": path}, runs_per_digit=1, steps=2, seconds=0.1, out=out)
    assert list(table.measure) == [
        "raw forward pass (images/s)",
        "genetic search (evaluations/s)",
        "hillclimb search (evaluations/s)",
        "map_elites search (evaluations/s)",
        "one-at-a-time genetic (evaluations/s)",
    ]
    assert (table.per_second > 0).all() and (table.model == "mlp").all()
    raw, genetic, hill, _, single = table.per_second
    assert abs(table.ratio[1] - genetic / raw) < 1e-9 and abs(table.ratio[2] - hill / raw) < 1e-9
    assert abs(table.ratio[4] - genetic / single) < 1e-9
    assert table.met[4] == ("yes" if genetic / single >= 100 else "no")
    assert table.target[4] == "batched ≥ 100 × this"
    assert table.target[1] == "≥ 0.8 × forward" and table.target[2] == ""  # MLP: genetic only
    assert table.met[1] == ("yes" if genetic / raw >= 0.8 else "no")
    frag = fragment({"speed": out}, {})
    lines = frag["tables"]["speed"].splitlines()
    assert len(lines) == 2 + len(pd.read_csv(out))
    assert lines[2] == f"| mlp | raw forward pass (images/s) | {raw:,.0f} | 1.00 |  |  |"
    assert set(frag) == {"tables"}


def test_loops_are_timed_on_steps_of_about_the_raw_batch():
    dense, conv = SimpleNamespace(batch_size=10_000), SimpleNamespace(batch_size=256)
    assert raw_batch(dense, 100) == 10_000 and raw_batch(conv, 100) == 2_048
    assert raw_batch(conv, 10) == 1_000  # never more than a genetic generation
    methods = ("genetic", "hillclimb", "map_elites")
    assert [_runs(m, 100, batch=10_000) for m in methods] == [100, 20, 50]
    assert [_runs(m, 100, batch=2_048) for m in methods] == [21, 5, 11]
    assert _runs("hillclimb", 100, batch=100) == 1 and _runs("genetic", 3, batch=2_048) == 3
