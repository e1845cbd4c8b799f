"""Seed 000's visual claims, judged by a calibrated network-free reader: C5, C7 (fooling images
unrecognisable, noisy), C9, C14 (the mean '2' with and without the prior)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import NOT_REPRODUCED, PARTLY, REPRODUCED, between, found, look, pct, rate

READER = "k-NN"  # the reader whose calibration passes (stages/fooling/reader.py); checked below
START_STD = 1 / np.sqrt(12)  # within-image std of the searches' uniform start


def fitness(calibration: pd.DataFrame | None, reader: str = READER) -> tuple[bool, str]:
    """Whether ``reader`` passed its calibration (≥ 90% of s = 0.3 blends, ≤ 15% of noise),
    and the two shares in words."""
    from ...stages.fooling.reader import fit_readers

    if calibration is None or reader not in set(calibration.reader):
        return False, f"no calibration of the {reader} reader"
    share = calibration[calibration.reader == reader].set_index("s").share
    text = (
        f"the {reader} reader recognises {pct(share[0.3], 0)} of blends at s = 0.3 and "
        f"{pct(share[0.0], 0)} of pure noise"
    )
    return fit_readers(calibration)[reader], text


def reference_counts(likeness: pd.DataFrame, name: str, column: str) -> tuple[int, int]:
    """``(k, n)``: images of a reference set (test digits, uniform noise) judged alike."""
    rows = likeness[(likeness.model == "reference") & (likeness.method == name)]
    return int(rows[column].sum()), int(rows.n.sum())


def judged(k: int, n: int, noise: tuple[int, int], at_02: float) -> tuple[str, float]:
    """The verdict on "unrecognisable" for ``k`` of ``n`` images judged alike: not significantly
    above pure noise (one-sided Fisher p ≥ 0.05) reproduced; above noise but below the share of
    s = 0.2 blends partly; else not reproduced. Returns it with the p value."""
    from scipy.stats import fisher_exact

    k0, n0 = noise
    p = float(fisher_exact([[k, n - k], [k0, n0 - k0]], alternative="greater")[1])
    if p >= 0.05:
        return REPRODUCED, p
    return (PARTLY if k / n < at_02 else NOT_REPRODUCED), p


def unrecognisable(likeness, calibration, model: str, method: str, label: str):
    """``(found, share)`` for "the images of (model, method) are unrecognisable", or None."""
    from ...stages.fooling.reader import equivalent_strength

    rows = look(likeness, model, method)
    if rows is None or calibration is None or "knn_looks" not in rows:
        return None
    fit, fit_text = fitness(calibration)
    k, n = int(rows.knn_looks.sum()), int(rows.n.sum())
    curve = calibration[calibration.reader == READER]
    at_02 = float(curve.set_index("s").share[0.2])
    noise = reference_counts(likeness, "uniform noise", "knn_looks")
    digits = reference_counts(likeness, "test digits", "knn_looks")
    verdict, p = judged(k, n, noise, at_02)
    s = equivalent_strength(curve, k / n)
    s_text = "no more than pure noise" if s == 0 else ">1" if np.isinf(s) else f"s ≈ {s:.2f}"
    if not fit:
        verdict = NOT_REPRODUCED if verdict == NOT_REPRODUCED else PARTLY
    template = int(rows.looks.sum())
    return found(
        value=f"{pct(k / n, 0)}; {s_text}",
        measured=f"{label}: {rate(k, n)} look like their digit to the k-NN reader (uniform "
        f"noise {rate(*noise)}, one-sided Fisher p = {p:.2g}; test digits {rate(*digits)}; "
        f"s = 0.2 blends {pct(at_02, 0)}); as alike as blends at {s_text}; template reader "
        f"{rate(template, n)}; {fit_text}" + ("" if fit else " — not fit: at most partly"),
        criterion="unrecognisable: not significantly more alike than pure noise (one-sided "
        "Fisher p ≥ 0.05) to a reader calibrated on blends of real digits into noise "
        "(≥ 90% at s = 0.3, ≤ 15% on noise); partly: above noise but below the s = 0.2 "
        "blends; an uncalibrated reader gives at most partly",
        verdict=verdict,
    ), k / n


def c5(likeness, calibration=None) -> dict | None:
    hit = unrecognisable(likeness, calibration, "mlp", "gradient", "MLP, gradient")
    return hit and hit[0]


def frame_std(likeness, model: str, method: str) -> float:
    """Mean within-image standard deviation of the 4-pixel frame, weighted over digits."""
    rows = likeness[(likeness.model == model) & (likeness.method == method)]
    return float((rows.background_std * rows.n).sum() / rows.n.sum())


def c7(likeness, calibration=None) -> dict | None:
    hit = unrecognisable(likeness, calibration, "mlp", "genetic", "MLP, genetic")
    if not hit:
        return None
    row, _ = hit
    std, digits = (
        frame_std(likeness, "mlp", "genetic"),
        frame_std(likeness, "reference", "test digits"),
    )
    noisy = std >= 0.5 * START_STD and std >= 3 * digits
    unrecognised = row["verdict"] == REPRODUCED
    both = noisy and unrecognised
    return found(
        value=f"{row['value']}; frame std {std:.2f}",
        measured=f"{row['measured']}; frame (4-pixel border) within-image std {std:.3f} vs "
        f"{digits:.3f} for test digits and {START_STD:.3f} for the uniform start",
        criterion="unrecognisable as in C5, and a very noisy background: the frame's "
        "within-image std at least half the uniform start's and 3× the test digits' "
        "(partly: one of the two). The grey frame mean is expected by construction and not "
        "tested",
        verdict=REPRODUCED if both else PARTLY if noisy or unrecognised else NOT_REPRODUCED,
    )


def mean_two(likeness, model: str, method: str) -> pd.Series | None:
    """The readers on the mean of a method's converged '2's."""
    rows = look(likeness, model, method)
    if rows is None or 2 not in rows.index or rows.loc[2].mean_n == 0:
        return None
    return rows.loc[2] if "mean_knn_boot" in rows else None


