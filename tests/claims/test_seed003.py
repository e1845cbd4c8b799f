"""D3–D8 on synthetic confidence, template-reader and hill-climbing tables."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed003
from mnist_fooling.claims.common import pct, rate
from tests.claims.builders import TARGETS_10, TOO_SMALL, N, P, R, look, references, runs, verdict


def confidence(source: str, column: str, share: float, n: int = 1000) -> pd.DataFrame:
    rows = [
        dict(model="cnn", source=source, n=n, median=0.5, above_06=0.0, above_09=0.0),
        dict(model="mlp", source=source, n=n, median=0.5, above_06=1 - share, above_09=1 - share),
    ]
    rows[0][column] = share
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("share", "n", "expected", "note"),
    [
        (0.0, 1000, R, False),
        (0.10, 1000, R, True),  # at the bound: the interval spans 90% of images not above 0.6
        (0.101, 1000, P, True),
        (0.25, 1000, P, True),
        (0.251, 1000, N, True),
        (0.9, 1000, N, False),
        (0.1, 10, R, True),  # 1 of 10: n too small to decide
    ],
)
def test_d3_noise_rarely_above_06(share, n, expected, note):
    got = seed003.d3(confidence("noise", "above_06", share, n))
    assert got["verdict"] == expected
    assert (TOO_SMALL in got["measured"]) == note
    assert got["measured"].startswith(f"CNN: {rate(round(share * n), n, 1)}")


@pytest.mark.parametrize(
    ("share", "expected"),
    [(1.0, R), (0.75, R), (0.749, P), (0.5, P), (0.499, N), (0.0, N)],
)
def test_d4_digits_typically_above_09(share, expected):
    assert verdict(seed003.d4(confidence("test", "above_09", share))) == expected


def test_confidence_claims_need_the_cnn_rows():
    noise = confidence("noise", "above_06", 0.0)
    assert seed003.d4(noise) is None  # no test-digit row
    assert seed003.d3(confidence("test", "above_09", 1.0)) is None
    assert seed003.d3(noise[noise.model == "mlp"]) is None
    assert seed003.d3(pd.DataFrame(columns=["model", "source"])) is None


def hill_sets(seen: set[int], n: int = 10) -> pd.DataFrame:
    """Hill-climbed rows: the digits in ``seen`` read as themselves in 8 of 10 images, others 2."""
    rows = [look("cnn", "hillclimb", d, knn_looks=8 if d in seen else 2) for d in range(10)]
    return pd.DataFrame(references() + rows)


def similarity(p: float, within: float = 0.3, between: float = 0.1) -> pd.DataFrame:
    row = dict(model="cnn", method="hillclimb", n=200, within=within, between=between)
    return pd.DataFrame([dict(row, gap=within - between, p=p)])


@pytest.mark.parametrize(
    ("seen", "p", "expected"),
    [
        ({0, 6}, 0.01, R),
        ({0, 6, 1}, 0.049, R),
        ({0, 6}, 0.05, P),  # the permutation test's bound
        ({0, 6, 1, 9}, 0.01, P),  # '1' and '9' read as often: not a mess
        ({0}, 0.01, R),  # '0' and '6' together 10/20 vs '1' and '9' 4/20
        ({1}, 0.01, P),  # the other way round
        ({6, 1, 9}, 0.5, N),
        (set(), 0.5, N),
    ],
)
def test_d6_within_class_likeness_and_zero_and_six_read_better_than_one_and_nine(seen, p, expected):
    got = seed003.d6(hill_sets(seen), similarity(p))
    assert got["verdict"] == expected and f"p = {p:.2g}" in got["value"]


def test_d6_needs_more_alike_within_and_every_input():
    assert verdict(seed003.d6(hill_sets({0, 6}), similarity(0.01, within=0.1, between=0.2))) == P
    assert seed003.d6(hill_sets({0, 6}), None) is None
    assert seed003.d6(hill_sets({0, 6}), similarity(0.01).assign(model="mlp")) is None
    frame = hill_sets({0, 6})
    assert seed003.d6(frame[frame.digit != 9], similarity(0.01)) is None


def hill(converged, outcome=None, targets=None) -> pd.DataFrame:
    converged = np.asarray(converged, bool)
    targets = np.arange(len(converged)) % 10 if targets is None else targets
    cols = dict(converged=converged, confidence=np.where(converged, 0.995, 0.5))
    if outcome is not None:
        cols["outcome"] = outcome
    return runs("cnn", "hillclimb", targets, **cols)


@pytest.mark.parametrize(
    ("k", "expected", "note"),
    [(40, R, False), (20, R, True), (19, P, True), (10, P, True), (9, N, True), (0, N, False)],
)
def test_d5_hill_climbing_usually_reaches_099(k, expected, note):
    got = seed003.d5(seed003.hill(hill(np.arange(40) < k)))
    assert got["verdict"] == expected and (TOO_SMALL in got["measured"]) == note


@pytest.mark.parametrize(
    ("stuck", "n", "expected", "note"),
    [
        (0, 10, N, True),  # n = 10 cannot tell 0% from 5%
        (1, 200, N, False),  # one stuck run in 200 is not "sometimes"
        (9, 200, N, True),
        (10, 200, R, True),  # 5%: the boundary
        (1, 10, R, True),
        (5, 10, R, True),
        (100, 200, R, True),  # 50%: the upper boundary
        (6, 10, P, True),
        (200, 200, P, False),
    ],
)
def test_d7_sometimes_stuck_in_local_optima(stuck, n, expected, note):
    outcome = ["stuck"] * stuck + ["budget"] * (n - stuck)
    got = seed003.d7(hill(np.zeros(n), outcome=outcome))
    assert got["verdict"] == expected and got["value"] == pct(stuck / n, 0)
    assert f"{n - stuck}/{n} more ran out of iterations" in got["measured"]
    assert (TOO_SMALL in got["measured"]) == note
    assert "5%–50%" in got["criterion"]


def d8_runs(k9: int, k7: int, k_rest: int, n: int = 20) -> pd.DataFrame:
    targets = np.repeat(np.arange(10), n)
    first = np.tile(np.arange(n), 10)
    k = np.where(targets == 9, k9, np.where(targets == 7, k7, k_rest))
    return hill(first < k, targets=targets)


@pytest.mark.parametrize(
    ("k9", "k7", "k_rest", "n", "expected"),
    [
        (6, 10, 20, 20, R),  # 30% and 50%, both far below the other digits
        (6, 10, 19, 19, P),  # the same rates from 19 runs each: fewer than 20
        (0, 10, 20, 20, P),  # '9' never: 30% outside its interval
        (20, 10, 20, 20, P),  # only '7' below the others
        (20, 20, 20, 20, N),
        (6, 10, 8, 20, N),  # at the seed's rates, but the other digits are no better
    ],
)
def test_d8_nine_and_seven_at_the_seeds_rates(k9, k7, k_rest, n, expected):
    got = seed003.d8(seed003.hill(d8_runs(k9, k7, k_rest, n)))
    assert got["verdict"] == expected
    assert got["value"] == f"'9' {pct(k9 / n, 0)}, '7' {pct(k7 / n, 0)}"


def test_hill_claims_without_runs():
    assert seed003.hill(runs("cnn", "genetic", TARGETS_10)) is None
    for fn in (seed003.d5, seed003.d7, seed003.d8):
        assert fn(None) is None
    frame = d8_runs(6, 10, 20)
    assert seed003.d8(frame[frame.target != 7]) is None


def test_hill_ignores_other_models_and_extra_runs():
    frame = pd.concat(
        [
            hill(np.ones(10)),
            runs("mlp", "hillclimb", TARGETS_10, converged=False),
            runs("cnn", "hillclimb", np.full(20, 2), converged=False, extra=True),
        ]
    )
    assert len(seed003.hill(frame)) == 10 and verdict(seed003.d5(seed003.hill(frame))) == R
