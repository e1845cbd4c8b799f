"""Detectors of fooling images: known answers on synthetic data, the adaptive attack, the report."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.core.io import save_keras_model, write_npz
from mnist_fooling.core.models import build_mlp, build_softmax
from mnist_fooling.stages.detectors import detectors as det
from mnist_fooling.stages.detectors import fragment as det_fragment
from tests.conftest import synthetic_arrays

BARS = np.zeros((10, 28, 28), np.float32)
BARS[np.arange(10), 2 * np.arange(10) + 4, 4:24] = 1.0  # digit d: a bar at row 2d + 4


def bar_images(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images of digit bars on faint noise, and their labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    x = 0.15 * rng.random((n, 28, 28), dtype=np.float32)
    return np.maximum(x, BARS[y]), y


def bar_reader() -> keras.Model:
    """Softmax regression whose class-d weights are bar d minus the mean bar (hand-set)."""
    model = build_softmax()
    kernel = (BARS - BARS.mean(axis=0)).reshape(10, -1).T  # (784, 10)
    model.get_layer("out").set_weights([kernel, np.zeros(10, np.float32)])
    return model


def identity_pca(k: int) -> dict[str, np.ndarray]:
    return dict(mean=np.zeros(784, np.float32), components=np.eye(784, dtype=np.float32))


@pytest.fixture(scope="module")
def reader():
    keras.utils.set_random_seed(0)
    return bar_reader()


@pytest.fixture(scope="module")
def fitted(reader):
    x, y = bar_images(200)
    pca = identity_pca(784)
    pca["components"] = np.eye(784, dtype=np.float32)[np.argsort(-BARS.sum(0).ravel())]
    fit = det.fit_detectors(reader, x_fit=x, y_fit=y, pca=pca, pca_k=10, ridge=0.01)
    return fit, det.build_probe(reader, fit)


# ----------------------------------------------------------------------------- detectors


def test_mahalanobis_separates_a_far_cluster_perfectly():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(10, 5))
    labels = np.arange(1000) % 10
    features = centres[labels] + rng.normal(size=(1000, 5)) * [1, 2, 3, 4, 5]
    whitening, means = det.fit_mahalanobis(features, labels, ridge=0.0)

    def distance(f):
        z = f @ whitening
        return np.sqrt(((z[:, None] - means[None]) ** 2).sum(axis=2).min(axis=1))

    near = distance(centres[labels[:200]] + rng.normal(size=(200, 5)))
    far_points = 50.0 + rng.normal(size=(200, 5))
    assert det.roc_summary(near, distance(far_points)) == (1.0, 0.0)
    # the textbook distance: the nearest class mean under the pooled covariance's inverse
    class_means = np.stack([features[labels == c].mean(0) for c in range(10)])
    centred = features - class_means[labels]
    precision = np.linalg.inv(centred.T @ centred / len(features))
    diff = far_points[:5, None] - class_means[None]  # (5, 10, 5)
    expected = np.einsum("ncf,fg,ncg->nc", diff, precision, diff).min(axis=1)
    np.testing.assert_allclose(distance(far_points[:5]) ** 2, expected, rtol=1e-4)


def test_mahalanobis_needs_every_digit():
    with pytest.raises(ValueError, match="every digit"):
        det.fit_mahalanobis(np.zeros((5, 3)), np.arange(5), ridge=0.1)


def test_output_detectors_flag_noise_with_flat_logits(fitted):
    fit, probe = fitted
    digits, _ = bar_images(100, seed=1)
    noise = np.random.default_rng(2).random((100, 28, 28), dtype=np.float32)
    a, b = det.score_images(probe, digits, 5), det.score_images(probe, noise, 5)
    assert a.scores.shape == (100, 5) and fit.names == det.DETECTORS[:5]
    for j in (0, 1):  # max output, energy
        assert det.roc_summary(a.scores[:, j], b.scores[:, j])[0] == 1.0
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
    fit = det.fit_detectors(reader, x_fit=x, y_fit=y, pca=pca, pca_k=20, ridge=0.01)
    probe = det.build_probe(reader, fit)
    on = (rng.random((30, 20)) @ basis[:20] * 0.2 + 0.1).reshape(-1, 28, 28)
    off = rng.random((30, 28, 28), dtype=np.float32)
    s_on = det.score_images(probe, on.astype(np.float32), 5).scores[:, 3]
    s_off = det.score_images(probe, off, 5).scores[:, 3]
    assert s_on.max() < 1e-3 < s_off.min()
    np.testing.assert_allclose(s_off, reconstruction_error(off, pca["mean"], basis, 20), rtol=1e-3)


def test_template_reader_matches_likeness(fitted):
    from mnist_fooling.stages.fooling.likeness import correlations, templates

    fit, probe = fitted
    x, y = bar_images(200)
    images = np.random.default_rng(4).random((20, 28, 28), dtype=np.float32)
    expected = 1 - correlations(images, templates(x, y)).max(axis=1)
    np.testing.assert_allclose(det.score_images(probe, images, 5).scores[:, 4], expected, atol=1e-5)


def test_eleventh_class_score_is_its_output(reader):
    from mnist_fooling.stages.eleventh.retrain import with_fooling_class

    eleven = with_fooling_class(reader)
    w, b = eleven.get_layer("out").get_weights()
    eleven.get_layer("out").set_weights([w, b + np.r_[np.zeros(10), 3.0].astype(np.float32)])
    x, y = bar_images(50)
    fit = det.fit_detectors(
        reader, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=5, ridge=0.1, eleventh=True
    )
    probe = det.build_probe(reader, fit, eleventh=eleven)
    images = np.random.default_rng(5).random((8, 28, 28), dtype=np.float32)
    scored = det.score_images(probe, images, 6)
    np.testing.assert_allclose(
        scored.scores[:, 5], eleven.predict(images, verbose=0)[:, 10], rtol=1e-5
    )
    with pytest.raises(ValueError, match="eleventh model"):
        det.build_probe(reader, fit)


def test_sigmoid_model_uses_its_activations():
    keras.utils.set_random_seed(1)
    mlp = build_mlp(l2=0.0, n_train=10)
    x, y = bar_images(50)
    fit = det.fit_detectors(mlp, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=5, ridge=0.1)
    assert fit.output == "sigmoid" and fit.whitening.shape == (100, 100)
    scored = det.score_images(det.build_probe(mlp, fit), x[:10], 5)
    np.testing.assert_allclose(scored.outputs, mlp.predict(x[:10], verbose=0), rtol=1e-5)
    np.testing.assert_allclose(scored.scores[:, 0], -scored.logits.max(1), rtol=1e-6)


# ----------------------------------------------------------------------------- ROC


def test_roc_summary_is_sklearns_and_perfect_separation_has_no_false_positives():
    rng = np.random.default_rng(6)
    neg, pos = rng.normal(size=300), rng.normal(1.0, size=40)
    auroc, _ = det.roc_summary(neg, pos)
    labels = np.r_[np.zeros(300), np.ones(40)]
    assert auroc == pytest.approx(roc_auc_score(labels, np.r_[neg, pos]))
    assert det.roc_summary(neg, pos + 100) == (1.0, 0.0)
    assert det.roc_summary(neg, neg.min() - 1 - rng.random(40)) == (0.0, 1.0)
    with pytest.raises(ValueError, match="at least one"):
        det.roc_summary(neg, pos[:0])


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(7)
    widths = []
    for n in (30, 600):
        neg, pos = rng.normal(size=n), rng.normal(1.0, size=n)
        found = det.bootstrap_roc(neg, pos, resamples=100, rng=np.random.default_rng(0))
        assert found["auroc_low"] <= found["auroc"] <= found["auroc_high"]
        assert found["fpr95_low"] <= found["fpr95"] <= found["fpr95_high"]
        widths.append(found["auroc_high"] - found["auroc_low"])
    assert widths[1] < widths[0] / 2


# ----------------------------------------------------------------------------- attack


def test_adaptive_attack_reaches_the_target_and_evades_the_detector(fitted):
    fit, probe = fitted
    digits, _ = bar_images(200, seed=8)
    scores = det.score_images(probe, digits, 5).scores
    calibration = det.Calibration.from_scores(scores, quantile=0.5)
    cfg = det.AttackConfig(runs_per_digit=1, steps=60, step_size=0.1, decay=0.96)
    start, targets, weights, groups = det.attack_groups(fit.names, cfg, seed=0)
    assert start.shape == (60, 28, 28) and (weights[groups == 2] == [0, 0, 1, 0, 0]).all()
    result = det.sign_attack(
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
    fit = det.fit_detectors(reader, x_fit=x, y_fit=y, pca=identity_pca(784), pca_k=10, ridge=0.01)
    probe = det.build_probe(reader, fit)
    scores = det.score_images(probe, bar_images(200, seed=8)[0], 5).scores
    cfg = det.AttackConfig(runs_per_digit=1, steps=20)
    start, targets, weights, groups = det.attack_groups(fit.names, cfg, seed=0)
    result = det.sign_attack(
        probe,
        start=start,
        targets=targets,
        weights=weights,
        calibration=det.Calibration.from_scores(scores, quantile=0.5),
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
    from tests.stages.detectors.test_detectors import attack_summary
    print(json.dumps(attack_summary()))
    """
    on_jax = json.loads(run_with_jax(script).strip().splitlines()[-1])
    on_tf = attack_summary()
    np.testing.assert_allclose(on_jax["success"], on_tf["success"], atol=0.1)
    assert abs(on_jax["passes"] - on_tf["passes"]) <= 0.1 * on_tf["passes"]


