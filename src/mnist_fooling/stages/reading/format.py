"""The reading deck's and answer file's format: its constants, the deck's id and the images as
base64 (shared by the deck, the page and the panel)."""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np

DECK_FORMAT = "mnist-fooling-deck/1"
ANSWERS_FORMAT = "mnist-fooling-reading/1"
GROUPS = ("fooling", "blend", "negative", "mean", "eigen")
NO_DIGIT = "none"  # the answer for "no digit"; the others are "0".."9"
SIDE = 28


def deck_id(items: list[dict]) -> str:
    """12 hex characters of the sha256 of ``items`` as compact, key-sorted JSON."""
    text = json.dumps(items, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def encode_pixels(image) -> str:
    """Base64 of a (28, 28) image of ink in [0, 1] as 784 bytes, row-major, round(255 · x)."""
    x = np.asarray(image, dtype=np.float64)
    if x.shape != (SIDE, SIDE):
        raise ValueError(f"an image must be {SIDE} x {SIDE}, got shape {x.shape}")
    if not np.all(np.isfinite(x)) or x.min() < -1e-6 or x.max() > 1 + 1e-6:
        raise ValueError("an image's pixels must be ink in [0, 1]")
    data = np.rint(np.clip(x, 0, 1) * 255).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_pixels(text: str) -> np.ndarray:
    """The (28, 28) float32 image in [0, 1] of :func:`encode_pixels`'s base64 ``text``."""
    data = base64.b64decode(text, validate=True)
    if len(data) != SIDE * SIDE:
        raise ValueError(f"pixels must be {SIDE * SIDE} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=np.uint8).reshape(SIDE, SIDE).astype(np.float32) / 255
