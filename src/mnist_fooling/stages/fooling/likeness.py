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

from ...core.io import write_csv
from .runs import read_arrays

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


def mean_reading(images: np.ndarray, digit: int, template: np.ndarray, *, rng, boots: int):
    """The template reader on the mean of ``images`` ``(k, 28, 28)`` (all of one digit).

    Returns:
        dict: the mean's correlation with ``digit``'s template and a 95% bootstrap interval
        (images resampled ``boots`` times), the digit it reads as, the target's rank among the
        ten templates, and the mean's background (frame) level.
    """
    mean_image = images.mean(axis=0)
    corr = correlations(mean_image[None], template)[0]
    boot = np.full(1, np.nan)
    if boots:
        k = len(images)
        counts = rng.multinomial(k, np.full(k, 1.0 / k), size=boots)  # (boots, k) resamples
        boot_means = (counts @ images.reshape(k, -1).astype(np.float64)) / k  # (boots, 784)
        boot = correlations(boot_means.reshape(-1, 28, 28), template)[:, digit]
    return dict(
        mean_n=len(images),
        mean_corr=float(corr[digit]),
        mean_corr_low=float(np.quantile(boot, 0.025)),
        mean_corr_high=float(np.quantile(boot, 0.975)),
        mean_read_as=int(corr.argmax()),
        mean_rank=int((corr > corr[digit]).sum()) + 1,
        mean_background=float(mean_image[FRAME].mean()),
    )


def describe(
    images: np.ndarray,
    target: np.ndarray,
    template: np.ndarray,
    *,
    floor: float,
    averaged: np.ndarray | None = None,
    seed: int = 0,
    boots: int = 200,
) -> list[dict]:
    """Per target digit: how the images, and the mean of the averaged ones, read.

    Args:
        images: ``(n, 28, 28)`` in [0, 1]; target: ``(n,)``; template: ``(10, 28, 28)``;
            floor: the correlation a real digit reaches (:func:`floor_of_real_digits`).
        averaged: ``(n,)`` bool, the images that enter the per-digit mean (the posts average
            converged images only); default all.

    Returns:
        One dict per digit present: n, how many read as the target (best match) and look like
        it (best match and correlation ≥ ``floor``), the median correlation with the target's
        template, the background (frame) mean and within-image standard deviation, and
        :func:`mean_reading` of the averaged images (mean_n = 0 when there are none).
    """
    averaged = np.ones(len(target), bool) if averaged is None else averaged
    rng = np.random.default_rng(seed)
    corr = correlations(images, template)
    read = corr.argmax(axis=1) == target
    looks = read & (corr[np.arange(len(target)), target] >= floor)
    rows = []
    for d in np.unique(target):
        pick = target == d
        frame = images[pick][:, FRAME]  # (k, pixels outside the central box)
        row = dict(
            digit=int(d),
            n=int(pick.sum()),
            read=int(read[pick].sum()),
            looks=int(looks[pick].sum()),
            median_corr=float(np.median(corr[pick, d])),
            background=float(frame.mean()),
            background_std=float(frame.std(axis=1).mean()),
        )
        chosen = images[pick & averaged]
        if len(chosen):
            row.update(mean_reading(chosen, int(d), template, rng=rng, boots=boots))
        else:
            row.update(mean_n=0)
        rows.append(row)
    return rows


def pooled(rows: pd.DataFrame, column: str) -> float:
    """A per-digit ``column`` of :func:`describe`'s rows pooled over digits, weighted by n."""
    return float((rows[column] * rows.n).sum() / rows.n.sum())


def likeness_table(
    *, data: Path, runs: dict[tuple[str, str], Path], out: Path, n_reference: int = 2000
) -> pd.DataFrame:
    """Score every fooling run's images and two references (test digits, uniform noise).

    Shares count the replicate runs (not the genetic driver's extra '2's); the per-digit means
    average the converged images, extra '2's included, as the posts did.

    Args:
        data: MNIST ``.npz``. runs: ``(model, method) -> npz`` of
            :func:`mnist_fooling.stages.fooling.run.run_fooling`. out: CSV to write.
    """
    from ..data.mnist import load_mnist

    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(mnist.x_test), min(n_reference, len(mnist.x_test)), replace=False)
    noise = rng.random((len(pick), 28, 28), dtype=np.float32)
    floor = floor_of_real_digits(mnist.x_test, mnist.y_test, template)
    rows = []
    for name, images in (("test digits", mnist.x_test[pick]), ("uniform noise", noise)):
        found = describe(images, mnist.y_test[pick], template, floor=floor)
        rows += [dict(model="reference", method=name, floor=floor, **r) for r in found]
    for (model, method), path in sorted(runs.items()):
        run = read_arrays(path, ("images", "target", "converged"), optional=("extra",))
        images, target, converged = run["images"], run["target"], run["converged"]
        extra = run.get("extra", np.zeros(len(target), bool))
        shares = describe(images[~extra], target[~extra], template, floor=floor, boots=0)
        means = describe(images, target, template, floor=floor, averaged=converged)
        mean_cols = {
            d["digit"]: {k: v for k, v in d.items() if k.startswith("mean_")} for d in means
        }
        for r in shares:
            r = {k: v for k, v in r.items() if not k.startswith("mean_")}
            rows.append(dict(model=model, method=method, floor=floor, **r, **mean_cols[r["digit"]]))
    table = pd.DataFrame(rows)
    write_csv(out, table)
    return table