def test_step_sizes_decay_geometrically():
    sizes = det.step_sizes(det.AttackConfig(steps=4, step_size=0.1, decay=0.5))
    np.testing.assert_allclose(sizes, [0.1, 0.05, 0.025, 0.0125])


# ----------------------------------------------------------------------------- config


def test_config_rejects_unknown_keys_and_bad_values():
    cfg = det.DetectorConfig.from_dict({"bootstrap": 5, "adaptive": {"steps": 3, "weight": 2}})
    assert cfg.bootstrap == 5 and cfg.adaptive.steps == 3 and cfg.adaptive.weight == 2.0
    for bad, message in [
        ({"boot": 5}, "unknown key 'boot'"),
        ({"bootstrap": 0}, "at least 1"),
        ({"bootstrap": 2.5}, "must be an integer"),
        ({"adaptive": {"decay": 1.5}}, "step_size and decay"),
        ({"pca_k": 785}, "1..784"),
    ]:
        with pytest.raises(UserInputError, match=message):
            det.DetectorConfig.from_dict(bad)


# ----------------------------------------------------------------------------- report


def auroc_frame(lows: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    """AUROC rows with the given lower bounds (auroc = low + 0.01, high = low + 0.02)."""
    rows = []
    for (model, detector, set_), low in lows.items():
        rows.append(
            dict(
                model=model,
                detector=detector,
                set=set_,
                n=0 if np.isnan(low) else 20,
                n_converged=20,
                n_negatives=100,
                auroc=low + 0.01,
                auroc_low=low,
                auroc_high=low + 0.02,
                fpr95=0.5,
                fpr95_low=0.4,
                fpr95_high=0.6,
            )
        )
    return pd.DataFrame(rows)


def grid(values: dict[str, dict[str, float]]) -> pd.DataFrame:
    """``{model: {detector: low}}`` on two methods and noise, adaptive given separately."""
    lows = {}
    for model, per in values.items():
        for detector, (plain, attack) in per.items():
            for set_ in ("genetic", "hillclimb", det.NOISE_SET):
                lows[(model, detector, set_)] = plain
            lows[(model, detector, det.PLAIN_SET)] = plain
            lows[(model, detector, det.ADAPTIVE_SET)] = attack
    return auroc_frame(lows)


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ({"cnn": {"energy": (0.97, 0.96)}, "mlp": {"energy": (0.99, np.nan)}}, "reproduced"),
        ({"cnn": {"energy": (0.97, 0.40), "mahalanobis": (0.60, 0.3)}}, "partly"),
        ({"cnn": {"energy": (0.97, 0.96)}, "mlp": {"energy": (0.90, 0.99)}}, "not reproduced"),
    ],
)
def test_claim_verdict_reaches_each_outcome(values, verdict):
    assert det.claim_verdict(grid(values))[0] == verdict


