"""The stall rule's measurement: the rise of a run's best target output over its last steps,
read off the recorded convergence curve."""

import numpy as np
import pytest

from mnist_fooling.search.engine import CURVE_EVALUATIONS, _Curve
from mnist_fooling.stages.fooling.stall import STALL_WINDOW, late_gain


def recorded(best_per_step: np.ndarray, per_step: int = 500) -> tuple[np.ndarray, int, int]:
    """One run's curve as the engine records it: one evaluation at the start (best 0), then
    ``per_step`` evaluations a step reaching ``best_per_step[i]``."""
    curve = _Curve(1)
    curve.update(np.array([0]), np.array([1]), np.array([0.0], np.float32))
    spent = 1
    for best in best_per_step:
        spent += per_step
        curve.update(np.array([0]), np.array([spent]), np.array([best], np.float32))
    return curve.finish()[0], spent, len(best_per_step)


def gain_of(best_per_step, window=STALL_WINDOW, per_step=500) -> float:
    curve, spent, steps = recorded(np.asarray(best_per_step, float), per_step)
    return float(late_gain(curve[None], CURVE_EVALUATIONS, [spent], [steps], window)[0])


def test_a_flat_run_has_no_late_gain_and_a_climbing_one_has():
    flat = np.r_[np.linspace(0.1, 0.9, 100), np.full(100, 0.9)]  # flat for the last 100 steps
    assert gain_of(flat) == pytest.approx(0.0, abs=1e-6)
    climbing = np.linspace(0.1, 0.9, 200)  # 0.004 a step: 0.2 over 50 steps
    # At least the window; its start at the last recorded point before it, at most a fifth of
    # the run's evaluations earlier (the grid: ten points a decade): ≤ 81 steps of 200 here.
    assert 0.2 <= gain_of(climbing) <= 0.004 * 81


def test_the_window_is_never_shorter_than_asked():
    # A rise 40 steps before the end lies inside a 50-step window, wherever the grid falls.
    best = np.r_[np.full(160, 0.5), np.full(40, 0.6)]
    assert gain_of(best) == pytest.approx(0.1, abs=1e-6)
    # A rise 100 steps before the end lies outside it (the grid lengthens 50 steps to ≤ 63).
    best = np.r_[np.full(100, 0.5), np.full(100, 0.6)]
    assert gain_of(best) == pytest.approx(0.0, abs=1e-6)


def test_a_run_shorter_than_the_window_counts_its_rise_since_the_start():
    assert gain_of([0.2, 0.3, 0.4], window=50) == pytest.approx(0.4, abs=1e-6)
    # Two steps of a longer run, where the grid happens to fall on the window's start.
    assert gain_of([0.2] * 20 + [0.3, 0.4], window=2) == pytest.approx(0.2, abs=1e-6)


def test_several_runs_at_once_and_a_shape_mismatch():
    a, spent_a, steps_a = recorded(np.r_[np.full(150, 0.3), np.full(50, 0.35)])
    b, spent_b, steps_b = recorded(np.linspace(0.0, 0.99, 30))
    got = late_gain(np.stack([a, b]), CURVE_EVALUATIONS, [spent_a, spent_b], [steps_a, steps_b])
    assert got[0] == pytest.approx(0.05, abs=1e-6) and got[1] == pytest.approx(0.99, abs=1e-6)
    with pytest.raises(ValueError, match="does not match"):
        late_gain(np.stack([a, b]), CURVE_EVALUATIONS[:-1], [1, 1], [1, 1])
