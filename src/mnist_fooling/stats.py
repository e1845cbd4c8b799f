"""Small statistics helpers: Wilson score intervals for proportions."""

from __future__ import annotations

import math


def wilson_interval(successes: int, n: int, *, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95% by default) for ``successes`` out of ``n``.

    Raises:
        ValueError: if ``n`` is negative or ``successes`` is outside ``0..n``.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # The exact bounds at 0 and n (rounding would leave e.g. 4e-19 instead of 0).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def accuracy_row(correct: int, n: int, **keys) -> dict:
    """``keys`` plus n, correct, accuracy and its Wilson interval (ci_low, ci_high)."""
    low, high = wilson_interval(correct, n)
    return dict(**keys, n=n, correct=correct, accuracy=correct / n, ci_low=low, ci_high=high)
