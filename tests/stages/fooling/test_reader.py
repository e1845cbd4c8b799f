"""The k-NN reader, its calibration on blends and negatives, the choice of a reader and fitness,
and equivalent blend strength."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.stages.fooling.likeness import (
    class_similarity,
    gap_interval,
    reference_similarity,
)
from mnist_fooling.stages.fooling.reader import (
    FIT_AT,
    KnnReader,
    blend,
    calibration_table,
    choose,
    equivalent_strength,
    reader_table,
    specificity_table,
    standardised,
    top_k,
)


def strokes(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 28, 28)`` two kinds of 'digit': a vertical bar (0) and a horizontal bar (1)."""
    y = np.arange(n) % 2
    x = np.zeros((n, 28, 28), np.float32)
    x[y == 0, 6:22, 12:16] = 1.0
    x[y == 1, 12:16, 6:22] = 1.0
    return np.clip(x + 0.05 * rng.random(x.shape, dtype=np.float32), 0, 1), y


def test_standardised_rows_have_zero_mean_and_unit_norm_and_constant_rows_zero():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.random((3, 28, 28)), np.full((1, 28, 28), 0.5)])
    a = standardised(x, blur=1.0)
    assert a.shape == (4, 784)
    assert np.allclose(a[:3].mean(1), 0, atol=1e-6) and np.allclose(
        np.linalg.norm(a[:3], axis=1), 1
    )
    assert not standardised(x[3:], blur=0.0).any()  # blurring pads with background 0


def test_knn_reader_reads_clean_shapes_and_rejects_noise():
    rng = np.random.default_rng(1)
    x, y = strokes(40, rng)
    reader = KnnReader(k=3, blur=1.0, quantile=0.99).fit(x, y, rng.random((200, 28, 28)))
    test, labels = strokes(20, rng)
    digit, sim = reader.read(test)
    assert (digit == labels).all() and (sim > reader.floor).all()
    noise = rng.random((200, 28, 28), dtype=np.float32)
    assert reader.looks(noise, np.zeros(200, int)).mean() <= 0.05
    assert reader.looks(blend(test, rng.random(test.shape), 0.5), labels).all()


def test_knn_reader_refuses_k_above_the_training_set():
    with pytest.raises(ValueError, match="k = 5 needs 1 ≤ k ≤ 4"):
        KnnReader(k=5, blur=0.0, quantile=0.9).fit(
            np.zeros((4, 28, 28)), np.zeros(4), np.zeros((2, 28, 28))
        )


def test_calibration_table_counts_blends_per_reader_and_strength():
    rng = np.random.default_rng(2)
    x, y = strokes(10, rng)
    readers = dict(
        always=lambda im, t: np.ones(len(t), bool), never=lambda im, t: np.zeros(len(t), bool)
    )
    table = calibration_table(readers, digits=x, labels=y, strengths=[0.0, 0.5], rng=rng)
    assert list(table.reader) == ["always", "never"] * 2 and (table.n == 10).all()
    assert table[table.reader == "always"].share.tolist() == [1.0, 1.0]
    assert (table.low <= table.share).all() and (table.share <= table.high).all()


def curve(shares: dict[float, float], reader: str = "k-NN") -> pd.DataFrame:
    return pd.DataFrame([dict(reader=reader, s=s, share=v) for s, v in shares.items()])


@pytest.mark.parametrize(
    ("share", "s"),
    [(0.0, 0.0), (0.05, 0.0), (0.3, 0.1), (0.55, 0.15), (0.8, 0.2), (1.0, 1.0), (1.01, np.inf)],
)
def test_equivalent_strength_interpolates_the_rising_curve(share, s):
    c = curve({0.0: 0.05, 0.1: 0.3, 0.2: 0.8, 0.3: 0.7, 1.0: 1.0})  # 0.3 dips: running max
    assert equivalent_strength(c, share) == pytest.approx(s)


def test_class_similarity_finds_alike_classes_and_not_shuffled_noise():
    rng = np.random.default_rng(3)
    x, y = strokes(40, rng)
    alike = class_similarity(x, y, rng=rng, permutations=99, cap=500)
    assert alike["within"] > alike["between"] and alike["p"] == 0.01 and alike["n"] == 40
    noise = class_similarity(rng.random((40, 28, 28)), y, rng=rng, permutations=99, cap=30)
    assert noise["p"] > 0.05 and noise["n"] == 30


