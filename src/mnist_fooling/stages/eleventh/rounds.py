"""N2's per-round table: each round's retrained model and the searches run against it, the
same searches (runs per digit, generations) in every round, round 0 included; and, when it ran,
the last round's searches continued (ours, :mod:`.continued`) as a row of its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from ...core.stats import wilson_interval

RETRAIN_COLUMNS = ["fooling_images", "weight", "test_accuracy", "caught", "noise_caught"]
SEARCH_COLUMNS = ["searches", "converged", "low", "high", "digits_fooled", "median_evaluations"]
# A row's search: "fresh" (a round's searches, from uniform noise) or "continued" (ours).
# The continued row's: the share of its start images called 'fooling', its generations.
CONTINUED_COLUMNS = ["start_caught", "more_generations"]


def search_row(runs: pd.DataFrame) -> dict:
    """The searches of one round ``runs`` (one row per search): how many reach the threshold
    (with the 95% Wilson interval), the digits fooled, and the median evaluations (network
    calls) of the converged searches (NaN when none converged)."""
    if "extra" in runs:
        runs = runs[~runs.extra.astype(bool)]  # the genetic driver's extra '2's are no searches
    converged = runs[runs.converged.astype(bool)]
    low, high = wilson_interval(len(converged), len(runs))
    return dict(
        searches=len(runs),
        converged=len(converged),
        low=low,
        high=high,
        digits_fooled=converged.target.nunique(),
        median_evaluations=float(np.median(converged.evaluations)) if len(converged) else np.nan,
    )


def rounds_table(
    *,
    before: pd.DataFrame,
    retrains: list[pd.DataFrame],
    searches: list[pd.DataFrame],
    continued: pd.DataFrame | None = None,
    generations: int | None = None,
) -> pd.DataFrame:
    """One row per round: round 0 is the model before any retraining and the searches against
    it (``before``, filtered to the searched model and method: the same searches as every
    round's), round r the r-th retraining (``retrains[r-1]``, one row each) and the searches
    against it (``searches[r-1]``); then, when given, the last round's searches ``continued``
    (one row per run, with ``start_fooling``), a row of the last round with search
    "continued", ``start_caught`` (the share of its start images called 'fooling') and
    ``more_generations`` (its budget). ``generations``: every round's search budget (the
    method's step cap; None: not given), a column of its own.
    """
    if len(retrains) != len(searches) or not retrains:
        raise ValueError("need one retraining summary and one search per round")
    model, method = searches[0].model.iloc[0], searches[0].method.iloc[0]
    base = before[(before.model == model) & (before.method == method)]
    rows = [dict(round=0, search="fresh", fooling_images=0, **search_row(base))]
    for r, (retrain, runs) in enumerate(zip(retrains, searches, strict=True), start=1):
        rows.append(
            dict(
                round=r,
                search="fresh",
                **retrain.iloc[0][RETRAIN_COLUMNS].to_dict(),
                **search_row(runs),
            )
        )
    if continued is not None:
        rows.append(
            rows[-1]
            | dict(
                search="continued",
                start_caught=float(continued.start_fooling.mean()),
                more_generations=int(continued.generations.max()),
            )
            | search_row(continued)
        )
    table = pd.DataFrame(rows)
    for column in CONTINUED_COLUMNS:
        if column not in table:
            table[column] = np.nan
    budget = np.nan if generations is None else generations
    return table.assign(model=model, method=method, generations=budget)[
        ["round", "search", "model", "method", "generations", *RETRAIN_COLUMNS]
        + CONTINUED_COLUMNS
        + SEARCH_COLUMNS
    ]


def write_rounds_table(
    *,
    before: Path,
    retrains: list[Path],
    searches: list[Path],
    out: Path,
    continued: Path | None = None,
    generations: int | None = None,
):
    """Read the rounds' CSVs (in round order) and the continued search's (when given), and
    write :func:`rounds_table` to ``out``."""
    table = rounds_table(
        before=pd.read_csv(before),
        retrains=[pd.read_csv(p) for p in retrains],
        searches=[pd.read_csv(p) for p in searches],
        continued=pd.read_csv(continued) if continued else None,
        generations=generations,
    )
    write_csv(out, table)
    return table
