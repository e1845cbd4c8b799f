"""N1 and N2 on synthetic MAP-Elites and retrained-model runs."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import nguyen
from tests.claims.builders import M, N, P, R, U, runs


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
        # No replicate complete; half the digit searches converged by generation 200: 10/20,
        # [30%, 70%] straddles half.
        (per_run({}, 200), per_run({(d, r): d < 5 for d in range(10) for r in (0, 1)}, 0), U, 0),
        (per_run({}, 200), per_run({(d, r): d < 8 for d in range(10) for r in (0, 1)}, 0), P, 0),
        (per_run({}, 201), per_run({}, True), N, 0),  # all converged, but after 200
        (per_run({}, 150), per_run({(d, r): d < 4 for d in range(10) for r in (0, 1)}, 0), U, 0),
        (per_run({}, 150), per_run({(d, r): d < 1 for d in range(10) for r in (0, 1)}, 0), N, 0),
    ],
)
def test_n1_map_elites_every_run_within_fifty_generations(steps, converged, expected, in_50):
    got = nguyen.n1(map_elites(steps, converged.astype(bool)))
    assert got["verdict"] == expected and got["value"].startswith(f"{in_50}/2 runs; ")
    assert got["between"] == ("not reproduced or partly" if expected == U else "")


def test_n1_needs_a_whole_replicate_of_map_elites():
    frame = map_elites(per_run({}, 40), per_run({}, True))
    assert nguyen.n1(frame[frame.target != 9]) is None
    assert nguyen.n1(frame.assign(model="mlp")) is None and nguyen.n1(None) is None


def searches(k: int, n: int) -> pd.DataFrame:
    """``n`` CNN MAP-Elites searches of one round, digit-major, the first ``k`` converged."""
    targets = np.arange(n) % 10
    return runs("cnn", "map_elites", targets, converged=np.arange(n) < k, evaluations=400)


def retrain(n_images: int) -> pd.DataFrame:
    row = dict(fooling_images=n_images, weight=2.0, test_accuracy=0.98, caught=0.97,
               noise_caught=1.0)  # fmt: skip
    return pd.DataFrame([row])


def rounds(before, *after, continued=None) -> pd.DataFrame:
    """The per-round table: ``before`` = round 0's ``(k, n)`` searches reaching the threshold,
    ``after[r-1]`` round r's, ``continued`` the continued searches' (None: not run)."""
    from mnist_fooling.stages.eleventh.rounds import rounds_table

    more = None
    if continued is not None:
        more = searches(*continued).assign(start_fooling=False, generations=250)
    return rounds_table(
        before=searches(*before),
        retrains=[retrain(100 * (r + 1)) for r in range(len(after))],
        searches=[searches(*k) for k in after],
        continued=more,
    )


U = "undecided"
# Round 0: 20/20 searches reach the threshold (p0 = 100%): bounds 50% and 20%.
ALL = (20, 20)


@pytest.mark.parametrize(
    ("before", "after", "continued", "expected", "between", "value"),
    [
        (ALL, [(20, 20)], None, R, "", "100% [84%, 100%]"),
        (ALL, [(200, 200)], None, R, "", "100% [98%, 100%]"),
        (ALL, [(130, 200)], None, R, "", "65% [58%, 71%]"),  # interval above 50%
        (ALL, [(10, 20)], None, U, "partly or reproduced", "50% [30%, 70%]"),
        (ALL, [(70, 200)], None, P, "", "35% [29%, 42%]"),  # within [20%, 50%)
        (ALL, [(45, 200)], None, U, "not reproduced or partly", "22% [17%, 29%]"),
        (ALL, [(1, 20)], None, U, "not reproduced or partly", "5% [1%, 24%]"),
        (ALL, [(0, 20)], None, N, "", "0% [0%, 16%]"),  # the defence works
        (ALL, [(10, 200)], None, N, "", "5% [3%, 9%]"),
        # Relative to round 0: half of p0 = 50% is 25%.
        ((10, 20), [(10, 20)], None, R, "", "50% [30%, 70%]"),
        ((100, 200), [(100, 200)], None, R, "", "50% [43%, 57%]"),
        ((100, 200), [(30, 200)], None, P, "", "15% [11%, 21%]"),
        ((100, 200), [(5, 200)], None, N, "", "2% [1%, 6%]"),
        # A weak baseline decides little: 0/20 is compatible with the defence doing nothing.
        ((2, 20), [(0, 20)], None, U, "not reproduced or reproduced", "0% [0%, 16%]"),
        # Nothing fooled before retraining: no test of the defence.
        ((0, 20), [(0, 20)], None, M, "", "0% [0%, 16%]"),
        ((0, 20), [(20, 20)], None, M, "", "100% [84%, 100%]"),
        ((0, 20), [(0, 20)], (20, 20), M, "", "0% [0%, 16%]"),
        # The last round decides.
        (ALL, [(0, 20), (0, 20), (20, 20)], None, R, "", "100% [84%, 100%]"),
        (ALL, [(20, 20), (20, 20), (0, 20)], None, N, "", "0% [0%, 16%]"),
        # The continued searches (ours) lift it to partly, never further, and never lower it.
        (ALL, [(0, 20)], (20, 20), P, "", "100% [84%, 100%] continued"),
        (ALL, [(0, 20)], (3, 20), U, "not reproduced or partly", "15% [5%, 36%] continued"),
        (ALL, [(0, 20)], (0, 20), N, "", "0% [0%, 16%]"),
        (ALL, [(1, 20)], (20, 20), P, "", "100% [84%, 100%] continued"),
        (ALL, [(70, 200)], (200, 200), P, "", "35% [29%, 42%]"),  # partly already
        (ALL, [(20, 20)], (20, 20), R, "", "100% [84%, 100%]"),
        (ALL, [(10, 20)], (20, 20), U, "partly or reproduced", "50% [30%, 70%]"),
    ],
)
def test_n2_outcomes(before, after, continued, expected, between, value):
    got = nguyen.n2(rounds(before, *after, continued=continued))
    assert (got["verdict"], got["between"], got["value"]) == (expected, between, value)
    k, n = after[-1]
    assert f"after {len(after)} rounds" in got["measured"]
    assert f"{100 * len(after):,} fooling images; it catches 97%" in got["measured"]
    assert f"in the last round {k}/{n} = " in got["measured"]
    assert f"before retraining {before[0]}/{before[1]} = " in got["measured"]
    by_round = ", ".join(f"{a}/{b}" for a, b in (before, *after))
    assert f"from before retraining: {by_round})" in got["measured"]
    assert ("continued (ours) 250 more generations" in got["measured"]) == (continued is not None)
    assert "p0/2" in got["criterion"] and "p0/5" in got["criterion"]


@pytest.mark.parametrize(
    ("fresh", "continued", "before", "expected"),
    [
        (0.5, None, 1.0, R),  # the bounds are inclusive
        (0.4999, None, 1.0, P),
        (0.2, None, 1.0, P),
        (0.1999, None, 1.0, N),
        (0.25, None, 0.5, R),  # relative to round 0's share
        (0.0999, None, 0.5, N),
        (0.0, 0.2, 1.0, P),  # lifted by the continued searches
        (0.0, 1.0, 1.0, P),  # never to reproduced
        (0.0, 0.1999, 1.0, N),
        (0.6, 0.0, 1.0, R),  # never lowered
        (0.3, 0.0, 1.0, P),
    ],
)
def test_n2_outcome_at_the_bounds(fresh, continued, before, expected):
    assert nguyen.n2_outcome(fresh, continued, before=before) == expected


def test_n2_without_the_retrained_search():
    assert nguyen.n2(None) is None
    assert nguyen.n2(rounds(ALL, ALL).iloc[:1]) is None  # round 0 only
    only_continued = rounds(ALL, ALL, continued=ALL)
    assert nguyen.n2(only_continued[only_continued.search == "continued"]) is None


def test_n2_reads_a_table_without_the_search_column():
    table = rounds(ALL, (0, 20)).drop(columns=["search", "start_caught", "more_generations"])
    assert nguyen.n2(table)["verdict"] == N
