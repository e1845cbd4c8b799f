"""The fooling figures: per model the images and converged means, convergence, mean '2's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import seaborn as sns

from ...core.figures import MODEL_ORDER, image_grid, plt
from ...core.io import save_figure
from ...search.registry import METHODS
from .runs import by_key, read_arrays


def _fooling_grids(runs: dict, model: str, out_dir: Path) -> None:
    """One image per digit and method (the highest target output among the replicates), and
    the converged means with their n."""
    methods = [k[1] for k in runs if k[0] == model]
    first, means, titles, mean_titles = [], [], [], []
    for method in methods:
        r = runs[(model, method)]
        conf = r["outputs"][np.arange(len(r["target"])), r["target"]]
        replicate = ~r["extra"] if "extra" in r else np.ones(len(conf), bool)
        pick = [
            int(
                np.flatnonzero(replicate & (r["target"] == d))[
                    np.argmax(conf[replicate & (r["target"] == d)])
                ]
            )
            for d in range(10)
        ]
        first.append(r["images"][pick])
        titles += [f"{100 * conf[i]:.2f}%" for i in pick]
        means.append(r["means"])
        mean_titles += [f"n={n}" for n in r["mean_n"]]
    for images, name, t in (
        (first, f"fooling_{model}.png", titles),
        (means, f"fooling_{model}_means.png", mean_titles),
    ):
        fig = image_grid(np.concatenate(images), ncols=10, titles=t, row_labels=methods, scale=1.0)
        fig.subplots_adjust(hspace=0.35)
        for d, ax in enumerate(fig.axes[:10]):  # digit names above the first row
            ax.text(
                0.5, 1.35, f"'{d}'", transform=ax.transAxes, ha="center", fontsize=10, weight="bold"
            )
        save_figure(fig, out_dir / name)
        plt.close(fig)


def plot_fooling(*, runs: list[Path], out_dir: Path) -> None:
    """Per model: one fooling image per method and digit, the converged means; convergence.

    Args:
        runs: the ``<model>/<method>.npz`` run files to show (those the config names).
    """
    runs = {key: read_arrays(path) for key, path in by_key(runs).items()}
    models = [m for m in MODEL_ORDER if any(k[0] == m for k in runs)]
    for model in models:
        _fooling_grids(runs, model, out_dir)
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(
        1, len(models), figsize=(4 * len(models), 3.2), squeeze=False, sharey=True
    )
    for ax, model in zip(axes[0], models, strict=True):
        for (m, method), r in runs.items():
            if m != model:
                continue
            curve = r["curve"][~r["extra"]] if "extra" in r else r["curve"]
            seen = ~np.all(np.isnan(curve), axis=0)
            median = np.nanmedian(curve[:, seen], axis=0)
            ax.plot(r["curve_evaluations"][seen], median, label=method)
        ax.set(
            xscale="log",
            title=f"model = {model}",
            xlabel="network evaluations per run",
            ylim=(0, 1.01),
        )
    axes[0][0].set_ylabel("median best target output")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    save_figure(fig, out_dir / "fooling_convergence.png")
    plt.close(fig)
    plot_twos(runs, models=models, out=out_dir / "fooling_twos.png")


def plot_twos(runs: dict, *, models: list[str], out: Path) -> None:
    """The posts' averages: the mean of the converged '2's of each genetic method (columns)."""
    genetic = [entry.name for entry in METHODS if entry.driver]
    methods = [m for m in genetic if any(k[1] == m for k in runs)]
    images, titles, labels = [], [], []
    for model in models:
        for method in methods:
            r = runs.get((model, method))
            n = int(r["mean_n"][2]) if r is not None else 0
            images.append(r["means"][2] if n else np.zeros((28, 28)))
            titles.append(f"{method}, n={n}")
        labels.append(model)
    if not methods:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no genetic method configured", ha="center", va="center")
    else:
        fig = image_grid(
            np.stack(images), ncols=len(methods), titles=titles, row_labels=labels, scale=2.0
        )
    save_figure(fig, out)
    plt.close(fig)


def figures(inputs, out_dir: Path) -> None:
    """``plot fooling``: from the fooling runs (``runs``, the <model>/<method>.npz files)."""
    plot_fooling(runs=inputs.paths("runs"), out_dir=out_dir)
