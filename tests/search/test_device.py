"""The device (JAX) search path against the numpy/numba path on a tiny, transparent model.

One subprocess (``KERAS_BACKEND=jax``, CPU) runs every supported method on both paths and
prints a JSON report; the tests below read it. Per method: shapes and invariants, a fixed
seed giving the same result twice and in any batch layout, an easy target reached, and a
two-sample test (α = 0.01) of a statistic of ≥ 100 runs per path (the random streams differ,
the laws must not).
"""

from __future__ import annotations

import json

import pytest

from mnist_fooling.search import registry

ALPHA = 0.01

SCRIPT = r"""
import json
import numpy as np
import keras
from scipy import stats as st

from mnist_fooling.search import run_search
from tests.search.configured import make_method
from mnist_fooling.search.engine import CURVE_EVALUATIONS, Scorer, replicate_index
from mnist_fooling.search import device
from mnist_fooling.search.device.forward import _forward_fn, _weights
from mnist_fooling.search.methods.genetic.device import _histogram_pixels, variogram_terms
from mnist_fooling.search.methods.gradient_sign.device import _blur, _gaussian_kernel
from mnist_fooling.search.methods.genetic.prior import (
    digit_stats, sample_pixels, variogram_cost, cost_stats,
)

assert keras.backend.backend() == "jax"


def tiny_model():
    # Softmax over 10 fixed read-outs: digit d likes ink in its own band of rows.
    inputs = keras.Input((28, 28))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(10, activation="softmax", name="out")
    outputs = dense(x)
    w = np.zeros((784, 10), np.float32)
    for d in range(10):
        w[d * 78 : (d + 1) * 78, d] = 0.5
    dense.set_weights([w, np.zeros(10, np.float32)])
    return keras.Model(inputs, outputs)


model = tiny_model()
scorer = Scorer(model)
STATS = digit_stats(np.random.default_rng(0).random((200, 28, 28)) ** 4, np.arange(200) % 10)
RUNS = np.repeat(np.arange(10), 20)  # 200 runs per path
PRIOR = dict(population=20, selected=4, tol=0.0, max_iter=8)
JITTER = dict(steps=20, threshold=0.97, step_size=0.05, decay=0.99, l2=0.2, blur_every=1,
              blur_sigma=1.0, jitter=1, reg_decay=0.97)
# method -> (parameters, statistic compared, parameters that reach an easy target)
CASES = {
    "genetic": (dict(population=20, selected=4, tol=0.02, max_iter=8, max_attempts=2),
                "steps", None),
    "genetic_prior": (PRIOR, "cost", dict(PRIOR, tol=0.6)),
    "genetic_prior_intended": (PRIOR, "cost", dict(PRIOR, tol=0.6)),
    "hillclimb": (dict(candidates=20, steps=40, threshold=0.99, patience=4, density=0.02),
                  "steps", None),
    "square_search": (dict(steps=60, threshold=0.99), "steps", None),
    "gradient_sign": (dict(steps=30, threshold=0.99999, step_size=0.05), "steps", None),
    "gradient": (dict(steps=30, learning_rate=0.2, threshold=0.99), "steps", None),
    "gradient_prior": (JITTER, "per search", None),
    "map_elites": (dict(batch_size=20, steps=40, threshold=0.9), "steps per replicate", None),
}
LAYOUT = ("genetic", "hillclimb", "map_elites")  # also run in small, shrinking batches


def on_device(name, params, targets, seed, **kw):
    # One batch shape unless asked (each shape compiles once, ~1 s on the CPU).
    kw = dict(dict(min_units=len(targets), progress_seconds=1e9), **kw)
    method = make_method(name, params, stats=STATS)
    return device.run_search_device(method, model, targets=targets, seed=seed, **kw)


def on_host(name, params, targets, seed):
    method = make_method(name, params, stats=STATS)
    return run_search(method, scorer, targets=targets, rng=np.random.default_rng(seed),
                      progress_seconds=1e9)


def invariants(r, targets):
    n = len(targets)
    rows = np.arange(n)
    curve = np.where(np.isnan(r.curve), -1.0, r.curve)
    finals = r.curve[rows, -1]
    return dict(
        shapes=[list(r.images.shape), list(r.outputs.shape), list(r.curve.shape),
                len(r.outcome), len(r.cost), len(r.attempts), len(r.evaluations),
                len(r.steps)],
        expected=[[n, 28, 28], [n, 10], [n, len(CURVE_EVALUATIONS)], n, n, n, n, n],
        in_range=bool(np.all((r.images >= 0) & (r.images <= 1))),
        outputs_error=float(np.abs(scorer.forward(r.images) - r.outputs).max()),
        curve_monotone=bool(np.all(np.diff(curve, axis=1) >= 0)),
        curve_ends_at_best=bool(np.all(np.isfinite(finals))),
        outcomes=sorted(set(r.outcome.tolist())),
        converged_confident=bool(np.all(
            r.outputs[rows, targets][r.converged] >= 0.5)),
    )


def same(a, b, atol=0.0):
    # atol: a forward pass at another batch size may round its outputs differently.
    keys = ("images", "outcome", "evaluations", "steps", "attempts")
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in keys) and all(
        np.allclose(getattr(a, k), getattr(b, k), rtol=0, atol=atol, equal_nan=True)
        for k in ("outputs", "curve"))


def statistic(name, what, r, targets):
    if what == "cost":
        return r.cost
    if what == "steps per replicate":  # a replicate's runs share their archive
        rep = replicate_index(targets)
        return np.bincount(rep, weights=r.steps) / np.bincount(rep)
    return r.steps.astype(float)


def per_search(run, name, params):
    # gradient_prior's jitter shift is one draw per step for all runs of a search (both
    # paths), so its runs are not independent: the unit is a search, 30 searches of ten
    # runs per path. Returns each search's mean target output and converged share.
    targets = np.arange(10)
    found = [run(name, params, targets, seed) for seed in range(30)]
    return (np.array([f.outputs[np.arange(10), targets].mean() for f in found]),
            np.array([f.converged.mean() for f in found]))


import sys, time
report = {}
for name, (params, what, easy) in CASES.items():
    start = time.time()
    entry = report[name] = {}
    r = on_device(name, params, RUNS, seed=1)
    entry["invariants"] = invariants(r, RUNS)
    entry["deterministic"] = same(r, on_device(name, params, RUNS, seed=1))
    entry["seed_matters"] = not np.array_equal(
        r.images, on_device(name, params, RUNS, seed=2).images)
    if name in LAYOUT:
        small = on_device(name, params, RUNS, seed=1, min_units=5, generations_per_call=3)
        entry["layout_free"] = same(r, small, atol=1e-6)
    h = on_host(name, params, RUNS, seed=1)
    outcomes = ["converged", "stuck", "budget"]
    table = np.array([[np.sum(x.outcome == o) for o in outcomes] for x in (r, h)])
    table = table[:, table.sum(axis=0) > 0]
    entry["outcomes"] = table.tolist()
    entry["p_outcomes"] = (float(st.chi2_contingency(table).pvalue)
                           if table.shape[1] > 1 else 1.0)
    if what == "per search":
        (a, share_a), (b, share_b) = per_search(on_device, name, params), per_search(
            on_host, name, params)
        entry["p_outcomes"] = float(st.mannwhitneyu(share_a, share_b).pvalue)
    else:
        a, b = statistic(name, what, r, RUNS), statistic(name, what, h, RUNS)
    entry["compared"] = what
    entry["means"] = [float(a.mean()), float(b.mean())]
    entry["p_location"] = float(st.mannwhitneyu(a, b).pvalue) if np.ptp(
        np.concatenate([a, b])) > 0 else 1.0
    entry["p_distribution"] = float(st.ks_2samp(a, b).pvalue)
    if easy is not None:
        r = on_device(name, easy, RUNS, seed=3)
    entry["easy_share"] = float(r.converged.mean())
    entry["easy_digits"] = sorted(set(RUNS[r.converged].tolist()))
    entry["evaluations_match"] = bool(
        name != "genetic" or np.all(r.evaluations == (r.steps + 1) * params["population"]))
    print(f"{name}: {time.time() - start:.1f} s", file=sys.stderr)

# Building blocks against their numpy references.
import jax.numpy as jnp
rng = np.random.default_rng(5)
images = rng.random((40, 28, 28)).astype(np.float32)
targets = np.arange(40) % 10
parts = {}
for variant in ("published", "intended"):
    sx, sy = cost_stats(STATS, targets, variant=variant)
    ref = variogram_cost(images.astype(np.float64), sx, sy, variant=variant)
    tx, ty = variogram_terms(jnp.asarray(images.reshape(40, 784)),
                                    published=variant == "published")
    got = (np.abs(sx - np.asarray(tx)).sum(1) + np.abs(sy - np.asarray(ty)).sum(1)) / 14
    parts[f"variogram {variant}"] = float(np.abs(ref - got).max())
from scipy.ndimage import gaussian_filter
sigma = 0.7
kernel = _gaussian_kernel(sigma, 4).astype(np.float32)
blurred = np.asarray(_blur(jnp.asarray(images), jnp.asarray(kernel)))
parts["blur"] = float(np.abs(blurred - gaussian_filter(images, sigma=(0, sigma, sigma))).max())
hist = STATS[1].histogram
w = rng.random(50_000).astype(np.float32)
pixels = np.asarray(_histogram_pixels(jnp.asarray(w), jnp.asarray(np.cumsum(hist), jnp.float32)))
reference = sample_pixels(hist[None], (1, 50_000), rng)[0]
parts["histogram p"] = float(st.ks_2samp(pixels, reference).pvalue)
# Forward passes scored in chunks (lax.map) give the unchunked outputs.
whole = _forward_fn(model, 10_000)(_weights(model), jnp.asarray(images))
chunked = _forward_fn(model, 7)(_weights(model), jnp.asarray(images))
parts["chunks"] = float(np.abs(np.asarray(whole) - np.asarray(chunked)).max())
report["parts"] = parts
print("REPORT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def report() -> dict:
    from tests.conftest import run_with_jax

    out = run_with_jax(SCRIPT)
    line = next(s for s in out.splitlines() if s.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


METHODS = registry.NAMES  # every method has a device implementation (test_registry checks)


@pytest.mark.parametrize("method", METHODS)
def test_device_result_has_the_engine_shapes_and_invariants(report, method):
    inv = report[method]["invariants"]
    assert inv["shapes"] == inv["expected"]
    assert inv["in_range"] and inv["curve_monotone"] and inv["curve_ends_at_best"]
    assert inv["outputs_error"] < 1e-5  # the recorded outputs are the images' outputs
    assert inv["converged_confident"]


@pytest.mark.parametrize("method", METHODS)
def test_device_search_is_deterministic_for_a_seed(report, method):
    assert report[method]["deterministic"] and report[method]["seed_matters"]


@pytest.mark.parametrize("method", ["genetic", "hillclimb", "map_elites"])
def test_device_search_does_not_depend_on_the_batch_layout(report, method):
    """Per-run streams: shrinking batches and short blocks of generations, the same result."""
    assert report[method]["layout_free"]


@pytest.mark.parametrize("method", METHODS)
def test_device_search_reaches_an_easy_target(report, method):
    entry = report[method]
    if method == "gradient_prior":  # a short, regularised run: most, not all
        assert entry["easy_share"] >= 0.2
        return
    assert entry["easy_share"] >= 0.5 and entry["easy_digits"] == list(range(10))
    assert entry["evaluations_match"]


@pytest.mark.parametrize("method", METHODS)
def test_device_and_numpy_paths_agree_statistically(report, method):
    """Two-sample tests at α = 0.01 on ≥ 100 runs (30 searches for gradient_prior)."""
    entry = report[method]
    detail = f"{entry['compared']}: means {entry['means']}, outcomes {entry['outcomes']}"
    assert entry["p_location"] > ALPHA, detail
    assert entry["p_distribution"] > ALPHA, detail
    assert entry["p_outcomes"] > ALPHA, detail


def test_device_building_blocks_match_the_numpy_references(report):
    parts = report["parts"]
    assert parts["variogram published"] < 1e-6 and parts["variogram intended"] < 1e-6
    assert parts["blur"] < 1e-6 and parts["chunks"] < 1e-6
    assert parts["histogram p"] > ALPHA


def test_device_support_and_bad_arguments():
    pytest.importorskip("jax")
    from mnist_fooling.search.device import device_supported, run_search_device
    from tests.search.configured import make_method

    assert all(device_supported(make_method(m, {})) for m in ("genetic", "hillclimb"))
    assert not device_supported(object())
    with pytest.raises(ValueError, match="no device search"):
        run_search_device(object(), None, targets=[1], seed=0)
    with pytest.raises(ValueError, match="targets"):
        run_search_device(make_method("genetic", {}), None, targets=[11], seed=0)


def test_every_device_implementation_is_its_methods_folders():
    """Each entry's device implementation comes from its class's folder (a variant's from the
    folder it shares the class of)."""
    for entry in registry.METHODS:
        if entry.device:
            impl = entry.device()
            assert impl.__module__ == entry.cls.__module__.replace(".host", ".device"), entry.name
