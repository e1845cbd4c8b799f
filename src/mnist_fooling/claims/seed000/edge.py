"""Seed 000's claims on drawing to the edge, measured on real test digits: C10–C12 (digits
scaled to fill the frame or kept in a clear border) and C13 (scrambled background)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...core.stats import bootstrap_interval, wilson_interval
from ..common import (
    FOOLED,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    between,
    found,
    pct,
    rate,
    share,
)

# A share of the test digits "substantial" enough that the post's single drawing stands for a
# common outcome, not a freak one: one digit in ten.
SUBSTANTIAL = 0.10
# C12: a clear border "keeps" the clean '2's rate when it loses at most 5 of every 100 '2's
# (the interval of the paired difference lies above −5 points): a loss a reader of the
# post's "classified correctly" would not call a change.
MARGIN = 0.05
# C13: a median fall of the true-class output of 5 points is far beyond the run-to-run spread
# of a clean reading, yet far short of the post's >99% → 46%.
MEDIAN_DROP = 0.05
SURE = 0.999  # C10's level ">99.9%"


def reading(outputs: Mapping | None, condition: str, model: str = "mlp") -> dict | None:
    """One model's per-image readings of ``outputs.npz`` under ``condition`` (clean, frame,
    bordered, scrambled): top, p1, true ``(n,)`` and the labels; None when not there."""
    if outputs is None or f"{condition}_top" not in outputs:
        return None
    models = [str(m) for m in outputs["models"]]
    if model not in models:
        return None
    i = models.index(model)
    return dict(
        labels=np.asarray(outputs["labels"]).astype(int),
        **{k: np.asarray(outputs[f"{condition}_{k}"][i]) for k in ("top", "p1", "true")},
    )


def first_or_second(yes: tuple[float, float], partly: tuple[float, float], bound: float):
    """The verdict of two shares' 95% intervals against one ``bound``: reproduced when the
    first share reaches it, partly when only the second does; "undecided" when an interval
    straddles it."""

    def outcome(y: float, p: float) -> str:
        return REPRODUCED if y >= bound else PARTLY if p >= bound else NOT_REPRODUCED

    return between(outcome(yes[0], partly[0]), outcome(yes[1], partly[1]))


def frame_counts(outputs: Mapping | None, model: str = "mlp") -> dict | None:
    """Counts over the test '2's and '9's filling the frame and the '2's in a clear border,
    with the same digits' clean readings beside them."""
    clean = reading(outputs, "clean", model)
    frame, bordered = reading(outputs, "frame", model), reading(outputs, "bordered", model)
    if frame is None or bordered is None or clean is None:
        return None
    twos, nines = frame["labels"] == 2, frame["labels"] == 9
    top2, p2 = frame["top"][twos], frame["p1"][twos]
    p9 = frame["p1"][nines]
    wrong = top2[top2 != 2]
    sure_clean = (clean["top"][twos] == 2) & (clean["p1"][twos] > SURE)  # C10's '2's
    five = (top2 == 5) & (p2 > SURE)
    wrong_sure = (top2 != 2) & (p2 > 0.99)
    return dict(
        n_twos=int(twos.sum()),
        five=int(five.sum()),
        wrong_sure=int(wrong_sure.sum()),
        wrong=len(wrong),
        commonest_wrong=int(np.bincount(wrong, minlength=10).argmax()) if len(wrong) else None,
        n_sure_clean=int(sure_clean.sum()),
        five_of_sure=int((five & sure_clean).sum()),
        wrong_sure_of_sure=int((wrong_sure & sure_clean).sum()),
        n_nines=int(nines.sum()),
        rejected=int((p9 < 0.5).sum()),
        near_two_pct=int(((p9 >= 0.005) & (p9 <= 0.05)).sum()),
        median_top_nine=float(np.median(p9)) if len(p9) else float("nan"),
        frame_size=int(outputs["frame_size"]),
        bordered_size=int(outputs["bordered_size"]),
    )


def called(r: dict, mask: np.ndarray, digit: int, above: float = 0.0) -> np.ndarray:
    """``(k,)`` bool: the images of ``mask`` whose top class is ``digit`` at more than ``above``."""
    return (r["top"][mask] == digit) & (r["p1"][mask] > above)


