"""The search benchmark: every measure present, ratios consistent with the throughputs."""

import keras
import pandas as pd

from mnist_fooling.benchmark import run_benchmark
from mnist_fooling.io import save_keras_model
from mnist_fooling.models import TrainConfig, build_model
from mnist_fooling.report import speed_markdown


def test_benchmark_rows_and_ratios(tmp_path):
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
    assert (table.per_second > 0).all()
    raw, genetic, _, _, single = table.per_second
    assert abs(table.ratio[1] - genetic / raw) < 1e-9
    assert abs(table.ratio[4] - genetic / single) < 1e-9
    assert table.met[4] in {"yes", "no"} and "100" in table.target[4]
    text = speed_markdown(out)
    assert text.count("\n") == 2 + len(pd.read_csv(out))
