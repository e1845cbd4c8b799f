"""Seed 000's claims on its fooling runs: C4 (gradient descent per digit), C6 (how often the
genetic algorithm fools), C8 ('2's converge fastest)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.stats import lower_rate, wilson_interval
from ..common import (
    FOOLED,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    between,
    decide_rate,
    found,
    interval,
    pct,
    rate,
    replicates,
    share,
)


def c4(fooling: pd.DataFrame | None) -> dict | None:
    """Per digit: share of runs whose target output reaches 96%, decided on each digit's Wilson
    interval: "converges" (most runs) may hold at one end of a digit's interval and not at the
    other, so the verdict is taken at the claim's most and least favourable ends (the other
    digits' upper and '1''s lower end, and the reverse); undecided when the two differ."""
    runs = replicates(fooling, "mlp", "gradient")
    if runs is None:
        return None
    g = runs.assign(hit=runs.confidence >= 0.96).groupby("target")
    k, n = g.hit.sum(), g.hit.size()
    share_ = k / n
    converging = set(share_.index[share_ >= 0.5])
    top_one = runs[runs.target == 1].top_output.median() if 1 in share_.index else np.nan
    others = [d for d in share_.index if d != 1]
    p_one = lower_rate(int(k[1]), int(n[1]), int(k[others].sum()), int(n[others].sum()))
    partly = share_[1] == share_.min() and p_one < 0.05  # lowest, ties with another digit too
    ends = {d: wilson_interval(int(k[d]), int(n[d])) for d in share_.index}

    def outcome(other_end: int, one_end: int) -> str:
        conv = {d for d in others if ends[d][other_end] >= 0.5}
        one_fails = ends[1][one_end] < 0.5 and top_one < 0.12
        if one_fails and conv == set(others):
            return REPRODUCED
        return PARTLY if partly else NOT_REPRODUCED

    verdict = between(outcome(0, 1), outcome(1, 0))
    low, high = ends[1]
    return found(
        value=f"{len(converging)}/10; '1' {share(int(k[1]), int(n[1]))}",
        measured=f"MLP, seed 000's gradient descent ({int(n.iloc[0])} runs per digit): "
        f"{len(converging)}/10 digits reach ≥96% in most runs; '1' in {pct(share_[1], 0)} "
        f"{interval(low, high, 0)} of runs, median top output {pct(top_one, 0)}; lowest "
        f"digit '{share_.idxmin()}'; digits whose interval straddles half: "
        f"{sorted(d for d, (lo, hi) in ends.items() if lo < 0.5 <= hi) or 'none'}",
        criterion="exactly the nine digits other than '1' reach ≥96% in most runs, and most "
        "'1' runs fail with a median top output <12% (partly: '1' has the lowest rate, "
        "significantly below the other digits, one-sided Fisher p < 0.05); 'most runs' on "
        "each digit's Wilson interval, undecided when an interval straddling half changes the "
        "outcome",
        verdict=verdict,
    )


def c6(fooling: pd.DataFrame | None) -> dict | None:
    """How often one call of the genetic algorithm returns an image above 99.99%."""
    runs = replicates(fooling, "mlp", "genetic")
    if runs is None:
        return None
    k, n = int((runs.confidence > FOOLED).sum()), len(runs)
    verdict = decide_rate(k, n, yes=0.25, partly=0.05)
    by_cost = int(runs.converged.sum())
    return found(
        value=share(k, n),
        measured=f"MLP, genetic: {rate(k, n)} calls returned an image above 99.99% "
        f"({by_cost}/{n} met the cost rule)",
        criterion="'often': ≥25% of calls (partly ≥5%)",
        verdict=verdict,
    )


def kaplan_meier(time: np.ndarray, event: np.ndarray) -> tuple[float, float, float]:
    """``(median, low, high)`` time to event with its 95% interval (inf when not reached)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    if event.sum() == 0:
        return np.inf, np.inf, np.inf
    sf = SurvfuncRight(time, event)
    median = sf.quantile(0.5)
    low, high = sf.quantile_ci(0.5)
    finite = [np.inf if v is None or np.isnan(v) else float(v) for v in (median, low, high)]
    return tuple(finite)


def convergence_times(runs: pd.DataFrame) -> pd.DataFrame:
    """Per digit: Kaplan–Meier median generations to converge (non-converged runs censored at
    the generations they ran) with its 95% interval, and the runs and events."""
    rows = []
    for d, g in runs.groupby("target"):
        median, low, high = kaplan_meier(g.steps.to_numpy(float), g.converged.to_numpy(int))
        rows.append(
            dict(
                digit=d, n=len(g), events=int(g.converged.sum()), median=median, low=low, high=high
            )
        )
    return pd.DataFrame(rows).set_index("digit")


def c8(fooling: pd.DataFrame | None) -> dict | None:
    """'2's converge faster: time to converge per digit with non-converged runs censored."""
    from statsmodels.duration.survfunc import survdiff

    runs = replicates(fooling, "mlp", "genetic")
    if runs is None or 2 not in set(runs.target):
        return None
    km = convergence_times(runs)
    # Digits ordered by median, then by how many converged (more is faster when both are inf).
    order = km.assign(neg=-km.events / km.n).sort_values(["median", "neg"], kind="stable")
    # Ties count against '2' (its rank is the number of digits at least as fast, itself
    # included): when no run converged, '2' is not "among the fastest" by its label.
    m2, neg2 = order.loc[2, "median"], order.loc[2, "neg"]
    rank = int(((order["median"] < m2) | ((order["median"] == m2) & (order.neg <= neg2))).sum())
    p = np.nan
    if runs.converged.any():
        _, p = survdiff(
            runs.steps.to_numpy(float), runs.converged.to_numpy(int), (runs.target == 2).to_numpy()
        )
    two = km.loc[2]
    faster = rank == 1 and p < 0.05
    verdict = REPRODUCED if faster else PARTLY if rank <= 3 else NOT_REPRODUCED

    def median_text(r) -> str:
        if not np.isfinite(r["median"]):
            return f"not reached ({int(r.events)}/{int(r.n)} converged)"
        high = "∞" if not np.isfinite(r.high) else f"{r.high:.0f}"
        return f"{r['median']:.0f} [{r.low:.0f}, {high}]"

    fastest = "; ".join(f"'{d}' {median_text(r)}" for d, r in order.iloc[:3].iterrows())
    return found(
        value=f"rank {rank}",
        measured=f"MLP, genetic: '2' ranks {rank} of 10 by the Kaplan–Meier median generations "
        f"to converge (non-converged runs censored): '2' {median_text(two)}; fastest three: "
        f"{fastest}; log-rank test '2' vs the rest p = {p:.3g}",
        criterion="'2' has the lowest median and the log-rank test against the other digits "
        "gives p < 0.05 (partly: '2' among the three fastest)",
        verdict=verdict,
    )
