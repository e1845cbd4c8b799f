"""Measurable stand-ins for the posts' visual claims: does an image look like its digit?

Two kinds of network-free reader judge likeness. The *template* reader: Pearson correlation with
each digit's mean training image; an image looks like its digit when its own template is the
best match and the correlation is at least that of the 5% least typical real test digits. The
*k-NN* reader (:mod:`.reader`): the majority of the k most similar (blurred) training images,
with a similarity floor set on images with no digit (:mod:`.negatives`); of several settings
the most sensitive specific one is chosen. Every reader is calibrated on blends of real digits
into noise (sensitivity) and on fresh negatives (specificity); fooling images are scored alone,
against a random other digit (the shuffled-target control) and as per-digit means.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...claims.panel import FIT_AT
from ...core.io import write_csv
from ...core.stats import quantile_interval
from .negatives import negatives
from .reader import (
    KnnReader,
    blend,
    calibration_table,
    reader_table,
    specificity_table,
)
from .runs import read_arrays

# MNIST digits sit in the central 20×20 box; the 4-pixel frame is background.
FRAME = np.ones((28, 28), bool)
FRAME[4:24, 4:24] = False
BOOTS = 1000  # resamples of the within- minus between-digit similarity gap's interval (D6)
SIMILARITY_CAP = 500  # images per similarity test at most: (500, 500) correlations per set
CHOSEN = "k-NN"  # the chosen k-NN reader's name in the tables (the claims read it)
FLOOR_Q = 0.05  # the template reader's floor: this quantile of real digits' own correlation


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
    return template_floor(images, target, template)[0]


def template_floor(images: np.ndarray, target: np.ndarray, template: np.ndarray):
    """``(floor, low, high)``: :func:`floor_of_real_digits` of ``images`` ``(n, 28, 28)`` with
    labels ``target`` ``(n,)`` and its distribution-free 95% interval."""
    corr = correlations(images, template)[np.arange(len(target)), target]
    return (float(np.quantile(corr, FLOOR_Q)), *quantile_interval(corr, FLOOR_Q))


def template_reader(template: np.ndarray, floor: float):
    """The template reader's two judgements: ``looks(images, target)`` and ``calls(images)``,
    each ``(n,)`` bool (best match its digit, resp. any digit, with a correlation ≥ ``floor``)."""

    def looks(images: np.ndarray, target: np.ndarray) -> np.ndarray:
        corr = correlations(images, template)
        own = corr[np.arange(len(target)), target]
        return (corr.argmax(axis=1) == target) & (own >= floor)

    def calls(images: np.ndarray) -> np.ndarray:
        return correlations(images, template).max(axis=1) >= floor

    return looks, calls


def other_digits(target: np.ndarray, *, rng) -> np.ndarray:
    """``(n,)`` for each of ``target`` ``(n,)`` another digit, uniformly at random."""
    return (np.asarray(target) + rng.integers(1, 10, size=len(target))) % 10


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
            boot_read, boot_sim = knn.read_means(images, counts / k)  # the resampled means
            looks = (boot_read == digit) & (boot_sim >= knn.floor)
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
        ``knn`` reader also how many it finds looking like the target (``knn_looks``) and like
        another digit drawn at random per image (``knn_shuffled``, seeded by ``seed``: the
        shuffled-target control).
    """
    averaged = np.ones(len(target), bool) if averaged is None else averaged
    rng = np.random.default_rng(seed)
    corr = correlations(images, template)
    read = corr.argmax(axis=1) == target
    looks = read & (corr[np.arange(len(target)), target] >= floor)
    knn_looks = knn_shuffled = None
    if knn is not None:
        digit, sim = knn.read(images)
        other = other_digits(target, rng=np.random.default_rng(seed + 1))  # apart from boots
        knn_looks = (digit == target) & (sim >= knn.floor)
        knn_shuffled = (digit == other) & (sim >= knn.floor)
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
            row["knn_shuffled"] = int(knn_shuffled[pick].sum())
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
    readers_out: Path,
    specificity_out: Path,
    knn: dict,
    candidates: list[dict],
    n_negatives: int,
    strengths: list[float],
    n_calibration: int,
    permutations: int,
    n_reference: int = 2000,
) -> pd.DataFrame:
    """Choose the k-NN reader, then score every fooling run's images and two references (test
    digits, uniform noise) with it and the template reader; measure within- vs between-class
    similarity.

    Shares count the replicate runs (not the genetic driver's extra '2's); the per-digit means
    average the converged images, extra '2's included, as the posts did.

    Args:
        data: MNIST ``.npz``. runs: ``(model, method) -> npz`` of
            :func:`mnist_fooling.stages.fooling.run.run_fooling`. out, calibration_out,
            similarity_out, readers_out, specificity_out: CSVs to write. knn: ``{k, quantile,
            n_train}`` of every k-NN reader; candidates: their ``{blur, similarity}``.
            n_negatives: images per family of negatives, once to set floors, once to test them.
            strengths: blend strengths s; n_calibration: test digits blended.
            permutations: label shuffles of the similarity test.
    """
    from ..data.mnist import load_mnist

    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(mnist.x_test), min(n_reference, len(mnist.x_test)), replace=False)
    noise = rng.random((len(pick), 28, 28), dtype=np.float32)
    # Once the k-NN floor's noise; still drawn, so the similarity tests keep their stream.
    rng.random((len(pick), 28, 28), dtype=np.float32)
    floor = template_floor(mnist.x_test, mnist.y_test, template)
    readers, calibration, specificity, reader = choose_reader(
        mnist,
        template,
        floor,
        knn=knn,
        candidates=candidates,
        n_negatives=n_negatives,
        n_calibration=n_calibration,
        strengths=strengths,
    )
    rows = []
    for name, images in (("test digits", mnist.x_test[pick]), ("uniform noise", noise)):
        found = describe(images, mnist.y_test[pick], template, floor=floor[0], knn=reader)
        rows += [dict(model="reference", method=name, floor=floor[0], **r) for r in found]
    similarity = []
    for (model, method), path in sorted(runs.items()):
        run = read_arrays(path, ("images", "target", "converged"), optional=("extra",))
        images, target, converged = run["images"], run["target"], run["converged"]
        extra = run.get("extra", np.zeros(len(target), bool))
        shares = describe(
            images[~extra], target[~extra], template, floor=floor[0], boots=0, knn=reader
        )
        means = describe(images, target, template, floor=floor[0], averaged=converged, knn=reader)
        mean_cols = {
            d["digit"]: {k: v for k, v in d.items() if k.startswith("mean_")} for d in means
        }
        for r in shares:
            r = {k: v for k, v in r.items() if not k.startswith("mean_")}
            rows.append(
                dict(model=model, method=method, floor=floor[0], **r, **mean_cols[r["digit"]])
            )
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
    write_csv(out, table)
    knn_floor = dict(
        knn_floor=reader.floor,
        knn_floor_low=reader.floor_interval[0],
        knn_floor_high=reader.floor_interval[1],
    )
    write_csv(calibration_out, calibration.assign(**knn_floor, template_floor=floor[0]))
    write_csv(readers_out, readers)
    write_csv(specificity_out, specificity)
    # The real digits' own gap, on a stream of its own (the sets' tests above keep theirs).
    similarity += reference_similarity(
        mnist.x_test[pick], mnist.y_test[pick], rng=np.random.default_rng(2), cap=SIMILARITY_CAP
    )
    columns = ["model", "method", "n", "within", "between", "gap", "p", "gap_low", "gap_high"]
    write_csv(similarity_out, pd.DataFrame(similarity, columns=columns))
    return table


