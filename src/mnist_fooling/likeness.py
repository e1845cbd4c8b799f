"""Measurable stand-ins for the posts' visual claims: does an image look like its digit?

A fixed, network-free reader judges likeness: Pearson correlation with each digit's mean
training image ("template"). An image *looks like* its digit when its own digit's template is
the best match and the correlation is at least that of the 5% least typical real test digits;
noise is read as some digit by the best match alone, so the correlation floor matters. Fooling
images are scored the same way, alone and as per-digit means.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .io import write_csv

# MNIST digits sit in the central 20×20 box; the 4-pixel frame is background.
FRAME = np.ones((28, 28), bool)
FRAME[4:24, 4:24] = False


def templates(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(10, 28, 28)`` mean training image of each digit, images ``(n, 28, 28)`` in [0, 1]."""
    return np.stack([x[y == d].mean(axis=0) for d in range(10)]).astype(np.float32)


def correlations(images: np.ndarray, template: np.ndarray) -> np.ndarray:
    """``(n, 10)`` Pearson correlation of each image ``(n, 28, 28)`` with each template.

    A constant image has no correlation with anything: 0.
    """

    def standardise(a: np.ndarray) -> np.ndarray:
        a = a.reshape(len(a), -1).astype(np.float64)
        a = a - a.mean(axis=1, keepdims=True)
        norm = np.linalg.norm(a, axis=1, keepdims=True)
        return np.divide(a, norm, out=np.zeros_like(a), where=norm > 0)

    return standardise(images) @ standardise(template).T


def floor_of_real_digits(images: np.ndarray, target: np.ndarray, template: np.ndarray) -> float:
    """The 5th percentile of real digits' correlation with their own digit's template."""
    corr = correlations(images, template)[np.arange(len(target)), target]
    return float(np.quantile(corr, 0.05))


def describe(
    images: np.ndarray, target: np.ndarray, template: np.ndarray, *, floor: float
) -> list[dict]:
    """Per target digit: how the images and their mean read against the templates.

    Args:
        images: ``(n, 28, 28)`` in [0, 1]; target: ``(n,)``; template: ``(10, 28, 28)``;
            floor: the correlation a real digit reaches (:func:`floor_of_real_digits`).

    Returns:
        One dict per digit present: n, share read as the target (best match), share that
        looks like it (best match and correlation ≥ ``floor``), median correlation with the
        target's template, the mean image's correlation with it, the class the mean image
        reads as and the target's rank, and the background (frame) mean and within-image
        standard deviation.
    """
    rows = []
    corr = correlations(images, template)
    read = corr.argmax(axis=1) == target
    looks = read & (corr[np.arange(len(target)), target] >= floor)
    for d in np.unique(target):
        pick = target == d
        mean_image = images[pick].mean(axis=0)
        mean_corr = correlations(mean_image[None], template)[0]
        frame = images[pick][:, FRAME]  # (k, pixels outside the central box)
        rows.append(
            dict(
                digit=int(d),
                n=int(pick.sum()),
                read_as_target=float(read[pick].mean()),
                looks_like_target=float(looks[pick].mean()),
                median_corr=float(np.median(corr[pick, d])),
                mean_image_corr=float(mean_corr[d]),
                mean_image_read_as=int(mean_corr.argmax()),
                mean_image_rank=int((mean_corr > mean_corr[d]).sum()) + 1,
                background=float(frame.mean()),
                background_std=float(frame.std(axis=1).mean()),
            )
        )
    return rows


def pooled(rows: pd.DataFrame, column: str) -> float:
    """A per-digit ``column`` of :func:`describe`'s rows pooled over digits, weighted by n."""
    return float((rows[column] * rows.n).sum() / rows.n.sum())


def likeness_table(
    *, data: Path, runs: dict[tuple[str, str], Path], out: Path, n_reference: int = 2000
) -> pd.DataFrame:
    """Score every fooling run's images and two references (test digits, uniform noise).

    Args:
        data: MNIST ``.npz``. runs: ``(model, method) -> npz`` of
            :func:`mnist_fooling.fooling.run_fooling`. out: CSV to write.
    """
    from .data import load_mnist

    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(mnist.x_test), min(n_reference, len(mnist.x_test)), replace=False)
    noise = rng.random((len(pick), 28, 28), dtype=np.float32)
    sources = {
        ("reference", "test digits"): (mnist.x_test[pick], mnist.y_test[pick]),
        ("reference", "uniform noise"): (noise, mnist.y_test[pick]),
    }
    floor = floor_of_real_digits(mnist.x_test, mnist.y_test, template)
    for (model, method), path in sorted(runs.items()):
        with np.load(path, allow_pickle=False) as npz:
            sources[(model, method)] = (npz["images"], npz["target"])
    rows = []
    for (model, method), (images, target) in sources.items():
        found = describe(images, target, template, floor=floor)
        rows += [dict(model=model, method=method, floor=floor, **r) for r in found]
    table = pd.DataFrame(rows)
    write_csv(out, table)
    return table
