"""The drawing-to-the-edge figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from ...core.figures import MODEL_ORDER, band, image_grid, load_npz, plt
from ...core.io import save_figure


def plot_edge(*, edge_dir: Path, out_dir: Path) -> None:
    """Accuracy against size, shift and border noise; example images; drawn digits; the
    readings of the real test digits the verdicts of C10–C13 use."""
    sns.set_theme(style="whitegrid", context="paper")
    scale, shifts = pd.read_csv(edge_dir / "scale.csv"), pd.read_csv(edge_dir / "shift.csv")
    border = pd.read_csv(edge_dir / "border.csv")
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
    for model in MODEL_ORDER:
        if model in set(scale.model):
            band(axes[0], scale[scale.model == model], "size", model)
            band(axes[1], shifts[(shifts.model == model) & (shifts.axis == "x")], "shift", model)
            band(axes[2], border[border.model == model], "central_box", model)
    axes[0].set(xlabel="digit's longer side (pixels; 28 touches the edges)", ylabel="test accuracy")
    axes[1].set(xlabel="horizontal shift (pixels)")
    axes[2].set(xlabel="clean central box k (noise outside)")
    axes[2].invert_xaxis()
    axes[0].legend(fontsize=8)
    save_figure(fig, out_dir / "edge_curves.png")
    plt.close(fig)

    ex = load_npz(edge_dir / "examples.npz")
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
    outputs = load_npz(edge_dir / "outputs.npz")
    plot_scramble(outputs, out_dir / "edge_scramble.png")
    plot_frame(outputs, ex, out_dir / "edge_frame.png")


def plot_scramble(outputs: dict, path: Path) -> None:
    """ECDF of the true class's output, clean and with the background scrambled, per model,
    over the test digits each reads correctly at 50% or more when clean (C13's digits)."""
    from ...claims.seed000.edge import read_surely, reading

    models = [m for m in MODEL_ORDER if m in {str(m) for m in outputs["models"]}]
    names = [str(m) for m in outputs["models"]]
    box = int(outputs["scramble_box"])
    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models), 3), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        i = names.index(model)
        ok = read_surely(reading(outputs, "clean", model))
        for condition, label in (("clean", "clean"), ("scrambled", f"noise outside {box}×{box}")):
            values = np.sort(outputs[f"{condition}_true"][i][ok])
            ax.step(values, np.arange(1, len(values) + 1) / max(len(values), 1), label=label)
        ax.axvline(0.5, color="grey", lw=0.8, ls="--")
        ax.set(title=f"{model} (n = {int(ok.sum())})", xlabel="true class's output", xlim=(0, 1))
    axes[0, 0].set_ylabel("share of digits at or below")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    save_figure(fig, path)
    plt.close(fig)


def plot_frame(outputs: dict, ex: dict, path: Path) -> None:
    """The first '2's and '9's scaled to fill the frame, titled with the MLP's top output."""
    names = [str(m) for m in outputs["models"]]
    i = names.index("mlp") if "mlp" in names else 0
    idx = ex["frame_index"]
    top, p1 = outputs["frame_top"][i][idx], outputs["frame_p1"][i][idx]
    titles = [f"{t}: {100 * p:.1f}%" for t, p in zip(top, p1, strict=True)]
    fig = image_grid(ex["frame"], ncols=8, titles=titles, scale=0.9)
    save_figure(fig, path)
    plt.close(fig)


def figures(inputs, out_dir: Path) -> None:
    """``plot edge``: from the stage's files (``edge``, one folder)."""
    plot_edge(edge_dir=inputs.paths("edge")[0].parent, out_dir=out_dir)
