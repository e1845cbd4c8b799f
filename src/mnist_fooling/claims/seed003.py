"""Seed 003's claims (the TensorFlow-tutorial networks and their hill-climbed "identikits")."""

from __future__ import annotations

import pandas as pd

from ..core.stats import lower_rate, wilson_interval
from .common import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Claim,
    Decision,
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
    verdict_label,
)

SOURCE = "seed 003"
SOMETIMES = 0.05  # the least share of runs a reader would call "sometimes"
# The least rise of the best target output that a reader calls progress: one point of output
# (0.01) over the stall window (stages/fooling/stall.py, 50 iterations). Slower than that, a
# run 0.05 short of 0.99 would need over 250 more iterations, more than the default's whole
# 200-iteration cap: below 0.99, such a run is "stuck" (D7).
STALL_GAIN = 0.01
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


def settings(sweep: pd.DataFrame | None) -> list[tuple[dict, pd.DataFrame]]:
    """The hill-climbing sweep's runs per mask setting: ``[({density, amplitude}, runs)]``."""
    if sweep is None or sweep.empty:
        return []
    keys = [k for k in ("density", "amplitude") if k in sweep]
    return [
        (dict(zip(keys, values if isinstance(values, tuple) else (values,), strict=True)), g)
        for values, g in sweep.groupby(keys, sort=True)
    ]


def across(claim, decision: Decision, sweep: pd.DataFrame | None) -> str:
    """Whether ``claim`` (a function of hill-climbing runs) gives ``decision`` at every mask
    setting of the sweep: a clause for the criterion ("" without a sweep)."""
    found_at = [claim(g) for _, g in settings(sweep)]
    found_at = [f for f in found_at if f is not None]
    if not found_at:
        return ""
    runs = sorted({len(g) for _, g in settings(sweep)})
    size = f"{runs[0]} runs each" if len(runs) == 1 else f"{runs[0]}–{runs[-1]} runs"
    labels = [verdict_label(f["verdict"], f["between"]) for f in found_at]
    same = sum(label == decision.label for label in labels)
    m = len(labels)
    if same == m:
        return f"; the same verdict at all {m} mask settings of the sweep ({size})"
    others = ", ".join(
        f"{label} ×{labels.count(label)}"
        for label in dict.fromkeys(labels)
        if label != decision.label
    )
    return (
        f"; the same verdict at {same} of the sweep's {m} mask settings ({size}); "
        f"at the others {others}"
    )


def stuck_runs(runs: pd.DataFrame) -> pd.Series:
    """Runs a reader would call stuck: below 0.99 at the end (the search's threshold) and their
    best target output rose by less than :data:`STALL_GAIN` over their last ``late_window``
    iterations (``late_gain``, :func:`mnist_fooling.stages.fooling.stall.late_gain`), or the
    search stopped them for not rising at all for its patience."""
    below = ~runs.converged.astype(bool)
    return below & ((runs.outcome == "stuck") | (runs.late_gain < STALL_GAIN))


def d7(runs: pd.DataFrame | None, sweep: pd.DataFrame | None = None) -> dict | None:
    """Stuck: below 0.99 and no longer rising meaningfully (:func:`stuck_runs`) — a local
    optimum, told apart from runs still climbing when their iterations ran out. "Sometimes" is
    a share a reader would call that: at least 5% of runs and at most half (one stuck run in
    200 is not it), on its Wilson interval. ``sweep``: the same at the other mask settings."""
    if runs is None or not {"late_gain", "late_window"} <= set(runs.columns):
        return None
    n = len(runs)
    stuck = stuck_runs(runs)
    k = int(stuck.sum())
    patience = int((runs.outcome == "stuck").sum())
    climbing = int((~runs.converged.astype(bool) & ~stuck).sum())
    window = int(runs.late_window.iloc[0])
    low, high = wilson_interval(k, n)
    verdict = between(sometimes(low), sometimes(high))
    return found(
        value=share(k, n),
        measured=f"CNN, hill climbing: {rate(k, n)} runs stuck (below 0.99 at the end, rising "
        f"by less than {STALL_GAIN:g} over their last {window} iterations; {patience} of them "
        f"stopped by the search's patience, not rising at all); {climbing}/{n} more ended below "
        f"0.99 still rising",
        criterion=f"stuck: below 0.99 and a rise of the best output under {STALL_GAIN:g} over "
        f"at least the last {window} iterations; 'sometimes': {pct(SOMETIMES, 0)}–50% of runs "
        f"stuck (partly: more than half; not reproduced: under {pct(SOMETIMES, 0)}), on the "
        f"95% Wilson interval" + across(d7, verdict, sweep),
        verdict=verdict,
    )


def d8(runs: pd.DataFrame | None, sweep: pd.DataFrame | None = None) -> dict | None:
    """7 and 9 hardest, at the seed's rates; evidence that they are hardest is a significant
    difference from the other digits, not their rank (7 or 9 among the three hardest happens
    by chance about half the time). ``sweep``: the same at the other mask settings."""
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

    rest = f"{k_rest}/{n_rest} = {pct(k_rest / n_rest, 0)}" if n_rest else "none"
    return found(
        value=f"'9' {share(int(k[9]), int(n[9]))}, '7' {share(int(k[7]), int(n[7]))}",
        measured=f"CNN, hill climbing: {one(9)}, {one(7)} of runs reach 0.99; the other digits "
        f"{rest}",
        criterion="30% and 50% inside the Wilson intervals of ≥20 runs each, and both below the "
        "other digits (one-sided Fisher p < 0.05); partly: 7 or 9 significantly below"
        + across(d8, Decision(verdict), sweep),
        verdict=verdict,
    )


