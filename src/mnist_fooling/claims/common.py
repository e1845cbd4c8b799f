"""What every claim shares: the verdict vocabulary, rates with intervals, and the row format."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.stats import wilson_interval

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
NOT_MEASURED = "not yet measured"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_MEASURED)


@dataclass(frozen=True)
class Claim:
    """A claim of a source: id, source, wording, a few words for the summary, its value, and
    the report section that holds the evidence."""

    id: str
    source: str
    text: str
    short: str
    seed_value: str
    section: str


def found(*, value: str, measured: str, criterion: str, verdict: str) -> dict:
    """A measured claim: a short value (the summary), the full measurement, the criterion
    applied and the verdict it gives."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; expected one of {VERDICTS}")
    return dict(value=value, measured=measured, criterion=criterion, verdict=verdict)


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage string: ``pct(0.1234) == '12.3%'``."""
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