def twos_kept(outputs: Mapping | None, model: str = "mlp") -> dict | None:
    """C12: the test '2's called '2' (at > 99.99% and at all) clean and in a clear border, and
    the paired differences bordered − clean with their 95% bootstrap intervals."""
    clean, bordered = reading(outputs, "clean", model), reading(outputs, "bordered", model)
    if clean is None or bordered is None:
        return None
    twos = clean["labels"] == 2
    if not twos.any():
        return None
    out = dict(n=int(twos.sum()), bordered_size=int(outputs["bordered_size"]))
    for name, above in (("sure", FOOLED), ("right", 0.0)):
        before = called(clean, twos, 2, above).astype(float)
        after = called(bordered, twos, 2, above).astype(float)
        out[f"clean_{name}"], out[f"bordered_{name}"] = int(before.sum()), int(after.sum())
        out[f"diff_{name}"] = float((after - before).mean())
        out[f"diff_{name}_ci"] = bootstrap_interval(
            after, before, statistic=_mean_difference, paired=True
        )
    return out


def _mean_difference(after, before, axis=-1):
    return (after - before).mean(axis=axis)


def points(x: float) -> str:
    """A difference of shares in percentage points, signed, with a true minus: ``−8.3``."""
    return f"{100 * x:+.1f}".replace("-", "−")


def c10(outputs: Mapping | None) -> dict | None:
    c = frame_counts(outputs)
    if c is None or not c["n_sure_clean"]:
        return None
    n = c["n_sure_clean"]
    verdict = first_or_second(
        wilson_interval(c["five_of_sure"], n),
        wilson_interval(c["wrong_sure_of_sure"], n),
        SUBSTANTIAL,
    )
    commonest = "" if c["commonest_wrong"] is None else f", most often '{c['commonest_wrong']}'"
    return found(
        value=f"{share(c['five_of_sure'], n, 1)} '5'",
        measured=f"MLP, the {n} test '2's it reads at >99.9% when clean (of {c['n_twos']}), "
        f"scaled to fill {c['frame_size']} px: called '5' at >99.9% "
        f"{rate(c['five_of_sure'], n, 1)}; a wrong digit at >99% "
        f"{rate(c['wrong_sure_of_sure'], n, 1)}. All {c['n_twos']} '2's: "
        f"'5' at >99.9% {rate(c['five'], c['n_twos'], 1)}; wrong at all "
        f"{rate(c['wrong'], c['n_twos'], 1)}{commonest}",
        criterion=f"of the '2's the MLP reads at >99.9% when clean (as the post's '2' must have "
        f"been), ≥{pct(SUBSTANTIAL, 0)} called '5' at >99.9% when filling the frame (partly: ≥"
        f"{pct(SUBSTANTIAL, 0)} called some wrong digit at >99%): the post's one drawing stands "
        "for a common outcome; undecided when a Wilson interval straddles the bound",
        verdict=verdict,
    )


def c11(outputs: Mapping | None) -> dict | None:
    c = frame_counts(outputs)
    if c is None or not c["n_nines"]:
        return None
    n = c["n_nines"]
    verdict = first_or_second(
        wilson_interval(c["near_two_pct"], n), wilson_interval(c["rejected"], n), SUBSTANTIAL
    )
    return found(
        value=f"{share(c['near_two_pct'], n, 1)} at 0.5–5%",
        measured=f"MLP, the test '9's scaled to fill {c['frame_size']} px: top output 0.5–5% "
        f"(near the post's 2%) {rate(c['near_two_pct'], n, 1)}; top output below 50% (rejected) "
        f"{rate(c['rejected'], n, 1)}; median top output {pct(c['median_top_nine'])}",
        criterion=f"≥{pct(SUBSTANTIAL, 0)} of them with a top output of 0.5–5% (partly: ≥"
        f"{pct(SUBSTANTIAL, 0)} with a top output below 50%); undecided when a Wilson interval "
        "straddles the bound",
        verdict=verdict,
    )


def kept(diff: tuple[float, float]) -> bool:
    return diff >= -MARGIN


