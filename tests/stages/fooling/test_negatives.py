"""Images with no digit: each family's look, and a reader's specificity on them at its floor."""

import numpy as np
import pytest

from mnist_fooling.stages.fooling.negatives import DOTS, NEGATIVES, RAISE, negatives
from mnist_fooling.stages.fooling.reader import KnnReader, specificity_table
from tests.stages.fooling.test_reader import strokes


@pytest.fixture(scope="module")
def digits():
    return strokes(40, np.random.default_rng(0))[0]


def test_every_family_gives_n_images_in_the_unit_range_from_its_seed(digits):
    one = negatives(7, rng=np.random.default_rng(1), digits=digits)
    again = negatives(7, rng=np.random.default_rng(1), digits=digits)
    assert list(one) == list(NEGATIVES)
    for name, images in one.items():
        assert images.shape == (7, 28, 28) and images.dtype == np.float32, name
        assert images.min() >= 0 and images.max() <= 1, name
        np.testing.assert_array_equal(images, again[name])
    assert negatives(1, rng=np.random.default_rng(2), digits=digits)["smooth blobs"].shape == (
        1,
        28,
        28,
    )


def test_negatives_refuse_an_empty_sample(digits):
    with pytest.raises(ValueError, match="n = 0 must be at least 1"):
        negatives(0, rng=np.random.default_rng(0), digits=digits)


def test_each_family_looks_as_described(digits):
    got = negatives(200, rng=np.random.default_rng(3), digits=digits)
    lit = (got["sparse dots"] > 0).mean(axis=(1, 2))
    assert (
        DOTS[0] / 2 < lit.mean() < DOTS[1]
        and (got["sparse dots"][got["sparse dots"] > 0] >= 0.5).all()
    )
    raised = got["raised centre"]
    centre, frame = (
        raised[:, 4:24, 4:24].mean(),
        np.concatenate([raised[:, :4].ravel(), raised[:, 24:].ravel()]).mean(),
    )
    assert centre - frame == pytest.approx(RAISE, abs=0.03)
    # smooth: neighbouring pixels agree far more than in the noise they were blurred from
    blobs, noise = got["smooth blobs"], got["uniform noise"]
    step = lambda x: np.abs(np.diff(x, axis=2)).mean()  # noqa: E731
    assert step(blobs) < step(noise) / 4
    # phase-scrambled digits keep no stroke: no image is a bar of the digits any more
    corr = np.corrcoef(got["phase-scrambled digits"].reshape(200, -1), digits[:2].reshape(2, -1))
    assert np.abs(corr[:200, 200:]).max() < 0.6


def test_a_reader_floored_on_every_family_rejects_fresh_images_of_each(digits):
    x, y = strokes(40, np.random.default_rng(4))
    rng = np.random.default_rng(5)
    fit = negatives(300, rng=rng, digits=x)
    reader = KnnReader(k=3, blur=1.0, quantile=0.99).fit(x, y, fit)
    table = specificity_table({"k-NN": reader.calls}, negatives(300, rng=rng, digits=x))
    assert list(table.family) == list(NEGATIVES) and (table.n == 300).all()
    assert (table.share <= 0.05).all(), table
    test, labels = strokes(20, rng)
    assert reader.looks(test, labels).all()  # the real shapes still pass the raised floor


def test_the_floor_is_the_highest_family_quantile(digits):
    x, y = strokes(40, np.random.default_rng(6))
    fit = negatives(200, rng=np.random.default_rng(7), digits=x)
    reader = KnnReader(k=3, blur=1.0, quantile=0.9).fit(x, y, fit)
    floors = {name: np.quantile(reader.read(images)[1], 0.9) for name, images in fit.items()}
    assert reader.floor == pytest.approx(max(floors.values()))
    assert reader.floor_family == max(floors, key=floors.get)
    low, high = reader.floor_interval
    assert low <= reader.floor <= high
    noise_only = KnnReader(k=3, blur=1.0, quantile=0.9).fit(x, y, fit["uniform noise"])
    assert noise_only.floor_family == "uniform noise" and noise_only.floor <= reader.floor
