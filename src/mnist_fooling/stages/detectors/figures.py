"""Figures of the detectors stage: ROC curves of the best and the worst detector, AUROC heatmap."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ...core.errors import UserInputError  # noqa: E402
from ...core.io import save_figure  # noqa: E402
from .config import ADAPTIVE_SET, PLAIN_SET, TPR  # noqa: E402
from .labels import LABELS, MODEL_LABELS, SET_LABELS, set_order, table_rows  # noqa: E402
from .verdict import best_and_worst, roc_model  # noqa: E402


def _roc_panel(ax, roc: pd.DataFrame, auroc: pd.DataFrame, *, detector: str, title: str) -> None:
    """One detector's ROC curve against every set (the adaptive attack dashed)."""
    sets = [s for s in set_order(auroc) if s in set(roc.set)]
    palette = sns.color_palette("colorblind", len(sets))
    for colour, name in zip(palette, sets, strict=True):
        curve = roc[roc.set == name]
        value = auroc[auroc.set == name].auroc.iloc[0]
        label = f"{SET_LABELS.get(name, name)} ({value:.3f})"
        style = dict(ls="--", color="black") if name == ADAPTIVE_SET else dict(color=colour)
        ax.step(curve.fpr, curve.tpr, where="post", lw=1.2, label=label, **style)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
    ax.axhline(TPR, color="grey", lw=0.6, ls="--")
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false-positive rate (test digits)")
    ax.set_title(f"{title}: {LABELS[detector]}", fontsize=9)
    ax.legend(fontsize=6, loc="lower right", title="set (AUROC)", title_fontsize=6)


def plot_roc(*, auroc: pd.DataFrame, roc: pd.DataFrame, out: Path) -> None:
    """ROC curves of the best and the worst detector (mean AUROC) of the report's model."""
    model = roc_model(auroc)
    best, worst = best_and_worst(auroc, model)
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 4.0), sharey=True)
    for ax, detector, title in zip(axes, (best, worst), ("best", "worst"), strict=True):
        pick = (roc.model == model) & (roc.detector == detector)
        rows = (auroc.model == model) & (auroc.detector == detector)
        _roc_panel(ax, roc[pick], auroc[rows], detector=detector, title=title)
    axes[0].set_ylabel("true-positive rate (fooling images)")
    fig.suptitle(MODEL_LABELS.get(model, model), fontsize=10)
    save_figure(fig, out)
    plt.close(fig)


def plot_heatmap(*, auroc: pd.DataFrame, out: Path) -> None:
    """AUROC of every model × detector (rows) against every set (columns), annotated."""
    frame = table_rows(auroc[auroc.set != PLAIN_SET])
    sets = set_order(auroc)
    frame["row"] = [
        f"{MODEL_LABELS.get(m, m)}: {LABELS.get(d, d)}"
        for m, d in zip(frame.model, frame.detector, strict=True)
    ]
    grid = frame.pivot_table(index="row", columns="set", values="auroc", sort=False)
    grid = grid.reindex(columns=[s for s in sets if s in grid.columns])
    grid.columns = [SET_LABELS.get(s, s) for s in grid.columns]
    sns.set_theme(style="white", context="paper")
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * grid.shape[1], 0.9 + 0.32 * grid.shape[0]))
    sns.heatmap(
        grid,
        annot=True,
        fmt=".2f",
        vmin=0.0,  # a diverging map, white at chance (0.5): red ranks fooling images as
        vmax=1.0,  # more typical than real digits
        cmap="RdBu",
        cbar_kws=dict(label="AUROC"),
        annot_kws=dict(fontsize=6),
        ax=ax,
    )
    ax.set(xlabel="", ylabel="")
    ax.tick_params(labelsize=7)
    save_figure(fig, out)
    plt.close(fig)


def plot_detectors(*, in_dir: Path, out: Path, heatmap: Path | None = None) -> None:
    """Both figures from ``auroc.csv`` and ``roc.csv`` of ``mnist-fooling detectors``."""
    auroc = pd.read_csv(in_dir / "auroc.csv")
    roc = pd.read_csv(in_dir / "roc.csv")
    if auroc.empty:
        raise ValueError(f"{in_dir / 'auroc.csv'} has no rows")
    plot_roc(auroc=auroc, roc=roc, out=out)
    if heatmap is not None:
        plot_heatmap(auroc=auroc, out=heatmap)


def figures(inputs, out_dir: Path) -> None:
    """``plot detectors``: ROC curves and the AUROC heatmap from ``auroc`` and ``roc`` (the
    stage's CSVs, in one folder)."""
    folder = inputs.paths("auroc")[0].parent
    if inputs.paths("roc")[0].parent != folder:
        raise UserInputError("plot detectors: auroc and roc must be in one folder")
    plot_detectors(
        in_dir=folder, out=out_dir / "detectors_roc.png", heatmap=out_dir / "detectors_auroc.png"
    )
