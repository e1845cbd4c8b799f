"""Seed 000's claims on the edge drawings: C10–C12 (large and small drawn digits) and C13
(noise in the background)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import FOOLED, NOT_REPRODUCED, PARTLY, REPRODUCED, found, graded_rate, pct, rate


def _drawn(drawn: pd.DataFrame | None, digit: int, size: str) -> pd.DataFrame | None:
    if drawn is None or drawn.empty or "mlp" not in set(drawn.model):
        return None
    rows = drawn[(drawn.model == "mlp") & (drawn.digit == digit) & (drawn["size"] == size)]
    return rows if len(rows) else None


def _outputs(rows: pd.DataFrame) -> str:
    return "; ".join(f"style {r.style}: '{r.top1}' {pct(r.p1, 2)}" for r in rows.itertuples())


def c10(drawn) -> dict | None:
    rows = _drawn(drawn, 2, "large")
    if rows is None:
        return None
    as_five = rows[(rows.top1 == 5) & (rows.p1 > 0.999)]
    wrong = rows[(rows.top1 != 2) & (rows.p1 > 0.99)]
    best = rows.iloc[int(np.argmax(np.where(rows.top1 != 2, rows.p1, -1)))]
    return found(
        value=f"'{best.top1}' {pct(best.p1, 2)}",
        measured=f"MLP on large drawn '2's: {_outputs(rows)}",
        criterion="some style called '5' at >99.9% (partly: another wrong digit at >99%)",
        verdict=REPRODUCED if len(as_five) else PARTLY if len(wrong) else NOT_REPRODUCED,
    )


def c11(drawn) -> dict | None:
    rows = _drawn(drawn, 9, "large")
    if rows is None:
        return None
    near = rows[(rows.p1 >= 0.005) & (rows.p1 <= 0.05)]
    rejected = rows[rows.p1 < 0.5]
    lowest = rows.p1.min()
    return found(
        value=f"top {pct(lowest, 1)}",
        measured=f"MLP on large drawn '9's: {_outputs(rows)}",
        criterion="some style rejected with a top output near 2% (0.5–5%); partly: a top "
        "output below 50%",
        verdict=REPRODUCED if len(near) else PARTLY if len(rejected) else NOT_REPRODUCED,
    )


def c12(drawn) -> dict | None:
    rows = _drawn(drawn, 2, "small")
    if rows is None:
        return None
    sure = (rows.top1 == 2) & (rows.p1 > FOOLED)
    return found(
        value=f"{int(sure.sum())}/{len(rows)} styles",
        measured=f"MLP on small drawn '2's: {_outputs(rows)}",
        criterion="every style '2' at >99.99% (partly: some style)",
        verdict=REPRODUCED if sure.all() else PARTLY if sure.any() else NOT_REPRODUCED,
    )


def c13(border: pd.DataFrame | None) -> dict | None:
    if border is None or border.empty or "mlp" not in set(border.model):
        return None
    mlp = border[(border.model == "mlp") & (border.central_box < 28)]
    if mlp.empty:
        return None
    r = mlp.iloc[(mlp.central_box - 20).abs().argsort().iloc[0]]
    changed = int(round(r.top_changed * r.n))
    verdict, note = graded_rate(changed, int(r.n), yes=0.10, partly=0.02)
    return found(
        value=pct(r.top_changed),
        measured=f"MLP, noise outside the central {r.central_box}×{r.central_box}: top class "
        f"changes for {rate(changed, int(r.n), 1)} test digits, mean output change "
        f"{r.mean_output_change:.2f}, accuracy {pct(r.accuracy)}{note}",
        criterion="top class changes for ≥10% of digits (partly ≥2%)",
        verdict=verdict,
    )
