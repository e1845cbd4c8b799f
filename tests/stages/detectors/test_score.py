"""The detectors' scores on synthetic data: each against its known answer."""

import keras
import numpy as np
import pytest

from mnist_fooling.core.models import build_mlp
from mnist_fooling.stages.detectors.config import DETECTORS
from mnist_fooling.stages.detectors.fit import fit_detectors
from mnist_fooling.stages.detectors.roc import roc_summary
from mnist_fooling.stages.detectors.score import build_probe, score_images
from tests.stages.detectors.synthetic import bar_images, identity_pca


def test_output_detectors_flag_noise_with_flat_logits(fitted):
    fit, probe = fitted
    digits, _ = bar_images(100, seed=1)
    noise = np.random.default_rng(2).random((100, 28, 28), dtype=np.float32)
    a, b = score_images(probe, digits, 5), score_images(probe, noise, 5)
    assert a.scores.shape == (100, 5) and fit.names == DETECTORS[:5]
    for j in (0, 1):  # max output, energy
        assert roc_summary(a.scores[:, j], b.scores[:, j])[0] == 1.0
    top = b.outputs.astype(np.float64).max(1)  # max output: ordered by -logit(max output)
    np.testing.assert_allclose(b.scores[:, 0], np.log((1 - top) / top), rtol=1e-4)
    lse = np.log(np.exp(b.logits.astype(np.float64)).sum(1))
    np.testing.assert_allclose(b.scores[:, 1], -lse, rtol=1e-5)


def test_pca_error_is_zero_on_the_subspace_and_matches_pca_module(reader):
    from mnist_fooling.stages.pca.compute import reconstruction_error

    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.normal(size=(784, 784)))[0].T.astype(np.float32)
    pca = dict(mean=np.full(784, 0.1, np.float32), components=basis)
    x, y = bar_images(50)
    fit = fit_detectors(reader, x_fit=x, y_fit=y, pca=pca, pca_k=20, ridge=0.01)
    probe = build_probe(reader, fit)
    on = (rng.random((30, 20)) @ basis[:20] * 0.2 + 0.1).reshape(-1, 28, 28)
    off = rng.random((30, 28, 28), dtype=np.float32)
    s_on = score_images(probe, on.astype(np.float32), 5).scores[:, 3]
    s_off = score_images(probe, off, 5).scores[:, 3]
    assert s_on.max() < 1e-3 < s_off.min()
    np.testing.assert_allclose(s_off, reconstruction_error(off, pca["mean"], basis, 20), rtol=1e-3)


def test_template_reader_matches_likeness(fitted):
    from mnist_fooling.stages.fooling.likeness import correlations, templates

    fit, probe = fitted
    x, y = bar_images(200)
    images = np.random.default_rng(4).random((20, 28, 28), dtype=np.float32)
    expected = 1 - correlations(images, templates(x, y)).max(axis=1)
    np.testing.assert_allclose(score_images(probe, images, 5).scores[:, 4], expected, atol=1e-5)


def test_eleventh_class_score_is_its_output(reader):
    from mnist_fooling.stages.eleventh.retrain import with_fooling_class

    eleven = with_fooling_class(reader)
    w, b = eleven.get_layer("out").get_weights()
    eleven.get_layer("out").set_weights([w, b + np.r_[np.zeros(10), 3.0].astype(np.float32)])
    x, y = bar_images(50)
    fit = fit_detectors(
        reader, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=5, ridge=0.1, eleventh=True
    )
    probe = build_probe(reader, fit, eleventh=eleven)
    images = np.random.default_rng(5).random((8, 28, 28), dtype=np.float32)
    scored = score_images(probe, images, 6)
    np.testing.assert_allclose(
        scored.scores[:, 5], eleven.predict(images, verbose=0)[:, 10], rtol=1e-5
    )
    with pytest.raises(ValueError, match="eleventh model"):
        build_probe(reader, fit)


def test_sigmoid_model_uses_its_activations():
    keras.utils.set_random_seed(1)
    mlp = build_mlp(l2=0.0, n_train=10)
    x, y = bar_images(50)
    fit = fit_detectors(mlp, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=5, ridge=0.1)
    assert fit.output == "sigmoid" and fit.whitening.shape == (100, 100)
    scored = score_images(build_probe(mlp, fit), x[:10], 5)
    np.testing.assert_allclose(scored.outputs, mlp.predict(x[:10], verbose=0), rtol=1e-5)
    np.testing.assert_allclose(scored.scores[:, 0], -scored.logits.max(1), rtol=1e-6)
