"""The MNIST examples figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.figures import image_grid, plt
from ...core.io import save_figure
from ..data.mnist import load_mnist


def plot_examples(*, data: Path, out: Path, per_digit: int = 8) -> None:
    """The first ``per_digit`` training images of each digit, one row per digit."""
    mnist = load_mnist(data)
    picks = [np.flatnonzero(mnist.y_train == d)[:per_digit] for d in range(10)]
    images = mnist.x_train[np.concatenate(picks)]
    fig = image_grid(images, ncols=per_digit, scale=0.8)
    save_figure(fig, out)
    plt.close(fig)


def figures(inputs, out_dir: Path) -> None:
    """``plot data``: the examples figure from ``data`` (mnist.npz)."""
    plot_examples(data=inputs["data"], out=out_dir / "examples.png")