def test_class_similarity_without_two_images_of_a_digit_has_no_p():
    rng = np.random.default_rng(4)
    got = class_similarity(
        rng.random((10, 28, 28)), np.arange(10), rng=rng, permutations=99, cap=50
    )
    assert np.isnan(got["within"]) and np.isnan(got["p"]) and got["between"] == got["between"]


def test_class_similarity_gives_the_gap_a_bootstrap_interval_around_it():
    rng = np.random.default_rng(5)
    x, y = strokes(40, rng)
    got = class_similarity(x, y, rng=rng, permutations=0, cap=500, boots=200)
    assert np.isnan(got["p"])  # no permutations: no p
    assert got["gap"] == pytest.approx(got["within"] - got["between"])
    assert 0 < got["gap_low"] <= got["gap"] <= got["gap_high"]
    noise = class_similarity(rng.random((60, 28, 28)), np.arange(60) % 3, rng=rng,
                             permutations=0, cap=500, boots=200)  # fmt: skip
    assert noise["gap_low"] < 0 < noise["gap_high"]  # no likeness: the interval spans 0
    assert np.isnan(class_similarity(x, y, rng=rng, permutations=9, cap=500, boots=0)["gap_low"])


def test_gap_interval_weighs_pairs_of_different_images_only():
    # Two digits of two images each; within a digit the pair correlates 0.5, across 0.1.
    c = np.array([[0, 0.5, 0.1, 0.1], [0.5, 0, 0.1, 0.1], [0.1, 0.1, 0, 0.5], [0.1, 0.1, 0.5, 0]])
    target = np.array([0, 0, 1, 1])
    low, high = gap_interval(c, target, rng=np.random.default_rng(0), boots=500)
    # A resample that draws one image twice has no pair in that digit: only the other digit's
    # pair is within (0.5), every cross pair between (0.1). The gap is 0.4 in every resample
    # that has a within pair (a resample with none has none to compare: NaN, left out).
    assert low == pytest.approx(0.4) and high == pytest.approx(0.4)


def test_reference_similarity_real_digits_beat_their_blends_into_noise():
    rng = np.random.default_rng(6)
    x, y = strokes(40, rng)
    real, blended = reference_similarity(x, y, rng=rng, cap=500)
    assert (real["model"], real["method"]) == ("reference", "test digits")
    assert blended["method"] == f"blends s={FIT_AT:g}" and np.isnan(real["p"])
    assert 0 < blended["gap"] < real["gap"]


@pytest.mark.parametrize(
    ("rows", "cols", "k"), [(7, 2345, 10), (5, 2000, 3), (4, 900, 10), (3, 12, 5)]
)
def test_top_k_finds_the_largest_values_of_each_row(rows, cols, k):
    s = np.random.default_rng(cols).random((rows, cols), dtype=np.float32)
    got = top_k(s, k)
    assert got.shape == (rows, k)
    want = np.sort(s, axis=1)[:, -k:]
    np.testing.assert_array_equal(np.sort(np.take_along_axis(s, got, axis=1), axis=1), want)


@pytest.mark.parametrize("similarity", ["correlation", "centred"])
def test_reading_weighted_means_equals_reading_the_means_formed(similarity):
    rng = np.random.default_rng(8)
    x, y = strokes(40, rng)
    reader = KnnReader(k=3, blur=1.0, quantile=0.9, similarity=similarity)
    reader.fit(x, y, rng.random((50, 28, 28)))
    images = np.clip(x[:6] + 0.3 * rng.random((6, 28, 28)), 0, 1)
    weights = rng.multinomial(6, np.full(6, 1 / 6), size=20) / 6  # (20, 6) resamples
    formed = np.tensordot(weights, images, axes=1)
    digit, sim = reader.read_means(images, weights)
    want_digit, want_sim = reader.read(formed)
    np.testing.assert_array_equal(digit, want_digit)
    np.testing.assert_allclose(sim, want_sim, atol=1e-5)


def test_centred_similarity_cancels_the_mean_training_image():
    rng = np.random.default_rng(9)
    x, y = strokes(40, rng)
    mean = x.mean(axis=0, keepdims=True)  # a cross: both bars at half strength
    noise = rng.random((100, 28, 28))
    plain = KnnReader(k=3, blur=1.0, quantile=0.99).fit(x, y, noise)
    centred = KnnReader(k=3, blur=1.0, quantile=0.99, similarity="centred").fit(x, y, noise)
    assert plain.read(mean)[1][0] > 0.6  # the generic mass alone is much like every digit
    assert abs(centred.read(mean)[1][0]) < 0.2  # nothing left to match but rounding
    test, labels = strokes(10, rng)
    assert centred.looks(test, labels).all()


