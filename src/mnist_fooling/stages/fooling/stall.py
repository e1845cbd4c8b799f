"""When a search has stopped getting anywhere: the rise of a run's best target output over its
last iterations, read off the convergence curve every run records
(:data:`mnist_fooling.search.engine.CURVE_EVALUATIONS`), after the search, so the rule needs no
change of the search and works on any run file.

Seed 003's "stuck in local minima" (D7) is a run that stops improving *meaningfully* below 0.99;
the search's own patience rule (not the least rise for ``patience`` iterations) can hardly fire
with 500 candidates per iteration, keep-the-best.
"""

from __future__ import annotations

import numpy as np

# The window a reader would look back over: 50 hill-climbing iterations (25,000 evaluations at
# 500 candidates) is a quarter of the default's 200-iteration cap, long enough that a run still
# climbing towards 0.99 shows it (the default's converged runs mostly needed fewer than 50).
STALL_WINDOW = 50


def late_gain(
    curve: np.ndarray,
    grid: np.ndarray,
    evaluations: np.ndarray,
    steps: np.ndarray,
    window: int = STALL_WINDOW,
) -> np.ndarray:
    """``(n,)`` how much each run's best target output rose over (at least) its last ``window``
    steps.

    Args:
        curve: ``(n, len(grid))`` best target output once a run had spent ``grid[g]``
            evaluations (NaN before its first; its final best carried to the end).
        grid: ``(g,)`` increasing evaluation counts.
        evaluations: ``(n,)`` evaluations each run spent; steps: ``(n,)`` steps it took.

    Returns:
        The final best minus the best at the last grid point at or before ``window`` steps'
        worth of evaluations (``evaluations / steps`` each) before the end. The window is never
        shorter than asked, so a run counts as stalled on no less evidence; with ten grid
        points a decade its start lies at most a fifth (1 − 10^−0.1) of the run's evaluations
        earlier (50 steps at the end of 200 become 50 to 81). A run of at most ``window``
        steps: its rise since its first evaluation.
    """
    curve = np.asarray(curve, np.float64)
    evaluations = np.asarray(evaluations, np.float64)
    steps = np.asarray(steps, np.float64)
    if curve.ndim != 2 or curve.shape[1] != len(grid) or len(curve) != len(evaluations):
        raise ValueError(f"curve {curve.shape} does not match grid {len(grid)} and runs")
    final = curve[:, -1]
    per_step = np.divide(evaluations, steps, out=np.zeros_like(evaluations), where=steps > 0)
    cut = evaluations - window * per_step
    seen = ~np.isnan(curve)
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), len(grid) - 1)
    at = np.searchsorted(np.asarray(grid), cut, side="right") - 1  # last point ≤ cut
    at = np.where((steps > window) & (at >= first), at, first)
    return final - curve[np.arange(len(curve)), at]
