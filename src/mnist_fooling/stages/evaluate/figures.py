"""The confidence-baseline figure (max output on test digits and on noise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from ...core.figures import MODEL_ORDER, plt
from ...core.io import save_figure


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


def figures(inputs, out_dir: Path) -> None:
    """``plot evaluate``: the confidence figure from ``samples`` (confidence_samples.csv)."""
    plot_confidence(samples=inputs["samples"], out=out_dir / "confidence.png")
