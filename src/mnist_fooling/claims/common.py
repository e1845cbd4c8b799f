"""What the claims share: the verdict vocabulary, rates with intervals, the row format, and the
rows of the pipeline's tables that several sources' claims read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.stats import wilson_interval

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
NOT_MEASURED = "not yet measured"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_MEASURED)
FOOLED = 0.9999  # the posts' fooling level: a target output above 99.99%


# What a row of the claims table is: the headline counts the sources' own claims only.
KINDS = {
    "source": "a claim the source makes",
    "code": "about the source's code (our reading of it, not a claim the source makes)",
    "ours": "our own finding",
}


@dataclass(frozen=True)
class Claim:
    """A claim of a source: id, source, wording, a few words for the summary, its value, the
    report section that holds the evidence, and its kind (:data:`KINDS`)."""

    id: str
    source: str
    text: str
    short: str
    seed_value: str
    section: str
    kind: str = "source"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: unknown kind {self.kind!r}; one of {list(KINDS)}")


def found(*, value: str, measured: str, criterion: str, verdict: str) -> dict:
    """A measured claim: a short value (the summary), the full measurement, the criterion
    applied and the verdict it gives."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; expected one of {VERDICTS}")
    return dict(value=value, measured=measured, criterion=criterion, verdict=verdict)


def pct(x: float, digits: int = 1, *, missing: str | None = None) -> str:
    """A fraction as a percentage string: ``pct(0.1234) == '12.3%'``; ``missing`` (when given)
    stands for NaN."""
    if missing is not None and pd.isna(x):
        return missing
    return f"{100 * x:.{digits}f}%"


def interval(low: float, high: float, digits: int = 1) -> str:
    """``[low%, high%]``."""
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def rate(k: int, n: int, digits: int = 0) -> str:
    """``k/n = p% [low%, high%]`` with the 95% Wilson interval."""
    low, high = wilson_interval(k, n)
    return f"{k}/{n} = {pct(k / n if n else 0.0, digits)} {interval(low, high, digits)}"


def graded(value: float, yes: float, partly: float) -> str:
    """'reproduced' at or above ``yes``, 'partly' at or above ``partly``, else not."""
    return REPRODUCED if value >= yes else PARTLY if value >= partly else NOT_REPRODUCED


def graded_rate(k: int, n: int, *, yes: float, partly: float) -> tuple[str, str]:
    """The verdict of a rate ``k/n`` against the bounds ``yes`` > ``partly``, and a note when
    its 95% interval reaches across the bound that decided it (n too small to decide)."""
    share = k / n
    verdict = graded(share, yes, partly)
    low, high = wilson_interval(k, n)
    crossed = [b for b in (yes, partly) if low < b <= high]
    note = (
        f"; n = {n} too small to decide: the interval spans {pct(crossed[0], 0)}" if crossed else ""
    )
    return verdict, note


def verdict_span(verdict: str) -> str:
    """The verdict as a labelled span (coloured in the report)."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    css = {NOT_MEASURED: "not-measured"}.get(verdict, verdict.replace(" ", "-"))
    return f"[{verdict}]{{.verdict .v-{css}}}"


def accuracy_claim(acc: pd.DataFrame, model: str, target: float) -> dict | None:
    """'About ``target``' test accuracy: within 1 point reproduced, within 3 partly."""
    row = acc[(acc.model == model) & (acc.split == "test")] if len(acc) else acc
    if row.empty:
        return None
    r = row.iloc[0]
    gap = round(abs(r.accuracy - target), 9)  # 0.97 vs 0.98 is 1 point, not 1.0000000000000009
    return found(
        value=pct(r.accuracy, 2),
        measured=f"{pct(r.accuracy, 2)} {interval(r.ci_low, r.ci_high, 2)} (n={r.n:,})",
        criterion=f"|accuracy − {pct(target, 0)}| ≤ 1 point (partly ≤ 3)",
        verdict=REPRODUCED if gap <= 0.01 else PARTLY if gap <= 0.03 else NOT_REPRODUCED,
    )


def replicates(fooling: pd.DataFrame | None, model: str, method: str) -> pd.DataFrame | None:
    """The replicate runs of one (model, method): rates come from these only (the extra '2's
    of the genetic driver feed the means of '2's, nothing else)."""
    if fooling is None or fooling.empty:
        return None
    rows = fooling[(fooling.model == model) & (fooling.method == method)]
    if "extra" in rows:
        rows = rows[~rows.extra.astype(bool)]
    return rows if len(rows) else None


def look(likeness: pd.DataFrame | None, model: str, method: str) -> pd.DataFrame | None:
    """Likeness rows of a (model, method), indexed by digit (one row each), or None."""
    if likeness is None or likeness.empty:
        return None
    rows = likeness[(likeness.model == model) & (likeness.method == method)]
    return rows.set_index("digit") if len(rows) else None
