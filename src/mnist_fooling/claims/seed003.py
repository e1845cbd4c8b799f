"""Seed 003's claims (the TensorFlow-tutorial networks and their hill-climbed "identikits")."""

from __future__ import annotations

import pandas as pd

from ..core.stats import lower_rate, wilson_interval
from .common import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Claim,
    accuracy_claim,
    between,
    decide,
    decide_rate,
    found,
    interval,
    look,
    pct,
    rate,
    replicates,
    share,
)

SOURCE = "seed 003"
SOMETIMES = 0.05  # the least share of runs a reader would call "sometimes"
CLAIMS = [
    Claim("D1", SOURCE, "softmax regression accuracy", "softmax accuracy", "≈92%", "sec-models"),
    Claim("D2", SOURCE, "TF-tutorial CNN accuracy", "CNN accuracy", "≈99%", "sec-models"),
    Claim(
        "D3",
        SOURCE,
        "on random images the CNN's maximal output rarely exceeds 0.6",
        "noise rarely >0.6",
        "rarely >0.6",
        "sec-confidence",
    ),
    Claim(
        "D4",
        SOURCE,
        "on MNIST digits the CNN's maximal output is typically above 0.9",
        "digits typically >0.9",
        "typically >0.9",
        "sec-confidence",
    ),
    Claim(
        "D5",
        SOURCE,
        "hill climbing usually reaches 0.99",
        "hill climbing usually 0.99",
        "usually",
        "sec-fooling",
    ),
    Claim(
        "D6",
        SOURCE,
        "hill-climbed images show within-class likeness",
        "identikits look alike",
        "visual",
        "sec-likeness",
    ),
    Claim(
        "D7",
        SOURCE,
        "hill climbing sometimes sticks in local minima",
        "sometimes stuck",
        "sometimes",
        "sec-fooling",
    ),
    Claim(
        "D8",
        SOURCE,
        "'9' reaches 0.99 in 30% of runs, '7' in 50%",
        "'9' 30%, '7' 50%",
        "30% / 50%",
        "sec-fooling",
    ),
]


def d1(acc: pd.DataFrame) -> dict | None:
    return accuracy_claim(acc, "softmax", 0.92)


def d2(acc: pd.DataFrame) -> dict | None:
    return accuracy_claim(acc, "cnn", 0.99)


def _confidence_share(conf: pd.DataFrame, source: str, column: str) -> tuple[int, int] | None:
    row = conf[(conf.model == "cnn") & (conf.source == source)] if len(conf) else conf
    if row.empty:
        return None
    r = row.iloc[0]
    return int(round(r[column] * r.n)), int(r.n)


def d3(conf: pd.DataFrame) -> dict | None:
    counts = _confidence_share(conf, "noise", "above_06")
    if counts is None:
        return None
    k, n = counts
    verdict = decide(*wilson_interval(k, n), yes=0.10, partly=0.25)  # lower is better
    return found(
        value=share(k, n, 1),
        measured=f"CNN: {rate(k, n, 1)} uniform-noise images have a maximal output above 0.6",
        criterion="'rarely': ≤10% (partly ≤25%)",
        verdict=verdict,
    )


def d4(conf: pd.DataFrame) -> dict | None:
    counts = _confidence_share(conf, "test", "above_09")
    if counts is None:
        return None
    k, n = counts
    verdict = decide_rate(k, n, yes=0.75, partly=0.5)
    return found(
        value=share(k, n, 1),
        measured=f"CNN: {rate(k, n, 1)} test digits have a maximal output above 0.9",
        criterion="'typically': ≥75% (partly ≥50%)",
        verdict=verdict,
    )


def hill(fooling: pd.DataFrame | None, model: str = "cnn") -> pd.DataFrame | None:
    """The hill-climbing replicate runs on ``model``."""
    return replicates(fooling, model, "hillclimb")


def d5(runs: pd.DataFrame | None) -> dict | None:
    if runs is None:
        return None
    k, n = int(runs.converged.sum()), len(runs)
    verdict = decide_rate(k, n, yes=0.5, partly=0.25)
    return found(
        value=share(k, n),
        measured=f"CNN, hill climbing: {rate(k, n)} runs reached 0.99",
        criterion="'usually': ≥50% of runs reach 0.99 (partly ≥25%)",
        verdict=verdict,
    )


def sometimes(x: float) -> str:
    """'Sometimes' as an outcome of a share: reproduced from 5% to half, partly above half."""
    return NOT_REPRODUCED if x < SOMETIMES else REPRODUCED if x <= 0.5 else PARTLY


