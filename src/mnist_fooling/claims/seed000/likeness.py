"""Seed 000's visual claims, read by the network-free template reader: C5, C7 (fooling images
unrecognisable, noisy), C9, C14 (the mean '2' with and without the prior)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import NOT_REPRODUCED, PARTLY, REPRODUCED, found, graded_rate, look, pct, rate


def reference_share(likeness: pd.DataFrame, name: str) -> float:
    """Share of a reference set (test digits, uniform noise) that looks like its digit."""
    rows = likeness[(likeness.model == "reference") & (likeness.method == name)]
    return float((rows.looks * 1.0).sum() / rows.n.sum()) if len(rows) else np.nan


def unrecognisable(likeness, model: str, method: str, label: str) -> tuple[dict, float] | None:
    """Fooling images that look like their digit to the template reader, with an interval."""
    rows = look(likeness, model, method)
    if rows is None:
        return None
    k, n = int(rows.looks.sum()), int(rows.n.sum())
    verdict, note = graded_rate(n - k, n, yes=0.9, partly=0.7)
    digits, noise = (
        reference_share(likeness, "test digits"),
        reference_share(likeness, "uniform noise"),
    )
    return found(
        value=pct(k / n, 0),
        measured=f"{label}: {rate(k, n)} images look like their digit to the template reader "
        f"(test digits {pct(digits, 0)}, uniform noise {pct(noise, 0)}){note}",
        criterion="≤10% look like their digit (partly ≤30%); a network-free proxy for a "
        "visual claim",
        verdict=verdict,
    ), k / n


def c5(likeness) -> dict | None:
    hit = unrecognisable(likeness, "mlp", "gradient", "MLP, gradient")
    return hit and hit[0]


def c7(likeness) -> dict | None:
    hit = unrecognisable(likeness, "mlp", "genetic", "MLP, genetic")
    if not hit:
        return None
    row, share = hit
    rows = look(likeness, "mlp", "genetic")
    bg = float((rows.background * rows.n).sum() / rows.n.sum())
    digits = likeness[(likeness.model == "reference") & (likeness.method == "test digits")]
    noisy, unrecognised = bg >= 0.2, share <= 0.1
    both = noisy and unrecognised
    return found(
        value=f"{row['value']}; frame {bg:.2f}",
        measured=f"{row['measured']}; mean background (4-pixel frame) {bg:.2f} vs "
        f"{digits.background.mean():.2f} for test digits",
        criterion="≤10% look like their digit and frame mean ≥0.2 (partly: one of the two); "
        "a network-free proxy for a visual claim",
        verdict=REPRODUCED if both else PARTLY if noisy or unrecognised else NOT_REPRODUCED,
    )


def mean_two(likeness, model: str, method: str) -> pd.Series | None:
    """The template reader on the mean of a method's converged '2's."""
    rows = look(likeness, model, method)
    return None if rows is None or 2 not in rows.index or rows.loc[2].mean_n == 0 else rows.loc[2]


def mean_text(r: pd.Series) -> str:
    return (
        f"mean of {int(r.mean_n)} converged '2's: correlation {r.mean_corr:.2f} "
        f"[{r.mean_corr_low:.2f}, {r.mean_corr_high:.2f}] with the mean training '2', rank "
        f"{int(r.mean_rank)} of 10 (reads as '{int(r.mean_read_as)}'), background "
        f"{r.mean_background:.2f}"
    )


def c9(likeness) -> dict | None:
    r = mean_two(likeness, "mlp", "genetic")
    if r is None:
        return None
    faint = r.mean_corr_low > 0  # the correlation's bootstrap interval excludes zero
    grey = 0.2 <= r.mean_background <= 0.8
    if faint and r.mean_rank == 1 and grey:
        verdict = REPRODUCED
    elif faint:
        verdict = PARTLY
    else:
        verdict = NOT_REPRODUCED
    return found(
        value=f"r = {r.mean_corr:.2f}, rank {int(r.mean_rank)}",
        measured=f"MLP, genetic: {mean_text(r)}",
        criterion="the mean reads as '2' (rank 1), its correlation with the mean training '2' "
        "is above 0 (bootstrap 95% interval), grey background 0.2–0.8 (partly: the "
        "correlation alone); a network-free proxy for a visual claim",
        verdict=verdict,
    )


def c14(likeness) -> dict | None:
    prior, plain = mean_two(likeness, "mlp", "genetic_prior"), mean_two(likeness, "mlp", "genetic")
    if prior is None:
        return None
    reads = prior.mean_rank == 1 and prior.mean_corr_low > 0
    closer = plain is None or prior.mean_corr_low > plain.mean_corr_high
    verdict = REPRODUCED if reads and closer else PARTLY if reads or closer else NOT_REPRODUCED
    versus = (
        ""
        if plain is None
        else (
            f" (without the prior {plain.mean_corr:.2f} [{plain.mean_corr_low:.2f}, "
            f"{plain.mean_corr_high:.2f}])"
        )
    )
    return found(
        value=f"r = {prior.mean_corr:.2f}, rank {int(prior.mean_rank)}",
        measured=f"MLP, prior as published: {mean_text(prior)}{versus}",
        criterion="the mean reads as '2' with a correlation above 0, and above the plain "
        "genetic mean's (non-overlapping bootstrap intervals); partly: one of the two",
        verdict=verdict,
    )
