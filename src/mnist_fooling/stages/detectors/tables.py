"""The report's markdown tables of the detectors section: AUROC/FPR grids, set sizes, attacks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims.common import pct
from ...core.tables import markdown_table
from .config import ADAPTIVE_SET, NOISE_SET, PLAIN_SET
from .labels import (
    LABELS,
    MODEL_LABELS,
    SET_LABELS,
    cell,
    model_order,
    number,
    set_order,
    table_rows,
)

NOT_MEASURED = "*Not measured in this run.*\n"


def grid_table(auroc: pd.DataFrame, key: str) -> str:
    """Markdown: rows model × detector, columns fooling sets, cells ``key`` with its interval."""
    if auroc.empty:
        return NOT_MEASURED
    sets = set_order(auroc)
    rows = []
    for (model, det), group in auroc.groupby(["model", "detector"], sort=False):
        cells = {r.set: cell(r._asdict(), key) for r in group.itertuples()}
        rows.append(dict(model=model, detector=det, **{s: cells.get(s, "—") for s in sets}))
    frame = table_rows(pd.DataFrame(rows))
    frame["model"] = frame.model.map(lambda m: MODEL_LABELS.get(m, m))
    frame["detector"] = frame.detector.map(LABELS)
    headers = dict(model="model", detector="detector") | {s: SET_LABELS.get(s, s) for s in sets}
    return markdown_table(frame, headers, widths=[3, 3] + [4] * len(sets))


def sizes_table(auroc: pd.DataFrame) -> str:
    """Markdown: images per fooling set and model (converged ones in brackets)."""
    if auroc.empty:
        return NOT_MEASURED
    sets = [s for s in set_order(auroc) if s != ADAPTIVE_SET]
    first = auroc.drop_duplicates(["model", "set"]).set_index(["model", "set"])
    rows = []
    for model in model_order(auroc):
        row = dict(model=MODEL_LABELS.get(model, model))
        for s in sets:
            if (model, s) not in first.index:
                row[s] = "—"
                continue
            r = first.loc[(model, s)]
            row[s] = f"{int(r.n):,}" + ("" if s == NOISE_SET else f" ({int(r.n_converged):,})")
        rows.append(row)
    headers = dict(model="model") | {s: SET_LABELS.get(s, s) for s in sets}
    return markdown_table(pd.DataFrame(rows), headers)


def adaptive_table(auroc: pd.DataFrame, adaptive: pd.DataFrame) -> str:
    """Markdown: per model × detector, the plain and the adaptive attack side by side."""
    from ...core.stats import wilson_interval

    if adaptive.empty:
        return NOT_MEASURED
    keyed = auroc.set_index(["model", "detector", "set"])
    rows = []
    for r in table_rows(adaptive).itertuples():
        low, high = wilson_interval(r.adaptive_success, r.runs)

        def roc(which: str, r=r) -> str:
            key = (r.model, r.detector, which)
            if key not in keyed.index:
                return "—"
            found = keyed.loc[key]
            return f"{cell(found, 'auroc')} (n={int(found.n)})"

        plain = r.plain_evaluations / r.plain_reached if r.plain_reached else np.nan
        adapt = r.adaptive_evaluations / r.adaptive_success if r.adaptive_success else np.nan
        rows.append(
            dict(
                model=MODEL_LABELS.get(r.model, r.model),
                detector=LABELS.get(r.detector, r.detector),
                plain=f"{r.plain_passes}/{r.runs}",
                success=f"{r.adaptive_success}/{r.runs} "
                f"[{pct(low, missing='—')}, {pct(high, missing='—')}]",
                auroc_plain=roc(PLAIN_SET),
                auroc_adaptive=roc(ADAPTIVE_SET),
                evals=f"{number(plain, 0)} → {number(adapt, 0)}",
                price="—" if np.isnan(plain * adapt) else f"×{adapt / plain:.1f}",
            )
        )
    headers = dict(
        model="model",
        detector="detector",
        plain="plain attack: at threshold and passed",
        success="adaptive attack: success [95% CI]",
        auroc_plain="AUROC, plain attack's images",
        auroc_adaptive="AUROC, adaptive attack's images",
        evals="evaluations per success, plain → adaptive",
        price="price",
    )
    return markdown_table(pd.DataFrame(rows), headers, widths=[3, 3, 3, 4, 5, 5, 4, 2])
