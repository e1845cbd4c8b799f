"""The report's 11th-class section (claim N2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def fine_tuning_digits(config: dict) -> str:
    """The digits the fine-tuning used, in words (:func:`config.fine_tuning_limit`)."""
    from ...core.config import fine_tuning_limit

    limit = fine_tuning_limit(config)
    return f"the first {limit:,} training digits" if limit else "the training digits"


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's N2 section: the retrained model's catch rates, the search before and after."""
    from ...claims import claim_row, nguyen, pct
    from ...claims.common import rate, replicates
    from ...core.tables import markdown_table

    summary, after = pd.read_csv(inputs["summary"]), pd.read_csv(inputs["after"])
    before_all = pd.read_csv(inputs["before"])
    model, method = after.model.iloc[0], after.method.iloc[0]
    before = replicates(before_all, model, method)
    rows = [
        dict(measure=r.measure, value=f"{pct(r.value)} (n={r.n:,})") for r in summary.itertuples()
    ]
    for label, frame in (("before", before), ("after", after)):
        if frame is not None:
            rows.append(
                dict(
                    measure=f"{method} searches reaching the threshold, {label} retraining",
                    value=rate(int(frame.converged.sum()), len(frame)),
                )
            )
    return dict(
        variables=dict(model=model, method=method, digits=fine_tuning_digits(config)),
        tables=dict(
            summary=markdown_table(
                pd.DataFrame(rows), dict(measure=f"{model} with an 11th class", value="value")
            )
        ),
        claims=[c for c in [claim_row("N2", nguyen.n2(before_all, summary, after))] if c],
    )
