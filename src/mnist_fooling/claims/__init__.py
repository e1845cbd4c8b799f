"""The posts' claims (C1–C15, D1–D8, N1–N2) and ours, and the tables built from them.

A claim's verdict function lives with its source (the package ``seed000``, ``seed003``,
``nguyen``); each stage's report fragment calls the functions it has data for and writes their
rows (:func:`claim_row`); the report gathers every fragment's rows (:func:`claims_table`).
"""

from __future__ import annotations

import pandas as pd

from . import nguyen, seed000, seed003
from .common import KINDS, NOT_MEASURED, UNDECIDED, VERDICTS, Claim, Decision, pct, verdict_span

__all__ = [
    "CLAIMS",
    "KINDS",
    "NOT_MEASURED",
    "VERDICTS",
    "Claim",
    "Decision",
    "UNDECIDED",
    "claim_row",
    "claims_table",
    "pct",
]

CLAIMS: dict[str, Claim] = {c.id: c for c in seed000.CLAIMS + seed003.CLAIMS + nguyen.CLAIMS}
COLUMNS = (
    "id",
    "source",
    "claim",
    "short",
    "seed_value",
    "section",
    "value",
    "measured",
    "criterion",
    "verdict",
    "between",
)
OPTIONAL = {"between": ""}  # a decided row need not name the outcomes it lies between


def claim_row(claim_id: str, measured: dict | None) -> dict | None:
    """A full claims-table row for a registered claim and its measurement (None: no data)."""
    if measured is None:
        return None
    c = CLAIMS[claim_id]
    return dict(
        id=c.id,
        source=c.source,
        claim=c.text,
        short=c.short,
        seed_value=c.seed_value,
        section=c.section,
        **measured,
    )


def claims_table(rows: list[dict]) -> pd.DataFrame:
    """Every registered claim in order, measured or "not yet measured", then any other claim
    rows the fragments brought (our own findings, self-described); the column ``kind`` says
    which rows are the sources' claims (:data:`KINDS`)."""
    by_id = {}
    for row in rows:
        row = {**OPTIONAL, **row}
        short = sorted(set(COLUMNS) - set(row))
        if short:
            raise ValueError(f"claim rows lack {short}")
        if row["id"] in by_id:
            raise ValueError(f"claim {row['id']} was measured by two fragments")
        by_id[row["id"]] = row
    table = []
    unmeasured = dict(value="—", measured="—", criterion="—", verdict=NOT_MEASURED, between="")
    for c in CLAIMS.values():
        table.append(by_id.pop(c.id, None) or claim_row(c.id, unmeasured))
    table += sorted(by_id.values(), key=lambda r: r["id"])
    frame = pd.DataFrame(table)
    bad = set(frame.verdict) - set(VERDICTS)
    if bad:
        raise ValueError(f"unknown verdicts {sorted(bad)}")
    unnamed = frame.id[(frame.verdict == UNDECIDED) != (frame.between != "")]
    if len(unnamed):
        raise ValueError(
            f"claims {list(unnamed)}: an undecided row, and only that, names two outcomes"
        )
    kind = [CLAIMS[i].kind if i in CLAIMS else "ours" for i in frame.id]
    return frame[list(COLUMNS)].assign(kind=kind)


def verdict_counts(table: pd.DataFrame, kinds: tuple[str, ...] = ("source",)) -> dict:
    """``{reproduced: n, partly: n, not_reproduced: n, undecided: n, not_yet_measured: n}``
    over the rows of ``kinds`` (by default the sources' own claims: the headline)."""
    counts = table[table.kind.isin(kinds)].verdict.value_counts()
    return {v.replace(" ", "_"): int(counts.get(v, 0)) for v in VERDICTS}


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """The table with verdicts as coloured labels."""
    return table.assign(verdict=list(map(verdict_span, table.verdict, table.between)))
