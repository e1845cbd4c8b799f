"""The appendix's lab-in-the-browser tables: the page's speed beside Keras', time to fool."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.errors import UserInputError


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """Tables ``speed`` (forward passes per second, page and Keras, ratio, target) and ``fool``
    (seconds to fool each model with each method), variables ``note`` and ``images``."""
    from ...core.tables import markdown_table

    t = pd.read_csv(inputs["speed"], keep_default_na=False)
    if not {"kind", "model", "status"} <= set(t.columns):
        raise UserInputError(f"{inputs['speed']}: not a lab benchmark CSV (no kind/model/status)")
    forward, fool = t[t.kind == "forward"].copy(), t[t.kind == "fool"].copy()
    measured = bool(len(forward)) and (forward.status == "measured").all()

    def rate(v) -> str:
        return f"{float(v):,.0f}" if v != "" else "not measured"

    forward["page"] = forward.page_per_s.map(rate)
    forward["keras"] = forward.keras_per_s.map(rate)
    forward["ratio_text"] = forward.ratio.map(lambda v: f"{float(v):.3f}" if v != "" else "")
    forward["target_text"] = forward.target.map(lambda v: f"≥ {float(v):g}" if v != "" else "")
    speed = markdown_table(
        forward,
        dict(
            model="model",
            page="page, per second",
            keras="Keras, per second",
            ratio_text="ratio",
            target_text="target",
            met="met",
        ),
        widths=[5, 8, 8, 5, 5, 3],
    )
    fool["cell"] = [_fool_text(r) for r in fool.itertuples()]
    grid = fool.pivot(index="model", columns="method", values="cell")
    grid = grid.reindex(index=list(dict.fromkeys(fool.model)))
    grid = grid[list(dict.fromkeys(fool.method))].reset_index()
    fool_table = markdown_table(grid, {c: c for c in grid.columns})
    note = (
        "Measured in this run."
        if measured
        else f"Not measured in this run ({_reason(t)}): the tables say so."
    )
    images = int(float(forward.images.iloc[0])) if measured else 0
    return dict(tables=dict(speed=speed, fool=fool_table), variables=dict(note=note, images=images))


def _reason(t: pd.DataFrame) -> str:
    statuses = [s for s in t.status if s.startswith("not measured")]
    return statuses[0].removeprefix("not measured: ") if statuses else "no rows"


def _fool_text(row) -> str:
    if row.status.startswith("not measured"):
        return "not measured"
    if row.status == "not within budget":
        return f"not within {float(row.budget_s):g} s"
    seconds = f"{float(row.seconds):.2f} s"
    return seconds if row.status == "converged" else f"{row.status} after {seconds}"
