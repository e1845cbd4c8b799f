"""C2 and C3: the eigen-digits and the classifier on principal components."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.common import pct
from tests.claims.builders import N, P, R, pca_accuracy


def eigen(looks: list[bool]) -> pd.DataFrame:
    n = len(looks)
    return pd.DataFrame(
        dict(
            component=np.arange(1, n + 1),
            sign=1,
            digit=np.arange(n) % 10,
            corr=np.where(looks, 0.6, 0.2),
            floor=0.45,
            looks_like_digit=looks,
        )
    )


@pytest.mark.parametrize(
    ("looks", "n", "expected"),
    [(8, 8, R), (4, 8, R), (3, 8, P), (1, 8, P), (0, 8, N), (4, 7, R), (3, 7, P)],
)
def test_c2_half_the_eigen_digits_look_like_digits(looks, n, expected):
    got = seed000.c2(eigen([True] * looks + [False] * (n - looks)))
    assert got["verdict"] == expected and got["value"] == f"{looks}/{n}"
    assert got["measured"].count("PC") == looks  # the ones that look like a digit are listed


def test_c2_without_eigen_digits():
    assert seed000.c2(None) is None and seed000.c2(eigen([])) is None


@pytest.mark.parametrize(
    ("acc", "expected"),
    [
        (0.70, R),
        (0.75, R),  # exactly 5 points
        (0.65, R),
        (0.7501, P),
        (0.85, P),  # exactly 15 points
        (0.55, P),
        (0.8501, N),
        (0.5499, N),
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
