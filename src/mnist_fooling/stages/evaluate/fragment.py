"""The report's models, accuracy and confidence sections, and claims C1, D1–D4."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def accuracy_variables(acc: pd.DataFrame) -> dict:
    """``{model: {split: "97.9%", split_ci: "[97.6%, 98.2%]", split_n}}``."""
    from ...claims import pct

    out = {}
    for r in acc.itertuples():
        m = out.setdefault(r.model, {})
        m[r.split] = pct(r.accuracy, 2)
        m[f"{r.split}_ci"] = f"[{pct(r.ci_low, 2)}, {pct(r.ci_high, 2)}]"
        m[f"{r.split}_n"] = f"{r.n:,}"
    return out


def confidence_variables(conf: pd.DataFrame) -> dict:
    """``{model: {source: {above_06, above_09, median, n}}}`` as formatted strings."""
    from ...claims import pct

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
    from ...claims import claim_row, pct, seed000, seed003
    from ...claims.common import interval as ci
    from ...core.tables import markdown_table

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
