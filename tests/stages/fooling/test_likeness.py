"""The template reader behind the visual-claim proxies: digits read, noise not, means and frames."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.io import write_npz
from mnist_fooling.stages.fooling.likeness import (
    FRAME,
    correlations,
    describe,
    floor_of_real_digits,
    likeness_table,
    mean_reading,
    other_digits,
    pooled,
    templates,
)


def bars():
    """Ten easily told apart 'digits': digit d is a bright horizontal bar at row 4 + 2d."""
    t = np.zeros((10, 28, 28), np.float32)
    for d in range(10):
        t[d, 4 + 2 * d : 6 + 2 * d, 4:24] = 1.0
    return t


TARGET = np.repeat(np.arange(10), 20)
READERS_COLUMNS = [
    "reader", "blur", "similarity", "floor", "floor_low", "floor_high", "floor_family",
    "sensitivity", "sensitivity_low", "sensitivity_high", "worst_family", "worst_share",
    "worst_low", "worst_high", "specific", "fit", "chosen",
]  # fmt: skip


def noisy_digits(seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(np.repeat(bars(), 20, axis=0) + 0.1 * rng.random((200, 28, 28)), 0, 1)


def test_correlations_and_templates():
    t = bars()
    x = np.concatenate([t, t]) * 0.8
    y = np.tile(np.arange(10), 2)
    np.testing.assert_allclose(templates(x, y), t * 0.8)
    c = correlations(t, t)
    np.testing.assert_allclose(np.diag(c), 1.0, atol=1e-9)
    assert (c.argmax(axis=1) == np.arange(10)).all()
    np.testing.assert_allclose(correlations(-t[:1], t)[0, 0], -1.0, atol=1e-9)
    assert np.all(correlations(np.zeros((1, 28, 28)), t) == 0)  # a blank image matches nothing


def test_describe_reads_digits():
    t = bars()
    x = noisy_digits()
    floor = floor_of_real_digits(x, TARGET, t)
    assert 0.5 < floor < 1
    rows = pd.DataFrame(describe(x, TARGET, t, floor=floor)).set_index("digit")
    assert list(rows.index) == list(range(10)) and (rows.n == 20).all()
    assert (rows.read == 20).all() and rows.looks.sum() >= 0.9 * 200
    assert (rows.mean_n == 20).all() and (rows.mean_rank == 1).all()
    assert (rows.mean_read_as == rows.index).all() and (rows.mean_corr > 0.9).all()
    # Resampled means average fewer distinct images, so their correlation runs lower: the
    # percentile interval may lie just below the mean's own correlation.
    assert ((rows.mean_corr_low < rows.mean_corr_high) & (rows.mean_corr_low > 0.9)).all()
    assert (rows.background < 0.1).all() and (rows.mean_background < 0.1).all()


def test_describe_noise_and_faint_digits():
    t = bars()
    floor = floor_of_real_digits(noisy_digits(), TARGET, t)
    rng = np.random.default_rng(1)
    noise = rng.random((200, 28, 28))
    rows = pd.DataFrame(describe(noise, TARGET, t, floor=floor)).set_index("digit")
    assert rows.read.sum() < 0.3 * 200 and (rows.looks == 0).all()
    # A faint template in noise is read as its digit but does not look like it.
    faint = np.clip(noise + 0.2 * np.repeat(t, 20, axis=0), 0, 1)
    rows = pd.DataFrame(describe(faint, TARGET, t, floor=floor)).set_index("digit")
    assert rows.read.sum() > 0.8 * 200 and (rows.looks == 0).all()
    assert np.allclose(rows.background, 0.5, atol=0.02) and (rows.background_std > 0.25).all()


def test_describe_averages_only_the_chosen_images():
    t = bars()
    x = noisy_digits()
    x[TARGET == 4] = 0.5 * x[TARGET == 4] + 0.5  # grey '4's
    averaged = TARGET != 3  # no '3' enters a mean
    averaged[TARGET == 4] = np.arange(20) < 5
    rows = pd.DataFrame(describe(x, TARGET, t, floor=0.5, averaged=averaged, boots=0))
    rows = rows.set_index("digit")
    assert rows.mean_n[3] == 0 and np.isnan(rows.mean_corr[3]) and rows.n[3] == 20
    assert rows.mean_n[4] == 5
    assert rows.mean_background[4] == pytest.approx(x[TARGET == 4][:5][:, FRAME].mean())
    assert np.isnan(rows.mean_corr_low[4]) and np.isnan(rows.mean_corr_high[4])  # no bootstrap


def test_mean_reading_rank_and_bootstrap():
    t = bars()
    rng = np.random.default_rng(2)
    # Images of '7' made mostly of '2': the mean reads as '2', the target ranks second.
    images = np.clip(t[2] + 0.6 * t[7] + 0.05 * rng.random((30, 28, 28)), 0, 1)
    got = mean_reading(images, 7, t, rng=np.random.default_rng(0), boots=100)
    assert got["mean_read_as"] == 2 and got["mean_rank"] == 2 and got["mean_n"] == 30
    assert got["mean_corr_low"] < got["mean_corr_high"]
    assert abs(got["mean_corr"] - got["mean_corr_low"]) < 0.05
    again = mean_reading(images, 7, t, rng=np.random.default_rng(0), boots=100)
    assert again == got


def test_pooled_weights_by_n():
    rows = pd.DataFrame(dict(n=[90, 10], background=[0.1, 1.0]))
    assert pooled(rows, "background") == pytest.approx(0.19)


def test_likeness_table_counts_replicates_and_averages_extra_twos(tmp_path, mnist_npz):
    rng = np.random.default_rng(1)
    target = np.concatenate([np.arange(20) % 10, [2, 2, 2]])
    extra = np.arange(23) >= 20
    converged = np.zeros(23, bool)
    converged[[2, 12, 20, 21]] = True  # both replicate '2's and two of the three extra '2's
    path = tmp_path / "genetic.npz"
    write_npz(
        path,
        images=rng.random((23, 28, 28), dtype=np.float32),
        target=target,
        converged=converged,
        extra=extra,
    )
    plain = tmp_path / "hill.npz"  # no extra field: every run is a replicate
    write_npz(
        plain,
        images=rng.random((10, 28, 28), dtype=np.float32),
        target=np.arange(10),
        converged=np.ones(10, bool),
    )
    out = tmp_path / "likeness.csv"
    runs = {("mlp", "genetic"): path, ("cnn", "hillclimb"): plain}
    table = likeness_table(
        data=mnist_npz,
        runs=runs,
        out=out,
        calibration_out=tmp_path / "calibration.csv",
        similarity_out=tmp_path / "similarity.csv",
        readers_out=tmp_path / "readers.csv",
        specificity_out=tmp_path / "specificity.csv",
        knn=dict(k=3, quantile=0.99, n_train=None),
        candidates=[dict(blur=1.0, similarity="correlation"), dict(blur=2.0, similarity="centred")],
        n_negatives=20,
        strengths=[0.0, 0.2, 0.3, 1.0],
        n_calibration=20,
        permutations=99,
        n_reference=30,
    )
    assert set(zip(table.model, table.method, strict=True)) == {
        ("reference", "test digits"),
        ("reference", "uniform noise"),
        ("mlp", "genetic"),
        ("cnn", "hillclimb"),
    }
    genetic = table[table.method == "genetic"].set_index("digit")
    assert (genetic.n == 2).all()  # shares: the replicates only
    assert genetic.mean_n[2] == 4 and genetic.mean_n[0] == 0  # means: converged, extras too
    refs = table[table.model == "reference"]
    assert refs.groupby("method").n.sum().tolist() == [30, 30]
    assert table.floor.nunique() == 1
    saved = pd.read_csv(out)
    assert saved.shape == table.shape and list(saved.columns) == list(table.columns)
    assert (genetic.knn_looks <= genetic.n).all() and genetic.mean_knn_boot.notna()[2]
    assert (genetic.knn_shuffled <= genetic.n).all() and "knn_shuffled" in refs
    readers = pd.read_csv(tmp_path / "readers.csv")
    assert list(readers.columns) == READERS_COLUMNS
    assert readers.chosen.sum() == 1 and not readers.chosen[readers.reader == "template"].any()
    chosen = readers[readers.chosen].iloc[0]
    assert chosen.reader == "k-NN"  # renamed: the claims read the chosen reader by this name
    others = {"k-NN blur 1 correlation", "k-NN blur 2 centred"} - {
        f"k-NN blur {chosen.blur:g} {chosen.similarity}"
    }
    assert set(readers.reader) == {"k-NN", "template", *others} and len(readers) == 3
    assert (readers.floor_low <= readers.floor).all() and (
        readers.floor <= readers.floor_high
    ).all()
    assert (readers.fit <= readers.specific).all()
    specificity = pd.read_csv(tmp_path / "specificity.csv")
    assert list(specificity.columns) == ["reader", "family", "n", "k", "share", "low", "high"]
    assert len(specificity) == 3 * 5 and (specificity.n == 20).all()
    assert set(specificity.reader) == set(readers.reader)
    worst = specificity.groupby("reader").share.max()
    assert (readers.set_index("reader").worst_share == worst).all()
    calibration = pd.read_csv(tmp_path / "calibration.csv")
    assert set(calibration.reader) == set(readers.reader) and (calibration.n == 20).all()
    assert sorted(set(calibration.s)) == [0.0, 0.2, 0.3, 1.0]
    assert (calibration.knn_floor == chosen.floor).all()
    similarity = pd.read_csv(tmp_path / "similarity.csv")
    similarity = similarity.set_index("method")
    assert list(similarity.model) == ["cnn", "mlp", "reference", "reference"]
    assert 0.01 <= similarity.p["genetic"] <= 1
    genetic = similarity.loc["genetic"]
    assert genetic.gap_low <= genetic.gap <= genetic.gap_high
    # one image per digit: no within-class pair, so neither a within mean nor a p value
    assert np.isnan(similarity.within["hillclimb"]) and np.isnan(similarity.p["hillclimb"])
    assert np.isnan(similarity.gap_low["hillclimb"])
    # D6's yardsticks: real test digits are more alike within a digit than their blends
    real, blends = similarity.loc["test digits"], similarity.loc["blends s=0.3"]
    assert 0 < blends.gap < real.gap and np.isnan(real.p)


def test_the_shuffled_target_control_asks_for_another_digit_from_its_seed():
    rng = np.random.default_rng(3)
    target = rng.integers(0, 10, 500)
    other = other_digits(target, rng=np.random.default_rng(0))
    assert (other != target).all() and set(other) == set(range(10))
    np.testing.assert_array_equal(other, other_digits(target, rng=np.random.default_rng(0)))


def test_describe_counts_images_that_look_like_a_random_other_digit():
    from mnist_fooling.stages.fooling.reader import KnnReader

    t, x = bars(), noisy_digits()
    rng = np.random.default_rng(4)
    knn = KnnReader(k=3, blur=1.0, quantile=0.99).fit(x, TARGET, rng.random((100, 28, 28)))
    rows = pd.DataFrame(describe(x, TARGET, t, floor=0.5, boots=0, knn=knn, seed=7))
    again = pd.DataFrame(describe(x, TARGET, t, floor=0.5, boots=0, knn=knn, seed=7))
    assert (rows.knn_looks == 20).all() and (rows.knn_shuffled == 0).all()  # own digit only
    pd.testing.assert_frame_equal(rows, again)
    # images of two digits may read as the other one: when that one is drawn, the control counts it
    mixed = np.clip(x + np.roll(x, 20, axis=0), 0, 1)  # digit d with d - 1 on top
    rows = pd.DataFrame(describe(mixed, TARGET, t, floor=0.5, boots=0, knn=knn, seed=7))
    assert rows.knn_shuffled.sum() > 0
