"""A static, self-contained HTML page to browse every fooling image of a run.

The page lives beside the report (``report/explorer.html``) and works from ``file://``: each
(model, method) run becomes one greyscale sprite PNG embedded as a data URI, the per-image
metadata one embedded JSON, and a few lines of plain JavaScript filter, sort and page the
cards. The template, style and script are package data beside this module (explorer.html,
explorer.css, explorer.js). The URL fragment holds the filters, so that the report can link to
a filtered view:
``explorer.html#model=cnn&method=map_elites&digit=2&converged=1&sort=confidence``, each key
optional: ``model``, ``method``, ``digit`` (0-9), ``converged`` (1 or 0) and ``sort``
(``confidence`` highest first, ``confidence_asc``, ``evaluations`` fewest first,
``evaluations_desc``; the search order without it). Unknown values are ignored.
Each card links to the lab (``lab.html#model=...&target=...&image=...``, the tile's grey levels
read back from its sprite as base64url when the link is hovered, focused or followed).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..core.errors import UserInputError
from ..core.io import write_text
from ..stages.fooling.runs import read_arrays

SIDE = 28  # MNIST image side, pixels
SPRITE_COLS = 32  # tiles per sprite row: 896 px wide; 18,000 tiles stay under 16,384 px tall
SCALE = 4  # display pixels per image pixel (112 px tiles)
REQUIRED = ("images", "target", "outputs", "converged", "evaluations")
EXTRAS = ("attempts", "cost")  # newer searches record them; shown when present
FIELDS = (
    "model",
    "method",
    "tile",
    "target",
    "confidence",
    "outputs",
    "converged",
    "evaluations",
    "transfer",
    *EXTRAS,
)


@dataclass(frozen=True)
class Run:
    """The arrays of one (model, method) fooling search that the explorer shows.

    Attributes:
        images: ``(n, 28, 28)`` float32 in [0, 1], ink = 1.
        target: ``(n,)`` int digit searched for; outputs: ``(n, 10)`` float32 of ``model``;
        converged: ``(n,)`` bool; evaluations: ``(n,)`` int network evaluations.
        extras: optional ``(n,)`` arrays named in :data:`EXTRAS`.
    """

    model: str
    method: str
    images: np.ndarray
    target: np.ndarray
    outputs: np.ndarray
    converged: np.ndarray
    evaluations: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)


def read_run(path: Path, model: str, method: str) -> Run:
    """Load and check one fooling npz; any problem is a one-line :class:`UserInputError`."""
    arrays = read_arrays(path, REQUIRED, optional=EXTRAS)
    n = len(arrays["images"])
    shapes = {k: (n,) for k in arrays} | {"images": (n, SIDE, SIDE), "outputs": (n, 10)}
    for key, shape in shapes.items():
        if arrays[key].shape != shape:
            raise UserInputError(f"{path}: {key} has shape {arrays[key].shape}, expected {shape}")
    images = arrays["images"].astype(np.float32)
    if not np.isfinite(images).all():
        raise UserInputError(f"{path}: images contain NaN or infinity")
    target = arrays["target"].astype(np.int64)
    if n and (target.min() < 0 or target.max() > 9):
        raise UserInputError(f"{path}: target digits must lie in 0..9")
    return Run(
        model=model,
        method=method,
        images=images,
        target=target,
        outputs=arrays["outputs"].astype(np.float32),
        converged=arrays["converged"].astype(bool),
        evaluations=arrays["evaluations"].astype(np.int64),
        extras={k: arrays[k] for k in EXTRAS if k in arrays},
    )


def pack_sprite(images: np.ndarray, *, cols: int = SPRITE_COLS) -> np.ndarray:
    """Tile images into one black-ink-on-white greyscale sheet, row-major.

    Args:
        images: ``(n, 28, 28)`` in [0, 1], ink = 1 (n ≥ 1).
        cols: tiles per sheet row (fewer when there are fewer images).

    Returns:
        ``(rows * 28, cols * 28)`` uint8 with 255 = white: tile ``i`` is at row ``i // cols``,
        column ``i % cols`` and holds ``1 - image``; unused tiles are white.
    """
    n = len(images)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    ink = np.rint((1.0 - np.clip(images, 0.0, 1.0)) * 255.0).astype(np.uint8)
    tiles = np.full((rows * cols, SIDE, SIDE), 255, np.uint8)
    tiles[:n] = ink
    # (rows, cols, y, x) -> (rows, y, cols, x): each sheet row is a band of 28 pixel rows.
    return tiles.reshape(rows, cols, SIDE, SIDE).transpose(0, 2, 1, 3).reshape(rows * SIDE, -1)


def png_bytes(pixels: np.ndarray) -> bytes:
    """Greyscale PNG of ``pixels`` ``(h, w)`` uint8, without metadata (byte-reproducible)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _sig(values: np.ndarray, digits: int) -> list[float | None]:
    """``values`` rounded to ``digits`` significant digits; NaN/inf become None (JSON null)."""
    return [float(f"{v:.{digits}g}") if np.isfinite(v) else None for v in values.tolist()]


