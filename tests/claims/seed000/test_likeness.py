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


def readers(fit: bool) -> pd.DataFrame:
    """likeness_readers.csv with one chosen k-NN reader, fit or not."""
    return pd.DataFrame(
        [
            dict(
                reader="k-NN",
                chosen=True,
                fit=fit,
                sensitivity=0.95 if fit else 0.6,
                worst_family="sparse dots",
                worst_share=0.03,
            ),
            dict(
                reader="template",
                chosen=False,
                fit=False,
                sensitivity=0.5,
                worst_family="raised centre",
                worst_share=0.4,
            ),
        ]
    )


def panel(name: str, hits: int, n: int, *, valid: bool = True, reader: str = "ann"):
    """A panel of one reader who read ``hits`` of ``n`` cards of set ``name`` as their digit."""
    from mnist_fooling.claims.panel import panel_of

    items = pd.DataFrame(
        dict(
            reader=reader,
            set=name,
            group="fooling",
            target=[d % 10 for d in range(n)],
            own=[i < hits for i in range(n)],
            valid=valid,
        )
    )
    return panel_of(items)


@pytest.mark.parametrize(
    ("k", "expected", "pair"),
    [  # of 100 images; reproduced at most 25%, partly at most 50%
        (0, R, ""),
        (20, U, "partly or reproduced"),  # [13%, 29%] straddles 25%
        (35, P, ""),
        (50, U, "not reproduced or partly"),
        (70, N, ""),
    ],
)
def test_c5_share_read_as_its_digit_against_the_posts_one_in_nine(k, expected, pair):
    got = seed000.c5(sets(k), calibration(), readers=readers(True))
    assert got["verdict"] == expected and got["between"] == pair
    assert got["value"].startswith(pct(k / 100, 1)) and got["value"].endswith("automated reader")
    assert "only the 7 stands out" in got["criterion"] and "k-NN" in got["measured"]


def test_c5_an_unfit_reader_decides_nothing():
    got = seed000.c5(sets(0), calibration(), readers=readers(False))
    assert got["verdict"] == U and got["between"] == "not reproduced or reproduced"
    assert "unfit" in got["measured"]
    old = seed000.c5(sets(0), calibration(at_03=0.5))  # a run without likeness_readers.csv
    assert old["verdict"] == U


def test_c5_the_panel_decides_when_a_reader_passed_the_controls():
    from mnist_fooling.search.registry import set_name

    name = set_name("mlp", "gradient")
    got = seed000.c5(sets(100), calibration(), readers=readers(False), panel=panel(name, 0, 40))
    assert got["verdict"] == R and got["value"].endswith("panel of 1 reader")
    assert "panel of 1 reader" in got["measured"]
    got = seed000.c5(sets(0), calibration(), panel=panel(name, 30, 40))
    assert got["verdict"] == N
    assert panel(name, 0, 40, valid=False) is None  # failed controls: no panel
    other = seed000.c5(sets(0), calibration(), panel=panel("CNN, hill climbing", 40, 40))
    assert other["verdict"] == R and "automated" in other["value"]  # no answers on this set


def test_c5_missing_inputs():
    assert seed000.c5(sets(0), None) is None
    assert seed000.c5(pd.DataFrame(references()), calibration()) is None


@pytest.mark.parametrize(
    ("k", "std", "expected"),
    [  # unrecognisable: at most 10% reproduced, at most 25% partly
        (0, 0.2, R),
        (0, 0.145, R),  # half the uniform start's 0.289, and ≥ 3 × the digits' 0.02
        (0, 0.14, P),
        (60, 0.2, P),
        (60, 0.1, N),
        (12, 0.2, U),  # [7%, 20%] straddles 10%
    ],
)
def test_c7_unrecognisable_and_noisy_frame(k, std, expected):
    got = seed000.c7(sets(k, "genetic", background_std=std), calibration())
    assert got["verdict"] == expected and f"frame std {std:.2f}" in got["value"]
    assert "expected by construction" in got["criterion"]
    assert "clearly recognisable" in got["criterion"]


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
        (0.9, 0.5, calibration(at_03=0.5), U),  # an unfit reader decides nothing
    ],
)
def test_c9_mean_two_looks_like_a_two_in_resamples(boot, sim, cal, expected):
    got = seed000.c9(sets(0, "genetic", mean_knn_boot=boot, mean_knn_sim=sim), cal)
    assert got["verdict"] == expected and f"; {pct(boot, 0)}; automated" in got["value"]
    assert (
        f"r {sim:.3f} vs floor" in got["value"] and "expected by construction" in got["criterion"]
    )
    pair = "partly or reproduced" if boot >= 0.05 else "not reproduced or partly"
    pair = "not reproduced or reproduced" if boot == 0.9 else pair
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


def mean_panel(prior: int, plain: int, readers: int = 10):
    """Ten readers of both mean '2's: ``prior`` and ``plain`` of them read each as a '2'."""
    from mnist_fooling.claims.panel import panel_of
    from mnist_fooling.search.registry import mean_name

    rows = [
        dict(reader=f"r{i}", set=mean_name("mlp", method), group="mean", target=2,
             own=i < hits, valid=True)
        for method, hits in (("genetic_prior", prior), ("genetic", plain))
        for i in range(readers)
    ]  # fmt: skip
    return panel_of(pd.DataFrame(rows))


@pytest.mark.parametrize(
    ("prior", "plain", "readers", "c9", "c14"),
    [  # C9 reads the plain genetic mean, C14 the prior's; reproduced ≥ 50%, partly ≥ 10%
        (10, 0, 10, U, R),  # plain 0/10 = [0%, 28%] straddles 10%; the prior's read more often
        (10, 10, 10, R, P),  # both read: the prior's mean is not read more often
        (40, 8, 40, P, R),  # plain 8/40 = [10.5%, 35%]
        (0, 0, 10, U, N),  # C14: 0/10 reads partly at best, and not more often: not reproduced
    ],
)
def test_c9_and_c14_by_the_panel(prior, plain, readers, c9, c14):
    frame = prior_and_plain(0.0, 0.0, 0.0)
    by = dict(panel=mean_panel(prior, plain, readers))
    got9, got14 = seed000.c9(frame, calibration(), **by), seed000.c14(frame, calibration(), **by)
    assert (verdict(got9), verdict(got14)) == (c9, c14)
    assert got9["value"].endswith(f"panel of {readers} readers") and "panel" in got14["measured"]
