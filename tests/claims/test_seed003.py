"""D3–D8 on synthetic confidence, reader, similarity and hill-climbing tables."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed003
from mnist_fooling.claims.common import rate, share
from tests.claims.builders import (
    TARGETS_10,
    TOO_SMALL,
    N,
    P,
    R,
    U,
    look,
    references,
    runs,
    verdict,
)


def confidence(source: str, column: str, share: float, n: int = 1000) -> pd.DataFrame:
    rows = [
        dict(model="cnn", source=source, n=n, median=0.5, above_06=0.0, above_09=0.0),
        dict(model="mlp", source=source, n=n, median=0.5, above_06=1 - share, above_09=1 - share),
    ]
    rows[0][column] = share
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("share", "n", "expected", "between"),
    [
        (0.0, 1000, R, ""),
        (0.05, 1000, R, ""),
        (0.10, 1000, U, "partly or reproduced"),  # at the bound: the interval straddles it
        (0.101, 1000, U, "partly or reproduced"),
        (0.25, 1000, U, "not reproduced or partly"),
        (0.251, 1000, U, "not reproduced or partly"),
        (0.3, 1000, N, ""),
        (0.1, 10, U, "not reproduced or reproduced"),  # 1 of 10: [1.8%, 40%]
    ],
)
def test_d3_noise_rarely_above_06(share, n, expected, between):
    got = seed003.d3(confidence("noise", "above_06", share, n))
    assert (got["verdict"], got["between"]) == (expected, between)
    assert TOO_SMALL not in got["measured"]
    assert got["measured"].startswith(f"CNN: {rate(round(share * n), n, 1)}")


@pytest.mark.parametrize(
    ("share", "expected", "between"),
    [
        (1.0, R, ""),
        (0.8, R, ""),
        (0.75, U, "partly or reproduced"),
        (0.749, U, "partly or reproduced"),
        (0.5, U, "not reproduced or partly"),
        (0.499, U, "not reproduced or partly"),
        (0.45, N, ""),
        (0.0, N, ""),
    ],
)
def test_d4_digits_typically_above_09(share, expected, between):
    got = seed003.d4(confidence("test", "above_09", share))
    assert (got["verdict"], got["between"]) == (expected, between)


def test_confidence_claims_need_the_cnn_rows():
    noise = confidence("noise", "above_06", 0.0)
    assert seed003.d4(noise) is None  # no test-digit row
    assert seed003.d3(confidence("test", "above_09", 1.0)) is None
    assert seed003.d3(noise[noise.model == "mlp"]) is None
    assert seed003.d3(pd.DataFrame(columns=["model", "source"])) is None


def hill_reads(reads: dict[int, int]) -> pd.DataFrame:
    """Hill-climbed rows: digit d read as itself by the k-NN reader in ``reads[d]`` of 10
    images (2 for digits not named)."""
    rows = [look("cnn", "hillclimb", d, knn_looks=reads.get(d, 2)) for d in range(10)]
    return pd.DataFrame(references() + rows)


def hill_sets(seen: set[int]) -> pd.DataFrame:
    """The digits in ``seen`` read as themselves in 8 of 10 images, others in 2."""
    return hill_reads({d: 8 for d in seen})


MIN_GAP = 0.03  # the blends' gap in :func:`similarity`


def similarity(low: float, high: float, *, minimum: float = MIN_GAP) -> pd.DataFrame:
    """likeness_similarity.csv: the hill-climbed set's gap interval [low, high] and the
    reference rows (real test digits' gap 0.18, their blends' ``minimum``)."""
    gap = (low + high) / 2
    rows = [
        dict(model="cnn", method="hillclimb", n=200, within=gap, between=0.0, gap=gap, p=0.001,
             gap_low=low, gap_high=high),
        dict(model="reference", method="test digits", n=500, within=0.46, between=0.28,
             gap=0.18, p=np.nan, gap_low=0.17, gap_high=0.19),
        dict(model="reference", method="blends s=0.3", n=500, within=0.08, between=0.08 - minimum,
             gap=minimum, p=np.nan, gap_low=minimum - 0.003, gap_high=minimum + 0.003),
    ]  # fmt: skip
    return pd.DataFrame(rows)


ABOVE, STRADDLES, BELOW = (0.05, 0.12), (0.01, 0.12), (0.0, 0.02)


@pytest.mark.parametrize(
    ("reads", "gap", "expected", "between"),
    [
        ({0: 8, 6: 8}, ABOVE, R, ""),  # alike, and '0','6' 16/20 against '1','9' 4/20
        ({0: 8, 6: 8}, STRADDLES, U, "partly or reproduced"),
        ({0: 8, 6: 8}, BELOW, P, ""),
        ({0: 8, 6: 8, 1: 8, 9: 8}, ABOVE, P, ""),  # '1' and '9' read as often: not a mess
        ({0: 8, 6: 8, 1: 8, 9: 8}, STRADDLES, U, "not reproduced or partly"),
        ({0: 8, 6: 8, 1: 8, 9: 8}, BELOW, N, ""),
        ({1: 8}, ABOVE, P, ""),  # the other way round
        ({0: 8, 6: 2}, ABOVE, R, ""),  # 10/20 against 4/20: one-sided Fisher p = 0.048
        ({0: 7, 6: 2}, ABOVE, P, ""),  # 9/20 against 4/20: p = 0.088
        ({0: 8, 6: 8}, (MIN_GAP, 0.12), R, ""),  # the interval's low end at the minimum
        ({0: 8, 6: 8}, (0.0, MIN_GAP), U, "partly or reproduced"),  # its high end at it
        ({0: 8, 6: 8}, (0.0, MIN_GAP - 1e-3), P, ""),
    ],
)
def test_d6_gap_above_the_blends_and_zero_and_six_read_better_than_one_and_nine(
    reads, gap, expected, between
):
    got = seed003.d6(hill_reads(reads), similarity(*gap))
    assert (got["verdict"], got["between"]) == (expected, between)
    mid = sum(gap) / 2
    assert got["value"] == f"gap {mid:+.3f} [{gap[0]:+.3f}, {gap[1]:+.3f}], min {MIN_GAP:.3f}"
    assert "blended into uniform noise at s = 0.3" in got["criterion"]
    assert "17% of real digits' own gap" in got["criterion"]  # 0.03 of 0.18
    assert "one-sided Fisher p" in got["measured"] and "95% bootstrap" in got["measured"]


def test_d6_needs_every_input_and_the_reference_rows():
    frame, sim = hill_sets({0, 6}), similarity(*ABOVE)
    assert verdict(seed003.d6(frame, sim)) == R
    assert seed003.d6(frame, None) is None
    assert seed003.d6(frame, sim.assign(model="mlp")) is None
    assert seed003.d6(frame[frame.digit != 9], sim) is None
    assert seed003.d6(frame, sim[sim.model != "reference"]) is None  # no minimum to judge by
    assert seed003.d6(frame, sim.drop(columns=["gap_low", "gap_high"])) is None  # an old table
    assert seed003.d6(frame, sim.assign(gap_low=np.nan)) is None  # no interval


def hill(converged, outcome=None, targets=None, late_gain=0.5) -> pd.DataFrame:
    converged = np.asarray(converged, bool)
    targets = np.arange(len(converged)) % 10 if targets is None else targets
    cols = dict(converged=converged, confidence=np.where(converged, 0.995, 0.5))
    if outcome is not None:
        cols["outcome"] = outcome
    frame = runs("cnn", "hillclimb", targets, **cols)
    return frame.assign(late_gain=late_gain, late_window=50)


@pytest.mark.parametrize(
    ("k", "expected", "between"),
    [
        (40, R, ""),
        (30, R, ""),
        (20, U, "partly or reproduced"),  # 50% of 40: [35%, 65%]
        (19, U, "partly or reproduced"),
        (10, U, "not reproduced or partly"),
        (9, U, "not reproduced or partly"),
        (3, N, ""),
        (0, N, ""),
    ],
)
def test_d5_hill_climbing_usually_reaches_099(k, expected, between):
    got = seed003.d5(seed003.hill(hill(np.arange(40) < k)))
    assert (got["verdict"], got["between"]) == (expected, between)
    assert got["value"] == share(k, 40)


def stalled(stuck: int, n: int, *, patience: int = 0, converged: int = 0) -> pd.DataFrame:
    """``n`` runs: ``converged`` reached 0.99; ``stuck`` ended below it rising by 0.005 over the
    window (``patience`` of them stopped by the search's patience); the rest still rising."""
    rest = n - stuck - converged
    outcome = ["converged"] * converged + ["stuck"] * patience
    outcome += ["budget"] * (stuck - patience) + ["budget"] * rest
    gain = [0.2] * converged + [0.005] * stuck + [0.2] * rest
    return hill(np.arange(n) < converged, outcome=outcome, late_gain=gain)


@pytest.mark.parametrize(
    ("stuck", "n", "expected", "between"),
    [
        (0, 200, N, ""),
        (1, 200, N, ""),  # one stuck run in 200 is not "sometimes"
        (5, 200, U, "not reproduced or reproduced"),  # 2.5% [1.1%, 5.7%]
        (22, 200, R, ""),  # 11% [7.4%, 16%]
        (0, 10, U, "not reproduced or reproduced"),  # n = 10 cannot tell 0% from 5%
        (1, 10, U, "not reproduced or reproduced"),  # 10% [1.8%, 40%]
        (3, 10, U, "partly or reproduced"),  # 30% [11%, 60%]
        (88, 200, U, "partly or reproduced"),  # 44% [37.3%, 50.9%]: may be over half
        (80, 200, R, ""),  # 40% [33.5%, 46.9%]
        (100, 200, U, "partly or reproduced"),  # 50%: the upper boundary inside
        (200, 200, P, ""),
    ],
)
def test_d7_sometimes_stuck_below_099(stuck, n, expected, between):
    got = seed003.d7(stalled(stuck, n))
    assert (got["verdict"], got["between"]) == (expected, between)
    assert got["value"] == share(stuck, n)
    assert f"{n - stuck}/{n} more ended below 0.99 still rising" in got["measured"]
    assert (
        "5%–50%" in got["criterion"] and "under 0.01 over at least the last 50" in got["criterion"]
    )


def test_d7_counts_what_a_reader_calls_stuck():
    # Below 0.99 and rising by less than 0.01: stuck; by 0.01 or more: still climbing.
    gains = [0.0, 0.0099, 0.01, 0.2]
    frame = hill(np.zeros(4, bool), outcome=["budget"] * 4, late_gain=gains)
    assert seed003.stuck_runs(frame).tolist() == [True, True, False, False]
    # Stopped by the search's patience: stuck whatever the curve says; converged: never.
    frame = hill([False, True], outcome=["stuck", "converged"], late_gain=[0.3, 0.0])
    assert seed003.stuck_runs(frame).tolist() == [True, False]
    got = seed003.d7(stalled(30, 200, patience=4, converged=100))
    assert got["value"] == share(30, 200) and "4 of them stopped by the search's" in got["measured"]
    assert "70/200 more ended below 0.99 still rising" in got["measured"]


def test_d7_needs_the_late_gain():
    assert seed003.d7(hill(np.zeros(10)).drop(columns=["late_gain", "late_window"])) is None
    assert seed003.d7(None) is None


def sweep_of(frames: dict[tuple[float, float], pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f.assign(density=d, amplitude=a) for (d, a), f in frames.items()])


def test_d7_says_whether_its_verdict_holds_across_the_sweep():
    main = stalled(40, 200)  # 20%: reproduced
    # 10 runs a setting never decide "sometimes": 2 of 10 is 20% [5.7%, 51%].
    mixed = sweep_of({(0.005, 0.25): stalled(2, 10), (0.05, 1.0): stalled(12, 40)})
    got = seed003.d7(main, mixed)
    assert verdict(got) == R
    assert got["criterion"].endswith(
        "; the same verdict at 1 of the sweep's 2 mask settings (10–40 runs); "
        "at the others undecided: partly or reproduced ×1"
    )
    alike = sweep_of({(0.005, 0.25): stalled(10, 40), (0.05, 1.0): stalled(8, 40)})
    assert seed003.d7(main, alike)["criterion"].endswith(
        "; the same verdict at all 2 mask settings of the sweep (40 runs each)"
    )
    assert seed003.d7(main)["criterion"].endswith("on the 95% Wilson interval")
    assert seed003.d7(main, mixed.iloc[:0])["criterion"] == seed003.d7(main)["criterion"]


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
    assert got["verdict"] == expected and got["between"] == ""
    assert got["value"] == f"'9' {share(k9, n)}, '7' {share(k7, n)}"


def test_d8_says_whether_its_verdict_holds_across_the_sweep():
    main = seed003.hill(d8_runs(6, 10, 20))
    sweep = sweep_of({(0.005, 0.25): d8_runs(0, 0, 1, n=1), (0.05, 1.0): d8_runs(1, 1, 1, n=1)})
    got = seed003.d8(main, sweep)
    assert verdict(got) == R
    assert got["criterion"].endswith(
        "; the same verdict at 0 of the sweep's 2 mask settings (10 runs each); "
        "at the others not reproduced ×2"
    )


def test_hill_claims_without_runs():
    assert seed003.hill(runs("cnn", "genetic", TARGETS_10)) is None
    for fn in (seed003.d5, seed003.d7, seed003.d8):
        assert fn(None) is None
    assert seed003.settings(None) == [] and seed003.across(seed003.d7, None, None) == ""
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


def test_d6_an_unfit_reader_leaves_its_half_open_and_the_panel_decides_it():
    from mnist_fooling.claims.panel import panel_of
    from tests.claims.seed000.test_likeness import readers

    frame, sim = hill_reads({0: 8, 6: 8}), similarity(*ABOVE)
    got = seed003.d6(frame, sim, readers=readers(False))
    assert (got["verdict"], got["between"]) == (U, "partly or reproduced")
    assert "unfit" in got["measured"]
    assert verdict(seed003.d6(frame, sim, readers=readers(True))) == R
    # a panel that reads '1' and '9' as often as '0' and '6': no mess seen, only alike
    items = pd.DataFrame(
        dict(reader="ann", set="CNN, hill climbing", group="fooling", target=[0, 6, 1, 9] * 5,
             own=True, valid=True)
    )  # fmt: skip
    got = seed003.d6(frame, sim, readers=readers(False), panel=panel_of(items))
    assert verdict(got) == P and "panel of 1 reader" in got["measured"]
    no_pairs = panel_of(items[items.target.isin([0, 6])])  # no "1" or "9" read: the reader
    assert "panel" not in seed003.d6(frame, sim, readers=readers(True), panel=no_pairs)["measured"]
