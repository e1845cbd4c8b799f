"""A network-free k-nearest-neighbour reader of digits, calibrated for sensitivity on blends of
real digits into uniform noise and for specificity on images with no digit (:mod:`.negatives`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter

from ...claims.panel import FIT_AT, FIT_SHARE, SPECIFIC_SHARE
from ...core.stats import quantile_interval, wilson_interval

CHUNK = 2000  # queries per similarity product: (2000, n_train) float32 bounds the memory
BLOCK = 100  # training images per block of the top-k search (:func:`top_k`)
SIMILARITIES = ("correlation", "centred")


def blurred(images: np.ndarray, *, blur: float) -> np.ndarray:
    """``(n, 784)`` float32 rows of ``images`` ``(n, 28, 28)`` blurred by a Gaussian of ``blur``
    pixels (a person's eye low-pass filters: i.i.d. pixel noise averages out)."""
    x = np.asarray(images, np.float32)
    if blur > 0:
        x = gaussian_filter(x, sigma=(0, blur, blur), mode="constant")
    return x.reshape(len(x), -1)


def centred_rows(images: np.ndarray, *, blur: float, centre: np.ndarray | None = None):
    """``(n, 784)`` zero-mean rows of ``images`` ``(n, 28, 28)`` :func:`blurred`, less ``centre``
    ``(784,)`` (the mean blurred training image) first when given: linear in the images."""
    a = blurred(images, blur=blur)
    if centre is not None:
        a = a - centre
    return a - a.mean(axis=1, keepdims=True)


def unit_rows(a: np.ndarray) -> np.ndarray:
    """``a`` ``(n, d)`` with each row scaled to unit norm (a zero row stays zero)."""
    norm = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, norm, out=np.zeros_like(a), where=norm > 0)


def standardised(images: np.ndarray, *, blur: float, centre: np.ndarray | None = None):
    """``(n, 784)`` zero-mean, unit-norm rows of ``images`` ``(n, 28, 28)``: :func:`centred_rows`
    scaled by :func:`unit_rows`."""
    return unit_rows(centred_rows(images, blur=blur, centre=centre))


def top_k(s: np.ndarray, k: int) -> np.ndarray:
    """``(m, k)`` column indices of the k largest values in each row of ``s`` ``(m, n)``, in no
    order. They lie in the k blocks of :data:`BLOCK` columns with the largest maxima (or the
    ragged tail), so only those are partitioned: several times faster than the whole row."""
    m, n = s.shape
    blocks = n // BLOCK
    if blocks <= k:
        return np.argpartition(s, n - k, axis=1)[:, n - k :]
    maxima = s[:, : blocks * BLOCK].reshape(m, blocks, BLOCK).max(axis=2)  # (m, blocks)
    best = np.argpartition(maxima, blocks - k, axis=1)[:, blocks - k :]  # (m, k)
    cols = (best[:, :, None] * BLOCK + np.arange(BLOCK)).reshape(m, -1)  # (m, k · BLOCK)
    tail = np.arange(blocks * BLOCK, n)
    if len(tail):
        cols = np.concatenate([cols, np.broadcast_to(tail, (m, len(tail)))], axis=1)
    values = np.take_along_axis(s, cols, axis=1)
    pick = np.argpartition(values, values.shape[1] - k, axis=1)[:, -k:]
    return np.take_along_axis(cols, pick, axis=1)


