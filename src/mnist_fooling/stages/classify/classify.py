"""``mnist-fooling classify``: the trained networks' top outputs for a user's own images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...core.errors import UserInputError
from ...core.names import MODEL_NAMES


def find_models(models_dir: Path, names: list[str]) -> dict[str, Path]:
    """Paths of the requested trained models; a clear error when one is missing."""
    found = {}
    for name in names:
        path = models_dir / f"{name}.keras"
        if not path.is_file():
            raise UserInputError(
                f"no trained {name} model at {path}: run `make report` first or pass --models-dir"
            )
        found[name] = path
    return found


def classify(images: dict[str, np.ndarray], models: dict[str, Path]) -> list[dict]:
    """Outputs of every model for every image ``(28, 28)``: image, model, outputs, top-3."""
    from ...core.backend import predict_batched
    from ...core.models import load_model

    names = list(images)
    batch = np.stack([images[n] for n in names]).astype(np.float32)  # (n, 28, 28)
    rows = []
    for model_name, path in models.items():
        out = predict_batched(load_model(path), batch)
        for name, vector in zip(names, out, strict=True):
            top = np.argsort(-vector)[:3]
            rows.append(
                dict(
                    image=name,
                    model=model_name,
                    outputs=[round(float(v), 6) for v in vector],
                    top=[[int(d), round(float(vector[d]), 6)] for d in top],
                )
            )
    return rows


def format_table(rows: list[dict]) -> str:
    """A plain-text table: one line per (image, model) with the top three outputs."""
    lines = [f"{'image':<30} {'model':<8} {'1st':>12} {'2nd':>12} {'3rd':>12}"]
    for r in rows:
        tops = [f"{d}: {100 * p:6.2f}%" for d, p in r["top"]]
        lines.append(
            f"{Path(r['image']).name[:30]:<30} {r['model']:<8} "
            + " ".join(f"{t:>12}" for t in tops)
        )
    return "\n".join(lines)


def run_classify(
    paths: list[Path], *, models_dir: Path, model_names: list[str] | None, raw: bool, as_json: bool
) -> str:
    """Prepare every image (all checked before any output), classify, and format the result."""
    from .preprocess import prepare

    names = model_names or list(MODEL_NAMES)
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {unknown[0]!r}")
    models = find_models(models_dir, names)
    images = {str(p): prepare(p, raw=raw) for p in paths}
    rows = classify(images, models)
    return json.dumps(rows, indent=2) if as_json else format_table(rows)
