"""Figures from the pipeline's CSV/NPZ outputs (headless, black ink on white)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from .data import load_mnist  # noqa: E402
from .io import save_figure  # noqa: E402

MODEL_ORDER = ["softmax", "mlp", "cnn"]


def image_grid(images: np.ndarray, *, ncols: int, titles: list[str] | None = None, scale=1.0):
    """Draw images ``(n, 28, 28)`` in [0, 1] as black ink on white; return the figure."""
    n = len(images)
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(1.0 - images[i], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
            if titles:
                ax.set_title(titles[i], fontsize=8)
    return fig


def plot_examples(*, data: Path, out: Path, per_digit: int = 8) -> None:
    """The first ``per_digit`` training images of each digit, one row per digit."""
    mnist = load_mnist(data)
    picks = [np.flatnonzero(mnist.y_train == d)[:per_digit] for d in range(10)]
    images = mnist.x_train[np.concatenate(picks)]
    fig = image_grid(images, ncols=per_digit, scale=0.8)
    save_figure(fig, out)
    plt.close(fig)


def plot_confidence(*, samples: Path, out: Path) -> None:
    """Histograms of the maximal output per model, test digits against uniform noise."""
    frame = pd.read_csv(samples)
    frame["source"] = frame["source"].map({"test": "MNIST test digits", "noise": "uniform noise"})
    sns.set_theme(style="whitegrid", context="paper")
    grid = sns.displot(
        frame,
        x="max_output",
        hue="source",
        col="model",
        col_order=MODEL_ORDER,
        bins=np.linspace(0, 1, 41),
        stat="probability",
        common_norm=False,
        element="step",
        height=2.6,
        aspect=1.1,
        facet_kws=dict(sharey=False),
    )
    for ax in grid.axes.flat:
        for t in (0.6, 0.9):
            ax.axvline(t, color="grey", lw=0.8, ls="--")
    grid.set_axis_labels("maximal output", "fraction of images")
    save_figure(grid.figure, out)
    plt.close(grid.figure)