def candidate_name(setting: dict) -> str:
    """A k-NN candidate's name in the tables: ``'k-NN blur 2 centred'``."""
    return f"k-NN blur {setting['blur']:g} {setting['similarity']}"


def choose_reader(
    mnist,
    template: np.ndarray,
    floor: tuple[float, float, float],
    *,
    knn: dict,
    candidates: list[dict],
    n_negatives: int,
    n_calibration: int,
    strengths: list[float],
):
    """Fit a k-NN reader per candidate setting (floors on one sample of negatives), measure every
    reader's sensitivity (:func:`calibrate`) and specificity (a fresh sample of negatives) and
    choose (:func:`~.reader.reader_table`); the chosen k-NN reader is named :data:`CHOSEN`.

    Args:
        mnist: the data set; template: ``(10, 28, 28)``; floor: the template reader's floor and
            its interval (:func:`template_floor`). knn, candidates, n_negatives, n_calibration,
            strengths: as :func:`likeness_table`'s.

    Returns:
        ``(readers, calibration, specificity, reader)``: the three tables and the chosen
        :class:`~.reader.KnnReader`.
    """
    names = [candidate_name(c) for c in candidates]
    if not names or len(set(names)) < len(names):
        raise ValueError(f"k-NN candidates must be one or more distinct settings, got {names}")
    n_train = min(knn["n_train"] or len(mnist.x_train), len(mnist.x_train))
    x, y = mnist.x_train[:n_train], mnist.y_train[:n_train]
    fit_sample = negatives(n_negatives, rng=np.random.default_rng(3), digits=x)
    held_out = negatives(n_negatives, rng=np.random.default_rng(4), digits=x)
    knns = {
        name: KnnReader(k=knn["k"], quantile=knn["quantile"], **c).fit(x, y, fit_sample)
        for name, c in zip(names, candidates, strict=True)
    }
    looks, calls = template_reader(template, floor[0])
    calibration = calibrate(
        {"template": looks, **{n: r.looks for n, r in knns.items()}},
        mnist,
        n=n_calibration,
        strengths=strengths,
    )
    specificity = specificity_table(
        {"template": calls, **{n: r.calls for n, r in knns.items()}}, held_out
    )
    settings = [
        dict(reader=n, blur=r.blur, similarity=r.similarity, floor=r.floor,
             floor_low=r.floor_interval[0], floor_high=r.floor_interval[1],
             floor_family=r.floor_family)
        for n, r in knns.items()
    ]  # fmt: skip
    settings.append(
        dict(reader="template", blur=np.nan, similarity="template", floor=floor[0],
             floor_low=floor[1], floor_high=floor[2], floor_family="real test digits")
    )  # fmt: skip
    readers = reader_table(pd.DataFrame(settings), calibration, specificity, candidates=names)
    chosen = readers.reader[readers.chosen].iloc[0]
    rename = {"reader": {chosen: CHOSEN}}
    return (
        readers.replace(rename),
        calibration.replace(rename),
        specificity.replace(rename),
        knns[chosen],
    )


def calibrate(readers: dict, mnist, *, n: int, strengths) -> pd.DataFrame:
    """``readers`` (name → ``looks(images, target)``) on blends of ``n`` test digits (the last
    ones: apart from the reference sample's seed) into uniform noise at each strength."""
    digits, labels = mnist.x_test[-n:], mnist.y_test[-n:]
    rng = np.random.default_rng(1)
    return calibration_table(readers, digits=digits, labels=labels, strengths=strengths, rng=rng)
