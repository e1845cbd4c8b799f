"""The PCA figures: eigen-digits, reconstructions, explained variance, PCA classifiers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from ...core.figures import band, image_grid, load_npz, plt
from ...core.io import save_figure
from ..data.mnist import load_mnist


def plot_pca(*, pca_dir: Path, data: Path, out_dir: Path) -> None:
    """Eigen-digits, explained variance, reconstructions, classifier accuracy, errors."""
    from .compute import VARIANCE_LEVELS, components_for, reconstruct, rescale_unit

    sns.set_theme(style="whitegrid", context="paper")
    pca = load_npz(pca_dir / "pca.npz")
    eig = rescale_unit(pca["components"][:16].reshape(16, 28, 28))
    fig = image_grid(eig, ncols=8, titles=[f"PC {i + 1}" for i in range(16)], scale=1.0)
    save_figure(fig, out_dir / "pca_eigendigits.png")
    plt.close(fig)

    ev = pd.read_csv(pca_dir / "explained_variance.csv")
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(ev["k"], ev["cumulative"], color="black")
    for level in VARIANCE_LEVELS:
        k = components_for(ev["eigenvalue"].to_numpy(), level)
        ax.plot([k], [level], "o", color="tab:red", ms=4)
        ax.annotate(
            f"{level:.0%}: {k}", (k, level), textcoords="offset points", xytext=(6, -10), fontsize=8
        )
    ax.set(
        xscale="log",
        xlabel="number of components k",
        ylabel="cumulative explained variance",
        ylim=(0, 1.02),
    )
    save_figure(fig, out_dir / "pca_variance.png")
    plt.close(fig)

    x = load_mnist(data).x_test[:8]
    ks = [1, 5, 10, 20, 50, 100]
    rows = [x] + [np.clip(reconstruct(x, pca["mean"], pca["components"], k), 0, 1) for k in ks]
    labels = ["original"] + [f"k = {k}" for k in ks]
    fig = image_grid(np.concatenate(rows), ncols=8, row_labels=labels, scale=0.8)
    save_figure(fig, out_dir / "pca_reconstructions.png")
    plt.close(fig)

    acc = pd.read_csv(pca_dir / "accuracy.csv")
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for rule, group in acc.groupby("rule", sort=False):
        band(ax, group, "k", rule)
    ax.axhline(0.70, color="grey", ls="--", lw=0.8, label="seed 000: ≈70%")
    ax.set(xscale="log", xlabel="number of components k", ylabel="test accuracy", ylim=(0, 1))
    ax.set_xticks(sorted(acc.k.unique()), [str(k) for k in sorted(acc.k.unique())])
    ax.minorticks_off()
    ax.legend(fontsize=8)
    save_figure(fig, out_dir / "pca_accuracy.png")
    plt.close(fig)

    err = pd.read_csv(pca_dir / "reconstruction_error.csv")
    if (pca_dir / "fooling_error.csv").is_file():
        fool = pd.read_csv(pca_dir / "fooling_error.csv")
        err = pd.concat([err, fool.assign(source="fooling images (all)")[err.columns]])
    fig, ax = plt.subplots(figsize=(5.5, 3.0))
    sns.histplot(
        err,
        x="rms_error",
        hue="source",
        stat="probability",
        common_norm=False,
        element="step",
        bins=50,
        ax=ax,
    )
    ax.set(
        xlabel=f"RMS reconstruction error with k = {int(err['k'].iloc[0])} components",
        ylabel="fraction of images",
    )
    save_figure(fig, out_dir / "pca_error.png")
    plt.close(fig)


def figures(inputs, out_dir: Path) -> None:
    """``plot pca``: from the stage's files (``pca``, one folder) and ``data`` (mnist.npz)."""
    plot_pca(pca_dir=inputs.paths("pca")[0].parent, data=inputs["data"], out_dir=out_dir)
