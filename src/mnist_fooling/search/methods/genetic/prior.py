"""Seed 000's natural-image prior: per-digit intensity histograms and pixel-neighbour variograms.

The post's R code computes the training statistics on ``matrix(image, nrow=28)``, which R fills
column by column, so its ``g_x`` runs down the image (vertical lags) and ``g_y`` across it; its
Rcpp cost compares ``g_x`` with horizontal differences at lag 1 for every k. "published"
reproduces that exactly; "intended" matches axes and uses lag k (claim C15).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

N_LAGS = 14
N_BINS = 10


@dataclass(frozen=True)
class DigitStats:
    """Training statistics of one digit (the post's ``digit_stats``)."""

    histogram: np.ndarray  # (10,) fraction of pixels in [0, .1], (.1, .2], ..., (.9, 1]
    vertical: np.ndarray  # (14,) mean |x[r, c] - x[r + k, c]|, k = 1..14
    horizontal: np.ndarray  # (14,) mean |x[r, c] - x[r, c + k]|


def lag_means(images: np.ndarray, *, axis: int) -> np.ndarray:
    """Mean absolute difference at lags 1..14 along ``axis`` (1: down, 2: across), ``(14,)``."""
    out = np.empty(N_LAGS)
    for k in range(1, N_LAGS + 1):  # 14 vectorised passes, not a loop over images
        a = images[:, :-k, :] if axis == 1 else images[:, :, :-k]
        b = images[:, k:, :] if axis == 1 else images[:, :, k:]
        out[k - 1] = np.abs(a - b).mean()
    return out


def digit_stats(images: np.ndarray, labels: np.ndarray) -> list[DigitStats]:
    """Per-digit statistics from training images ``(n, 28, 28)``."""
    stats = []
    for d in range(10):
        x = images[labels == d].astype(np.float64)
        edges = np.linspace(0.1, 1.0, N_BINS)
        cumulative = np.array([(x <= e).mean() for e in edges])
        histogram = np.diff(np.concatenate([[0.0], cumulative]))
        stats.append(
            DigitStats(
                histogram=histogram / histogram.sum(),
                vertical=lag_means(x, axis=1),
                horizontal=lag_means(x, axis=2),
            )
        )
    return stats


def sample_pixels(histograms: np.ndarray, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Pixels drawn from each run's histogram (the post's ``histo_rand``).

    Args:
        histograms: ``(runs, 10)``; shape: ``(runs, ...)`` of the pixels wanted.
    """
    cumulative = np.cumsum(histograms, axis=1)  # (runs, 10)
    u = rng.random(shape)
    flat = u.reshape(shape[0], -1)
    bins = (flat[:, :, None] >= cumulative[:, None, :]).sum(axis=2).clip(0, N_BINS - 1)
    low = bins / N_BINS
    return (low + rng.random(flat.shape) / N_BINS).reshape(shape).astype(np.float32)


def variogram_cost(
    images: np.ndarray, stats_x: np.ndarray, stats_y: np.ndarray, *, variant: str
) -> np.ndarray:
    """The post's ``vario_cost`` for images ``(m, 28, 28)``; ``stats_*`` are ``(m, 14)``.

    ``variant="published"``: ``stats_x`` are the R code's ``g_x`` (vertical lags) compared with
    horizontal lag-1 differences over the first ``27 - k`` columns, as the Rcpp does.
    ``variant="intended"``: horizontal lag-k differences against horizontal statistics.
    """
    m = len(images)
    this_x = np.empty((m, N_LAGS))
    this_y = np.empty((m, N_LAGS))
    if variant == "published":
        dx = np.abs(np.diff(images, axis=2))  # (m, 28, 27) lag 1 across
        dy = np.abs(np.diff(images, axis=1))  # (m, 27, 28) lag 1 down
        cx = np.cumsum(dx.sum(axis=1), axis=1)  # (m, 27): sums over columns j < J
        cy = np.cumsum(dy.sum(axis=2), axis=1)
        for k in range(N_LAGS):
            this_x[:, k] = cx[:, 26 - k] / (28 * (27 - k))
            this_y[:, k] = cy[:, 26 - k] / (28 * (27 - k))
    elif variant == "intended":
        for k in range(1, N_LAGS + 1):
            this_x[:, k - 1] = np.abs(images[:, :, k:] - images[:, :, :-k]).mean(axis=(1, 2))
            this_y[:, k - 1] = np.abs(images[:, k:, :] - images[:, :-k, :]).mean(axis=(1, 2))
    else:
        raise ValueError(f"variogram variant must be 'published' or 'intended', not {variant!r}")
    return (np.abs(stats_x - this_x).sum(axis=1) + np.abs(stats_y - this_y).sum(axis=1)) / N_LAGS


def cost_stats(stats: list[DigitStats], targets: np.ndarray, *, variant: str):
    """``(stats_x, stats_y)`` ``(runs, 14)`` that each run's images are compared against."""
    if variant == "published":  # R's g_x runs down the image, g_y across (see module doc)
        sx = np.stack([stats[t].vertical for t in targets])
        sy = np.stack([stats[t].horizontal for t in targets])
    else:
        sx = np.stack([stats[t].horizontal for t in targets])
        sy = np.stack([stats[t].vertical for t in targets])
    return sx, sy


def published_terms(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Rcpp's ``this_g_x``, ``this_g_y`` ``(m, 14)`` of images ``(m, 28, 28)``: for every k,
    lag-1 differences over the first ``27 - k`` columns (rows), as published."""
    dx = np.abs(np.diff(images.astype(np.float64), axis=2)).sum(axis=1)  # (m, 27) per column
    dy = np.abs(np.diff(images.astype(np.float64), axis=1)).sum(axis=2)  # (m, 27) per row
    cx, cy = np.cumsum(dx, axis=1), np.cumsum(dy, axis=1)
    k = np.arange(N_LAGS)
    return cx[:, 26 - k] / (28 * (27 - k)), cy[:, 26 - k] / (28 * (27 - k))


def lag_terms(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each image's own mean |difference| at lags 1..14, across and down: ``(m, 14)`` each."""
    x = images.astype(np.float64)
    across = np.stack([np.abs(x[:, :, k:] - x[:, :, :-k]).mean(axis=(1, 2)) for k in range(1, 15)])
    down = np.stack([np.abs(x[:, k:, :] - x[:, :-k, :]).mean(axis=(1, 2)) for k in range(1, 15)])
    return across.T, down.T


def variogram_check(
    *, train: np.ndarray, published: np.ndarray, intended: np.ndarray
) -> pd.DataFrame:
    """C15: what the published cost computes, and how each variant's images came out.

    Args:
        train: ``(n, 28, 28)`` training images of the digit; published, intended: the
            converged images of that digit made with each variant of the prior.

    Returns:
        Rows ``measure, direction, lag, value``: the published cost's per-lag terms on the
        training images (mean over images), their true lag-k statistics, and each variant's
        images' lag-k statistics; plus one "mismatch test" row: each image's mean
        |lag-k statistic − the training images'| over lags 2–14 and both directions,
        compared between the variants by a two-sided Mann–Whitney U test (``value`` is the
        p-value, ``published``/``intended`` the medians).
    """
    from scipy.stats import mannwhitneyu

    true_x, true_y = (v.mean(axis=0) for v in lag_terms(train))
    rows = []

    def add(measure: str, across: np.ndarray, down: np.ndarray) -> None:
        for direction, values in (("across", across), ("down", down)):
            rows.extend(
                dict(measure=measure, direction=direction, lag=k + 1, value=float(v))
                for k, v in enumerate(values)
            )

    add("published terms on training '2's", *(v.mean(axis=0) for v in published_terms(train)))
    add("lag-k statistic of training '2's", true_x, true_y)
    mismatch = {}
    for name, images in (("published", published), ("intended", intended)):
        if len(images) == 0:
            continue
        across, down = lag_terms(images)
        add(f"images as {name}", across.mean(axis=0), down.mean(axis=0))
        gap = np.abs(across - true_x)[:, 1:].mean(axis=1) + np.abs(down - true_y)[:, 1:].mean(
            axis=1
        )
        mismatch[name] = gap / 2
    if len(mismatch) == 2:
        p = mannwhitneyu(mismatch["published"], mismatch["intended"]).pvalue
        rows.append(
            dict(
                measure="mismatch test",
                direction="both",
                lag=0,
                value=float(p),
                published=float(np.median(mismatch["published"])),
                intended=float(np.median(mismatch["intended"])),
            )
        )
    return pd.DataFrame(rows)