def c12(outputs: Mapping | None) -> dict | None:
    c = twos_kept(outputs)
    if c is None:
        return None
    n = c["n"]

    def outcome(sure: float, right: float) -> str:
        return (
            REPRODUCED
            if kept(sure) and kept(right)
            else PARTLY
            if kept(right)
            else (NOT_REPRODUCED)
        )

    (sure_low, sure_high), (right_low, right_high) = c["diff_sure_ci"], c["diff_right_ci"]
    verdict = between(outcome(sure_low, right_low), outcome(sure_high, right_high))
    return found(
        value=f"Δ {points(c['diff_sure'])} [{points(sure_low)}, {points(sure_high)}] pts",
        measured=f"MLP, the {n} test '2's, clean and scaled to {c['bordered_size']} px (a clear "
        f"border): called '2' at >99.99% clean {rate(c['clean_sure'], n, 1)}, bordered "
        f"{rate(c['bordered_sure'], n, 1)} (difference {points(c['diff_sure'])} points "
        f"[{points(sure_low)}, {points(sure_high)}]); called '2' at all clean "
        f"{rate(c['clean_right'], n, 1)}, bordered {rate(c['bordered_right'], n, 1)} "
        f"(difference {points(c['diff_right'])} points "
        f"[{points(right_low)}, {points(right_high)}])",
        criterion=f"a clear border keeps the clean '2's rate of being called '2' at >99.99% and at "
        f"all: each paired difference bordered − clean above −{100 * MARGIN:.0f} points (95% "
        f"bootstrap interval; partly: kept at all only); the post's '2' at >99.99% stands for "
        "its clean self, since clean '2's themselves rarely reach >99.99% on this network",
        verdict=verdict,
    )


def read_surely(clean: dict) -> np.ndarray:
    """``(n,)`` mask of the digits read correctly with a true-class output of at least 50%
    when clean: only these can *fall* below 50%, as the post's '2' did."""
    return (clean["top"] == clean["labels"]) & (clean["true"] >= 0.5)


def scramble_counts(outputs: Mapping | None, model: str = "mlp") -> dict | None:
    """The true class's output before and after scrambling the background, over the test
    digits ``model`` reads correctly, at 50% or more, when clean."""
    clean, noisy = reading(outputs, "clean", model), reading(outputs, "scrambled", model)
    if clean is None or noisy is None:
        return None
    ok = read_surely(clean)
    before, after = clean["true"][ok], noisy["true"][ok]
    return dict(
        n=int(ok.sum()),
        below_half=int((after < 0.5).sum()),
        flipped=int((noisy["top"][ok] != clean["labels"][ok]).sum()),
        median_before=float(np.median(before)) if ok.any() else float("nan"),
        median_after=float(np.median(after)) if ok.any() else float("nan"),
        median_drop=float(np.median(before - after)) if ok.any() else float("nan"),
        median_drop_ci=bootstrap_interval(before - after, statistic=np.median)
        if ok.any()
        else (float("nan"), float("nan")),
        box=int(outputs["scramble_box"]),
    )


def c13(outputs: Mapping | None) -> dict | None:
    c = scramble_counts(outputs)
    if c is None or not c["n"]:
        return None
    n, k = c["n"], c["below_half"]

    def outcome(below: float, drop: float) -> str:
        return (
            REPRODUCED
            if below >= SUBSTANTIAL
            else PARTLY
            if drop >= MEDIAN_DROP
            else (NOT_REPRODUCED)
        )

    (low, high), (drop_low, drop_high) = wilson_interval(k, n), c["median_drop_ci"]
    verdict = between(outcome(low, drop_low), outcome(high, drop_high))
    return found(
        value=f"{share(k, n, 1)} below 50%",
        measured=f"MLP, uniform noise outside the central {c['box']}×{c['box']}, the {n} test "
        f"digits read correctly at ≥50% when clean: true-class output below 50% {rate(k, n, 1)}; "
        f"median true-class output {pct(c['median_before'], 2)} → {pct(c['median_after'], 2)} "
        f"(median drop {100 * c['median_drop']:.1f} points [{100 * drop_low:.1f}, "
        f"{100 * drop_high:.1f}]); top class changed {rate(c['flipped'], n, 1)}",
        criterion=f"≥{pct(SUBSTANTIAL, 0)} of them with the true class's output below 50%, as the "
        f"post's '2' at 46% (partly: a median drop ≥{100 * MEDIAN_DROP:.0f} points); undecided "
        "when the Wilson interval of the share, or the bootstrap interval of the median drop, "
        "straddles its bound",
        verdict=verdict,
    )
