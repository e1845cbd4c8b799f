"""Seed 000's C15: the published variogram cost uses lag 1 for every k, and whether it matters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import NOT_REPRODUCED, PARTLY, REPRODUCED, found


def c15(variogram: pd.DataFrame | None) -> dict | None:
    """What the published cost does: its per-lag terms on training '2's, and how far the images
    of each variant are from training '2's' true lag-k statistics."""
    if variogram is None or variogram.empty:
        return None
    terms = variogram[variogram.measure == "published terms on training '2's"]
    truth = variogram[variogram.measure == "lag-k statistic of training '2's"]
    spread = terms.groupby("direction").value.agg(lambda v: v.max() - v.min()).max()
    true_spread = truth.groupby("direction").value.agg(lambda v: v.max() - v.min()).min()
    flat = spread < 0.25 * true_spread  # the lag-1 use makes every term the same difference
    test = variogram[variogram.measure == "mismatch test"]
    if test.empty:
        differs, p, text = False, np.nan, "no converged images of both variants to compare"
    else:
        t = test.iloc[0]
        p = float(t.value)
        differs = p < 0.01
        text = (
            f"images' mean mismatch to training '2's at lags 2–14: as published "
            f"{t.published:.4f}, as intended {t.intended:.4f} (Mann–Whitney p = {p:.2g})"
        )
    verdict = REPRODUCED if flat and differs else PARTLY if flat else NOT_REPRODUCED
    return found(
        value=f"spread {spread:.4f} vs {true_spread:.4f}",
        measured=f"the published cost's 14 per-lag terms on training '2's span {spread:.4f} "
        f"(the true lag-k statistics {true_spread:.4f}); {text}",
        criterion="the published terms are flat (span < 25% of the true statistics') and the "
        "two variants' images differ measurably (p < 0.01); partly: flat only. Flat terms are "
        "expected by construction (the code uses lag 1 for every k): the part that could fail "
        "is whether it changes the images. A row about the code, not a claim of the post",
        verdict=verdict,
    )
