"""Confidence baseline (claims D3, D4): each model's maximal output on test digits and on noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.backend import predict_batched
from ...core.io import write_csv
from ...core.models import load_model
from ...core.stats import wilson_interval
from ..data.mnist import load_mnist

THRESHOLDS = (0.6, 0.9)


def uniform_noise(n: int, *, seed: int) -> np.ndarray:
    """``n`` images of i.i.d. uniform [0, 1) pixels, shape ``(n, 28, 28)`` float32."""
    if n < 1:
        raise ValueError(f"need at least one noise image, got {n}")
    return np.random.default_rng(seed).random((n, 28, 28), dtype=np.float32)


def max_outputs(models: dict[str, Path], *, data: Path, n_noise: int, seed: int) -> pd.DataFrame:
    """Per image: ``model, source ("test" | "noise"), index, max_output, argmax``."""
    sources = {"test": load_mnist(data).x_test, "noise": uniform_noise(n_noise, seed=seed)}
    frames = []
    for name, path in models.items():
        model = load_model(path)
        for source, images in sources.items():
            out = predict_batched(model, images)  # (n, 10)
            frames.append(
                pd.DataFrame(
                    dict(
                        model=name,
                        source=source,
                        index=np.arange(len(images)),
                        max_output=out.max(axis=1),
                        argmax=out.argmax(axis=1),
                    )
                )
            )
    return pd.concat(frames, ignore_index=True)


def summarise(samples: pd.DataFrame) -> pd.DataFrame:
    """Per (model, source): n, median and the fraction above each threshold with Wilson CIs."""
    rows = []
    for (model, source), group in samples.groupby(["model", "source"], sort=False):
        row = dict(
            model=model, source=source, n=len(group), median=float(group["max_output"].median())
        )
        for t in THRESHOLDS:
            k = int((group["max_output"] > t).sum())
            low, high = wilson_interval(k, len(group))
            key = f"above_{t:g}".replace(".", "")
            row.update({key: k / len(group), f"{key}_ci_low": low, f"{key}_ci_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def write_confidence(
    models: dict[str, Path], *, data: Path, n_noise: int, seed: int, samples_out: Path, out: Path
) -> pd.DataFrame:
    """Write the per-image samples and the summary table; return the summary."""
    samples = max_outputs(models, data=data, n_noise=n_noise, seed=seed)
    summary = summarise(samples)
    write_csv(samples_out, samples)
    write_csv(out, summary)
    return summary
