"""Accuracy of each trained model on the validation and test splits, with Wilson intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from ...core.stats import accuracy_row
from ..data.mnist import load_mnist


def accuracy_table(models: dict[str, Path], *, data: Path) -> pd.DataFrame:
    """One row per (model, split): ``model, split, n, correct, accuracy, ci_low, ci_high``."""
    # Here, not at the top: the report fragment of this stage needs no TensorFlow.
    from ...core.backend import predict_batched
    from ...core.models import load_model

    mnist = load_mnist(data)
    rows = []
    for name, path in models.items():
        model = load_model(path)
        for split in ("val", "test"):
            x, y = mnist.split(split)
            correct = int(np.sum(np.argmax(predict_batched(model, x), axis=1) == y))
            rows.append(accuracy_row(correct, len(y), model=name, split=split))
    return pd.DataFrame(rows)


def write_accuracy(models: dict[str, Path], *, data: Path, out: Path) -> pd.DataFrame:
    """Compute :func:`accuracy_table` and write it to ``out`` (CSV)."""
    table = accuracy_table(models, data=data)
    write_csv(out, table)
    return table
