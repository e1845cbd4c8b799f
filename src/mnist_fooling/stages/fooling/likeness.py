"""Measurable stand-ins for the posts' visual claims: does an image look like its digit?

Two fixed, network-free readers judge likeness. The *template* reader: Pearson correlation with
each digit's mean training image; an image looks like its digit when its own template is the
best match and the correlation is at least that of the 5% least typical real test digits. The
*k-NN* reader (:mod:`.reader`): the majority of the k most correlated (blurred) training images,
with a similarity floor set on pure noise. Both are calibrated on blends of real digits into
noise (:func:`.reader.calibration_table`); fooling images are scored alone and as per-digit means.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from .reader import FIT_AT, KnnReader, blend, calibration_table
from .runs import read_arrays

# MNIST digits sit in the central 20×20 box; the 4-pixel frame is background.
FRAME = np.ones((28, 28), bool)
FRAME[4:24, 4:24] = False
BOOTS = 1000  # resamples of the within- minus between-digit similarity gap's interval (D6)
SIMILARITY_CAP = 500  # images per similarity test at most: (500, 500) correlations per set


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


def mean_reading(
    images: np.ndarray, digit: int, template: np.ndarray, *, rng, boots: int, knn=None
):
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
    knn_cols = {}
    if knn is not None:
        read_as, sim = knn.read(mean_image[None])
        knn_cols = dict(mean_knn_read_as=int(read_as[0]), mean_knn_sim=float(sim[0]))
        if boots:
            looks = knn.looks(boot_means.reshape(-1, 28, 28), np.full(boots, digit))
            knn_cols["mean_knn_boot"] = float(looks.mean())
    return dict(
        mean_n=len(images),
        mean_corr=float(corr[digit]),
        mean_corr_low=float(np.quantile(boot, 0.025)),
        mean_corr_high=float(np.quantile(boot, 0.975)),
        mean_read_as=int(corr.argmax()),
        mean_rank=int((corr > corr[digit]).sum()) + 1,
        mean_background=float(mean_image[FRAME].mean()),
        **knn_cols,
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
    knn: KnnReader | None = None,
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
        :func:`mean_reading` of the averaged images (mean_n = 0 when there are none); with a
        ``knn`` reader also how many it finds looking like the target (``knn_looks``).
    """
    averaged = np.ones(len(target), bool) if averaged is None else averaged
    rng = np.random.default_rng(seed)
    corr = correlations(images, template)
    read = corr.argmax(axis=1) == target
    looks = read & (corr[np.arange(len(target)), target] >= floor)
    knn_looks = None if knn is None else knn.looks(images, target)
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
        if knn_looks is not None:
            row["knn_looks"] = int(knn_looks[pick].sum())
        chosen = images[pick & averaged]
        if len(chosen):
            row.update(mean_reading(chosen, int(d), template, rng=rng, boots=boots, knn=knn))
        else:
            row.update(mean_n=0)
        rows.append(row)
    return rows


def pooled(rows: pd.DataFrame, column: str) -> float:
    """A per-digit ``column`` of :func:`describe`'s rows pooled over digits, weighted by n."""
    return float((rows[column] * rows.n).sum() / rows.n.sum())


def class_similarity(
    images: np.ndarray,
    target: np.ndarray,
    *,
    rng,
    permutations: int,
    cap: int,
    boots: int = BOOTS,
):
    """Within- vs between-class mean pairwise correlation of ``images`` ``(n, 28, 28)`` with
    labels ``target`` ``(n,)`` (at most ``cap`` images, drawn at random), the one-sided
    permutation p of their difference (labels shuffled ``permutations`` times; none: NaN) and
    its 95% bootstrap interval (:func:`gap_interval`, ``boots`` resamples; none: NaN).

    Returns:
        dict: n, within, between, gap (= within − between), p, gap_low, gap_high.
    """
    if len(images) > cap:
        keep = np.sort(rng.choice(len(images), cap, replace=False))
        images, target = images[keep], target[keep]
    c = pairwise_correlations(images)
    total, pairs = c.sum(), len(c) * (len(c) - 1)

    def gap(labels: np.ndarray) -> tuple[float, float, float]:
        onehot = (labels[:, None] == np.arange(10)).astype(np.float64)  # (n, 10)
        same = float(((c @ onehot) * onehot).sum())
        sizes = onehot.sum(axis=0)
        n_same = float((sizes * (sizes - 1)).sum())
        within = same / n_same if n_same else np.nan
        between = (total - same) / (pairs - n_same) if pairs > n_same else np.nan
        return within - between, within, between

    observed, within, between = gap(target)
    out = dict(n=len(images), within=within, between=between, gap=observed)
    if np.isnan(observed):  # no digit with two images: nothing to compare
        return dict(out, p=np.nan, gap_low=np.nan, gap_high=np.nan)
    null = np.array([gap(rng.permutation(target))[0] for _ in range(permutations)])
    p = (1 + int((null >= observed).sum())) / (permutations + 1) if permutations else np.nan
    low, high = gap_interval(c, target, rng=rng, boots=boots) if boots else (np.nan, np.nan)
    return dict(out, p=p, gap_low=low, gap_high=high)


