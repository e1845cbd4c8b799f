"""What the claims share: the verdict vocabulary, rates with intervals, the row format, and the
rows of the pipeline's tables that several sources' claims read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.stats import wilson_interval

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
UNDECIDED = "undecided"
NOT_MEASURED = "not yet measured"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, UNDECIDED, NOT_MEASURED)
GRADES = (NOT_REPRODUCED, PARTLY, REPRODUCED)  # the decided outcomes, worst first
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


@dataclass(frozen=True)
class Decision:
    """A verdict and, when it is "undecided", the two outcomes its interval lies between
    (worst first), e.g. ``("partly", "reproduced")``."""

    verdict: str
    between: tuple[str, str] | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; expected one of {VERDICTS}")
        if (self.verdict == UNDECIDED) != (self.between is not None):
            raise ValueError("an undecided verdict, and only that, names the two outcomes")

    @property
    def ends(self) -> tuple[str, str]:
        """The outcomes at the two ends of its interval, worst first (a decided verdict twice)."""
        return self.between or (self.verdict, self.verdict)

    @property
    def label(self) -> str:
        """``'partly'`` or ``'undecided: partly or reproduced'``."""
        return verdict_label(self.verdict, " or ".join(self.between or ()))


def grade(x: float, *, yes: float, partly: float) -> str:
    """The outcome of ``x`` against two bounds: with ``yes ≥ partly`` higher is better
    (reproduced at or above ``yes``, partly at or above ``partly``); with ``yes < partly``
    lower is better (reproduced at or below ``yes``, partly at or below ``partly``)."""
    if yes < partly:
        return grade(-x, yes=-yes, partly=-partly)
    return REPRODUCED if x >= yes else PARTLY if x >= partly else NOT_REPRODUCED


def decide(low: float, high: float, *, yes: float, partly: float) -> Decision:
    """The verdict of a quantity whose 95% interval is ``[low, high]`` against the bounds of
    :func:`grade`: the outcome both ends of the interval give, or "undecided" between the two
    outcomes of its ends when the interval straddles a bound. A point value is ``low == high``."""
    return between(grade(low, yes=yes, partly=partly), grade(high, yes=yes, partly=partly))


def between(at_low: str, at_high: str) -> Decision:
    """The outcome both ends of an interval give, or "undecided" between the two (for
    criteria that are not two ordered bounds: grade each end yourself)."""
    if at_low == at_high:
        return Decision(at_low)
    pair = sorted((at_low, at_high), key=GRADES.index)
    return Decision(UNDECIDED, (pair[0], pair[1]))


def decide_rate(k: int, n: int, *, yes: float, partly: float) -> Decision:
    """:func:`decide` on the share ``k/n`` with its 95% Wilson interval."""
    return decide(*wilson_interval(k, n), yes=yes, partly=partly)


def found(*, value: str, measured: str, criterion: str, verdict: str | Decision) -> dict:
    """A measured claim: a short value (the summary: the deciding number with its interval),
    the full measurement, the criterion applied and the verdict it gives (a :class:`Decision`
    when it may be undecided); ``between`` names an undecided row's two outcomes."""
    decision = verdict if isinstance(verdict, Decision) else Decision(verdict)
    between = " or ".join(decision.between) if decision.between else ""
    return dict(
        value=value,
        measured=measured,
        criterion=criterion,
        verdict=decision.verdict,
        between=between,
    )


def pct(x: float, digits: int = 1, *, missing: str | None = None) -> str:
    """A fraction as a percentage string: ``pct(0.1234) == '12.3%'``; ``missing`` (when given)
    stands for NaN."""
    if missing is not None and pd.isna(x):
        return missing
    return f"{100 * x:.{digits}f}%"


def interval(low: float, high: float, digits: int = 1) -> str:
    """``[low%, high%]``."""
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def share(k: int, n: int, digits: int = 0) -> str:
    """``p% [low%, high%]``: the share with its 95% Wilson interval (a glance value)."""
    low, high = wilson_interval(k, n)
    return f"{pct(k / n if n else 0.0, digits)} {interval(low, high, digits)}"


def rate(k: int, n: int, digits: int = 0) -> str:
    """``k/n = p% [low%, high%]`` with the 95% Wilson interval."""
    low, high = wilson_interval(k, n)
    return f"{k}/{n} = {pct(k / n if n else 0.0, digits)} {interval(low, high, digits)}"


def verdict_label(verdict: str, between: str = "") -> str:
    """A row's verdict as the report names it: ``'partly'``, or ``'undecided: partly or
    reproduced'`` for an undecided row (``between``: its two outcomes)."""
    return f"{UNDECIDED}: {between}" if verdict == UNDECIDED and between else verdict


def verdict_span(verdict: str, between: str = "") -> str:
    """The verdict as a labelled span (coloured in the report); an undecided one names the
    two outcomes it lies between."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    css = {NOT_MEASURED: "not-measured"}.get(verdict, verdict.replace(" ", "-"))
    return f"[{verdict_label(verdict, between)}]{{.verdict .v-{css}}}"


def distance_interval(low: float, high: float, target: float) -> tuple[float, float]:
    """The interval of ``|x − target|`` for ``x`` in ``[low, high]`` (0 when it holds the
    target); rounded so that 0.97 vs 0.98 is 1 point, not 1.0000000000000009."""
    far = max(abs(low - target), abs(high - target))
    near = 0.0 if low <= target <= high else min(abs(low - target), abs(high - target))
    return round(near, 9), round(far, 9)


def accuracy_claim(acc: pd.DataFrame, model: str, target: float) -> dict | None:
    """'About ``target``' test accuracy: within 1 point reproduced, within 3 partly, decided on
    the accuracy's 95% Wilson interval (undecided when it reaches across a bound)."""
    row = acc[(acc.model == model) & (acc.split == "test")] if len(acc) else acc
    if row.empty:
        return None
    r = row.iloc[0]
    return found(
        value=f"{pct(r.accuracy)} {interval(r.ci_low, r.ci_high)}",
        measured=f"{pct(r.accuracy, 2)} {interval(r.ci_low, r.ci_high, 2)} (n={r.n:,})",
        criterion=f"|accuracy − {pct(target, 0)}| ≤ 1 point (partly ≤ 3), over the accuracy's "
        "95% interval",
        verdict=decide(*distance_interval(r.ci_low, r.ci_high, target), yes=0.01, partly=0.03),
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
