"""Nguyen, Yosinski & Clune (2015), which seed 000 follows: MAP-Elites (N1), an 11th class (N2)."""

from __future__ import annotations

import pandas as pd

from ..core.stats import wilson_interval
from .common import (
    GRADES,
    NOT_MEASURED,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Claim,
    between,
    found,
    grade,
    pct,
    rate,
    replicates,
    share,
)

SOURCE = "Nguyen 2015"
CLAIMS = [
    Claim(
        "N1",
        SOURCE,
        "MAP-Elites fools every digit at ≥99.99% within 50 generations",
        "MAP-Elites: all digits in 50 gen.",
        "every run",
        "sec-fooling",
    ),
    Claim(
        "N2",
        SOURCE,
        "an 11th 'fooling' class does not stop new fooling images",
        "11th class does not help",
        "not stopped",
        "sec-eleventh",
    ),
]


def n1(fooling: pd.DataFrame | None) -> dict | None:
    """Every replicate had all ten digits at 99.99% within 50 generations, and the median
    target output over digit searches reached 99.99% by generation 200."""
    runs = replicates(fooling, "cnn", "map_elites")
    if runs is None:
        return None
    per = runs.groupby("replicate").agg(
        done=("converged", "all"), last=("steps", "max"), n=("target", "size")
    )
    per = per[per.n == 10]
    if per.empty:
        return None
    in_50 = int((per.done & (per["last"] <= 50)).sum())
    # A digit not yet at the threshold by generation 200 is below it there, so the median
    # at generation 200 reaches 99.99% exactly when half the digit searches had converged.
    k_200, n_200 = int((runs.converged & (runs.steps <= 200)).sum()), len(runs)
    share_200 = k_200 / n_200
    every = in_50 == len(per)  # "every run": one run over 50 generations refutes it

    def outcome(share_: float) -> str:
        return (
            REPRODUCED
            if every and share_ >= 0.5
            else PARTLY
            if every or share_ >= 0.5
            else NOT_REPRODUCED
        )

    low, high = wilson_interval(k_200, n_200)
    median = "≥" if share_200 >= 0.5 else "<"
    return found(
        value=f"{in_50}/{len(per)} runs; {share(k_200, n_200)} by 200",
        measured=f"CNN, MAP-Elites: {rate(in_50, len(per))} runs had all ten digits at "
        f"≥99.99% within 50 generations; {rate(k_200, n_200)} of digit searches by generation "
        f"200, so the median there is {median} 99.99%",
        criterion="every run within 50 generations and the median ≥99.99% by 200, i.e. at "
        "least half the digit searches by then, on its Wilson interval (partly: one of the "
        "two; undecided when the interval straddles half and that changes the outcome)",
        verdict=between(outcome(low), outcome(high)),
    )


# N2's bounds, as fractions of round 0's share of searches reaching the threshold.
N2_YES = 0.5  # reproduced: the 11th class at most halves the share
N2_PARTLY = 0.2  # partly: it leaves at least a fifth of it


def n2_outcome(fresh: float, continued: float | None, *, before: float) -> str:
    """N2's outcome at one end of the intervals: the last round's share of searches reaching the
    threshold (``fresh``, the same searches as round 0's) graded against ``N2_YES`` and
    ``N2_PARTLY`` times round 0's share ``before``; the continued search (ours, more
    generations: ``continued``, None when not run) can lift it to "partly", never further."""
    outcome = grade(fresh, yes=N2_YES * before, partly=N2_PARTLY * before)
    if continued is not None:
        longer = grade(continued, yes=N2_YES * before, partly=N2_PARTLY * before)
        outcome = max(outcome, min(longer, PARTLY, key=GRADES.index), key=GRADES.index)
    return outcome


def n2(rounds: pd.DataFrame | None):
    """The last round's new searches against the model retrained with an 11th class, against
    round 0's: the same searches (runs per digit, generations) against the model before any
    retraining.

    ``rounds``: the per-round table (:mod:`stages.eleventh.rounds`); a row whose ``search`` is
    "continued" is ours, the last round's searches continued for more generations.

    The deciding quantity is the share of the last round's searches that reach the threshold,
    with its 95% Wilson interval, against round 0's share p0 (the paper's claim is that the
    defence does not stop the search, so the bar is what the same search did before): reproduced
    when the interval lies at or above p0/2 (the class at most halves it), partly when it lies
    at or above p0/5, not reproduced below; "undecided" when it straddles a bound. The continued
    search can lift the verdict to "partly" (at or above p0/5 with more generations: the class
    slows the search but does not stop it), never to "reproduced", which needs the paper's
    budget. Not measured when round 0 fooled no digit (no test of the defence).
    """
    if rounds is None or len(rounds) < 2:
        return None
    search = rounds["search"] if "search" in rounds else pd.Series("fresh", index=rounds.index)
    fresh, more = rounds[search == "fresh"], rounds[search == "continued"]
    if len(fresh) < 2:
        return None
    before, last = fresh.iloc[0], fresh.iloc[-1]
    cont = more.iloc[-1] if len(more) else None
    k, n = int(last.converged), int(last.searches)
    k0, n0 = int(before.converged), int(before.searches)
    p0 = k0 / n0 if n0 else 0.0
    per_round = ", ".join(f"{int(r.converged)}/{int(r.searches)}" for r in fresh.itertuples())
    measured = (
        f"{last.model} after {int(last['round'])} rounds of retraining with an 11th class "
        f"({int(last.fooling_images):,} fooling images; it catches {pct(last.caught, 0)} of them "
        f"and {pct(last.noise_caught, 0)} of uniform noise, where the searches start); "
        f"{last.method} searches reaching the threshold before retraining "
        f"{rate(k0, n0)}, {int(before.digits_fooled)}/10 digits; in the last round "
        f"{rate(k, n)}, {int(last.digits_fooled)}/10 digits (by round, from before "
        f"retraining: {per_round})"
    )
    if cont is not None:
        measured += (
            f"; continued (ours) {int(cont.more_generations):,} more generations from the last "
            f"round's images, of which the model calls "
            f"{pct(cont.start_caught, 0)} 'fooling': "
            f"{rate(int(cont.converged), int(cont.searches))}, {int(cont.digits_fooled)}/10 digits"
        )
    criterion = (
        "the last round's share of searches reaching 99.99% (95% interval) against round 0's p0, "
        "same searches: reproduced ≥ p0/2, partly ≥ p0/5, not reproduced below; the last "
        "round's searches continued for more generations (ours) can lift it to partly, no "
        "further; not measured when round 0 fooled no digit"
    )
    value = share(k, n)
    if k0 == 0:  # the search fooled nothing before either: no test of the defence
        return found(value=value, measured=measured, criterion=criterion, verdict=NOT_MEASURED)
    low, high = wilson_interval(k, n)
    c_low = c_high = None
    if cont is not None:
        c_low, c_high = wilson_interval(int(cont.converged), int(cont.searches))
    at_low = n2_outcome(low, c_low, before=p0)
    at_high = n2_outcome(high, c_high, before=p0)
    lifted = cont is not None and (
        at_low != n2_outcome(low, None, before=p0) or at_high != n2_outcome(high, None, before=p0)
    )
    if lifted:  # the continued search decided: its share is the deciding number
        value = f"{share(int(cont.converged), int(cont.searches))} continued"
    return found(
        value=value, measured=measured, criterion=criterion, verdict=between(at_low, at_high)
    )
