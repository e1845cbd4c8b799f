"""Accuracy of each trained model on the validation and test splits, with Wilson intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .data import load_mnist
from .io import write_csv
from .stats import accuracy_row


def accuracy_table(models: dict[str, Path], *, data: Path) -> pd.DataFrame:
    """One row per (model, split): ``model, split, n, correct, accuracy, ci_low, ci_high``."""
    # Here, not at the top: the report fragment of this stage needs no TensorFlow.
    from .backend import predict_batched
    from .models import load_model

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


def accuracy_variables(acc: pd.DataFrame) -> dict:
    """``{model: {split: "97.9%", split_ci: "[97.6%, 98.2%]", split_n}}``."""
    from .claims import pct

    out = {}
    for r in acc.itertuples():
        m = out.setdefault(r.model, {})
        m[r.split] = pct(r.accuracy, 2)
        m[f"{r.split}_ci"] = f"[{pct(r.ci_low, 2)}, {pct(r.ci_high, 2)}]"
        m[f"{r.split}_n"] = f"{r.n:,}"
    return out


def confidence_variables(conf: pd.DataFrame) -> dict:
    """``{model: {source: {above_06, above_09, median, n}}}`` as formatted strings."""
    from .claims import pct

    out = {}
    for r in conf.itertuples():
        out.setdefault(r.model, {})[r.source] = dict(
            above_06=pct(r.above_06),
            above_09=pct(r.above_09),
            median=f"{r.median:.3f}",
            n=f"{r.n:,}",
        )
    return out


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's models, accuracy and confidence sections, and claims C1, D1–D4."""
    from .claims import claim_row, pct, seed000, seed003
    from .claims.common import interval as ci
    from .tables import markdown_table

    acc, conf = pd.read_csv(inputs["accuracy"]), pd.read_csv(inputs["confidence"])
    acc_view = acc.assign(
        accuracy=acc.accuracy.map(lambda x: pct(x, 2)),
        interval=[ci(a, b, 2) for a, b in zip(acc.ci_low, acc.ci_high, strict=True)],
        n=acc.n.map("{:,}".format),
    )
    conf_view = conf.assign(
        above_06=conf.above_06.map(pct),
        above_09=conf.above_09.map(pct),
        median=conf["median"].map("{:.3f}".format),
        n=conf.n.map("{:,}".format),
    )
    claims = [
        claim_row("C1", seed000.c1(acc)),
        claim_row("D1", seed003.d1(acc)),
        claim_row("D2", seed003.d2(acc)),
        claim_row("D3", seed003.d3(conf)),
        claim_row("D4", seed003.d4(conf)),
    ]
    return dict(
        variables=dict(accuracy=accuracy_variables(acc), confidence=confidence_variables(conf)),
        tables=dict(
            accuracy=markdown_table(
                acc_view,
                dict(
                    model="model",
                    split="split",
                    n="images",
                    accuracy="accuracy",
                    interval="95% interval",
                ),
            ),
            confidence=markdown_table(
                conf_view,
                dict(
                    model="model",
                    source="images",
                    n="n",
                    median="median max output",
                    above_06="max > 0.6",
                    above_09="max > 0.9",
                ),
            ),
        ),
        claims=[c for c in claims if c],
    )
