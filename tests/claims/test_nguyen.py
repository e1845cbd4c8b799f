"""N1 and N2 on synthetic MAP-Elites and retrained-model runs."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import nguyen
from tests.claims.builders import M, N, P, R, runs


def map_elites(steps, converged, replicates: int = 2) -> pd.DataFrame:
    """CNN MAP-Elites runs, digit-major: ``steps``/``converged`` per (digit, replicate)."""
    targets = np.repeat(np.arange(10), replicates)
    frame = runs("cnn", "map_elites", targets, steps=steps, converged=converged)
    return frame.assign(shared_evaluations=True)


def per_run(values: dict, default, replicates: int = 2) -> np.ndarray:
    """``(10 * replicates,)`` digit-major; ``values`` maps ``(digit, replicate)``."""
    out = np.full(10 * replicates, default, dtype=object)
    for (d, r), v in values.items():
        out[d * replicates + r] = v
    return out.astype(type(default))


@pytest.mark.parametrize(
    ("steps", "converged", "expected", "in_50"),
    [
        (per_run({}, 40), per_run({}, True), R, 2),
        (per_run({}, 50), per_run({}, True), R, 2),  # 50 generations exactly
        (per_run({(3, 1): 51}, 40), per_run({}, True), P, 1),  # one replicate takes 51
        (per_run({(3, 1): 200}, 40), per_run({(3, 1): False}, True), P, 1),  # a digit never
        # No replicate complete; half the digit searches converged by generation 200.
        (per_run({}, 200), per_run({(d, r): d < 5 for d in range(10) for r in (0, 1)}, 0), P, 0),
        (per_run({}, 201), per_run({}, True), N, 0),  # all converged, but after 200
        (per_run({}, 150), per_run({(d, r): d < 4 for d in range(10) for r in (0, 1)}, 0), N, 0),
    ],
)
def test_n1_map_elites_every_run_within_fifty_generations(steps, converged, expected, in_50):
    got = nguyen.n1(map_elites(steps, converged.astype(bool)))
    assert got["verdict"] == expected and got["value"] == f"{in_50}/2 runs"


def test_n1_needs_a_whole_replicate_of_map_elites():
    frame = map_elites(per_run({}, 40), per_run({}, True))
    assert nguyen.n1(frame[frame.target != 9]) is None
    assert nguyen.n1(frame.assign(model="mlp")) is None and nguyen.n1(None) is None


def eleventh_after(converged) -> pd.DataFrame:
    return runs("cnn", "map_elites", np.arange(10), converged=np.asarray(converged, bool))


SUMMARY = pd.DataFrame(
    [
        dict(measure="test accuracy on the digits", value=0.98, n=10000),
        dict(measure="fooling images called 'fooling'", value=0.97, n=300),
    ]
)


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        (np.ones(10), np.ones(10), R),
        (np.arange(10) < 3, np.ones(10), P),
        (np.zeros(10), np.ones(10), N),  # the defence works
        (np.zeros(10), np.arange(10) < 1, N),
        (np.zeros(10), np.zeros(10), M),  # nothing fooled before either: no test
        (np.arange(10) < 3, np.zeros(10), M),
        (np.ones(10), np.zeros(10), R),
        (np.zeros(10), None, M),  # the search did not run before retraining
    ],
)
def test_n2_every_digit_fooled_again(after, before, expected):
    before = None if before is None else eleventh_after(before)
    got = nguyen.n2(before, SUMMARY, eleventh_after(after))
    assert got["verdict"] == expected
    assert got["value"] == f"{int(np.sum(after))}/10 digits"
    assert "catches 97%" in got["measured"]


def test_n2_without_the_retrained_search():
    before = eleventh_after(np.ones(10))
    assert nguyen.n2(before, None, eleventh_after(np.ones(10))) is None
    assert nguyen.n2(before, SUMMARY, None) is None
    assert nguyen.n2(before, SUMMARY, eleventh_after(np.ones(10)).iloc[:0]) is None
