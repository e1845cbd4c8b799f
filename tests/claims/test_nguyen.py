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


def searches(fooled: int | None, replicates: int = 1) -> pd.DataFrame:
    """CNN MAP-Elites searches of one round with the first ``fooled`` digits converged (None:
    the search did not run, no rows)."""
    if fooled is None:
        return runs("cnn", "map_elites", np.arange(0)).assign(evaluations=0)
    targets = np.repeat(np.arange(10), replicates)
    return runs("cnn", "map_elites", targets, converged=targets < fooled, evaluations=400)


def retrain(n_images: int) -> pd.DataFrame:
    row = dict(fooling_images=n_images, weight=2.0, test_accuracy=0.98, caught=0.97,
               noise_caught=1.0)  # fmt: skip
    return pd.DataFrame([row])


def rounds(before: int | None, *after: int) -> pd.DataFrame:
    """The per-round table: ``before`` digits fooled in round 0, ``after[r-1]`` in round r."""
    from mnist_fooling.stages.eleventh.rounds import rounds_table

    return rounds_table(
        before=searches(before, replicates=2),
        retrains=[retrain(100 * (r + 1)) for r in range(len(after))],
        searches=[searches(k) for k in after],
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (10, (10,), R),
        (10, (9,), P),  # one digit short of every digit
        (10, (1,), P),
        (10, (0,), N),  # the defence works
        (1, (0,), N),  # the fewest fooled before that makes it a test
        (0, (0,), M),  # nothing fooled before either: no test
        (0, (3,), M),
        (0, (10,), R),
        (None, (0,), M),  # the search did not run before retraining
        (10, (0, 0, 10), R),  # the last round decides
        (10, (10, 10, 0), N),
        (10, (10, 4), P),
    ],
)
def test_n2_every_digit_fooled_in_the_last_round(before, after, expected):
    got = nguyen.n2(rounds(before, *after))
    assert got["verdict"] == expected
    assert got["value"] == f"{after[-1]}/10 digits"
    assert f"after {len(after)} rounds" in got["measured"]
    assert f"{100 * len(after):,} fooling images; it catches 97%" in got["measured"]
    assert f"{after[-1]}/10 = " in got["measured"]  # k/n of the last round's searches
    by_round = ", ".join(str(k) for k in (before or 0, *after))
    assert got["measured"].endswith(f"from before retraining: {by_round})")


def test_n2_without_the_retrained_search():
    assert nguyen.n2(None) is None
    assert nguyen.n2(rounds(10, 10).iloc[:1]) is None  # round 0 only
