"""The adaptive attack: it evades the detector it knows, alike on TensorFlow and JAX."""

import json

import keras
import numpy as np

from mnist_fooling.stages.detectors.attack import attack_groups, sign_attack, step_sizes
from mnist_fooling.stages.detectors.fit import fit_detectors
from mnist_fooling.stages.detectors.score import Calibration, build_probe, score_images
from tests.stages.detectors.synthetic import attack_config, bar_images, bar_reader, identity_pca


def test_adaptive_attack_reaches_the_target_and_evades_the_detector(fitted):
    fit, probe = fitted
    digits, _ = bar_images(200, seed=8)
    scores = score_images(probe, digits, 5).scores
    calibration = Calibration.from_scores(scores, quantile=0.5)
    cfg = attack_config(runs_per_digit=1, steps=60, step_size=0.1, decay=0.96)
    start, targets, weights, groups = attack_groups(fit.names, cfg, seed=0)
    assert start.shape == (60, 28, 28) and (weights[groups == 2] == [0, 0, 1, 0, 0]).all()
    result = sign_attack(
        probe,
        start=start,
        targets=targets,
        weights=weights,
        calibration=calibration,
        output=fit.output,
        cfg=cfg,
    )
    plain = groups == -1
    assert result.reached[plain].all() and (result.evaluations[plain] <= 61).all()
    hit = result.outputs[np.arange(60), targets] >= cfg.threshold
    np.testing.assert_array_equal(hit, result.reached)
    for j in (2, 3, 4):  # Mahalanobis, PCA error, template reader
        own = groups == j
        assert result.success[own].mean() >= 0.8
        assert np.median(result.scores[own, j]) < np.median(result.scores[plain, j])
        assert (result.scores[own & result.success, j] <= calibration.limit[j]).all()
    # the plain attack is indifferent to the detectors: it stops as soon as it reaches the target
    assert result.evaluations[plain].mean() <= result.evaluations[groups == 3].mean()


def attack_summary() -> dict:
    """A short adaptive attack on the bar reader: success and passes per group (JAX check)."""
    keras.utils.set_random_seed(0)
    reader = bar_reader()
    x, y = bar_images(200)
    fit = fit_detectors(reader, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=10, ridge=0.01)
    probe = build_probe(reader, fit)
    scores = score_images(probe, bar_images(200, seed=8)[0], 5).scores
    cfg = attack_config(runs_per_digit=1, steps=20)
    start, targets, weights, groups = attack_groups(fit.names, cfg, seed=0)
    result = sign_attack(
        probe,
        start=start,
        targets=targets,
        weights=weights,
        calibration=Calibration.from_scores(scores, quantile=0.5),
        output=fit.output,
        cfg=cfg,
    )
    return {
        "success": [float(result.success[groups == g].mean()) for g in range(-1, 5)],
        "passes": int(result.evaluations.sum()),
    }


def test_the_attack_runs_alike_on_jax():
    from tests.conftest import ROOT, run_with_jax

    script = f"""
    import json, sys
    sys.path.insert(0, {str(ROOT)!r})
    from tests.stages.detectors.test_attack import attack_summary
    print(json.dumps(attack_summary()))
    """
    on_jax = json.loads(run_with_jax(script).strip().splitlines()[-1])
    on_tf = attack_summary()
    np.testing.assert_allclose(on_jax["success"], on_tf["success"], atol=0.1)
    assert abs(on_jax["passes"] - on_tf["passes"]) <= 0.1 * on_tf["passes"]


def test_step_sizes_decay_geometrically():
    sizes = step_sizes(attack_config(steps=4, step_size=0.1, decay=0.5))
    np.testing.assert_allclose(sizes, [0.1, 0.05, 0.025, 0.0125])
