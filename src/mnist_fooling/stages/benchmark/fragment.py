"""The appendix's search-speed table (ratios measured side by side)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The appendix's search-speed table (ratios measured side by side)."""
    from ...core.tables import markdown_table

    t = pd.read_csv(inputs["speed"]).fillna("")
    t["per_second"] = t.per_second.map(lambda v: f"{v:,.0f}")
    t["ratio"] = [_ratio_text(r) for r in t.itertuples()]
    table = markdown_table(
        t,
        dict(
            model="model",
            measure="measure",
            per_second="per second",
            ratio="ratio",
            target="target",
            met="met",
        ),
        widths=[5, 19, 7, 12, 10, 3],
    )
    return dict(tables=dict(speed=table), variables=dict(rounds=int(t["rounds"].max())))


def _ratio_text(row) -> str:
    """``0.81`` or, where the rounds differ, ``0.81 (0.79–0.83)``: median (range); ratios of
    10 and more without decimals (``277 (276–290)``)."""

    def text(v: float) -> str:
        return f"{v:.2f}" if v < 10 else f"{v:.0f}"

    median, low, high = text(row.ratio), text(row.ratio_min), text(row.ratio_max)
    return median if low == high else f"{median} ({low}–{high})"
