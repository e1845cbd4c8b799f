"""Fitting the detectors: the Mahalanobis statistics on known clusters."""

import numpy as np
import pytest

from mnist_fooling.stages.detectors.fit import fit_mahalanobis
from mnist_fooling.stages.detectors.roc import roc_summary


def test_mahalanobis_separates_a_far_cluster_perfectly():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(10, 5))
    labels = np.arange(1000) % 10
    features = centres[labels] + rng.normal(size=(1000, 5)) * [1, 2, 3, 4, 5]
    whitening, means = fit_mahalanobis(features, labels, ridge=0.0)

    def distance(f):
        z = f @ whitening
        return np.sqrt(((z[:, None] - means[None]) ** 2).sum(axis=2).min(axis=1))

    near = distance(centres[labels[:200]] + rng.normal(size=(200, 5)))
    far_points = 50.0 + rng.normal(size=(200, 5))
    assert roc_summary(near, distance(far_points)) == (1.0, 0.0)
    # the textbook distance: the nearest class mean under the pooled covariance's inverse
    class_means = np.stack([features[labels == c].mean(0) for c in range(10)])
    centred = features - class_means[labels]
    precision = np.linalg.inv(centred.T @ centred / len(features))
    diff = far_points[:5, None] - class_means[None]  # (5, 10, 5)
    expected = np.einsum("ncf,fg,ncg->nc", diff, precision, diff).min(axis=1)
    np.testing.assert_allclose(distance(far_points[:5]) ** 2, expected, rtol=1e-4)


def test_mahalanobis_needs_every_digit():
    with pytest.raises(ValueError, match="every digit"):
        fit_mahalanobis(np.zeros((5, 3)), np.arange(5), ridge=0.1)
