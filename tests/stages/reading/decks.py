"""``synthetic_deck``: a small reading deck of all five groups in the deck format, for tests."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mnist_fooling.stages.reading.format import DECK_FORMAT, deck_id, encode_pixels

# (group, set, target, s) of one copy of the deck: 12 items
ITEMS = (
    ("blend", "blends", 1, 1.0),
    ("blend", "blends", 4, 1.0),
    ("blend", "blends", 7, 0.5),
    ("blend", "blends", 2, 0.0),
    ("negative", "smooth blobs", None, None),
    ("negative", "smooth blobs", None, None),
    ("negative", "uniform noise", None, None),
    ("fooling", "MLP, gradient", 3, None),
    ("fooling", "MLP, gradient", 8, None),
    ("fooling", "CNN, genetic", 5, None),
    ("mean", "MLP, genetic: mean '2'", 2, None),
    ("eigen", "eigen-digits", None, None),
)


def glyph(digit: int) -> np.ndarray:
    """A (28, 28) image of ``digit`` typeset in white on black, ink in [0, 1]."""
    image = Image.new("L", (28, 28))
    font = ImageFont.load_default(size=20)
    draw = ImageDraw.Draw(image)
    draw.text((14, 14), str(digit), fill=255, font=font, anchor="mm", stroke_width=1)
    return np.asarray(image, dtype=np.float64) / 255


def _image(group: str, target, s, rng) -> np.ndarray:
    noise = rng.random((28, 28))
    if group == "blend":
        return s * glyph(target) + (1 - s) * noise
    if group == "negative":
        blob = np.exp(-((np.arange(28) - rng.uniform(6, 22)) ** 2) / 30)
        return np.outer(blob, np.roll(blob, rng.integers(-8, 8)))
    if group == "eigen":
        return 0.5 + 0.5 * np.sin(np.arange(784).reshape(28, 28) / rng.uniform(20, 40))
    if group == "mean":
        return 0.4 * glyph(target) + 0.3 * noise
    return noise


def synthetic_deck(*, display_s: float | None = 0.2, seed: int = 0, copies: int = 1) -> dict:
    """A deck of ``copies`` × the 12 items of :data:`ITEMS` (all five groups), shuffled by
    ``seed`` into presentation order, ids ``i000``, ``i001``, … in that order."""
    rng = np.random.default_rng(seed)
    specs = [spec for _ in range(copies) for spec in ITEMS]
    items = []
    for k, i in enumerate(rng.permutation(len(specs))):
        group, name, target, s = specs[i]
        pixels = encode_pixels(np.clip(_image(group, target, s, rng), 0, 1))
        items.append(dict(id=f"i{k:03d}", group=group, set=name, target=target, s=s, pixels=pixels))
    return {
        "format": DECK_FORMAT,
        "id": deck_id(items),
        "seed": seed,
        "display_s": display_s,
        "items": items,
    }
