"""C5, C7, C9, C14 on synthetic template-reader rows."""

import pandas as pd
import pytest

from mnist_fooling.claims import seed000, seed003
from mnist_fooling.claims.common import pct
from tests.claims.builders import TOO_SMALL, N, P, R, likeness, references, verdict


def spread(k: int) -> list[int]:
    """``k`` images that look like their digit spread over ten digits of 10 images each."""
    return [min(10, max(0, k - 10 * d)) for d in range(10)]


@pytest.mark.parametrize(
    ("k", "expected", "note"),
    [
        (0, R, False),
        (10, R, True),
        (11, P, True),
        (30, P, True),
        (31, N, True),
        (100, N, False),
    ],
)
def test_c5_gradient_images_unrecognisable(k, expected, note):
    frame = pd.DataFrame(references() + likeness("mlp", "gradient", spread(k)))
    got = seed000.c5(frame)
    assert got["verdict"] == expected and got["value"] == pct(k / 100, 0)
    assert (TOO_SMALL in got["measured"]) == note
    assert "(test digits 90%, uniform noise 0%" in got["measured"]


@pytest.mark.parametrize(
    ("k", "background", "expected"),
    [
        (10, 0.5, R),
        (10, 0.2, R),
        (10, 0.19, P),
        (11, 0.5, P),
        (50, 0.1, N),
    ],
)
def test_c7_genetic_images_unrecognisable_with_noisy_frames(k, background, expected):
    frame = pd.DataFrame(
        references() + likeness("mlp", "genetic", spread(k), background=background)
    )
    assert verdict(seed000.c7(frame)) == expected


def test_c7_weights_the_frame_by_images():
    rows = likeness("mlp", "genetic", background=1.0)
    rows[0].update(n=90, background=0.1)  # 90 images with a clean frame, 90 more at 1.0
    got = seed000.c7(pd.DataFrame(rows))  # pooled frame: (90 * 0.1 + 90 * 1.0) / 180 = 0.55
    assert got["verdict"] == R and "frame 0.55" in got["value"]
    rows[0].update(n=900)  # (900 * 0.1 + 90) / 990 = 0.18: no longer noisy
    assert verdict(seed000.c7(pd.DataFrame(rows))) == P


def test_likeness_claims_without_their_rows():
    frame = pd.DataFrame(references())
    for fn in (seed000.c5, seed000.c7, seed000.c9, seed000.c14, seed003.d6):
        assert fn(frame) is None and fn(None) is None and fn(frame.iloc[:0]) is None


def mean_two(method="genetic", **kw) -> list[dict]:
    return likeness("mlp", method, **{"mean_background": 0.5, **kw})


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (dict(), R),
        (dict(mean_background=0.2), R),
        (dict(mean_background=0.8), R),
        (dict(mean_background=0.19), P),
        (dict(mean_background=0.81), P),
        (dict(mean_rank=2, mean_read_as=3), P),
        (dict(mean_corr_low=0.0), N),  # the interval reaches zero
        (dict(mean_corr_low=-0.1, mean_corr=0.05), N),
    ],
)
def test_c9_mean_two_faintly_a_two_on_grey(kw, expected):
    got = seed000.c9(pd.DataFrame(references() + mean_two(**kw)))
    assert got["verdict"] == expected
    assert f"rank {kw.get('mean_rank', 1)}" in got["value"]


def test_c9_needs_converged_twos():
    rows = mean_two()
    rows[2].update(mean_n=0)
    assert seed000.c9(pd.DataFrame(rows)) is None
    assert seed000.c9(pd.DataFrame([r for r in mean_two() if r["digit"] != 2])) is None


@pytest.mark.parametrize(
    ("prior", "plain", "expected"),
    [
        (dict(mean_corr_low=0.2), dict(mean_corr_high=0.1), R),
        (dict(mean_corr_low=0.2), None, R),  # no plain genetic mean to compare with
        (dict(mean_corr_low=0.2), dict(mean_corr_high=0.2), P),  # touching intervals
        (dict(mean_corr_low=0.2, mean_rank=2), dict(mean_corr_high=0.1), P),  # closer only
        (dict(mean_corr_low=0.0), dict(mean_corr_high=-0.1), P),  # closer only
        (dict(mean_corr_low=0.0), dict(mean_corr_high=0.1), N),
        (dict(mean_corr_low=0.2, mean_rank=3), dict(mean_corr_high=0.3), N),
    ],
)
def test_c14_prior_mean_two_reads_as_two_and_beats_the_plain_mean(prior, plain, expected):
    rows = mean_two("genetic_prior", **prior) + ([] if plain is None else mean_two(**plain))
    assert verdict(seed000.c14(pd.DataFrame(rows))) == expected