def pairwise_correlations(images: np.ndarray) -> np.ndarray:
    """``(n, n)`` Pearson correlation of every pair of ``images`` ``(n, 28, 28)``, with a zero
    diagonal (an image is not paired with itself)."""
    a = images.reshape(len(images), -1).astype(np.float64)
    a = a - a.mean(axis=1, keepdims=True)
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    c = a @ a.T
    np.fill_diagonal(c, 0.0)
    return c


def gap_interval(c: np.ndarray, target: np.ndarray, *, rng, boots: int) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of the within- minus between-class mean pairwise
    correlation, from the ``(n, n)`` correlations ``c`` (zero diagonal) of images labelled
    ``target`` ``(n,)``.

    Each resample draws every digit's images with replacement (as many as it has, so the design
    stays the same); a pair is two different images (copies of one image are not a pair, which
    would add correlations of 1 within a digit only); a resample left without a pair within or
    between digits is left out. Digits with fewer than two images stay as they are. Vectorised
    over resamples: resample b weighs image i by its count ``w[b, i]``.
    """
    n = len(target)
    w = np.zeros((boots, n))
    blocks = []
    for d in np.unique(target):
        idx = np.flatnonzero(target == d)
        if len(idx) < 2:
            w[:, idx] = 1.0
            continue
        w[:, idx] = rng.multinomial(len(idx), np.full(len(idx), 1.0 / len(idx)), size=boots)
        blocks.append(idx)

    def pair_sums(weights: np.ndarray, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per resample: the weighted sum of correlations over pairs of different images of
        ``block``, and the weighted number of those pairs."""
        sums = ((weights @ block) * weights).sum(axis=1)  # the diagonal of block is zero
        count = weights.sum(axis=1) ** 2 - (weights**2).sum(axis=1)
        return sums, count

    total, n_total = pair_sums(w, c)
    same, n_same = np.zeros(boots), np.zeros(boots)
    for idx in blocks:
        s, k = pair_sums(w[:, idx], c[np.ix_(idx, idx)])
        same, n_same = same + s, n_same + k
    with np.errstate(invalid="ignore", divide="ignore"):
        gaps = same / n_same - (total - same) / (n_total - n_same)
    gaps = gaps[np.isfinite(gaps)]  # a resample without a pair within (or between): no gap
    if not len(gaps):
        return np.nan, np.nan
    return float(np.quantile(gaps, 0.025)), float(np.quantile(gaps, 0.975))


def reference_similarity(digits: np.ndarray, labels: np.ndarray, *, rng, cap: int) -> list[dict]:
    """:func:`class_similarity` of real test ``digits`` ``(n, 28, 28)`` and of the same digits
    blended into fresh uniform noise at s = :data:`~.reader.FIT_AT`, the weakest blends a reader
    must recognise 9 times in 10 and a person reads at a glance: what a noticeable within-digit
    likeness amounts to on this scale (D6's minimum gap). No permutation test: p is NaN."""
    blends = blend(digits, rng.random(digits.shape, dtype=np.float32), FIT_AT)
    rows = []
    for method, images in (("test digits", digits), (f"blends s={FIT_AT:g}", blends)):
        sim = class_similarity(images, labels, rng=rng, permutations=0, cap=cap)
        rows.append(dict(model="reference", method=method, **sim))
    return rows


