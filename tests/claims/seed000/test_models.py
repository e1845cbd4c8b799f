"""C2 and C3: the eigen-digits and the classifier on principal components."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.common import pct
from tests.claims.builders import N, P, R, U, pca_accuracy


def eigen(looks: list[bool], near: int = 0) -> pd.DataFrame:
    """Eigen-digits that look like a digit (r = 0.6) or not (0.2); the last ``near`` of those
    that look sit at r = 0.451, inside the floor's interval [0.449, 0.453]."""
    n = len(looks)
    corr = np.where(looks, 0.6, 0.2)
    corr[np.flatnonzero(looks)[len(np.flatnonzero(looks)) - near :]] = 0.451
    return pd.DataFrame(
        dict(
            component=np.arange(1, n + 1),
            sign=1,
            digit=np.arange(n) % 10,
            corr=corr,
            floor=0.45,
            floor_low=0.449,
            floor_high=0.453,
            looks_like_digit=looks,
        )
    )


@pytest.mark.parametrize(
    ("looks", "n", "near", "expected", "value"),
    [
        (8, 8, 0, R, "8/8 [8, 8]"),
        (4, 8, 0, R, "4/8 [4, 4]"),
        (4, 8, 1, U, "4/8 [3, 4]"),  # PC7 of the default run: the floor's error decides
        (5, 8, 1, R, "5/8 [4, 5]"),
        (3, 8, 0, P, "3/8 [3, 3]"),
        (1, 8, 0, P, "1/8 [1, 1]"),
        (1, 8, 1, U, "1/8 [0, 1]"),
        (0, 8, 0, N, "0/8 [0, 0]"),
        (4, 7, 0, R, "4/7 [4, 4]"),
        (3, 7, 0, P, "3/7 [3, 3]"),
    ],
)
def test_c2_half_the_eigen_digits_look_like_digits(looks, n, near, expected, value):
    got = seed000.c2(eigen([True] * looks + [False] * (n - looks), near=near))
    assert got["verdict"] == expected and got["value"] == f"{value}; template reader"
    assert got["measured"].count("PC") == looks  # the ones that look like a digit are listed


def test_c2_without_eigen_digits():
    assert seed000.c2(None) is None and seed000.c2(eigen([])) is None


@pytest.mark.parametrize(
    ("acc", "expected"),
    [  # the builder's interval: ±1 point
        (0.70, R),
        (0.74, R),  # [73, 75]: within 5 points throughout
        (0.66, R),
        (0.75, U),  # exactly 5 points: the interval reaches across
        (0.7601, P),
        (0.84, P),
        (0.56, P),
        (0.85, U),  # exactly 15 points
        (0.8601, N),
        (0.5399, N),
    ],
)
def test_c3_nearest_class_mean_on_ten_components(acc, expected):
    # Only the k = 10 row decides; the others and the best rule would give other verdicts.
    got = seed000.c3(pca_accuracy({2: 0.3, 10: acc, 50: 0.9}))
    assert got["verdict"] == expected
    assert got["measured"].startswith(f"nearest class mean, k=10: {pct(acc)}")
    assert "best: 1-nearest neighbour, k=50: 97.0%" in got["measured"]


def test_c3_takes_the_k_nearest_ten_and_needs_data():
    got = seed000.c3(pca_accuracy({2: 0.3, 12: 0.70, 50: 0.9}))
    assert got["verdict"] == R and "k=12" in got["measured"]
    assert seed000.c3(None) is None and seed000.c3(pca_accuracy({}).iloc[:0]) is None
