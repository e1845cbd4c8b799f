"""Seed 000's visual claims, judged by a calibrated network-free reader: C5, C7 (fooling images
unrecognisable, noisy), C9, C14 (the mean '2' with and without the prior)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.stats import lower_rate
from ..common import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    between,
    decide_rate,
    found,
    look,
    pct,
    rate,
    share,
)
from ..panel import UNFIT, chosen_reader, fit_readers, fitness_text

READER = "k-NN"  # the reader whose calibration passes (stages/fooling/reader.py); checked below
START_STD = 1 / np.sqrt(12)  # within-image std of the searches' uniform start


def fitness(calibration: pd.DataFrame | None, reader: str = READER) -> tuple[bool, str]:
    """Whether ``reader`` passed its calibration (≥ 90% of s = 0.3 blends, ≤ 15% of noise),
    and the two shares in words."""
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


POSTS = dict(
    C5=("only the 7 stands out to me as plausibly a digit", 0.25, 0.5),
    C7=("none of these images is clearly recognisable", 0.10, 0.25),
)


def reading(likeness, model: str, method: str, *, readers=None, panel=None):
    """``(k, n, source, detail)``: how many images of (model, method) read as their digit, to
    the human panel when it read them, else to the automated k-NN reader; None without data."""
    from ...search.registry import set_name

    rows = look(likeness, model, method)
    name = set_name(model, method)
    if panel is not None and panel.has(name):
        k, n = panel.counts(name)
        return k, n, panel.source, f"{rate(k, n)} of the {panel.source}'s answers read as its digit"
    if rows is None or "knn_looks" not in rows:
        return None
    k, n = int(rows.knn_looks.sum()), int(rows.n.sum())
    detail = f"{rate(k, n)} look like their digit to the automated k-NN reader"
    if "knn_shuffled" in rows:
        detail += f" (like a random other digit: {rate(int(rows.knn_shuffled.sum()), n)})"
    return k, n, "automated reader", detail + f"; template reader {rate(int(rows.looks.sum()), n)}"


def automated(calibration, readers) -> tuple[bool | None, str]:
    """Whether the automated reader is fit (None: not measured in this run) and why."""
    row = chosen_reader(readers)
    if row is not None:
        return bool(row.fit), fitness_text(row, "k-NN")
    if calibration is None:
        return None, "no calibration of the automated reader"
    fit, text = fitness(calibration)
    return fit, text


def unrecognisable(likeness, calibration, claim: str, model: str, method: str, label: str, **by):
    """:func:`found`'s arguments for "the images of (model, method) are unrecognisable" (C5, C7),
    the verdict a :class:`Decision`, or None: the share read as its digit against the post's own
    words (:data:`POSTS`)."""
    got = reading(likeness, model, method, **by)
    if got is None or (got[2] == "automated reader" and calibration is None):
        return None
    k, n, source, detail = got
    words, yes, partly = POSTS[claim]
    decision = decide_rate(k, n, yes=yes, partly=partly)
    fit_text = ""
    if source == "automated reader":
        fit, fit_text = automated(calibration, by.get("readers"))
        decision = decision if fit in (None, True) else UNFIT
        fit_text = f"; {fit_text}"
    return dict(
        value=f"{share(k, n, 1)}; {source}",
        measured=f"{label}: {detail}{fit_text}",
        criterion=f"the post: \u201c{words}\u201d. Reproduced when at most {pct(yes, 0)} of the "
        f"images read as their digit, partly at most {pct(partly, 0)}, not reproduced above, on "
        "the share's 95% Wilson interval (undecided when it straddles a bound); read by the human "
        "panel when a reader passed its controls, else by the automated reader, which decides "
        "only when fit (\u2265 90% of s = 0.3 blends, \u2264 5% of every no-digit family)",
        verdict=decision,
    )


def c5(likeness, calibration=None, **by) -> dict | None:
    parts = unrecognisable(likeness, calibration, "C5", "mlp", "gradient", "MLP, gradient", **by)
    return parts and found(**parts)


def frame_std(likeness, model: str, method: str) -> float:
    """Mean within-image standard deviation of the 4-pixel frame, weighted over digits."""
    rows = likeness[(likeness.model == model) & (likeness.method == method)]
    return float((rows.background_std * rows.n).sum() / rows.n.sum())


def c7(likeness, calibration=None, **by) -> dict | None:
    row = unrecognisable(likeness, calibration, "C7", "mlp", "genetic", "MLP, genetic", **by)
    if row is None:
        return None
    std, digits = (
        frame_std(likeness, "mlp", "genetic"),
        frame_std(likeness, "reference", "test digits"),
    )
    noisy = std >= 0.5 * START_STD and std >= 3 * digits

    def combined(unrecognised: str) -> str:
        if unrecognised == REPRODUCED and noisy:
            return REPRODUCED
        return PARTLY if noisy or unrecognised != NOT_REPRODUCED else NOT_REPRODUCED

    ends = row["verdict"].ends
    return found(
        value=f"{row['value']}; frame std {std:.2f}",
        measured=f"{row['measured']}; frame (4-pixel border) within-image std {std:.3f} vs "
        f"{digits:.3f} for test digits and {START_STD:.3f} for the uniform start",
        criterion=f"{row['criterion']}; and a very noisy background: the frame's within-image "
        "std at least half the uniform start's and 3\u00d7 the test digits'. Both reproduced: "
        "reproduced; either partly or better: partly. The grey frame mean is expected by "
        "construction and not tested",
        verdict=between(combined(ends[0]), combined(ends[1])),
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


def panel_mean(panel, method: str) -> tuple[int, int] | None:
    """``(k, n)``: the panel's answers on the mean '2' of (mlp, method) that read it as a '2'."""
    from ...search.registry import mean_name

    name = mean_name("mlp", method)
    return panel.counts(name) if panel is not None and panel.has(name) else None