def test_claim_without_rows_is_not_yet_measured():
    assert det.claim_verdict(auroc_frame({}).reindex(columns=det.AUROC_COLUMNS))[0] == (
        "not yet measured"
    )


def adaptive_frame(models=("softmax", "cnn"), detectors=("energy", "mahalanobis")) -> pd.DataFrame:
    rows = [
        dict(
            model=m,
            detector=d,
            limit=0.1,
            runs=10,
            plain_reached=10,
            plain_passes=1,
            plain_evaluations=200,
            adaptive_reached=9,
            adaptive_success=8 if d == "energy" else 0,
            adaptive_evaluations=640,
        )
        for m in models
        for d in detectors
    ]
    return pd.DataFrame(rows)


def test_fragment_has_tables_variables_and_a_claim(tmp_path):
    auroc = grid(
        {
            "softmax": {"energy": (0.3, 0.2), "mahalanobis": (0.97, 0.96)},
            "cnn": {"energy": (0.96, 0.3), "mahalanobis": (0.97, np.nan)},
        }
    )
    auroc.to_csv(tmp_path / "auroc.csv", index=False)
    adaptive_frame().to_csv(tmp_path / "adaptive.csv", index=False)
    config = {
        "detectors": {"bootstrap": 50},
    }
    frag = det_fragment.fragment(
        {"auroc": tmp_path / "auroc.csv", "adaptive": tmp_path / "adaptive.csv"}, config
    )
    assert set(frag) == {"variables", "tables", "claims"}
    (claim,) = frag["claims"]
    assert claim["id"] == "X1" and claim["verdict"] == "reproduced"
    v = frag["variables"]
    assert all(isinstance(x, str) for x in v.values())
    assert v["bootstrap"] == "50" and v["roc_model"] == "CNN" and v["roc_best"] == "Mahalanobis"
    assert (
        v["holding"]
        == "Mahalanobis on the softmax regression, energy on the CNN and Mahalanobis on the CNN"
    )
    assert v["collapsed"] == "energy on the CNN"  # held without the attack, not with it
    assert v["inverted"] == "energy on the softmax regression"
    assert v["price"].startswith("4.0 times")  # (640 / 8) / (200 / 10)
    table = frag["tables"]["auroc"].splitlines()
    assert table[0].startswith("| model | detector | genetic | hill climbing | uniform noise |")
    assert len(table) == 2 + 4 and "0.980 [0.970, 0.990]" in table[3]
    assert "8/10" in frag["tables"]["adaptive"] and "×4.0" in frag["tables"]["adaptive"]
    with pytest.raises(UserInputError, match="adaptive"):
        det_fragment.fragment({"auroc": tmp_path / "auroc.csv"}, config)


