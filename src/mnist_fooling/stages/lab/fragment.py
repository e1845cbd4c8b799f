"""The appendix's lab-in-the-browser tables: the page's speed beside Keras', time to fool."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.errors import UserInputError
from .speed import median_seconds

BUILDS = {"relaxed": "WebAssembly relaxed SIMD", "simd": "WebAssembly SIMD", "js": "JavaScript"}


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """Tables ``speed`` (forward passes per second: the page's thread, one worker, all of them,
    Keras; the ratio of what the searches use and its target), ``kernel`` (the CNN's
    multiply-adds per second per core against the kernel's peak loop) and ``fool`` (the median
    seconds to fool each model's digits with each method); variables ``note``, ``images``,
    ``digits``, ``workers``."""
    from ...core.tables import markdown_table

    t = pd.read_csv(inputs["speed"], keep_default_na=False, dtype=str)
    if not {"kind", "model", "status"} <= set(t.columns):
        raise UserInputError(f"{inputs['speed']}: not a lab benchmark CSV (no kind/model/status)")
    forward, fool = t[t.kind == "forward"].copy(), t[t.kind == "fool"].copy()
    kernel = t[t.kind == "kernel"].copy()
    measured = bool(len(forward)) and (forward.status == "measured").all()
    workers = int(float(forward.workers.iloc[0])) if measured else 0
    for key in ("page", "worker", "workers", "keras"):
        forward[key] = forward[f"{key}_per_s"].map(_rate)
    forward["ratio_text"] = forward.ratio.map(lambda v: f"{float(v):.3f}" if v != "" else "")
    forward["target_text"] = forward.target.map(lambda v: f"≥ {float(v):g}" if v != "" else "")
    speed = markdown_table(
        forward,
        dict(
            model="model",
            page="page's thread",
            worker="1 worker",
            workers={0: "all workers", 1: "1 worker (all)"}.get(workers, f"{workers} workers"),
            keras="Keras",
            used="searches use",
            ratio_text="ratio",
            target_text="target",
            met="met",
        ),
        widths=[5, 7, 7, 7, 7, 6, 5, 5, 3],
    )
    kernel["build"] = kernel.path.map(lambda p: BUILDS.get(p, p))
    kernel["macs"] = kernel.macs_per_s.map(lambda v: f"{float(v) / 1e9:.1f} G")
    kernel["peak"] = kernel.peak_per_s.map(lambda v: f"{float(v) / 1e9:.1f} G")
    kernel["share"] = kernel.ratio.map(lambda v: f"{100 * float(v):.0f}%")
    kernel_table = (
        markdown_table(
            kernel,
            dict(build="kernel build", macs="CNN, one worker", peak="peak loop", share="share"),
            widths=[8, 6, 6, 4],
        )
        if len(kernel)
        else "The kernel was not measured in this run."
    )
    fool_table = _fool_table(fool, markdown_table)
    note = (
        "Measured in this run."
        if measured
        else f"Not measured in this run ({_reason(t)}): the tables say so."
    )
    images = int(float(forward.images.iloc[0])) if measured else 0
    digits = sorted({int(float(d)) for d in fool.digit if d != ""})
    digits_text = (
        "each of the ten digits"
        if len(digits) == 10
        else "digit " + ", ".join(map(str, digits))
        if len(digits) <= 1
        else "digits " + ", ".join(map(str, digits))
    )
    return dict(
        tables=dict(speed=speed, kernel=kernel_table, fool=fool_table),
        variables=dict(note=note, images=images, digits=digits_text, workers=workers),
    )


def _rate(v: str) -> str:
    return f"{float(v):,.0f}" if v != "" else "not measured"


def _fool_table(fool: pd.DataFrame, markdown_table) -> str:
    """Model × method: the median seconds to fool over the digits, how many were fooled, and
    the target where the config sets one."""
    cells = []
    for (model, method), g in fool.groupby(["model", "method"], sort=False):
        cells.append(dict(model=model, method=method, cell=_fool_cell(g)))
    grid = pd.DataFrame(cells).pivot(index="model", columns="method", values="cell")
    grid = grid.reindex(index=list(dict.fromkeys(fool.model)))
    grid = grid[list(dict.fromkeys(fool.method))].reset_index()
    return markdown_table(grid, {c: c for c in grid.columns})


def _fool_cell(g: pd.DataFrame) -> str:
    if g.status.str.startswith("not measured").any():
        return "not measured"
    fooled = (g.status == "converged").tolist()
    seconds = [float(s) for s in g.seconds]
    median = median_seconds(seconds, fooled)
    n = len(g)
    text = (
        f"{_seconds(median)} ({sum(fooled)}/{n})"
        if median != float("inf")
        else f"not fooled ({sum(fooled)}/{n}) within {float(g.budget_s.iloc[0]):g} s"
    )
    target = g.target.iloc[0]
    if target != "":
        text += f"; ≤ {float(target):g} s: {'yes' if median <= float(target) else 'no'}"
    return text


def _seconds(s: float) -> str:
    """Three significant digits, and "< 1 ms" below (the page's clock is coarser)."""
    return "< 1 ms" if s < 0.001 else f"{s:.3g} s"


def _reason(t: pd.DataFrame) -> str:
    statuses = [s for s in t.status if s.startswith("not measured")]
    return statuses[0].removeprefix("not measured: ") if statuses else "no rows"