def test_an_unknown_similarity_is_refused():
    with pytest.raises(ValueError, match="similarity 'cosine' is none of"):
        KnnReader(k=1, blur=0.0, quantile=0.9, similarity="cosine")


def test_specificity_table_counts_what_each_reader_calls_a_digit():
    images = dict(a=np.zeros((4, 28, 28)), b=np.ones((10, 28, 28)))
    calls = dict(all=lambda im: np.ones(len(im), bool), none=lambda im: np.zeros(len(im), bool))
    t = specificity_table(calls, images)
    assert list(t.columns) == ["reader", "family", "n", "k", "share", "low", "high"]
    assert list(zip(t.reader, t.family, t.k, t.n, strict=True)) == [
        ("all", "a", 4, 4), ("all", "b", 10, 10), ("none", "a", 0, 4), ("none", "b", 0, 10)
    ]  # fmt: skip
    assert (t.low <= t.share).all() and (t.share <= t.high).all()


def candidates(*rows) -> pd.DataFrame:
    """Readers (name, sensitivity, worst_share) with ``specific`` from the 5% rule."""
    t = pd.DataFrame(rows, columns=["reader", "sensitivity", "worst_share"])
    return t.assign(specific=t.worst_share <= 0.05)


@pytest.mark.parametrize(
    ("rows", "chosen"),
    [
        ((("a", 0.95, 0.06), ("b", 0.91, 0.04), ("c", 0.93, 0.05)), "c"),  # specific: c > b
        ((("a", 0.50, 0.01), ("b", 0.99, 0.20)), "a"),  # specific beats sensitive
        ((("a", 0.90, 0.30), ("b", 0.10, 0.08), ("c", 0.95, 0.30)), "b"),  # none: least called
        ((("a", 0.20, 0.08), ("b", 0.30, 0.08)), "b"),  # a tie of the worst: more sensitive
        ((("a", 0.50, 0.02), ("b", 0.50, 0.03)), "a"),  # a tie of sensitivity: the first
    ],
)
def test_choose_the_most_sensitive_specific_reader_or_the_least_fooled(rows, chosen):
    assert choose(candidates(*rows)) == chosen


def test_choose_needs_a_candidate():
    with pytest.raises(ValueError, match="no candidates"):
        choose(candidates())


def test_reader_table_measures_fitness_and_marks_one_chosen_candidate():
    settings = pd.DataFrame(
        [dict(reader=r, blur=1.0, similarity="correlation", floor=0.5, floor_low=0.4,
              floor_high=0.6, floor_family="sparse dots") for r in ("a", "b", "template")]
    )  # fmt: skip
    calibration = pd.DataFrame(
        [dict(reader=r, s=s, n=100, k=k, share=k / 100, low=k / 200, high=min(1, k / 50))
         for r, k3 in (("a", 95), ("b", 99), ("template", 97)) for s, k in ((0.0, 0), (0.3, k3))]
    )  # fmt: skip
    worst = dict(a=0.05, b=0.2, template=0.01)
    specificity = pd.DataFrame(
        [dict(reader=r, family=f, n=100, k=int(100 * w * (f == "dots")),
              share=w * (f == "dots"), low=0.0, high=w + 0.02)
         for r, w in worst.items() for f in ("noise", "dots")]
    )  # fmt: skip
    t = reader_table(settings, calibration, specificity, candidates=["a", "b"]).set_index("reader")
    assert t.specific.to_dict() == dict(a=True, b=False, template=True)
    assert t.fit.to_dict() == dict(a=True, b=False, template=True)
    assert t.chosen.to_dict() == dict(
        a=True, b=False, template=False
    )  # b: more sensitive, not specific
    assert t.sensitivity["b"] == 0.99 and t.worst_family["b"] == "dots"
    assert t.worst_share["b"] == 0.2 and t.worst_high["b"] == pytest.approx(0.22)
    with pytest.raises(ValueError, match="reader 'c' lacks"):
        reader_table(settings.replace("a", "c"), calibration, specificity, candidates=["b"])
