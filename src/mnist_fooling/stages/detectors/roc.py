"""ROC of one detector: AUROC and FPR at 95% TPR with percentile bootstrap intervals, per set."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .config import TPR


def roc_summary(negatives: np.ndarray, positives: np.ndarray) -> tuple[float, float]:
    """AUROC and the false-positive rate at 95% true-positive rate (positives score higher).

    ``sklearn.metrics.roc_curve`` and ``auc`` (the same area as ``roc_auc_score``, from one
    curve). Both arrays need at least one element.
    """
    from sklearn.metrics import auc

    fpr, tpr = roc_points(negatives, positives)
    return float(auc(fpr, tpr)), float(fpr[np.argmax(tpr >= TPR)])


def roc_points(negatives: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve's corners ``(fpr, tpr)`` (``sklearn.metrics.roc_curve``)."""
    from sklearn.metrics import roc_curve

    if len(negatives) == 0 or len(positives) == 0:
        raise ValueError("ROC needs at least one negative and one positive score")
    labels = np.r_[np.zeros(len(negatives)), np.ones(len(positives))]
    fpr, tpr, _ = roc_curve(labels, np.r_[negatives, positives])
    return fpr, tpr


def bootstrap_roc(
    negatives: np.ndarray, positives: np.ndarray, *, resamples: int, rng: np.random.Generator
) -> dict[str, float]:
    """:func:`roc_summary` with 95% percentile bootstrap intervals.

    Positives and negatives are resampled separately (each keeps its size), so every
    resample has both classes.

    Returns:
        ``auroc, auroc_low, auroc_high, fpr95, fpr95_low, fpr95_high``.
    """
    if resamples < 1:
        raise ValueError(f"need at least one bootstrap resample, got {resamples}")
    auroc, fpr95 = roc_summary(negatives, positives)
    neg_idx = rng.integers(0, len(negatives), (resamples, len(negatives)))
    pos_idx = rng.integers(0, len(positives), (resamples, len(positives)))
    boot = np.array(
        [roc_summary(negatives[n], positives[p]) for n, p in zip(neg_idx, pos_idx, strict=True)]
    )  # (resamples, 2)
    low, high = np.quantile(boot, [0.025, 0.975], axis=0)
    return dict(
        auroc=auroc,
        auroc_low=float(low[0]),
        auroc_high=float(high[0]),
        fpr95=fpr95,
        fpr95_low=float(low[1]),
        fpr95_high=float(high[1]),
    )


def keyed_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one (model, detector, set): independent of the order of the others."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def roc_rows(
    model: str,
    detector: str,
    negatives: np.ndarray,
    positives: dict[str, tuple[np.ndarray, int]],
    *,
    resamples: int,
    seed: int,
) -> tuple[list[dict], list[pd.DataFrame]]:
    """AUROC/FPR rows and ROC corners of one detector against every positive set.

    Args:
        negatives: ``(m,)`` test digits' scores.
        positives: ``{set: (scores (n,), converged runs among them)}``; an empty set gets a
            row with ``n = 0`` and no AUROC.
    """
    rows, curves = [], []
    for name, (scores, n_conv) in positives.items():
        row = dict(model=model, detector=detector, set=name, n=len(scores), n_converged=n_conv)
        row["n_negatives"] = len(negatives)
        if len(scores):
            rng = keyed_rng(seed, model, detector, name)
            row |= bootstrap_roc(negatives, scores, resamples=resamples, rng=rng)
            fpr, tpr = roc_points(negatives, scores)
            curves.append(
                pd.DataFrame(dict(model=model, detector=detector, set=name, fpr=fpr, tpr=tpr))
            )
        rows.append(row)
    return rows, curves
