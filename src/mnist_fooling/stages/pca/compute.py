"""PCA of the training images as in seed 000 (covariance of mean-centred, unscaled pixels).

Claims C2 (eigen-digits look like ghostly digits) and C3 (a PCA classifier reaches ≈70%).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv, write_npz
from ...core.stats import accuracy_row
from ..data.mnist import load_mnist
from ..fooling.runs import key_of, read_arrays

VARIANCE_LEVELS = (0.5, 0.9, 0.95, 0.99)
RULES = ("nearest class mean", "1-nearest neighbour")


def fit_pca(images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Principal components of images ``(n, 28, 28)``.

    Returns:
        ``mean (784,)``, ``components (784, 784)`` (one per row, by decreasing eigenvalue)
        and ``eigenvalues (784,)`` of the covariance of the mean-centred pixels.
    """
    x = images.reshape(len(images), -1).astype(np.float64)  # (n, 784)
    mean = x.mean(axis=0)
    centred = x - mean
    cov = centred.T @ centred / (len(x) - 1)  # (784, 784)
    values, vectors = np.linalg.eigh(cov)  # ascending
    order = np.argsort(values)[::-1]
    components = vectors[:, order].T
    # eigh's signs are arbitrary: make the largest-magnitude entry of each component positive
    # so that reruns and platforms agree.
    signs = np.sign(components[np.arange(784), np.abs(components).argmax(axis=1)])
    return mean, components * signs[:, None], np.clip(values[order], 0, None)


def project(images: np.ndarray, mean: np.ndarray, components: np.ndarray, k: int) -> np.ndarray:
    """Coordinates ``(n, k)`` of images ``(n, 28, 28)`` on the first ``k`` components."""
    return (images.reshape(len(images), -1) - mean) @ components[:k].T


def reconstruct(images: np.ndarray, mean: np.ndarray, components: np.ndarray, k: int) -> np.ndarray:
    """Images ``(n, 28, 28)`` rebuilt from their first ``k`` principal coordinates."""
    z = project(images, mean, components, k)
    return (z @ components[:k] + mean).reshape(-1, 28, 28)


def reconstruction_error(images, mean, components, k: int) -> np.ndarray:
    """Root-mean-square pixel error ``(n,)`` of the ``k``-component reconstruction."""
    diff = reconstruct(images, mean, components, k) - images
    return np.sqrt(np.mean(diff.reshape(len(images), -1) ** 2, axis=1))


def rescale_unit(v: np.ndarray) -> np.ndarray:
    """Rescale each row of ``v`` ``(n, ...)`` linearly to [0, 1], as the post shows eigen-digits."""
    flat = v.reshape(len(v), -1)
    low, high = flat.min(axis=1, keepdims=True), flat.max(axis=1, keepdims=True)
    return ((flat - low) / np.where(high > low, high - low, 1.0)).reshape(v.shape)


def components_for(eigenvalues: np.ndarray, level: float) -> int:
    """Smallest number of components explaining at least ``level`` of the variance."""
    cumulative = np.cumsum(eigenvalues) / eigenvalues.sum()
    return int(np.searchsorted(cumulative, level - 1e-12) + 1)


def nearest_class_mean(z_train, y_train, z_test) -> np.ndarray:
    """Predict the class whose mean (in PCA space) is nearest: ``(n_test,)``."""
    means = np.stack([z_train[y_train == d].mean(axis=0) for d in range(10)])  # (10, k)
    d2 = (z_test**2).sum(1)[:, None] - 2 * z_test @ means.T + (means**2).sum(1)[None]
    return d2.argmin(axis=1)


def nearest_neighbour(z_train, y_train, z_test, *, chunk: int = 500) -> np.ndarray:
    """Predict the label of the nearest training image (Euclidean, PCA space): ``(n_test,)``."""
    train_sq = (z_train**2).sum(1)
    out = np.empty(len(z_test), dtype=np.int64)
    for start in range(0, len(z_test), chunk):  # chunks bound memory at chunk × n_train
        z = z_test[start : start + chunk]
        d2 = train_sq[None] - 2 * z @ z_train.T  # |z|² is constant per row
        out[start : start + chunk] = y_train[d2.argmin(axis=1)]
    return out


def classifier_accuracy(mnist, mean, components, ks: list[int]) -> pd.DataFrame:
    """Test accuracy of both PCA classifiers for each ``k``: rule, k, n, correct, accuracy, CI."""
    rows = []
    for k in ks:
        z_train = project(mnist.x_train, mean, components, k)
        z_test = project(mnist.x_test, mean, components, k)
        for rule, predict in zip(RULES, (nearest_class_mean, nearest_neighbour), strict=True):
            correct = int((predict(z_train, mnist.y_train, z_test) == mnist.y_test).sum())
            rows.append(accuracy_row(correct, len(z_test), rule=rule, k=k))
    return pd.DataFrame(rows)


