"""Accuracy of each trained model on the validation and test splits, with Wilson intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .backend import predict_batched
from .data import load_mnist
from .io import write_csv
from .models import load_model
from .stats import accuracy_row


def accuracy_table(models: dict[str, Path], *, data: Path) -> pd.DataFrame:
    """One row per (model, split): ``model, split, n, correct, accuracy, ci_low, ci_high``."""
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