def d6(
    likeness: pd.DataFrame | None,
    similarity: pd.DataFrame | None = None,
    *,
    readers: pd.DataFrame | None = None,
    panel=None,
) -> dict | None:
    """Within-class likeness of the hill-climbed images themselves, and whether '0' and '6'
    read as themselves to the k-NN reader more often than '1' and '9' ("a total mess").

    Likeness is the gap between the mean pairwise correlation within a digit and between
    digits, with its 95% bootstrap interval, against a minimum a person would notice: the gap
    of real test digits blended into noise at the strength a person reads at a glance (the
    similarity table's reference rows, :func:`mnist_fooling.stages.fooling.likeness.
    reference_similarity`). Undecided when the interval straddles the minimum.
    """
    from ..search.registry import set_name
    from .panel import fit_reader

    rows = look(likeness, "cnn", "hillclimb")
    if rows is None or similarity is None or "knn_looks" not in rows:
        return None
    if not {0, 1, 6, 9} <= set(rows.index) or "gap_low" not in similarity:
        return None
    sim = similarity[(similarity.model == "cnn") & (similarity.method == "hillclimb")]
    ref = similarity[similarity.model == "reference"].set_index("method")
    blends = [m for m in ref.index if str(m).startswith("blends")]
    if sim.empty or "test digits" not in ref.index or not blends or pd.isna(sim.gap_low.iloc[0]):
        return None
    r, real, blended = sim.iloc[0], ref.loc["test digits"], ref.loc[blends[0]]
    minimum = float(blended.gap)
    share_of = rows.knn_looks / rows.n
    k_easy, n_easy = int(rows.knn_looks[[0, 6]].sum()), int(rows.n[[0, 6]].sum())
    k_mess, n_mess = int(rows.knn_looks[[1, 9]].sum()), int(rows.n[[1, 9]].sum())
    reader = "the k-NN reader"
    name = set_name("cnn", "hillclimb")
    easy, mess = (
        (panel.counts(name, digits=(0, 6)), panel.counts(name, digits=(1, 9)))
        if panel is not None
        else ((0, 0), (0, 0))
    )
    if easy[1] and mess[1]:  # the panel read cards of both pairs (a small deck may lack them)
        (k_easy, n_easy), (k_mess, n_mess) = easy, mess
        reader = f"the {panel.source}"
    p_seen = lower_rate(k_mess, n_mess, k_easy, n_easy)
    seen = p_seen < 0.05
    # an unfit automated reader cannot say which digits read as themselves: either may hold
    unfit = reader == "the k-NN reader" and not fit_reader(readers)

    def outcome(alike: bool, seen: bool = seen) -> str:
        return REPRODUCED if alike and seen else PARTLY if alike or seen else NOT_REPRODUCED

    low_end, high_end = r.gap_low >= minimum, r.gap_high >= minimum
    if unfit:
        verdict = between(outcome(low_end, False), outcome(high_end, True))
        reader += " (unfit: its half of the criterion is open)"
    else:
        verdict = between(outcome(low_end), outcome(high_end))
    listing = ", ".join(f"'{d}' {pct(share_of[d], 0)}" for d in (0, 6, 1, 9))
    gap = f"{r.gap:+.3f} [{r.gap_low:+.3f}, {r.gap_high:+.3f}]"
    fraction = pct(minimum / real.gap, 0) if real.gap > 0 else "—"
    strength = blends[0].split()[-1].replace("=", " = ")  # "s = 0.3"
    return found(
        value=f"gap {gap}, min {minimum:.3f}",
        measured=f"CNN, hill climbing ({int(r.n)} images): mean pairwise correlation within "
        f"a digit {r.within:.3f}, between digits {r['between']:.3f}, gap {gap} (95% bootstrap "
        f"interval; permutation p = {r.p:.2g}); the gap of real test digits {real.gap:.3f}, "
        f"of the same blended into noise at {strength}: {minimum:.3f}; read as their digit by "
        f"the k-NN reader: {listing}; by {reader}: '0' and '6' {rate(k_easy, n_easy)}, '1' and "
        f"'9' {rate(k_mess, n_mess)} (one-sided Fisher p = {p_seen:.2g})",
        criterion=f"images of one digit more alike than images of different digits by at least "
        f"the gap of real test digits blended into uniform noise at {strength}, the blends a "
        f"fit reader must recognise 9 times in 10 ({fraction} of real digits' own gap), on the "
        f"gap's 95% bootstrap interval (undecided when it straddles that minimum); and '0' and "
        f"'6' read as themselves more often than '1' and '9' (one-sided "
        f"Fisher p < 0.05) by the human panel when a reader passed its controls, else by the "
        f"k-NN reader. Both: reproduced; one: partly",
        verdict=verdict,
    )
