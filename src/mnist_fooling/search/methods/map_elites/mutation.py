"""The paper's variation of one image: sferes' polynomial mutation of pixels in [0, 1]."""

from __future__ import annotations

import numpy as np

PIXELS = 28 * 28


def polynomial_mutation(
    x: np.ndarray, *, rate: float, eta: float, rng: np.random.Generator
) -> np.ndarray:
    """Deb's polynomial mutation of pixels in [0, 1], as sferes' ``evo_float`` applies it.

    Args:
        x: ``(..., 784)`` parents. rate: probability that a pixel mutates. eta: strength
            (larger = smaller steps).

    Returns:
        ``(..., 784)`` float32 children, clipped to [0, 1].
    """
    mutate = rng.random(x.shape, dtype=np.float32) < rate
    u = rng.random(int(mutate.sum()), dtype=np.float32)
    power = 1.0 / (eta + 1.0)
    delta = np.where(u < 0.5, (2 * u) ** power - 1, 1 - (2 * (1 - u)) ** power)
    child = x.astype(np.float32, copy=True)
    child[mutate] += delta.astype(np.float32)
    return np.clip(child, 0.0, 1.0)