# ----------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Synthetic MNIST, a saved bar reader with its 11th-class model, fooling sets, pca.npz."""
    from mnist_fooling.stages.eleventh.retrain import with_fooling_class
    from mnist_fooling.stages.pca.compute import fit_pca

    d = tmp_path_factory.mktemp("detectors")
    arrays = synthetic_arrays(n=80)
    np.savez(d / "mnist.npz", **arrays)
    keras.utils.set_random_seed(0)
    model = bar_reader()
    save_keras_model(model, d / "softmax.keras")
    save_keras_model(with_fooling_class(model), d / "eleven.keras")
    mean, components, eigenvalues = fit_pca(arrays["x_train"] / 256.0)
    write_npz(d / "pca.npz", mean=mean, components=components, eigenvalues=eigenvalues)
    rng = np.random.default_rng(0)
    runs = []
    for method in ("genetic", "hillclimb"):
        runs.append(d / "fooling" / "softmax" / f"{method}.npz")
        write_npz(
            runs[-1],
            images=rng.random((12, 28, 28), dtype=np.float32),
            target=np.arange(12) % 10,
            converged=np.arange(12) % 3 > 0,
        )
    return d, runs


PARAMS = dict(
    n_negatives=40,
    n_fit=60,
    bootstrap=10,
    pca_k=5,
    adaptive=dict(runs_per_digit=1, steps=4),
)