def image_records(run: Run, scores: Mapping[str, np.ndarray]) -> list[dict]:
    """One metadata dict per image of ``run``, with the keys of :data:`FIELDS`.

    Args:
        run: the search's arrays.
        scores: ``model name -> (n, 10)`` outputs of every scoring model on ``run.images``;
            the run's own model is left out of ``transfer`` (its outputs are the search's).

    Returns:
        Dicts in tile order: ``confidence`` is the target output (7 significant digits, a
        float32's, as fooling is about 0.9999 and more), ``outputs`` all ten (3 digits),
        ``transfer`` maps each other model to ``[its output for the target, its top class]``;
        extras absent from the run are None.
    """
    n = len(run.target)
    rows = np.arange(n)
    confidence = _sig(run.outputs[rows, run.target], 7)
    outputs = [_sig(o, 3) for o in run.outputs]
    others = {m: s for m, s in scores.items() if m != run.model}
    transfer = {
        m: (_sig(s[rows, run.target], 7), s.argmax(axis=1).tolist()) for m, s in others.items()
    }
    extras = {k: _sig(np.asarray(v, np.float64), 6) for k, v in run.extras.items()}
    return [
        dict(
            model=run.model,
            method=run.method,
            tile=i,
            target=int(run.target[i]),
            confidence=confidence[i],
            outputs=outputs[i],
            converged=bool(run.converged[i]),
            evaluations=int(run.evaluations[i]),
            transfer={m: [p[i], top[i]] for m, (p, top) in transfer.items()},
            **{k: extras[k][i] if k in extras else None for k in EXTRAS},
        )
        for i in range(n)
    ]


def page_data(runs: list[Run], records: list[dict]) -> dict:
    """The page's JSON: sprite layouts and one row per image (values in :data:`FIELDS` order).

    Rows instead of dicts keep the field names out of every row (a tenth of the JSON).
    """
    return dict(
        models=list(dict.fromkeys(r.model for r in runs)),
        methods=list(dict.fromkeys(r.method for r in runs)),
        scale=SCALE,
        sprites=_layouts(runs),
        extras=[k for k in EXTRAS if any(k in r.extras for r in runs)],
        fields=list(FIELDS),
        rows=[[rec[k] for k in FIELDS] for rec in records],
    )


def _layouts(runs: list[Run]) -> list[dict]:
    """Each run's sprite: model, method and its grid of tiles (as :func:`pack_sprite` packs)."""
    out = []
    for run in runs:
        cols = max(1, min(SPRITE_COLS, len(run.target)))
        rows = -(-len(run.target) // cols)
        out.append(dict(model=run.model, method=run.method, cols=cols, rows=rows))
    return out


def render_page(runs: list[Run], records: list[dict]) -> str:
    """The whole HTML page: CSS, one sprite rule per run, the JSON and the script."""
    rules = []
    for k, (run, layout) in enumerate(zip(runs, _layouts(runs), strict=True)):
        if len(run.target):
            uri = base64.b64encode(png_bytes(pack_sprite(run.images))).decode("ascii")
            size = f"{layout['cols'] * SIDE * SCALE}px {layout['rows'] * SIDE * SCALE}px"
            rules.append(
                f".s{k}{{background-image:url(data:image/png;base64,{uri});background-size:{size}}}"
            )
    data = json.dumps(page_data(runs, records), separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/")  # a name with "</script>" must not end the block
    # The data goes in last: nothing it contains is then taken for a placeholder.
    return (
        _asset("explorer.html")
        .replace("/*CSS*/", _asset("explorer.css"))
        .replace("/*JS*/", _asset("explorer.js"))
        .replace("/*SPRITES*/", "\n".join(rules))
        .replace("/*DATA*/", data)
    )


def _asset(name: str) -> str:
    """The page's template, style or script (package data beside this module)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def write_explorer(*, runs: dict[tuple[str, str], Path], models: dict[str, Path], out: Path) -> int:
    """Write the explorer page for fooling runs, scoring every image with every model.

    Args:
        runs: ``(model, method) -> npz`` of :func:`mnist_fooling.stages.fooling.run.run_fooling`.
        models: ``name -> .keras`` of the models whose transfer scores are shown.
        out: the HTML file, written atomically.

    Returns:
        The number of images on the page.
    """
    loaded = [read_run(path, model, method) for (model, method), path in runs.items()]
    scorers = _scorers(models)
    records = []
    for run in loaded:
        # The run's own model is not scored again: its outputs are those of the search.
        scores = {name: f(run.images) for name, f in scorers.items() if name != run.model}
        records += image_records(run, scores)
    write_text(out, render_page(loaded, records))
    return len(records)


def _scorers(models: dict[str, Path]) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """``name -> f(images (n, 28, 28)) -> (n, 10)`` for each model file (loaded once)."""
    from ..core.backend import predict_batched
    from ..core.models import load_model

    def scorer(model):
        return lambda images: predict_batched(model, images)

    return {name: scorer(load_model(path)) for name, path in models.items()}
