"""C15 on synthetic variogram rows."""

import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from tests.claims.builders import N, P, R, variogram


@pytest.mark.parametrize(
    ("published", "truth", "p", "expected"),
    [
        ((0.01, 0.01), (0.1, 0.1), 0.001, R),
        ((0.0249, 0.01), (0.1, 0.1), 0.001, R),
        ((0.01, 0.01), (0.1, 0.1), 0.01, P),  # the images do not differ at p < 0.01
        ((0.01, 0.01), (0.1, 0.1), None, P),  # no converged images of both variants
        ((0.0251, 0.01), (0.1, 0.1), 0.001, N),  # the widest direction is not flat
        ((0.01, 0.01), (0.1, 0.039), 0.001, N),  # against the narrowest true statistics
        ((0.1, 0.1), (0.1, 0.1), 0.5, N),
    ],
)
def test_c15_published_terms_flat_and_variants_differ(published, truth, p, expected):
    got = seed000.c15(variogram(published, truth, p))
    assert got["verdict"] == expected
    assert got["value"] == f"spread {max(published):.4f} vs {min(truth):.4f}"


def test_c15_without_a_variogram():
    assert seed000.c15(None) is None and seed000.c15(pd.DataFrame()) is None