def mean_text(r: pd.Series) -> str:
    return (
        f"mean of {int(r.mean_n)} converged '2's: looks like a '2' to the k-NN reader in "
        f"{pct(r.mean_knn_boot, 0)} of bootstrap resamples (reads as '{int(r.mean_knn_read_as)}', "
        f"neighbour correlation {r.mean_knn_sim:.2f}); template reader: correlation "
        f"{r.mean_corr:.2f} [{r.mean_corr_low:.2f}, {r.mean_corr_high:.2f}] with the mean "
        f"training '2', rank {int(r.mean_rank)}; frame mean {r.mean_background:.2f}"
    )


def floor_interval(calibration: pd.DataFrame | None, reader: str = READER) -> tuple[float, float]:
    """The k-NN reader's noise floor at the two ends of its 95% interval, ``(low, high)``
    (the point floor twice when the calibration predates the interval)."""
    rows = calibration[calibration.reader == reader]
    if "knn_floor_low" in rows:
        return float(rows.knn_floor_low.iloc[0]), float(rows.knn_floor_high.iloc[0])
    return float(rows.knn_floor.iloc[0]), float(rows.knn_floor.iloc[0])


def looks_at(r: pd.Series, floor: float) -> bool:
    """Whether the mean image reads as '2' with a neighbour correlation of at least ``floor``."""
    return int(r.mean_knn_read_as) == 2 and float(r.mean_knn_sim) >= floor


def floor_text(low: float, high: float) -> str:
    return f"the reader's noise floor's 95% interval [{low:.3f}, {high:.3f}]"


def c9(likeness, calibration=None) -> dict | None:
    r = mean_two(likeness, "mlp", "genetic")
    if r is None:
        return None
    fit, fit_text = fitness(calibration)
    share = float(r.mean_knn_boot)
    low, high = floor_interval(calibration) if fit else (np.inf, np.inf)

    def outcome(floor: float) -> str:
        looks = looks_at(r, floor)
        return (
            REPRODUCED
            if looks and share >= 0.5
            else PARTLY
            if looks or share >= 0.05
            else (NOT_REPRODUCED)
        )

    # A higher floor is stricter: its end gives the lower outcome.
    verdict = between(outcome(high), outcome(low))
    return found(
        value=f"r {r.mean_knn_sim:.3f} vs floor [{low:.3f}, {high:.3f}]; {pct(share, 0)}",
        measured=f"MLP, genetic: {mean_text(r)}; {floor_text(low, high)}; {fit_text}",
        criterion="'faintly a 2': the mean reads as a '2' to the calibrated k-NN reader with a "
        "neighbour correlation at or above the noise floor, and looks like a '2' in ≥ 50% of "
        "bootstrap resamples of the images (partly: one of the two, or ≥ 5% of resamples); "
        "undecided when the mean's correlation lies inside the floor's 95% interval and that "
        "changes the outcome; the grey background is expected by construction (a uniform start "
        "averages to 0.5) and not tested",
        verdict=verdict,
    )


def c14(likeness, calibration=None) -> dict | None:
    prior, plain = mean_two(likeness, "mlp", "genetic_prior"), mean_two(likeness, "mlp", "genetic")
    if prior is None:
        return None
    fit, fit_text = fitness(calibration)
    low, high = floor_interval(calibration) if fit else (np.inf, np.inf)
    closer = plain is None or prior.mean_knn_sim > plain.mean_knn_sim

    def outcome(floor: float) -> str:
        reads = prior.mean_knn_boot >= 0.5 and fit and looks_at(prior, floor)
        return REPRODUCED if reads and closer else PARTLY if reads or closer else NOT_REPRODUCED

    verdict = between(outcome(high), outcome(low))
    versus = "" if plain is None else f" (without the prior: {pct(plain.mean_knn_boot, 0)}, "
    versus += "" if plain is None else f"neighbour correlation {plain.mean_knn_sim:.2f})"
    return found(
        value=f"r {prior.mean_knn_sim:.3f} vs floor [{low:.3f}, {high:.3f}]; "
        f"{pct(prior.mean_knn_boot, 0)}",
        measured=f"MLP, prior as published: {mean_text(prior)}{versus}; {floor_text(low, high)}; "
        f"{fit_text}",
        criterion="the mean reads as a '2' to the calibrated k-NN reader at or above the noise "
        "floor and in ≥ 50% of bootstrap resamples, and is more like its neighbours than the "
        "plain genetic mean (partly: one of the two); undecided when the floor's 95% interval "
        "changes the outcome",
        verdict=verdict,
    )
