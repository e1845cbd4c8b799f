"""What the stages' figures share: the headless backend (import ``plt`` from here), the image
grid (black ink on white) and small helpers."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .names import MODEL_NAMES  # noqa: E402

MODEL_ORDER = list(MODEL_NAMES)  # figure order


def image_grid(
    images: np.ndarray,
    *,
    ncols: int,
    titles: list[str] | None = None,
    row_labels: list[str] | None = None,
    scale=1.0,
):
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
        if row_labels and i % ncols == 0 and i // ncols < len(row_labels):
            ax.text(
                -0.08,
                0.5,
                row_labels[i // ncols],
                transform=ax.transAxes,
                ha="right",
                va="center",
                fontsize=9,
            )
    return fig


def load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def band(ax, frame: pd.DataFrame, x: str, label: str, **kw) -> None:
    """A line with its Wilson interval as a shaded band."""
    frame = frame.sort_values(x)
    (line,) = ax.plot(frame[x], frame["accuracy"], marker="o", ms=3, label=label, **kw)
    ax.fill_between(frame[x], frame["ci_low"], frame["ci_high"], color=line.get_color(), alpha=0.2)