def d7(runs: pd.DataFrame | None) -> dict | None:
    """Stuck: no improvement for the configured patience while below 0.99 — a local optimum,
    told apart from runs that ran out of iterations. "Sometimes" is a share a reader would
    call that: at least 5% of runs and at most half (one stuck run in 200 is not it)."""
    if runs is None:
        return None
    n = len(runs)
    stuck = int((runs.outcome == "stuck").sum())
    budget = int((runs.outcome == "budget").sum())
    low, high = wilson_interval(stuck, n)
    verdict = between(sometimes(low), sometimes(high))
    return found(
        value=share(stuck, n),
        measured=f"CNN, hill climbing: {rate(stuck, n)} runs stuck (no improvement for the "
        f"patience while below 0.99); {budget}/{n} more ran out of iterations",
        criterion=f"'sometimes': {pct(SOMETIMES, 0)}–50% of runs stuck (partly: more than half; "
        f"not reproduced: under {pct(SOMETIMES, 0)})",
        verdict=verdict,
    )


def d8(runs: pd.DataFrame | None) -> dict | None:
    """7 and 9 hardest, at the seed's rates; evidence that they are hardest is a significant
    difference from the other digits, not their rank (7 or 9 among the three hardest happens
    by chance about half the time)."""
    if runs is None or not {7, 9} <= set(runs.target):
        return None
    g = runs.groupby("target").converged
    k, n = g.sum().astype(int), g.size()
    others = [d for d in k.index if d not in (7, 9)]
    k_rest, n_rest = int(k[others].sum()), int(n[others].sum())
    lower = {d: lower_rate(int(k[d]), int(n[d]), k_rest, n_rest) < 0.05 for d in (7, 9)}
    inside = {}
    for digit, seed in ((9, 0.3), (7, 0.5)):
        low, high = wilson_interval(int(k[digit]), int(n[digit]))
        inside[digit] = n[digit] >= 20 and low <= seed <= high
    if all(inside.values()) and all(lower.values()):
        verdict = REPRODUCED
    elif any(lower.values()):
        verdict = PARTLY
    else:
        verdict = NOT_REPRODUCED

    def one(d) -> str:
        low, high = wilson_interval(int(k[d]), int(n[d]))
        return f"'{d}' {int(k[d])}/{int(n[d])} = {pct(k[d] / n[d], 0)} {interval(low, high, 0)}"

    return found(
        value=f"'9' {pct(k[9] / n[9], 0)}, '7' {pct(k[7] / n[7], 0)}",
        measured=f"CNN, hill climbing: {one(9)}, {one(7)} of runs reach 0.99; the other digits "
        f"{k_rest}/{n_rest} = {pct(k_rest / n_rest, 0)}",
        criterion="30% and 50% inside the Wilson intervals of ≥20 runs each, and both below the "
        "other digits (one-sided Fisher p < 0.05); partly: 7 or 9 significantly below",
        verdict=verdict,
    )


def d6(likeness: pd.DataFrame | None, similarity: pd.DataFrame | None = None) -> dict | None:
    """Within-class likeness of the hill-climbed images themselves (mean pairwise correlation
    within vs between digits, permutation test), and whether '0' and '6' read as themselves
    to the k-NN reader more often than '1' and '9' ("a total mess")."""
    rows = look(likeness, "cnn", "hillclimb")
    if rows is None or similarity is None or "knn_looks" not in rows:
        return None
    if not {0, 1, 6, 9} <= set(rows.index):
        return None
    sim = similarity[(similarity.model == "cnn") & (similarity.method == "hillclimb")]
    if sim.empty:
        return None
    r = sim.iloc[0]
    within, between = float(r["within"]), float(r["between"])  # (Series.between is a method)
    alike = r.p < 0.05 and within > between
    share = rows.knn_looks / rows.n
    k_easy, n_easy = int(rows.knn_looks[[0, 6]].sum()), int(rows.n[[0, 6]].sum())
    k_mess, n_mess = int(rows.knn_looks[[1, 9]].sum()), int(rows.n[[1, 9]].sum())
    seen = k_easy / n_easy > k_mess / n_mess
    verdict = REPRODUCED if alike and seen else PARTLY if alike or seen else NOT_REPRODUCED
    listing = ", ".join(f"'{d}' {pct(share[d], 0)}" for d in (0, 6, 1, 9))
    return found(
        value=f"gap {r.gap:+.2f}, p = {r.p:.2g}",
        measured=f"CNN, hill climbing ({int(r.n)} images): mean pairwise correlation within "
        f"a digit {within:.2f}, between digits {between:.2f} (permutation p = {r.p:.2g}); "
        f"read as their digit by the k-NN reader: {listing}; '0' and '6' {rate(k_easy, n_easy)}, "
        f"'1' and '9' {rate(k_mess, n_mess)}",
        criterion="images of one digit are more alike than images of different digits "
        "(permutation p < 0.05), and '0' and '6' are read as themselves more often than '1' "
        "and '9' (partly: one of the two); a network-free proxy for a visual claim",
        verdict=verdict,
    )
