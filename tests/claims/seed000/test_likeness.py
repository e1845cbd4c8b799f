"""C5, C7, C9, C14 on synthetic reader rows and calibrations."""

import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.common import pct
from tests.claims.builders import N, P, R, U, calibration, likeness, references, verdict


def spread(k: int) -> list[int]:
    """``k`` images judged alike spread over ten digits of 10 images each."""
    return [min(10, max(0, k - 10 * d)) for d in range(10)]


def sets(k: int, method: str = "gradient", **kw) -> pd.DataFrame:
    rows = likeness("mlp", method, **kw)
    for r, looks in zip(rows, spread(k), strict=True):
        r["knn_looks"] = looks
    return pd.DataFrame(references() + rows)


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (0, R),  # as noise (0/100)
        (4, R),  # Fisher p = 0.06 against 0/100: not above noise
        (5, P),  # p = 0.03: above noise, below the s = 0.2 blends' 60%
        (59, P),
        (60, N),  # as alike as the s = 0.2 blends
        (100, N),
    ],
)
def test_c5_unrecognisable_is_not_above_noise_to_a_calibrated_reader(k, expected):
    got = seed000.c5(sets(k), calibration())
    assert got["verdict"] == expected and got["value"].startswith(pct(k / 100, 0))
    assert "Fisher" in got["criterion"] and "k-NN" in got["measured"]


@pytest.mark.parametrize(
    ("cal", "k", "expected"),
    [
        (calibration(at_03=0.89), 0, P),  # not fit: at most partly
        (calibration(at_0=0.16), 0, P),
        (calibration(at_03=0.89), 100, N),
        (calibration(at_03=0.90, at_0=0.15), 0, R),  # the boundaries pass
    ],
)
def test_c5_an_unfit_reader_gives_at_most_partly(cal, k, expected):
    got = seed000.c5(sets(k), cal)
    assert got["verdict"] == expected
    assert ("not fit" in got["measured"]) == (expected != R)  # only the last calibration fits


def test_c5_equivalent_strength_and_missing_inputs():
    assert "s ≈ 0.20" in seed000.c5(sets(60), calibration())["value"]
    assert "no more than pure noise" in seed000.c5(sets(0), calibration())["value"]
    assert seed000.c5(sets(0), None) is None
    assert seed000.c5(pd.DataFrame(references()), calibration()) is None


@pytest.mark.parametrize(
    ("k", "std", "expected"),
    [
        (0, 0.2, R),
        (0, 0.145, R),  # half the uniform start's 0.289, and ≥ 3 × the digits' 0.02
        (0, 0.14, P),
        (60, 0.2, P),
        (60, 0.1, N),
    ],
)
def test_c7_unrecognisable_and_noisy_frame(k, std, expected):
    got = seed000.c7(sets(k, "genetic", background_std=std), calibration())
    assert got["verdict"] == expected and f"frame std {std:.2f}" in got["value"]
    assert "expected by construction" in got["criterion"]


@pytest.mark.parametrize(
    ("boot", "sim", "cal", "expected"),
    [  # the calibration's floor: 0.45 [0.44, 0.46]
        (0.5, 0.5, calibration(), R),
        (1.0, 0.5, calibration(), R),
        (0.49, 0.5, calibration(), P),
        (0.05, 0.3, calibration(), P),  # below the floor, but 5% of resamples look
        (0.04, 0.5, calibration(), P),  # the mean itself looks
        (0.04, 0.3, calibration(), N),
        (0.6, 0.46, calibration(), R),  # at the floor's upper end: decided
        (0.6, 0.45, calibration(), U),  # inside the floor's interval: partly or reproduced
        (0.03, 0.45, calibration(), U),  # not reproduced or partly
        (0.9, 0.5, calibration(at_03=0.5), P),  # an unfit reader cannot say it looks like a '2'
    ],
)
def test_c9_mean_two_looks_like_a_two_in_resamples(boot, sim, cal, expected):
    got = seed000.c9(sets(0, "genetic", mean_knn_boot=boot, mean_knn_sim=sim), cal)
    assert got["verdict"] == expected and got["value"].endswith(f"; {pct(boot, 0)}")
    assert (
        f"r {sim:.3f} vs floor" in got["value"] and "expected by construction" in got["criterion"]
    )
    pair = "partly or reproduced" if boot >= 0.05 else "not reproduced or partly"
    assert got["between"] == (pair if expected == U else "")


def test_c9_reads_the_mean_as_its_digit():
    frame = sets(0, "genetic", mean_knn_boot=0.6, mean_knn_sim=0.6)
    frame["mean_knn_read_as"] = 3  # similar enough, but to a '3'
    assert verdict(seed000.c9(frame, calibration())) == P


def test_c9_without_converged_twos_or_reader_columns():
    frame = sets(0, "genetic")
    frame.loc[(frame.method == "genetic") & (frame.digit == 2), "mean_n"] = 0
    assert seed000.c9(frame, calibration()) is None
    assert seed000.c9(sets(0, "genetic").drop(columns="mean_knn_boot"), calibration()) is None


def prior_and_plain(prior_boot, prior_sim, plain_sim=None) -> pd.DataFrame:
    frame = sets(0, "genetic_prior", mean_knn_boot=prior_boot, mean_knn_sim=prior_sim)
    if plain_sim is not None:
        plain = pd.DataFrame(likeness("mlp", "genetic", mean_knn_sim=plain_sim))
        frame = pd.concat([frame, plain], ignore_index=True)
    return frame


@pytest.mark.parametrize(
    ("boot", "sim", "plain", "expected"),
    [
        (0.5, 0.6, 0.5, R),
        (0.5, 0.6, None, R),  # no plain genetic run: nothing to be closer than
        (0.5, 0.5, 0.5, P),  # not closer (equal)
        (0.4, 0.6, 0.5, P),
        (0.4, 0.5, 0.6, N),
        (0.6, 0.45, 0.3, U),  # inside the floor's interval: reads as a '2' or not
        (0.6, 0.43, 0.3, P),  # below it: closer only
    ],
)
def test_c14_prior_mean_looks_like_a_two_and_beats_the_plain_mean(boot, sim, plain, expected):
    assert verdict(seed000.c14(prior_and_plain(boot, sim, plain), calibration())) == expected


def test_c14_without_a_prior_run():
    assert seed000.c14(sets(0, "genetic"), calibration()) is None
