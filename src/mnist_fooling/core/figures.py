"""Figures from the pipeline's CSV/NPZ outputs (headless, black ink on white)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ..stages.data.mnist import load_mnist  # noqa: E402
from .io import save_figure  # noqa: E402

MODEL_ORDER = ["softmax", "mlp", "cnn"]


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


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _band(ax, frame: pd.DataFrame, x: str, label: str, **kw) -> None:
    """A line with its Wilson interval as a shaded band."""
    frame = frame.sort_values(x)
    (line,) = ax.plot(frame[x], frame["accuracy"], marker="o", ms=3, label=label, **kw)
    ax.fill_between(frame[x], frame["ci_low"], frame["ci_high"], color=line.get_color(), alpha=0.2)


def plot_pca(*, pca_dir: Path, data: Path, out_dir: Path) -> None:
    """Eigen-digits, explained variance, reconstructions, classifier accuracy, errors."""
    from ..stages.pca.compute import VARIANCE_LEVELS, components_for, reconstruct, rescale_unit

    sns.set_theme(style="whitegrid", context="paper")
    pca = _load_npz(pca_dir / "pca.npz")
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
        _band(ax, group, "k", rule)
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


def plot_edge(*, edge_dir: Path, out_dir: Path) -> None:
    """Accuracy against size, shift and border noise; example images; drawn digits."""
    sns.set_theme(style="whitegrid", context="paper")
    scale, shifts = pd.read_csv(edge_dir / "scale.csv"), pd.read_csv(edge_dir / "shift.csv")
    border = pd.read_csv(edge_dir / "border.csv")
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
    for model in MODEL_ORDER:
        if model in set(scale.model):
            _band(axes[0], scale[scale.model == model], "size", model)
            _band(axes[1], shifts[(shifts.model == model) & (shifts.axis == "x")], "shift", model)
            _band(axes[2], border[border.model == model], "central_box", model)
    axes[0].set(xlabel="digit's longer side (pixels; 28 touches the edges)", ylabel="test accuracy")
    axes[1].set(xlabel="horizontal shift (pixels)")
    axes[2].set(xlabel="clean central box k (noise outside)")
    axes[2].invert_xaxis()
    axes[0].legend(fontsize=8)
    save_figure(fig, out_dir / "edge_curves.png")
    plt.close(fig)

    ex = _load_npz(edge_dir / "examples.npz")
    sizes = ex["sizes"]
    fig = image_grid(
        ex["scaled"].reshape(-1, 28, 28),
        ncols=ex["scaled"].shape[1],
        scale=0.7,
        row_labels=[f"{s} px" for s in sizes],
    )
    save_figure(fig, out_dir / "edge_sizes.png")
    plt.close(fig)
    fig = image_grid(
        ex["border"].reshape(-1, 28, 28),
        ncols=ex["border"].shape[1],
        scale=0.7,
        row_labels=[f"k = {k}" for k in ex["borders"]],
    )
    save_figure(fig, out_dir / "edge_border.png")
    plt.close(fig)

    drawn = pd.read_csv(edge_dir / "drawn.csv")
    mlp = (
        drawn[drawn.model == "mlp"]
        if "mlp" in set(drawn.model)
        else drawn[drawn.model == drawn.model.iloc[0]]
    )
    titles = [f"{r.top1}: {100 * r.p1:.1f}%" for r in mlp.itertuples()]
    fig = image_grid(ex["drawn"], ncols=12, titles=titles, scale=0.9)
    save_figure(fig, out_dir / "edge_drawn.png")
    plt.close(fig)


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


def plot_fooling(*, fooling_dir: Path, out_dir: Path) -> None:
    """Per model: one fooling image per method and digit, the converged means; convergence."""
    runs = {}
    for model_dir in sorted(p for p in fooling_dir.iterdir() if p.is_dir()):
        for npz in sorted(model_dir.glob("*.npz")):
            runs[(model_dir.name, npz.stem)] = _load_npz(npz)
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
    genetic = ("genetic", "genetic_prior", "genetic_prior_intended")
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
