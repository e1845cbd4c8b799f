"""How the report and the figures name and order models, detectors and sets, and format numbers."""

from __future__ import annotations

import pandas as pd

from ...core.names import MODEL_LABELS
from ...search.registry import METHODS
from .config import ADAPTIVE_SET, DETECTORS, NOISE_SET, PLAIN_SET

LABELS = {
    "max_output": "max output",
    "energy": "energy",
    "mahalanobis": "Mahalanobis",
    "pca_error": "PCA error",
    "template": "template reader",
    "eleventh": "11th class",
}
SET_LABELS = {
    **{entry.name: entry.label for entry in METHODS},
    NOISE_SET: "uniform noise",
    PLAIN_SET: "plain attack",
    ADAPTIVE_SET: "adaptive attack",
}


def number(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals, or "—" for a missing value."""
    return "—" if pd.isna(x) else f"{x:.{digits}f}"


def cell(row, key: str) -> str:
    """``"0.981 [0.975, 0.987]"``, or "—" for a set without images."""
    if pd.isna(row[key]):
        return "—"
    return f"{number(row[key])} [{number(row[key + '_low'])}, {number(row[key + '_high'])}]"


def model_order(frame: pd.DataFrame) -> list[str]:
    """Models in the usual order (softmax, mlp, cnn), then any other in order of appearance."""
    seen = list(dict.fromkeys(frame.model))
    return [m for m in MODEL_LABELS if m in seen] + [m for m in seen if m not in MODEL_LABELS]


def set_order(auroc: pd.DataFrame) -> list[str]:
    """The sets of ``auroc`` as the report shows them: the methods (in :data:`SET_LABELS`
    order, then any other by name), uniform noise, the adaptive attack (not the plain one)."""
    present = set(auroc.set)
    last = (NOISE_SET, ADAPTIVE_SET)
    known = [s for s in SET_LABELS if s in present and s not in (*last, PLAIN_SET)]
    other = sorted(present - set(SET_LABELS))
    return known + other + [s for s in last if s in present]


def table_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by model, then detector (:data:`DETECTORS` order)."""
    order = {m: i for i, m in enumerate(model_order(frame))}
    rank = {d: i for i, d in enumerate(DETECTORS)}
    return frame.assign(
        _m=frame.model.map(order), _d=frame.detector.map(lambda d: rank.get(d, len(rank)))
    ).sort_values(["_m", "_d"], kind="stable")
