"""Images with no digit in them, in families a reader of likeness must reject: noise, smooth
blobs, a raised centre, sparse dots like hill climbing's, and phase-scrambled digits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import gaussian_filter

RAISE = 0.1  # the raised-centre family: uniform noise plus this in the central 20 × 20
DOTS = (0.04, 0.16)  # the sparse-dots family: the share of pixels lit, drawn per image
DOT_SPREAD = 6.0  # pixels: a dot's chance falls off from the centre as a Gaussian of this width


def stretched(x: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` each image shifted and scaled to span [0, 1] (a flat one becomes 0)."""
    low = x.min(axis=(1, 2), keepdims=True)
    span = x.max(axis=(1, 2), keepdims=True) - low
    return np.divide(x - low, span, out=np.zeros_like(x), where=span > 0).astype(np.float32)


def uniform_noise(n: int, *, rng, digits: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` i.i.d. uniform pixels: the searches' start."""
    return rng.random((n, 28, 28), dtype=np.float32)


def smooth_blobs(n: int, *, rng, digits: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` uniform noise blurred by a Gaussian of σ = 2 (first half) or 3 pixels,
    stretched to [0, 1]: smooth shapes with no stroke."""
    x = rng.random((n, 28, 28), dtype=np.float32)
    half = n // 2
    x[:half] = gaussian_filter(x[:half], sigma=(0, 2, 2), mode="reflect")
    x[half:] = gaussian_filter(x[half:], sigma=(0, 3, 3), mode="reflect")
    return stretched(x)


def raised_centre(n: int, *, rng, digits: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` uniform noise with the central 20 × 20, where digits sit, raised by
    :data:`RAISE` (clipped to 1): mass in the centre and nothing else."""
    x = rng.random((n, 28, 28), dtype=np.float32)
    x[:, 4:24, 4:24] += RAISE
    return np.clip(x, 0, 1)


def sparse_dots(n: int, *, rng, digits: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` black images with 4–16% of pixels lit (at 0.5–1), more often near the
    centre: what hill climbing's sparse masks on a blank base look like."""
    yy, xx = np.mgrid[:28, :28] - 13.5
    weight = np.exp(-(yy**2 + xx**2) / (2 * DOT_SPREAD**2))  # (28, 28)
    share = rng.uniform(*DOTS, size=(n, 1, 1))
    chance = np.clip(share * weight / weight.mean(), 0, 1)  # (n, 28, 28), mean ≈ share
    lit = rng.random((n, 28, 28)) < chance
    return np.where(lit, rng.uniform(0.5, 1.0, (n, 28, 28)), 0).astype(np.float32)


def phase_scrambled(n: int, *, rng, digits: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` real digits (drawn from ``digits`` ``(m, 28, 28)``) with their Fourier
    amplitudes kept and their phases replaced by a real noise image's: the same spatial
    frequencies, no shape; stretched to [0, 1]."""
    pick = digits[rng.integers(len(digits), size=n)].astype(np.float64)
    amplitude = np.abs(np.fft.rfft2(pick))
    # a real image's phases keep the spectrum Hermitian, so the inverse is real
    phase = np.angle(np.fft.rfft2(rng.random((n, 28, 28))))
    return stretched(np.fft.irfft2(amplitude * np.exp(1j * phase), s=(28, 28)))


Family = Callable[..., np.ndarray]
NEGATIVES: dict[str, Family] = {
    "uniform noise": uniform_noise,
    "smooth blobs": smooth_blobs,
    "raised centre": raised_centre,
    "sparse dots": sparse_dots,
    "phase-scrambled digits": phase_scrambled,
}


def negatives(n: int, *, rng, digits: np.ndarray) -> dict[str, np.ndarray]:
    """Family name → ``(n, 28, 28)`` images in [0, 1], every family of :data:`NEGATIVES`."""
    if n < 1:
        raise ValueError(f"negatives: n = {n} must be at least 1")
    return {name: make(n, rng=rng, digits=digits) for name, make in NEGATIVES.items()}