MEAN_PANEL = (
    "the panel: reproduced when \u2265 50% of the answers read the mean as a '2', partly "
    "when \u2265 10%, on the share's 95% Wilson interval"
)


def c9(likeness, calibration=None, *, readers=None, panel=None) -> dict | None:
    r = mean_two(likeness, "mlp", "genetic")
    if r is None:
        return None
    seen = panel_mean(panel, "genetic")
    if seen is not None:
        k, n = seen
        return found(
            value=f"{share(k, n)}; {panel.source}",
            measured=f"MLP, genetic: the mean of {int(r.mean_n)} converged '2's read as a '2' in "
            f"{rate(k, n)} of the {panel.source}'s answers",
            criterion=f"'faintly a 2', judged by {MEAN_PANEL}",
            verdict=decide_rate(k, n, yes=0.5, partly=0.1),
        )
    fit, fit_text = automated(calibration, readers)
    share_ = float(r.mean_knn_boot)
    low, high = floor_interval(calibration) if fit is not None else (np.inf, np.inf)

    def outcome(floor: float) -> str:
        looks = looks_at(r, floor)
        return (
            REPRODUCED
            if looks and share_ >= 0.5
            else PARTLY
            if looks or share_ >= 0.05
            else (NOT_REPRODUCED)
        )

    # A higher floor is stricter: its end gives the lower outcome.
    verdict = between(outcome(high), outcome(low)) if fit is not False else UNFIT
    return found(
        value=f"r {r.mean_knn_sim:.3f} vs floor [{low:.3f}, {high:.3f}]; {pct(share_, 0)}; "
        "automated reader",
        measured=f"MLP, genetic: {mean_text(r)}; {floor_text(low, high)}; {fit_text}",
        criterion="'faintly a 2': the mean reads as a '2' to the calibrated k-NN reader with a "
        "neighbour correlation at or above its floor, and looks like a '2' in \u2265 50% of "
        "bootstrap resamples of the images (partly: one of the two, or \u2265 5% of resamples); "
        "undecided when the mean's correlation lies inside the floor's 95% interval and that "
        "changes the outcome, or when the reader is unfit; by " + MEAN_PANEL + " when a reader "
        "passed its controls; the grey background is expected by construction (a uniform start "
        "averages to 0.5) and not tested",
        verdict=verdict,
    )


def c14(likeness, calibration=None, *, readers=None, panel=None) -> dict | None:
    prior, plain = mean_two(likeness, "mlp", "genetic_prior"), mean_two(likeness, "mlp", "genetic")
    if prior is None:
        return None
    seen, seen_plain = panel_mean(panel, "genetic_prior"), panel_mean(panel, "genetic")
    if seen is not None:
        k, n = seen
        # read as a '2' more often than the plain mean: a one-sided Fisher test, as D6's
        closer = seen_plain is None or lower_rate(*seen_plain, k, n) < 0.05
        reads = decide_rate(k, n, yes=0.5, partly=0.1)
        ends = reads.ends

        def combined(alone: str) -> str:
            return (
                REPRODUCED
                if alone == REPRODUCED and closer
                else alone
                if closer
                else (PARTLY if alone == REPRODUCED else NOT_REPRODUCED)
            )

        plain_text = "" if seen_plain is None else f" (without the prior: {rate(*seen_plain)})"
        return found(
            value=f"{share(k, n)}; {panel.source}",
            measured=f"MLP, prior as published: the mean '2' read as a '2' in {rate(k, n)} of "
            f"the {panel.source}'s answers{plain_text}",
            criterion=f"the mean reads as a '2' ({MEAN_PANEL}) and more often than the plain "
            "genetic mean (one-sided Fisher p < 0.05); reproduced: both; partly: a partly "
            "reading with the lead, or a reproduced reading without it",
            verdict=between(combined(ends[0]), combined(ends[1])),
        )
    fit, fit_text = automated(calibration, readers)
    low, high = floor_interval(calibration) if fit is not None else (np.inf, np.inf)
    closer = plain is None or prior.mean_knn_sim > plain.mean_knn_sim

    def outcome(floor: float) -> str:
        reads = prior.mean_knn_boot >= 0.5 and fit is not False and looks_at(prior, floor)
        return REPRODUCED if reads and closer else PARTLY if reads or closer else NOT_REPRODUCED

    verdict = between(outcome(high), outcome(low)) if fit is not False else UNFIT
    versus = "" if plain is None else f" (without the prior: {pct(plain.mean_knn_boot, 0)}, "
    versus += "" if plain is None else f"neighbour correlation {plain.mean_knn_sim:.2f})"
    return found(
        value=f"r {prior.mean_knn_sim:.3f} vs floor [{low:.3f}, {high:.3f}]; "
        f"{pct(prior.mean_knn_boot, 0)}; automated reader",
        measured=f"MLP, prior as published: {mean_text(prior)}{versus}; {floor_text(low, high)}; "
        f"{fit_text}",
        criterion="the mean reads as a '2' to the calibrated k-NN reader at or above its floor "
        "and in \u2265 50% of bootstrap resamples, and is more like its neighbours than the "
        "plain genetic mean (partly: one of the two); undecided when the floor's 95% interval "
        "changes the outcome, or when the reader is unfit; by the panel when a reader passed "
        "its controls",
        verdict=verdict,
    )
