"""A network-free k-nearest-neighbour reader of digits, and its calibration on blends of real
digits into uniform noise (what a person reads at a glance is known for those)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter

from ...core.stats import quantile_interval, wilson_interval

CHUNK = 2000  # queries per similarity product: (2000, n_train) float32 bounds the memory
FIT_AT, FIT_SHARE, CHANCE_SHARE = 0.3, 0.9, 0.15  # fit: ≥ 90% of s = 0.3 blends, ≤ 15% of noise


def standardised(images: np.ndarray, *, blur: float) -> np.ndarray:
    """``(n, 784)`` zero-mean, unit-norm rows of ``images`` ``(n, 28, 28)`` blurred by a Gaussian
    of ``blur`` pixels (a person's eye low-pass filters: i.i.d. pixel noise averages out)."""
    x = np.asarray(images, np.float32)
    if blur > 0:
        x = gaussian_filter(x, sigma=(0, blur, blur), mode="constant")
    a = x.reshape(len(x), -1)
    a = a - a.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, norm, out=np.zeros_like(a), where=norm > 0)


@dataclass(kw_only=True)
class KnnReader:
    """k nearest training images by correlation (after the blur): the majority digit is what an
    image reads as; it *looks like* that digit when the neighbours' mean correlation also
    reaches ``floor``, the ``quantile`` that pure uniform noise reaches (:meth:`fit`)."""

    k: int
    blur: float
    quantile: float
    floor: float = np.nan
    floor_interval: tuple[float, float] = (np.nan, np.nan)  # its 95% sampling interval
    _train: np.ndarray | None = field(default=None, repr=False)
    _labels: np.ndarray | None = field(default=None, repr=False)

    def fit(self, x: np.ndarray, y: np.ndarray, noise: np.ndarray) -> KnnReader:
        """Keep the training images ``x`` ``(n, 28, 28)`` and labels ``y`` ``(n,)``; set the floor
        from ``noise`` ``(m, 28, 28)`` (a sample apart from any that is scored later)."""
        if not 1 <= self.k <= len(x):
            raise ValueError(f"k-NN reader: k = {self.k} needs 1 ≤ k ≤ {len(x)} training images")
        self._train, self._labels = standardised(x, blur=self.blur), np.asarray(y)
        sims = self.read(noise)[1]
        self.floor = float(np.quantile(sims, self.quantile))
        self.floor_interval = quantile_interval(sims, self.quantile)
        return self

    def read(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(n,)`` the digit each image reads as and ``(n,)`` its neighbours' mean correlation."""
        digits, sims = [], []
        for lo in range(0, len(images), CHUNK):
            s = standardised(images[lo : lo + CHUNK], blur=self.blur) @ self._train.T
            idx = np.argpartition(-s, self.k - 1, axis=1)[:, : self.k]  # (m, k) neighbours
            votes = self._labels[idx]
            counts = (votes[:, :, None] == np.arange(10)).sum(axis=1)  # (m, 10)
            digits.append(counts.argmax(axis=1))
            sims.append(np.take_along_axis(s, idx, axis=1).mean(axis=1))
        if not digits:
            return np.zeros(0, int), np.zeros(0)
        return np.concatenate(digits), np.concatenate(sims)

    def looks(self, images: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``(n,)`` bool: image i reads as ``target[i]`` with a similarity ≥ the noise floor."""
        digit, sim = self.read(images)
        return (digit == np.asarray(target)) & (sim >= self.floor)


def blend(digits: np.ndarray, noise: np.ndarray, s: float) -> np.ndarray:
    """``s · digit + (1 − s) · noise`` for ``(n, 28, 28)`` digits and noise of the same shape."""
    return (s * digits + (1.0 - s) * noise).astype(np.float32)


def calibration_table(
    readers: dict, *, digits: np.ndarray, labels: np.ndarray, strengths: list[float], rng
) -> pd.DataFrame:
    """Per reader and blend strength s: how many blends of ``digits`` ``(n, 28, 28)`` (labels
    ``(n,)``) into fresh uniform noise look like their digit, with the Wilson interval.

    ``readers``: name → function ``(images, labels) -> (n,) bool``. The same noise serves every
    reader at a given s, so their curves differ by the reader only.
    """
    rows = []
    for s in strengths:
        noise = rng.random(digits.shape, dtype=np.float32)
        x = blend(digits, noise, s)
        for name, looks in readers.items():
            k, n = int(looks(x, labels).sum()), len(labels)
            low, high = wilson_interval(k, n)
            rows.append(dict(reader=name, s=float(s), n=n, k=k, share=k / n, low=low, high=high))
    return pd.DataFrame(rows)


def fit_readers(calibration: pd.DataFrame) -> dict[str, bool]:
    """Reader → whether it may judge "unrecognisable": ≥ 90% of the s = 0.3 blends look like
    their digit and ≤ 15% of pure noise (s = 0) does."""
    fit = {}
    for name, g in calibration.groupby("reader", sort=False):
        share = g.set_index("s").share
        if not {0.0, FIT_AT} <= set(share.index):
            raise ValueError(f"calibration of {name!r} lacks s = 0 or s = {FIT_AT}")
        fit[name] = bool(share[FIT_AT] >= FIT_SHARE and share[0.0] <= CHANCE_SHARE)
    return fit


def equivalent_strength(curve: pd.DataFrame, share: float) -> float:
    """The blend strength s at which the calibration ``curve`` (one reader: columns s, share)
    scores ``share``: linear between the measured points of its running maximum (the curve
    rises with s up to sampling noise); 0 at or below pure noise, inf above the top."""
    g = curve.sort_values("s")
    s, y = g.s.to_numpy(float), np.maximum.accumulate(g.share.to_numpy(float))
    if share <= y[0]:
        return 0.0
    if share > y[-1]:
        return np.inf
    i = int(np.argmax(y >= share))  # first point at or above
    if y[i] == y[i - 1]:
        return float(s[i])
    return float(s[i - 1] + (share - y[i - 1]) * (s[i] - s[i - 1]) / (y[i] - y[i - 1]))