def run_pca(
    *,
    data: Path,
    ks: list[int],
    k_error: int,
    n_noise: int,
    seed: int,
    out_dir: Path,
    n_train: int | None = None,
) -> None:
    """Fit PCA on the training split and write components, variance, accuracy and errors.

    Writes ``pca.npz`` (mean, components, eigenvalues), ``explained_variance.csv``,
    ``accuracy.csv`` and ``reconstruction_error.csv`` (test digits vs uniform noise).
    """
    if any(k < 1 or k > 784 for k in ks) or not 1 <= k_error <= 784:
        raise ValueError("numbers of components must lie in 1..784")
    mnist = load_mnist(data)
    if n_train is not None:
        from dataclasses import replace

        mnist = replace(mnist, x_train=mnist.x_train[:n_train], y_train=mnist.y_train[:n_train])
    mean, components, eigenvalues = fit_pca(mnist.x_train)
    write_npz(
        out_dir / "pca.npz",
        mean=mean.astype(np.float32),
        components=components.astype(np.float32),
        eigenvalues=eigenvalues,
    )
    cumulative = np.cumsum(eigenvalues) / eigenvalues.sum()
    write_csv(
        out_dir / "explained_variance.csv",
        pd.DataFrame(dict(k=np.arange(1, 785), eigenvalue=eigenvalues, cumulative=cumulative)),
    )
    write_csv(out_dir / "accuracy.csv", classifier_accuracy(mnist, mean, components, sorted(ks)))
    noise = np.random.default_rng(seed).random((n_noise, 28, 28), dtype=np.float32)
    errors = [
        pd.DataFrame(
            dict(
                source=name, k=k_error, rms_error=reconstruction_error(x, mean, components, k_error)
            )
        )
        for name, x in (("test digits", mnist.x_test), ("uniform noise", noise))
    ]
    write_csv(out_dir / "reconstruction_error.csv", pd.concat(errors, ignore_index=True))


def eigen_likeness(*, pca_npz: Path, data: Path, n: int, out: Path) -> pd.DataFrame:
    """The template reader on the first ``n`` eigen-digits (C2), in both signs.

    An eigenvector's sign is arbitrary (R's and ours may differ), and rescaling to [0, 1] does
    not change a correlation, so each component is read as +v and as −v: it looks like a
    digit when either sign's best-matching mean training digit correlates at least as well
    as 95% of real test digits do with their own.

    Returns:
        One row per component: component, sign and digit of the better reading, its
        correlation, the floor with its 95% interval, and ``looks_like_digit``.
    """
    from ..data.mnist import load_mnist
    from ..fooling.likeness import correlations, template_floor, templates

    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    # the floor with its sampling error: the template reader's, as the likeness stage uses it
    floor, floor_low, floor_high = template_floor(mnist.x_test, mnist.y_test, template)
    with np.load(pca_npz, allow_pickle=False) as npz:
        v = npz["components"][:n].reshape(-1, 28, 28)
    corr = np.stack([correlations(v, template), correlations(-v, template)])  # (2, n, 10)
    sign = corr.max(axis=2).argmax(axis=0)  # (n,) the better reading
    best = corr[sign, np.arange(n)]  # (n, 10)
    table = pd.DataFrame(
        dict(
            component=np.arange(1, n + 1),
            sign=np.where(sign == 0, 1, -1),
            digit=best.argmax(axis=1),
            corr=best.max(axis=1),
            floor=floor,
            floor_low=floor_low,
            floor_high=floor_high,
            looks_like_digit=best.max(axis=1) >= floor,
        )
    )
    write_csv(out, table)
    return table


def fooling_errors(*, pca_npz: Path, runs: list[Path], k: int, out: Path) -> pd.DataFrame:
    """RMS reconstruction error (k components) of every fooling image: how far off the digits.

    Args:
        runs: ``<model>/<method>.npz`` files of the fooling searches.
    """
    with np.load(pca_npz, allow_pickle=False) as npz:
        mean, components = npz["mean"], npz["components"]
    frames = []
    for path in runs:
        model, method = key_of(path)
        images = read_arrays(path, ("images",))["images"]
        frames.append(
            pd.DataFrame(
                dict(
                    model=model,
                    method=method,
                    k=k,
                    rms_error=reconstruction_error(images, mean, components, k),
                )
            )
        )
    table = pd.concat(frames, ignore_index=True)
    write_csv(out, table)
    return table