def likeness_table(
    *,
    data: Path,
    runs: dict[tuple[str, str], Path],
    out: Path,
    calibration_out: Path,
    similarity_out: Path,
    knn: dict,
    strengths: list[float],
    n_calibration: int,
    permutations: int,
    n_reference: int = 2000,
) -> pd.DataFrame:
    """Score every fooling run's images and two references (test digits, uniform noise) with
    both readers; calibrate the readers on blends; measure within- vs between-class similarity.

    Shares count the replicate runs (not the genetic driver's extra '2's); the per-digit means
    average the converged images, extra '2's included, as the posts did.

    Args:
        data: MNIST ``.npz``. runs: ``(model, method) -> npz`` of
            :func:`mnist_fooling.stages.fooling.run.run_fooling`. out, calibration_out,
            similarity_out: CSVs to write. knn: ``{k, blur, quantile, n_train}`` of the k-NN
            reader. strengths: blend strengths s; n_calibration: test digits blended.
            permutations: label shuffles of the similarity test.
    """
    from ..data.mnist import load_mnist

    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(mnist.x_test), min(n_reference, len(mnist.x_test)), replace=False)
    noise = rng.random((len(pick), 28, 28), dtype=np.float32)
    floor = floor_of_real_digits(mnist.x_test, mnist.y_test, template)
    n_train = min(knn["n_train"] or len(mnist.x_train), len(mnist.x_train))
    reader = KnnReader(k=knn["k"], blur=knn["blur"], quantile=knn["quantile"]).fit(
        mnist.x_train[:n_train],
        mnist.y_train[:n_train],
        rng.random((len(pick), 28, 28), dtype=np.float32),  # noise apart from the reference's
    )
    rows = []
    for name, images in (("test digits", mnist.x_test[pick]), ("uniform noise", noise)):
        found = describe(images, mnist.y_test[pick], template, floor=floor, knn=reader)
        rows += [dict(model="reference", method=name, floor=floor, **r) for r in found]
    similarity = []
    for (model, method), path in sorted(runs.items()):
        run = read_arrays(path, ("images", "target", "converged"), optional=("extra",))
        images, target, converged = run["images"], run["target"], run["converged"]
        extra = run.get("extra", np.zeros(len(target), bool))
        shares = describe(
            images[~extra], target[~extra], template, floor=floor, boots=0, knn=reader
        )
        means = describe(images, target, template, floor=floor, averaged=converged, knn=reader)
        mean_cols = {
            d["digit"]: {k: v for k, v in d.items() if k.startswith("mean_")} for d in means
        }
        for r in shares:
            r = {k: v for k, v in r.items() if not k.startswith("mean_")}
            rows.append(dict(model=model, method=method, floor=floor, **r, **mean_cols[r["digit"]]))
        if len(np.unique(target[~extra])) > 1:
            sim = class_similarity(
                images[~extra],
                target[~extra],
                rng=rng,
                permutations=permutations,
                cap=SIMILARITY_CAP,
            )
            similarity.append(dict(model=model, method=method, **sim))
    table = pd.DataFrame(rows)
    calibration = calibrate(reader, template, floor, mnist, n=n_calibration, strengths=strengths)
    write_csv(out, table)
    knn_floor = dict(
        knn_floor=reader.floor,
        knn_floor_low=reader.floor_interval[0],
        knn_floor_high=reader.floor_interval[1],
    )
    write_csv(calibration_out, calibration.assign(**knn_floor, template_floor=floor))
    # The real digits' own gap, on a stream of its own (the sets' tests above keep theirs).
    similarity += reference_similarity(
        mnist.x_test[pick], mnist.y_test[pick], rng=np.random.default_rng(2), cap=SIMILARITY_CAP
    )
    columns = ["model", "method", "n", "within", "between", "gap", "p", "gap_low", "gap_high"]
    write_csv(similarity_out, pd.DataFrame(similarity, columns=columns))
    return table


def calibrate(
    reader: KnnReader, template, floor: float, mnist, *, n: int, strengths
) -> pd.DataFrame:
    """Both readers on blends of ``n`` test digits (the last ones: apart from the reference
    sample's seed) into uniform noise at each strength."""
    digits, labels = mnist.x_test[-n:], mnist.y_test[-n:]

    def template_looks(images, target):
        corr = correlations(images, template)
        own = corr[np.arange(len(target)), target]
        return (corr.argmax(axis=1) == target) & (own >= floor)

    readers = {"template": template_looks, "k-NN": reader.looks}
    rng = np.random.default_rng(1)
    return calibration_table(readers, digits=digits, labels=labels, strengths=strengths, rng=rng)
