"""The readers' calibration figures: sensitivity (blends read as their digit against the blend
strength s) beside specificity (negatives called a digit), and what blends and negatives look
like."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...claims.panel import FIT_AT, FIT_SHARE, SPECIFIC_SHARE
from ...core.figures import image_grid, plt
from ...core.io import save_figure
from .negatives import negatives
from .reader import blend

EXAMPLES = 8  # negatives of each family in the examples grid


def reader_labels(readers: pd.DataFrame) -> dict[str, str]:
    """Reader → its legend label: the k-NN readers' setting, the chosen one marked."""
    labels = {}
    for r in readers.itertuples():
        if r.similarity == "template":
            labels[r.reader] = "template"
        else:
            labels[r.reader] = f"k-NN, blur {r.blur:g}, {r.similarity}" + (
                " (chosen)" if r.chosen else ""
            )
    return labels


def plot_readers(calibration: pd.DataFrame, readers: pd.DataFrame, specificity: pd.DataFrame):
    """Left: each reader's share of blends that look like their digit against s (95%
    intervals; the chosen k-NN reader bold, the template dashed). Right: each family of
    negatives' share called a digit per reader, with intervals and the 5% line. The figure."""
    labels = reader_labels(readers)
    chosen = set(readers.reader[readers.chosen.astype(bool)])
    colours = dict(zip(labels, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=[1, 1.2])
    for reader, g in calibration.groupby("reader", sort=False):
        g = g.sort_values("s")
        bold = reader in chosen
        left.plot(g.s, g.share, marker="o", ms=3 if bold else 2, lw=2.2 if bold else 1,
                  ls="--" if reader == "template" else "-", color=colours.get(reader),
                  label=labels.get(reader, reader), zorder=3 if bold else 2)  # fmt: skip
        left.fill_between(
            g.s, g.low, g.high, alpha=0.25 if bold else 0.1, color=colours.get(reader)
        )
    left.axhline(FIT_SHARE, ls="--", lw=0.8, color="grey")
    left.axvline(FIT_AT, ls="--", lw=0.8, color="grey")
    left.set(xlabel="blend strength s (s·digit + (1−s)·noise)", ylabel="share that look like "
             "their digit", title="sensitivity: blends", ylim=(-0.02, 1.02))  # fmt: skip
    families = list(dict.fromkeys(specificity.family))
    names = list(dict.fromkeys(specificity.reader))
    width = 0.8 / max(len(names), 1)
    for i, reader in enumerate(names):
        g = specificity[specificity.reader == reader].set_index("family").loc[families]
        y = np.arange(len(families)) + (i - (len(names) - 1) / 2) * width
        err = np.vstack([g.share - g.low, g.high - g.share])
        right.errorbar(g.share, y, xerr=err, fmt="o", ms=5 if reader in chosen else 3,
                       color=colours.get(reader), label=labels.get(reader, reader))  # fmt: skip
    right.axvline(SPECIFIC_SHARE, ls="--", lw=0.8, color="grey")
    right.set_yticks(np.arange(len(families)), families)
    right.invert_yaxis()
    right.set(xlabel="share called a digit", title="specificity: images with no digit")
    right.set_xlim(left=-0.01)
    handles, text = left.get_legend_handles_labels()
    fig.legend(handles, text, loc="lower center", ncol=min(len(text), 3), frameon=False,
               bbox_to_anchor=(0.5, -0.13))  # fmt: skip
    fig.tight_layout()
    return fig


def plot_calibration(
    *,
    calibration: Path,
    readers: Path,
    specificity: Path,
    data: Path,
    out_curve: Path,
    out_blends: Path,
    out_negatives: Path,
) -> None:
    """Write the readers' sensitivity and specificity (:func:`plot_readers`), a grid of blends:
    five test digits (rows) at each of the calibration's strengths (columns), and a grid of
    :data:`EXAMPLES` negatives of each family (rows)."""
    from ..data.mnist import load_mnist

    table = pd.read_csv(calibration)
    fig = plot_readers(table, pd.read_csv(readers), pd.read_csv(specificity))
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

    examples = negatives(EXAMPLES, rng=np.random.default_rng(0), digits=mnist.x_train[:1000])
    fig = image_grid(
        np.concatenate(list(examples.values())), ncols=EXAMPLES, row_labels=list(examples)
    )
    save_figure(fig, out_negatives)
    plt.close(fig)


def figures(inputs, out_dir: Path) -> None:
    """``plot fooling:calibration_figures``: the readers' calibration from ``calibration``,
    ``readers``, ``specificity`` (the likeness CSVs) and ``data`` (mnist.npz)."""
    plot_calibration(
        calibration=inputs["calibration"],
        readers=inputs["readers"],
        specificity=inputs["specificity"],
        data=inputs["data"],
        out_curve=out_dir / "likeness_calibration.png",
        out_blends=out_dir / "likeness_blends.png",
        out_negatives=out_dir / "likeness_negatives.png",
    )
