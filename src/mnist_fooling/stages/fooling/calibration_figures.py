"""The readers' calibration figures: share of blends read as their digit against the blend
strength s, and what blends at each s look like."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.figures import image_grid, plt
from ...core.io import save_figure
from .reader import CHANCE_SHARE, FIT_AT, FIT_SHARE, blend


def plot_calibration(*, calibration: Path, data: Path, out_curve: Path, out_blends: Path) -> None:
    """Write the calibration curves (one line per reader, 95% intervals) and a grid of blends:
    five test digits (rows) at each of the calibration's strengths (columns)."""
    from ..data.mnist import load_mnist

    table = pd.read_csv(calibration)
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for reader, g in table.groupby("reader", sort=False):
        g = g.sort_values("s")
        ax.plot(g.s, g.share, marker="o", ms=3, label=f"{reader} reader")
        ax.fill_between(g.s, g.low, g.high, alpha=0.2)
    ax.axhline(FIT_SHARE, ls="--", lw=0.8, color="grey")
    ax.axhline(CHANCE_SHARE, ls=":", lw=0.8, color="grey")
    ax.axvline(FIT_AT, ls="--", lw=0.8, color="grey")
    ax.set(xlabel="blend strength s (s·digit + (1−s)·noise)", ylabel="share read as the digit")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(frameon=False, loc="lower right")
    save_figure(fig, out_curve)
    plt.close(fig)

    mnist = load_mnist(data)
    strengths = sorted(set(table.s))
    digits = mnist.x_test[-5:]  # from the calibration's digits (the last test images)
    noise = np.random.default_rng(0).random(digits.shape, dtype=np.float32)
    images = np.stack([blend(digits, noise, s) for s in strengths], axis=1)  # (5, S, 28, 28)
    titles = [f"s = {s:.2f}" for s in strengths] + [""] * (len(strengths) * 4)
    fig = image_grid(images.reshape(-1, 28, 28), ncols=len(strengths), titles=titles)
    save_figure(fig, out_blends)
    plt.close(fig)
