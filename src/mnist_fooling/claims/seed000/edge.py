"""Seed 000's claims on drawing to the edge, measured on real test digits: C10–C12 (digits
scaled to fill the frame or kept in a clear border) and C13 (scrambled background)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...core.stats import wilson_interval
from ..common import FOOLED, NOT_REPRODUCED, PARTLY, REPRODUCED, decide_rate, found, pct, rate

# A share of the test digits "substantial" enough that the post's single drawing stands for a
# common outcome, not a freak one: one digit in ten.
SUBSTANTIAL = 0.10
# C12: the post's small '2' stands for a typical clear-border '2': at least half of them.
TYPICAL = 0.50
# C13: a median fall of the true-class output of 5 points is far beyond the run-to-run spread
# of a clean reading, yet far short of the post's >99% → 46%.
MEDIAN_DROP = 0.05


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


def _spans(k: int, n: int, bound: float) -> bool:
    low, high = wilson_interval(k, n)
    return bool(low < bound <= high)


def two_shares(k_yes: int, k_partly: int, n: int, *, bound: float) -> tuple[str, str]:
    """'reproduced' when ``k_yes/n`` reaches ``bound``, 'partly' when ``k_partly/n`` does, and
    a note when either 95% interval reaches across ``bound`` (n too small to decide)."""
    share_yes, share_partly = k_yes / n, k_partly / n
    verdict = (
        REPRODUCED if share_yes >= bound else PARTLY if share_partly >= bound else NOT_REPRODUCED
    )
    undecided = _spans(k_yes, n, bound) or _spans(k_partly, n, bound)
    note = f"; n = {n} too small to decide: an interval spans {pct(bound, 0)}" if undecided else ""
    return verdict, note


def frame_counts(outputs: Mapping | None, model: str = "mlp") -> dict | None:
    """Counts over the test '2's and '9's filling the frame and the '2's in a clear border."""
    frame, bordered = reading(outputs, "frame", model), reading(outputs, "bordered", model)
    if frame is None or bordered is None:
        return None
    twos, nines = frame["labels"] == 2, frame["labels"] == 9
    top2, p2 = frame["top"][twos], frame["p1"][twos]
    p9 = frame["p1"][nines]
    btop, bp = bordered["top"][twos], bordered["p1"][twos]
    wrong = top2[top2 != 2]
    return dict(
        n_twos=int(twos.sum()),
        five=int(((top2 == 5) & (p2 > 0.999)).sum()),
        wrong_sure=int(((top2 != 2) & (p2 > 0.99)).sum()),
        wrong=len(wrong),
        commonest_wrong=int(np.bincount(wrong, minlength=10).argmax()) if len(wrong) else None,
        n_nines=int(nines.sum()),
        rejected=int((p9 < 0.5).sum()),
        near_two_pct=int(((p9 >= 0.005) & (p9 <= 0.05)).sum()),
        median_top_nine=float(np.median(p9)) if len(p9) else float("nan"),
        bordered_sure=int(((btop == 2) & (bp > FOOLED)).sum()),
        bordered_right=int((btop == 2).sum()),
        frame_size=int(outputs["frame_size"]),
        bordered_size=int(outputs["bordered_size"]),
    )


def c10(outputs: Mapping | None) -> dict | None:
    c = frame_counts(outputs)
    if c is None or not c["n_twos"]:
        return None
    n = c["n_twos"]
    verdict, note = two_shares(c["five"], c["wrong_sure"], n, bound=SUBSTANTIAL)
    commonest = "" if c["commonest_wrong"] is None else f", most often '{c['commonest_wrong']}'"
    return found(
        value=f"{pct(c['five'] / n)} '5' >99.9%",
        measured=f"MLP, the test '2's scaled to fill {c['frame_size']} px: called '5' at >99.9% "
        f"{rate(c['five'], n, 1)}; a wrong digit at >99% {rate(c['wrong_sure'], n, 1)}; wrong at "
        f"all {rate(c['wrong'], n, 1)}{commonest}{note}",
        criterion=f"≥{pct(SUBSTANTIAL, 0)} of them called '5' at >99.9% (partly: ≥"
        f"{pct(SUBSTANTIAL, 0)} called some wrong digit at >99%): the post's one drawing stands "
        "for a common outcome",
        verdict=verdict,
    )


def c11(outputs: Mapping | None) -> dict | None:
    c = frame_counts(outputs)
    if c is None or not c["n_nines"]:
        return None
    n = c["n_nines"]
    verdict, note = two_shares(c["near_two_pct"], c["rejected"], n, bound=SUBSTANTIAL)
    return found(
        value=f"{pct(c['rejected'] / n)} rejected",
        measured=f"MLP, the test '9's scaled to fill {c['frame_size']} px: top output below 50% "
        f"(rejected) {rate(c['rejected'], n, 1)}; top output 0.5–5% (near the post's 2%) "
        f"{rate(c['near_two_pct'], n, 1)}; median top output {pct(c['median_top_nine'])}{note}",
        criterion=f"≥{pct(SUBSTANTIAL, 0)} of them with a top output of 0.5–5% (partly: ≥"
        f"{pct(SUBSTANTIAL, 0)} with a top output below 50%)",
        verdict=verdict,
    )


def c12(outputs: Mapping | None) -> dict | None:
    c = frame_counts(outputs)
    if c is None or not c["n_twos"]:
        return None
    n = c["n_twos"]
    verdict, note = decide_rate(c["bordered_sure"], n, yes=TYPICAL, partly=SUBSTANTIAL), ""
    return found(
        value=f"{pct(c['bordered_sure'] / n)} >99.99%",
        measured=f"MLP, the test '2's scaled to {c['bordered_size']} px (a clear border): called "
        f"'2' at >99.99% {rate(c['bordered_sure'], n, 1)}; called '2' at all "
        f"{rate(c['bordered_right'], n, 1)}{note}",
        criterion=f"≥{pct(TYPICAL, 0)} of them called '2' at >99.99%: the post's small '2' "
        f"stands for a typical one (partly ≥{pct(SUBSTANTIAL, 0)})",
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
        box=int(outputs["scramble_box"]),
    )


def c13(outputs: Mapping | None) -> dict | None:
    c = scramble_counts(outputs)
    if c is None or not c["n"]:
        return None
    n, k = c["n"], c["below_half"]
    # One bound: at or above it reproduced, below it not (or partly, by the median drop).
    verdict, note = decide_rate(k, n, yes=SUBSTANTIAL, partly=SUBSTANTIAL), ""
    if verdict == NOT_REPRODUCED and c["median_drop"] >= MEDIAN_DROP:
        verdict = PARTLY
    return found(
        value=f"{pct(k / n)} below 50%",
        measured=f"MLP, uniform noise outside the central {c['box']}×{c['box']}, the {n} test "
        f"digits read correctly at ≥50% when clean: true-class output below 50% {rate(k, n, 1)}; "
        f"median true-class output {pct(c['median_before'], 2)} → {pct(c['median_after'], 2)} "
        f"(median drop {100 * c['median_drop']:.1f} points); top class changed "
        f"{rate(c['flipped'], n, 1)}{note}",
        criterion=f"≥{pct(SUBSTANTIAL, 0)} of them with the true class's output below 50%, as the "
        f"post's '2' at 46% (partly: a median drop ≥{100 * MEDIAN_DROP:.0f} points)",
        verdict=verdict,
    )
