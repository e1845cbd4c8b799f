"""The reading page's deck, fixed by the run's seed: the fooling sets the visual claims are about,
a few images of every other set, the mean '2's, eigen-digits, blends and images with no digit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...search.registry import mean_name, set_name
from ..fooling.negatives import negatives
from ..fooling.reader import blend
from ..fooling.runs import by_key, read_arrays
from ..pca.compute import rescale_unit
from .format import DECK_FORMAT, deck_id, encode_pixels

# The sets the visual claims are about: C5 and C7 (Nielsen's MLP), D6 (the CNN's hill climbing).
FOCAL = (("mlp", "gradient"), ("mlp", "genetic"), ("cnn", "hillclimb"))
MEANS = (("mlp", "genetic"), ("mlp", "genetic_prior"))  # C9 and C14: the mean of the '2's


def item(group: str, name: str, image: np.ndarray, *, target=None, s=None) -> dict:
    """One card of the deck (id given later, in presentation order)."""
    return dict(
        group=group,
        set=name,
        target=None if target is None else int(target),
        s=None if s is None else float(s),
        pixels=encode_pixels(image),
    )


def balanced(target: np.ndarray, pool: np.ndarray, n: int, *, rng) -> np.ndarray:
    """Indices of ``n`` images of ``pool`` (bool ``(m,)``), every digit in turn in a random order
    (a digit without images is skipped), drawn at random within a digit; fewer when the pool
    runs out."""
    order = rng.permutation(10)  # a set with fewer than ten cards shows random digits
    queues = [list(rng.permutation(np.flatnonzero(pool & (target == d)))) for d in order]
    chosen = []
    while len(chosen) < n and any(queues):
        for q in queues:
            if q and len(chosen) < n:
                chosen.append(q.pop())
    return np.array(chosen, int)


def fooling_items(runs: dict[tuple[str, str], Path], *, per_set: int, per_other: int, rng):
    """Cards of the focal sets (``per_set`` each, every digit) and of every other set
    (``per_other`` each): replicate images that met their stop rule (all of a digit's
    replicates when none of them did)."""
    cards = []
    for (model, method), path in runs.items():
        n = per_set if (model, method) in FOCAL else per_other
        if not n:
            continue
        run = read_arrays(path, ("images", "target", "converged"), optional=("extra",))
        target = run["target"]
        replicate = ~run.get("extra", np.zeros(len(target), bool))
        converged = replicate & run["converged"]
        # a digit no run of which met the stop rule is shown by its unconverged images
        has = np.array([converged[target == d].any() for d in range(10)])
        pool = converged | (replicate & ~has[target])
        for i in balanced(target, pool, n, rng=rng):
            cards.append(
                item("fooling", set_name(model, method), run["images"][i], target=target[i])
            )
    return cards


def mean_items(runs: dict[tuple[str, str], Path]) -> list[dict]:
    """The mean of the converged '2's of each of :data:`MEANS` (extra '2's included, as the
    posts averaged them)."""
    cards = []
    for key in MEANS:
        if key not in runs:
            continue
        run = read_arrays(runs[key], ("images", "target", "converged"))
        twos = run["images"][(run["target"] == 2) & run["converged"]]
        if len(twos):
            cards.append(item("mean", mean_name(*key), twos.mean(axis=0), target=2))
    return cards


def eigen_items(components: np.ndarray, n: int) -> list[dict]:
    """The first ``n`` principal components ``(784, 784)`` rescaled to [0, 1], as the post
    shows them."""
    images = rescale_unit(components[:n].reshape(-1, 28, 28))
    return [item("eigen", "eigen-digits", image) for image in images]


def blend_items(digits, labels, *, strengths, per_strength: int, rng) -> list[dict]:
    """``per_strength`` test digits blended into uniform noise at each s (2× at s = 1)."""
    cards = []
    for s in strengths:
        n = 2 * per_strength if s == 1 else per_strength
        pick = rng.choice(len(digits), n, replace=False)
        noise = rng.random((n, 28, 28), dtype=np.float32)
        for image, label in zip(blend(digits[pick], noise, s), labels[pick], strict=True):
            cards.append(item("blend", "blends", image, target=label, s=s))
    return cards


def negative_items(digits, *, per_negative: int, rng) -> list[dict]:
    return [
        item("negative", family, image)
        for family, images in negatives(per_negative, rng=rng, digits=digits).items()
        for image in images
    ]


def build_deck(*, data: Path, runs: list[Path], pca: Path | None, seed: int, reading: dict):
    """The deck (:mod:`.format`) for the run's files and ``reading`` (config likeness.reading):
    cards shuffled by ``seed`` and numbered in presentation order."""
    from ..data.mnist import load_mnist

    rng = np.random.default_rng(seed)
    mnist = load_mnist(data)
    by_set = by_key(runs)
    cards = fooling_items(
        by_set, per_set=reading["per_set"], per_other=reading["per_other"], rng=rng
    )
    cards += mean_items(by_set)
    if pca is not None and reading["eigen"]:
        cards += eigen_items(read_arrays(pca, ("components",))["components"], reading["eigen"])
    x, y = mnist.x_test, mnist.y_test
    cards += blend_items(
        x, y, strengths=reading["strengths"], per_strength=reading["per_strength"], rng=rng
    )
    cards += negative_items(x, per_negative=reading["per_negative"], rng=rng)
    cards = [cards[i] for i in rng.permutation(len(cards))]
    items = [dict(id=f"i{i:03d}", **card) for i, card in enumerate(cards)]
    return dict(
        format=DECK_FORMAT,
        id=deck_id(items),
        seed=int(seed),
        display_s=float(reading["display_s"]),
        items=items,
    )