def test_same_seed_gives_the_same_bytes_through_the_cli(workspace, tmp_path):
    from mnist_fooling.cli import main

    d, runs = workspace
    common = dict(
        models={"softmax": d / "softmax.keras"},
        data=d / "mnist.npz",
        runs=runs,
        pca=d / "pca.npz",
        params=PARAMS,
        seed=3,
        eleventh=("softmax", d / "eleven.keras"),
    )
    table = det.run_detectors(**common, out_dir=tmp_path / "a")
    argv = [
        "detectors",
        "--models",
        f"softmax={d / 'softmax.keras'}",
        "--data",
        str(d / "mnist.npz"),
    ]
    argv += ["--runs", *map(str, runs), "--pca", str(d / "pca.npz"), "--seed", "3"]
    argv += ["--eleventh", f"softmax={d / 'eleven.keras'}", "--params-json", json.dumps(PARAMS)]
    assert main([*argv, "--out-dir", str(tmp_path / "b")]) == 0
    for name in ("auroc.csv", "adaptive.csv", "roc.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert set(table.detector) == set(det.DETECTORS)
    assert set(table.set) == {"genetic", "hillclimb", det.NOISE_SET, *det.ATTACK_SETS}
    row = table[(table.set == "genetic") & (table.detector == "energy")].iloc[0]
    assert row.n == 12 and row.n_converged == 8 and row.n_negatives == 40
    adaptive = pd.read_csv(tmp_path / "a" / "adaptive.csv")
    assert len(adaptive) == 6 and (adaptive.runs == 10).all()
    bad = [*argv, "--out-dir", str(tmp_path / "c"), "--eleventh", "cnn=x.keras"]
    assert main(bad) == 2


def test_plots_from_the_csvs(workspace, tmp_path):
    from mnist_fooling.stages.detectors.figures import plot_detectors

    d, runs = workspace
    det.run_detectors(
        models={"softmax": d / "softmax.keras"},
        data=d / "mnist.npz",
        runs=runs,
        pca=d / "pca.npz",
        params=PARAMS | {"adaptive": dict(runs_per_digit=1, steps=1)},
        seed=0,
        out_dir=tmp_path,
    )
    plot_detectors(in_dir=tmp_path, out=tmp_path / "roc.png", heatmap=tmp_path / "heat.png")
    assert (tmp_path / "roc.png").stat().st_size > 1000 and (tmp_path / "heat.png").is_file()


def test_every_variable_of_the_section_is_in_the_fragment(tmp_path):
    import re

    from tests.conftest import ROOT

    text = (ROOT / "report" / "sections" / "detectors.qmd").read_text()
    wanted = set(re.findall(r"\{\{< var detectors\.([a-z_]+) >\}\}", text))
    included = set(re.findall(r"\{\{< include tables/detectors/([a-z0-9_]+)\.md >\}\}", text))
    assert len(wanted) > 20 and included == {"auroc", "sizes", "fpr95", "adaptive"}
    empty = auroc_frame({}).reindex(columns=det.AUROC_COLUMNS)
    for auroc in (grid({"cnn": {"energy": (0.97, 0.5)}}), empty):
        auroc.to_csv(tmp_path / "auroc.csv", index=False)
        adaptive_frame(("cnn",), ("energy",)).iloc[: len(auroc)].to_csv(
            tmp_path / "adaptive.csv", index=False
        )
        frag = det_fragment.fragment(
            {"auroc": tmp_path / "auroc.csv", "adaptive": tmp_path / "adaptive.csv"}, {}
        )
        assert wanted <= set(frag["variables"]) and included <= set(frag["tables"])
    assert frag["claims"][0]["verdict"] == "not yet measured"
