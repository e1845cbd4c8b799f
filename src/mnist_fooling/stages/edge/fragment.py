"""The report's drawing-to-the-edge section and claims C10–C13."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.names import MODEL_NAMES as MODELS


def _accuracy_at(frame: pd.DataFrame, model: str, column: str, value) -> str:
    from ...claims import pct

    rows = frame[(frame.model == model) & (frame[column] == value)]
    return pct(rows.accuracy.iloc[0]) if len(rows) else "not run"


def edge_variables(*, scale, shift, border) -> dict:
    """Accuracy of each model at the extremes of the three sweeps."""
    out = {}
    across = shift[shift.axis == "x"]
    for model in sorted(set(scale.model), key=MODELS.index):
        out[model] = dict(
            size_small=_accuracy_at(scale, model, "size", scale["size"].min()),
            size_20=_accuracy_at(scale, model, "size", 20),
            size_28=_accuracy_at(scale, model, "size", 28),
            shift_0=_accuracy_at(across, model, "shift", 0),
            shift_max=_accuracy_at(across, model, "shift", shift["shift"].max()),
            border_min=_accuracy_at(border, model, "central_box", border.central_box.min()),
        )
    out.update(
        size_min=int(scale["size"].min()),
        shift_max=int(shift["shift"].max()),
        border_min=int(border.central_box.min()),
    )
    return out


def edge_markdown(v: dict) -> str:
    """Accuracy at the ends of each sweep, per model, from :func:`edge_variables`."""
    from ...core.tables import markdown_table

    keys = ("size_small", "size_20", "size_28", "shift_0", "shift_max", "border_min")
    rows = [dict(model=m, **{k: v[m][k] for k in keys}) for m in MODELS if m in v]
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            size_small=f"size {v['size_min']} px",
            size_20="size 20 px (MNIST)",
            size_28="size 28 px (edges)",
            shift_0="no shift",
            shift_max=f"shift {v['shift_max']} px",
            border_min=f"noise outside central {v['border_min']} px",
        ),
    )


def drawn_markdown(drawn: pd.DataFrame) -> str:
    """Top-2 outputs per model for the drawn '2's and '9's (the post's three drawings)."""
    from ...claims import pct
    from ...core.tables import markdown_table

    picked = drawn[drawn.digit.isin([2, 9])].copy()
    picked["top2"] = [
        f"'{a}' {pct(p, 2)}, '{b}' {pct(q, 2)}"
        for a, p, b, q in zip(picked.top1, picked.p1, picked.top2, picked.p2, strict=True)
    ]
    wide = picked.pivot_table(
        index=["digit", "size", "style"], columns="model", values="top2", aggfunc="first"
    ).reset_index()
    models = [m for m in MODELS if m in wide.columns]
    return markdown_table(
        wide,
        dict(digit="drawn", size="size", style="style", **{m: f"{m}: top 2" for m in models}),
        widths=[4, 5, 4] + [16] * len(models),
    )


def real_digits_markdown(outputs) -> str:
    """Each model's readings of the real test digits the verdicts of C10–C13 use."""
    from ...claims import pct
    from ...claims.seed000.edge import frame_counts, scramble_counts
    from ...core.tables import markdown_table

    def share(k, n):
        return f"{pct(k / n)} ({k}/{n})" if n else "none"

    rows = []
    for model in [m for m in MODELS if m in {str(m) for m in outputs["models"]}]:
        f, s = frame_counts(outputs, model), scramble_counts(outputs, model)
        rows.append(
            dict(
                model=model,
                five=share(f["five"], f["n_twos"]),
                wrong=share(f["wrong_sure"], f["n_twos"]),
                rejected=share(f["rejected"], f["n_nines"]),
                near=share(f["near_two_pct"], f["n_nines"]),
                below=share(s["below_half"], s["n"]),
                drop=f"{100 * s['median_drop']:.1f}",
            )
        )
    frame = int(outputs["frame_size"])
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            five=f"'2's at {frame} px: '5' >99.9%",
            wrong=f"'2's at {frame} px: wrong >99%",
            rejected=f"'9's at {frame} px: top <50%",
            near=f"'9's at {frame} px: top 0.5–5%",
            below="scrambled: true output <50%",
            drop="scrambled: median drop (points)",
        ),
    )


def twos_markdown(outputs) -> str:
    """The test '2's clean, in a clear border and filling the frame, side by side per model:
    shares called '2' (at all, >99.9%, >99.99%), '5' at >99.9% and a wrong digit at >99%, each
    with its 95% Wilson interval (C10, C12)."""
    from ...claims.common import FOOLED, share
    from ...claims.seed000.edge import SURE, reading
    from ...core.tables import markdown_table

    frame, bordered = int(outputs["frame_size"]), int(outputs["bordered_size"])
    conditions = {"clean": "clean", "bordered": f"{bordered} px", "frame": f"{frame} px (edges)"}
    rows = []
    for model in [m for m in MODELS if m in {str(m) for m in outputs["models"]}]:
        for condition, label in conditions.items():
            r = reading(outputs, condition, model)
            twos = r["labels"] == 2
            top, p1, n = r["top"][twos], r["p1"][twos], int(twos.sum())
            if not n:
                continue
            counts = dict(
                right=top == 2,
                sure=(top == 2) & (p1 > SURE),
                surest=(top == 2) & (p1 > FOOLED),
                five=(top == 5) & (p1 > SURE),
                wrong=(top != 2) & (p1 > 0.99),
            )
            rows.append(
                dict(model=model, condition=label, n=f"{n:,}")
                | {k: share(int(v.sum()), n, 1) for k, v in counts.items()}
            )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            condition="the '2's",
            n="n",
            right="called '2'",
            sure="'2' >99.9%",
            surest="'2' >99.99%",
            five="'5' >99.9%",
            wrong="wrong >99%",
        ),
    )


def load_outputs(path: Path) -> dict:
    """``outputs.npz`` as a dict of arrays."""
    import numpy as np

    with np.load(path) as npz:
        return dict(npz)


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's drawing-to-the-edge section and claims C10–C13."""
    from ...claims import claim_row, seed000

    scale, shift_ = pd.read_csv(inputs["scale"]), pd.read_csv(inputs["shift"])
    border, drawn = pd.read_csv(inputs["border"]), pd.read_csv(inputs["drawn"])
    outputs = load_outputs(inputs["outputs"])
    variables = edge_variables(scale=scale, shift=shift_, border=border)
    variables["n_images"] = f"{config['edge']['n_images']:,}"
    variables.update(
        frame_size=int(outputs["frame_size"]),
        bordered_size=int(outputs["bordered_size"]),
        scramble_box=int(outputs["scramble_box"]),
    )
    claims = [
        claim_row("C10", seed000.c10(outputs)),
        claim_row("C11", seed000.c11(outputs)),
        claim_row("C12", seed000.c12(outputs)),
        claim_row("C13", seed000.c13(outputs)),
    ]
    return dict(
        variables=variables,
        tables=dict(
            sweeps=edge_markdown(variables),
            drawn=drawn_markdown(drawn),
            real=real_digits_markdown(outputs),
            twos=twos_markdown(outputs),
        ),
        claims=[c for c in claims if c],
    )
