"""Small statistics helpers: Wilson intervals (statsmodels) and one-sided rate comparisons."""

from __future__ import annotations

from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval for ``successes`` out of ``n`` ((0, 1) when n = 0).

    Raises:
        ValueError: if ``n`` is negative or ``successes`` is outside ``0..n``.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    # The exact bounds at 0 and n (rounding would leave e.g. 4e-19 instead of 0).
    return (0.0 if successes == 0 else float(low), 1.0 if successes == n else float(high))


def lower_rate(k1: int, n1: int, k2: int, n2: int) -> float:
    """One-sided Fisher exact p-value that rate ``k1/n1`` is below rate ``k2/n2``."""
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    return float(fisher_exact(table, alternative="less").pvalue)


def accuracy_row(correct: int, n: int, **keys) -> dict:
    """``keys`` plus n, correct, accuracy and its Wilson interval (ci_low, ci_high)."""
    low, high = wilson_interval(correct, n)
    return dict(**keys, n=n, correct=correct, accuracy=correct / n, ci_low=low, ci_high=high)
