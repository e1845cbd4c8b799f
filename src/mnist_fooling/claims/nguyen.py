"""Nguyen, Yosinski & Clune (2015), which seed 000 follows: MAP-Elites (N1), an 11th class (N2)."""

from __future__ import annotations

import pandas as pd

from .common import (
    NOT_MEASURED,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Claim,
    found,
    pct,
    rate,
    replicates,
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
    share_200 = float((runs.converged & (runs.steps <= 200)).mean())
    every = in_50 == len(per)
    verdict = (
        REPRODUCED
        if every and share_200 >= 0.5
        else PARTLY
        if every or share_200 >= 0.5
        else NOT_REPRODUCED
    )
    median = "≥" if share_200 >= 0.5 else "<"
    return found(
        value=f"{in_50}/{len(per)} runs",
        measured=f"CNN, MAP-Elites: {rate(in_50, len(per))} runs had all ten digits at "
        f"≥99.99% within 50 generations; {pct(share_200, 0)} of digit searches by generation "
        f"200, so the median there is {median} 99.99%",
        criterion="every run within 50 generations and the median ≥99.99% by 200 (partly: "
        "one of the two)",
        verdict=verdict,
    )


def n2(rounds: pd.DataFrame | None):
    """The last round's new searches against the model retrained with an 11th class.

    ``rounds``: the per-round table (:mod:`stages.eleventh.rounds`), round 0 being the searches
    before any retraining. Reproduced when the last round's searches fool every digit, partly
    some, not reproduced none; not measured when the search fooled no digit before retraining.
    """
    if rounds is None or len(rounds) < 2:
        return None
    before, last = rounds.iloc[0], rounds.iloc[-1]
    fooled, fooled_before = int(last.digits_fooled), int(before.digits_fooled)
    if fooled == 10:
        verdict = REPRODUCED
    elif fooled_before == 0:  # the search fooled nothing before either: no test of the defence
        verdict = NOT_MEASURED
    else:
        verdict = PARTLY if fooled > 0 else NOT_REPRODUCED
    per_round = ", ".join(f"{int(r.digits_fooled)}" for r in rounds.itertuples())
    return found(
        value=f"{fooled}/10 digits",
        measured=f"{last.model} after {int(last['round'])} rounds of retraining with an 11th "
        f"class ({int(last.fooling_images):,} fooling images; it catches {pct(last.caught, 0)} of "
        f"them and {pct(last.noise_caught, 0)} of uniform noise); the last round's new "
        f"{last.method} searches: {rate(int(last.converged), int(last.searches))} reach the "
        f"threshold, {fooled}/10 digits fooled (digits fooled by round, from before "
        f"retraining: {per_round})",
        criterion="the last round's searches fool every digit (partly: some digit; no verdict "
        "when the search fooled no digit before retraining either)",
        verdict=verdict,
    )
