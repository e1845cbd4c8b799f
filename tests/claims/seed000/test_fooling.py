"""C4, C6, C8 on synthetic fooling runs: gradient descent per digit, genetic rates and times."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.common import pct, replicates
from mnist_fooling.claims.seed000.fooling import convergence_times
from tests.claims.builders import TARGETS_10, TOO_SMALL, N, P, R, U, per_digit, runs, verdict

# statsmodels warns while it computes interval ends that do not exist (all runs censored).
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:statsmodels")


def gradient_runs(conf: dict, top_one: float | list = 0.08, k: int = 10, default=0.99):
    """MLP gradient runs, ``k`` per digit, target outputs per digit (default ``default``)."""
    targets = np.repeat(np.arange(10), k)
    confidence = per_digit(conf, default, k)
    top = np.where(targets == 1, per_digit({1: top_one}, 0.0, k), confidence)
    return runs("mlp", "gradient", targets, confidence=confidence, top_output=top)


@pytest.mark.parametrize(
    ("conf", "top_one", "expected"),
    [
        ({1: 0.05}, 0.08, R),  # nine digits at >= 96%, '1' fails with a low top output
        ({1: 0.05}, 0.119, R),
        ({1: 0.05}, 0.12, P),  # '1' fails but its top output is not below 12%
        ({1: 0.05, 0: 0.96}, 0.08, R),  # 96% exactly counts as reaching it
        ({1: 0.05, 0: 0.9599}, 0.08, P),  # '0' fails too: not exactly the nine
        ({1: 0.05, 7: 0.5}, 0.08, P),  # whichever other digit it is
        # Half or fewer of ten runs: each interval ([24%, 76%], [17%, 69%]) straddles half.
        ({1: [0.99] * 5 + [0.05] * 5}, 0.08, U),  # '1' reaches it in half its runs
        ({1: [0.99] * 4 + [0.05] * 6}, 0.08, U),
        ({1: [0.99] * 2 + [0.05] * 8}, 0.08, U),  # 2/10: [5.7%, 51.0%] still reaches half
        ({1: [0.99] * 1 + [0.05] * 9}, 0.08, R),  # 1/10: [1.8%, 40.4%]
        ({1: 0.05, 7: [0.99] * 5 + [0.5] * 5}, 0.08, U),  # '7' in half its runs
        ({1: 0.05, 7: [0.99] * 4 + [0.5] * 6}, 0.08, U),
        ({1: 0.05, 7: [0.99] * 8 + [0.5] * 2}, 0.08, U),  # 8/10: [49.0%, 94.3%]
        ({1: 0.05, 7: [0.99] * 9 + [0.5] * 1}, 0.08, R),  # 9/10: [59.6%, 98.2%]
        ({}, 0.99, N),  # every digit converges, '1' too
        ({1: [0.99] * 3 + [0.05] * 7, 0: 0.05}, 0.5, N),  # '0' is the lowest, not '1'
    ],
)
def test_c4_nine_digits_converge_and_one_fails(conf, top_one, expected):
    got = seed000.c4(gradient_runs(conf, top_one))
    assert got["verdict"] == expected
    assert got["between"] == ("partly or reproduced" if expected == U else "")


def test_c4_partly_needs_a_significantly_lower_rate_for_one():
    # Two runs per digit: '1' converges in 1 of 2, the rest in 18 of 18; Fisher p = 0.1.
    few = gradient_runs({1: [0.99, 0.05]}, top_one=[0.99, 0.05], k=2)
    assert verdict(seed000.c4(few)) == N
    # '1' failing both runs: p = 0.005; the median top output of 99% keeps it from "fails".
    assert verdict(seed000.c4(gradient_runs({1: 0.05}, top_one=0.99, k=2))) == P
    assert verdict(seed000.c4(gradient_runs({1: 0.05}, top_one=0.99, k=1))) == N  # p = 0.1


def test_c4_counts_replicates_of_the_mlp_only():
    base = gradient_runs({1: 0.05})
    extras = runs("mlp", "gradient", np.full(50, 2), confidence=0.0, extra=True)
    other = runs("cnn", "gradient", TARGETS_10, confidence=0.0)
    assert verdict(seed000.c4(pd.concat([base, extras, other], ignore_index=True))) == R
    assert seed000.c4(other) is None and seed000.c4(None) is None
    assert seed000.c4(base.iloc[:0]) is None


def genetic(fooled: int, n: int, **columns) -> pd.DataFrame:
    targets = np.arange(n) % 10
    conf = np.where(np.arange(n) < fooled, 0.99999, 0.9)
    return runs("mlp", "genetic", targets, confidence=conf, **columns)


@pytest.mark.parametrize(
    ("fooled", "n", "expected", "between"),
    [
        (100, 100, R, ""),
        (40, 100, R, ""),  # [30.9%, 49.8%]
        (25, 100, U, "partly or reproduced"),  # on the bound: its interval spans 25%
        (24, 100, U, "partly or reproduced"),
        (15, 100, P, ""),  # [9.3%, 23.3%]
        (5, 100, U, "not reproduced or partly"),
        (4, 100, U, "not reproduced or partly"),
        (0, 100, N, ""),  # [0%, 3.7%]
        (1, 4, U, "not reproduced or reproduced"),  # 25% of 4 calls: [4.6%, 69.9%]
    ],
)
def test_c6_genetic_often_above_9999(fooled, n, expected, between):
    got = seed000.c6(genetic(fooled, n))
    assert (got["verdict"], got["between"]) == (expected, between)
    assert got["value"].startswith(pct(fooled / n, 0) + " [") and TOO_SMALL not in got["measured"]


def test_c6_counts_strictly_above_9999_and_no_extra_twos():
    assert verdict(seed000.c6(genetic(0, 100).assign(confidence=0.9999))) == N  # not above 99.99%
    twos = runs("mlp", "genetic", np.full(100, 2), confidence=0.99999, extra=True)
    assert verdict(seed000.c6(pd.concat([genetic(0, 100), twos]))) == N
    assert seed000.c6(runs("cnn", "genetic", TARGETS_10)) is None


def genetic_times(steps: dict, converged: dict | None = None, k: int = 10, default=None):
    """MLP genetic runs, ``k`` per digit: generations per digit (``default``: 50..50+k-1)."""
    default = np.arange(50, 50 + k) if default is None else default
    targets = np.repeat(np.arange(10), k)
    conv = per_digit(converged or {}, True, k).astype(bool)
    return runs("mlp", "genetic", targets, steps=per_digit(steps, default, k), converged=conv)


@pytest.mark.parametrize(
    ("frame", "expected", "rank"),
    [
        (genetic_times({2: np.arange(5, 15)}), R, 1),  # '2' clearly fastest
        (genetic_times({2: [10, 20]}, k=2, default=[5, 21]), P, 1),  # fastest, p not < 0.05
        (genetic_times({0: np.arange(5, 15), 1: np.arange(5, 15), 2: np.arange(8, 18)}), P, 3),
        (genetic_times({d: np.arange(5, 15) for d in (0, 1, 3)} | {2: np.arange(8, 18)}), N, 4),
        (genetic_times({2: 100}, {2: False}), N, 10),  # '2' never converges: slowest
        (genetic_times({2: np.arange(5, 15), 7: np.arange(5, 15)}), P, 2),  # a tie counts against
        (genetic_times({}, {d: False for d in range(10)}, default=100), N, 10),  # none converged
    ],
)
def test_c8_twos_converge_fastest(frame, expected, rank):
    got = seed000.c8(frame)
    assert got["verdict"] == expected and got["value"] == f"rank {rank}"


def test_c8_censors_runs_that_did_not_converge():
    # '2' converges early in 6 of 10 runs; the other 4 ran 1000 generations without converging.
    # Dropping them would make '2' fastest; censored, its median lies beyond the others'.
    steps = {2: [1] * 6 + [1000] * 4}
    frame = genetic_times(steps, {2: [True] * 6 + [False] * 4}, default=np.arange(3, 13))
    km = convergence_times(replicates(frame, "mlp", "genetic"))
    assert km.loc[2, "median"] == 1 and km.loc[2, "events"] == 6
    frame = genetic_times(steps, {2: [True] * 4 + [False] * 6}, default=np.arange(3, 13))
    km = convergence_times(replicates(frame, "mlp", "genetic"))
    assert km.loc[2, "median"] == np.inf and km.loc[0, "median"] == 8  # first S(t) < 0.5
    assert verdict(seed000.c8(frame)) == N


def test_c8_needs_twos_of_the_mlp():
    no_two = genetic_times({})
    assert seed000.c8(no_two[no_two.target != 2]) is None
    assert seed000.c8(runs("cnn", "genetic", TARGETS_10)) is None and seed000.c8(None) is None