@dataclass(kw_only=True)
class KnnReader:
    """k nearest training images by ``similarity`` after the blur: the majority digit is what an
    image reads as; it *looks like* that digit when the neighbours' mean similarity also reaches
    ``floor``, the highest ``quantile`` of any family of images with no digit (:meth:`fit`).

    ``similarity``: "correlation" of the blurred images, or "centred": of their differences from
    the mean blurred training image (generic mass where digits sit cancels).
    """

    k: int
    blur: float
    quantile: float
    similarity: str = "correlation"
    floor: float = np.nan
    floor_interval: tuple[float, float] = (np.nan, np.nan)  # its 95% sampling interval
    floor_family: str = ""  # the family of negatives that sets the floor
    _train: np.ndarray | None = field(default=None, repr=False)
    _labels: np.ndarray | None = field(default=None, repr=False)
    _centre: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.similarity not in SIMILARITIES:
            raise ValueError(
                f"k-NN reader: similarity {self.similarity!r} is none of {SIMILARITIES}"
            )

    def fit(self, x: np.ndarray, y: np.ndarray, negatives) -> KnnReader:
        """Keep the training images ``x`` ``(n, 28, 28)`` and labels ``y`` ``(n,)``; set the floor
        from ``negatives``, family → ``(m, 28, 28)`` (or one array: uniform noise), a sample apart
        from any that is scored later: the highest of the families' ``quantile``."""
        if not 1 <= self.k <= len(x):
            raise ValueError(f"k-NN reader: k = {self.k} needs 1 ≤ k ≤ {len(x)} training images")
        if not isinstance(negatives, dict):
            negatives = {"uniform noise": negatives}
        if not negatives or not all(len(v) for v in negatives.values()):
            raise ValueError("k-NN reader: the floor needs at least one image of each family")
        centred = self.similarity == "centred"
        self._centre = blurred(x, blur=self.blur).mean(axis=0) if centred else None
        self._train = standardised(x, blur=self.blur, centre=self._centre)
        self._labels = np.asarray(y)
        sims = {name: self.read(images)[1] for name, images in negatives.items()}
        floors = {name: float(np.quantile(s, self.quantile)) for name, s in sims.items()}
        self.floor_family = max(floors, key=floors.get)
        self.floor = floors[self.floor_family]
        self.floor_interval = quantile_interval(sims[self.floor_family], self.quantile)
        return self

    def read(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(n,)`` the digit each image reads as and ``(n,)`` its neighbours' mean similarity."""
        parts = [
            self._vote(
                standardised(images[lo : lo + CHUNK], blur=self.blur, centre=self._centre)
                @ self._train.T
            )
            for lo in range(0, len(images), CHUNK)
        ]
        return self._joined(parts)

    def read_means(self, images: np.ndarray, weights: np.ndarray):
        """:meth:`read` of the weighted means ``weights @ images`` (``(b, k)`` weights, rows
        summing to 1; ``(k, 28, 28)`` images) without forming them: blurring, centring and the
        similarity product are linear, so a mean's similarities are the weights' mix of its
        images' own, and its norm that of the mixed rows. Cheaper while k < 784 pixels."""
        w = np.asarray(weights, np.float32)
        if len(images) >= images[0].size:  # as dear as reading the means: read them
            return self.read(np.tensordot(w, np.asarray(images, np.float32), axes=1))
        rows = centred_rows(images, blur=self.blur, centre=self._centre)  # (k, 784)
        own = rows @ self._train.T  # (k, n_train)
        parts = []
        for lo in range(0, len(w), CHUNK):
            norm = np.linalg.norm(w[lo : lo + CHUNK] @ rows, axis=1, keepdims=True)  # (m, 1)
            mixed = w[lo : lo + CHUNK] @ own
            parts.append(
                self._vote(np.divide(mixed, norm, out=np.zeros_like(mixed), where=norm > 0))
            )
        return self._joined(parts)

    def _vote(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The majority digit ``(m,)`` of the k most similar training images and their mean
        similarity ``(m,)``, from the similarities ``s`` ``(m, n_train)``."""
        idx = top_k(s, self.k)  # (m, k) neighbours
        counts = (self._labels[idx][:, :, None] == np.arange(10)).sum(axis=1)  # (m, 10)
        return counts.argmax(axis=1), np.take_along_axis(s, idx, axis=1).mean(axis=1)

    @staticmethod
    def _joined(parts: list) -> tuple[np.ndarray, np.ndarray]:
        """The chunks' digits and similarities, concatenated (none: two empty arrays)."""
        if not parts:
            return np.zeros(0, int), np.zeros(0)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def looks(self, images: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``(n,)`` bool: image i reads as ``target[i]`` with a similarity ≥ the floor."""
        digit, sim = self.read(images)
        return (digit == np.asarray(target)) & (sim >= self.floor)

    def calls(self, images: np.ndarray) -> np.ndarray:
        """``(n,)`` bool: image i is called a digit (any digit: similarity ≥ the floor)."""
        return self.read(images)[1] >= self.floor


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


def specificity_table(
    readers: dict[str, Callable[[np.ndarray], np.ndarray]], negatives: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Per reader and family of ``negatives`` (name → ``(n, 28, 28)``, no digit in any): how many
    images it calls a digit, with the Wilson interval. ``readers``: name → ``(images) -> (n,)
    bool``. Columns: reader, family, n, k, share, low, high."""
    rows = []
    for name, calls in readers.items():
        for family, images in negatives.items():
            k, n = int(np.sum(calls(images))), len(images)
            low, high = wilson_interval(k, n)
            rows.append(dict(reader=name, family=family, n=n, k=k, share=k / n, low=low, high=high))
    return pd.DataFrame(rows, columns=["reader", "family", "n", "k", "share", "low", "high"])


def reader_table(
    settings: pd.DataFrame, calibration: pd.DataFrame, specificity: pd.DataFrame, *, candidates
) -> pd.DataFrame:
    """One row per reader of ``settings`` (reader, blur, similarity, floor, floor_low,
    floor_high, floor_family): its sensitivity (share of s = :data:`FIT_AT` blends that look like
    their digit, with the interval, from ``calibration``), its worst family of negatives (the
    highest share called a digit, from ``specificity``), whether it is *specific* (no family
    above :data:`SPECIFIC_SHARE`) and *fit* (specific and sensitivity ≥ :data:`FIT_SHARE`), and
    which of the ``candidates`` (reader names) is chosen (:func:`choose`)."""
    at = calibration[calibration.s == FIT_AT].set_index("reader")
    rows = []
    for r in settings.to_dict("records"):
        name = r["reader"]
        if name not in at.index or name not in set(specificity.reader):
            raise ValueError(f"reader {name!r} lacks a calibration at s = {FIT_AT} or negatives")
        spec = specificity[specificity.reader == name]
        worst = spec.loc[spec.share.idxmax()]
        specific = bool((spec.share <= SPECIFIC_SHARE).all())
        sens = float(at.share[name])
        rows.append(
            dict(
                r,
                sensitivity=sens,
                sensitivity_low=float(at.low[name]),
                sensitivity_high=float(at.high[name]),
                worst_family=worst.family,
                worst_share=float(worst.share),
                worst_low=float(worst.low),
                worst_high=float(worst.high),
                specific=specific,
                fit=specific and sens >= FIT_SHARE,
            )
        )
    table = pd.DataFrame(rows)
    table["chosen"] = table.reader == choose(table[table.reader.isin(candidates)])
    return table


def choose(readers: pd.DataFrame) -> str:
    """The reader to use of ``readers`` (columns reader, sensitivity, worst_share, specific):
    the most sensitive of the specific ones; none specific, the one with the lowest worst-family
    share (ties: the more sensitive, then the first)."""
    if readers.empty:
        raise ValueError("choose a reader: no candidates")
    specific = readers[readers.specific.astype(bool)]
    if len(specific):
        return str(specific.reader.iloc[int(np.argmax(specific.sensitivity.to_numpy()))])
    order = np.lexsort((-readers.sensitivity.to_numpy(), readers.worst_share.to_numpy()))
    return str(readers.reader.iloc[order[0]])


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
