"""Small statistics helpers: Wilson intervals (statsmodels), one-sided rate comparisons and
percentile bootstrap intervals (scipy)."""

from __future__ import annotations

import numpy as np
from scipy.stats import binom, bootstrap, fisher_exact
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


def bootstrap_interval(
    *samples: np.ndarray, statistic, paired: bool = False, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of ``statistic(*samples, axis=-1)``; ``paired``
    resamples the samples' entries together (e.g. a digit before and after a change). Seeded:
    the same samples give the same interval.

    Raises:
        ValueError: if a sample is empty or ``resamples`` < 1.
    """
    if resamples < 1 or any(len(s) == 0 for s in samples):
        raise ValueError(f"need non-empty samples and resamples >= 1, got {resamples}")
    if all(np.all(s == s[0]) for s in samples):  # a constant sample: the interval is the value
        value = float(statistic(*samples, axis=-1))
        return value, value
    result = bootstrap(
        samples,
        statistic,
        paired=paired,
        vectorized=True,
        n_resamples=resamples,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def quantile_interval(x: np.ndarray, q: float) -> tuple[float, float]:
    """The distribution-free 95% interval of the ``q`` quantile of the sample ``x`` ``(n,)``:
    the order statistics whose ranks bracket the binomial(n, q) count's central 95%.

    Raises:
        ValueError: if ``x`` is empty or ``q`` is outside (0, 1).
    """
    if len(x) == 0 or not 0 < q < 1:
        raise ValueError(f"need a non-empty sample and 0 < q < 1, got n={len(x)}, q={q}")
    ordered = np.sort(np.asarray(x, float))
    n = len(ordered)
    low, high = int(binom.ppf(0.025, n, q)), int(binom.ppf(0.975, n, q))
    return float(ordered[max(low - 1, 0)]), float(ordered[min(high, n - 1)])
