"""The fooling engine on a tiny, transparent model: every method, determinism, and runs that end
on their own (checked by replaying each method's stop rule on what the network was asked)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from mnist_fooling.search import NAMES as METHODS
from mnist_fooling.search import registry, run_search
from mnist_fooling.search.engine import (
    CURVE_EVALUATIONS,
    Scorer,
    network_evaluations,
    replicate_index,
)
from mnist_fooling.search.methods.genetic.prior import cost_stats, digit_stats, variogram_cost
from tests.search.configured import Gradient, HillClimb, make_method


def band_weights() -> np.ndarray:
    """``(784, 10)``: digit d likes ink in its own band of rows (78 pixels, weight 0.5)."""
    w = np.zeros((784, 10), np.float32)
    for d in range(10):
        w[d * 78 : (d + 1) * 78, d] = 0.5
    return w


def keras_softmax(w: np.ndarray) -> keras.Model:
    inputs = keras.Input((28, 28))
    dense = keras.layers.Dense(10, activation="softmax", name="out")  # "out": gradient_sign
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([w, np.zeros(10, np.float32)])
    return model


@pytest.fixture(scope="module")
def scorer():
    """Softmax over 10 fixed linear read-outs of the image: easy to fool, fast to score."""
    keras.utils.set_random_seed(0)
    return Scorer(keras_softmax(band_weights()))


class Recording:
    """Wraps a scorer and keeps every batch it scores (images and outputs)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[np.ndarray] = []
        self.results: list[np.ndarray] = []

    def forward(self, images):
        out = self.inner.forward(images)
        self.calls.append(np.array(images, np.float32).reshape(-1, 28, 28))
        self.results.append(np.asarray(out))
        return out


class NumpySoftmax:
    """A stub scorer: softmax(x·w) in numpy, with the input gradient of −log p(target)."""

    def __init__(self, w):
        self.w = np.asarray(w, np.float32)

    def forward(self, images):
        z = images.reshape(len(images), 784).astype(np.float32) @ self.w
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def gradient(self, images, onehot):
        out = self.forward(images)
        grad = (out - onehot) @ self.w.T
        return out, grad.reshape(-1, 28, 28).astype(np.float32)


@pytest.fixture(scope="module")
def stats():
    """Independent pixels (u⁴): histogram draws match the lag statistics, so a prior's term
    can get small."""
    rng = np.random.default_rng(0)
    return digit_stats(rng.random((200, 28, 28)) ** 4, np.arange(200) % 10)


THRESHOLD = 0.99
PARAMS = {
    "gradient": dict(learning_rate=0.5, steps=100, threshold=THRESHOLD),
    "gradient_sign": dict(step_size=0.1, decay=0.95, steps=50, threshold=THRESHOLD),
    "gradient_prior": dict(
        step_size=0.05,
        decay=0.99,
        l2=0.05,
        blur_every=1,
        blur_sigma=0.5,
        jitter=1,
        reg_decay=0.9,
        steps=100,
        threshold=THRESHOLD,
    ),  # fmt: skip
    "genetic": dict(population=30, selected=5, tol=0.02, max_iter=300),
    "genetic_prior": dict(population=30, selected=5, tol=0.06, max_iter=300),
    "genetic_prior_intended": dict(population=30, selected=5, tol=0.06, max_iter=300),
    "hillclimb": dict(candidates=60, density=0.05, amplitude=0.5, steps=100, threshold=THRESHOLD),
    "map_elites": dict(batch_size=40, steps=200, threshold=THRESHOLD),
    "square_search": dict(candidates=2, square=6, steps=1000, threshold=THRESHOLD),
}
GENETIC = tuple(s.name for s in registry.METHODS if s.driver)  # the genetic driver's


def first_evaluations(method: str) -> int:
    """Evaluations a run has spent once the method's ``init`` has scored its first images."""
    if method in GENETIC:
        return PARAMS[method]["population"]
    if method == "map_elites":
        return PARAMS[method]["batch_size"]
    return 1


def check_curve(result, method: str) -> None:
    """Non-decreasing; NaN exactly before the first evaluation; the final best at the end."""
    curve = result.curve
    nan = np.isnan(curve)
    before_first = np.less(CURVE_EVALUATIONS, first_evaluations(method))
    np.testing.assert_array_equal(nan, np.broadcast_to(before_first, curve.shape))
    assert np.all(np.diff(curve[:, ~before_first], axis=1) >= 0)
    conf = result.outputs[np.arange(len(result.target)), result.target]
    if method in GENETIC:  # the best output seen by the best-cost image may beat the last one
        assert np.all(curve[:, -1] >= conf - 1e-6)
    else:
        np.testing.assert_allclose(curve[:, -1], conf, rtol=1e-6)
    after = CURVE_EVALUATIONS[None, :] >= result.evaluations[:, None]
    np.testing.assert_array_equal(curve[after], np.broadcast_to(curve[:, -1:], curve.shape)[after])


@pytest.fixture(scope="module")
def fooled(scorer, stats):
    targets = np.repeat(np.arange(10), 2)
    return {
        method: run_search(
            make_method(method, PARAMS[method], stats=stats),
            scorer,
            targets=targets,
            rng=np.random.default_rng(1),
        )
        for method in METHODS
    }


@pytest.mark.parametrize("method", METHODS)
def test_every_method_fools_the_easy_model_for_all_digits(method, fooled, scorer, stats):
    result = fooled[method]
    n = 20
    targets = np.repeat(np.arange(10), 2)
    assert result.images.shape == (n, 28, 28) and result.outputs.shape == (n, 10)
    assert result.curve.shape == (n, len(CURVE_EVALUATIONS))
    for name in ("target", "outcome", "cost", "attempts", "evaluations", "steps"):
        assert getattr(result, name).shape == (n,), name
    np.testing.assert_array_equal(result.target, targets)
    assert result.converged.all(), result.outcome
    # The recorded outputs are the network's outputs on the returned images.
    outputs = scorer.forward(result.images)
    np.testing.assert_allclose(outputs, result.outputs, atol=1e-5)
    conf = outputs[np.arange(n), targets]
    if method in GENETIC:  # converged: the cost (L1 + the prior's term) is below tol
        cost = np.abs(outputs - np.eye(10)[targets]).sum(axis=1)
        if method != "genetic":
            variant = "published" if method == "genetic_prior" else "intended"
            sx, sy = cost_stats(stats, targets, variant=variant)
            cost += variogram_cost(result.images.astype(np.float64), sx, sy, variant=variant)
        np.testing.assert_allclose(result.cost, cost, atol=1e-5)
        assert (result.cost < PARAMS[method]["tol"]).all()
        assert (conf > 1 - PARAMS[method]["tol"] / 2).all()
    else:
        assert (conf >= THRESHOLD).all() and np.isnan(result.cost).all()
    assert (result.attempts == 1).all() and (result.steps >= 1).all()
    check_curve(result, method)


SMALL = {  # a few steps of each method: for determinism and budgets
    "gradient": dict(learning_rate=0.5, steps=3, threshold=1.1),
    "gradient_sign": dict(step_size=0.1, steps=3, threshold=1.1),
    "gradient_prior": dict(step_size=0.1, steps=3, threshold=1.1, l2=0.1, blur_every=1, jitter=1),
    "genetic": dict(population=12, selected=4, tol=0.0, max_iter=2, max_attempts=2),
    "genetic_prior": dict(population=12, selected=4, tol=0.0, max_iter=2, max_attempts=2),
    "genetic_prior_intended": dict(population=12, selected=4, tol=0.0, max_iter=2, max_attempts=2),
    "hillclimb": dict(candidates=10, steps=3, threshold=1.1, patience=10),
    "map_elites": dict(batch_size=10, steps=3, threshold=1.1),
    "square_search": dict(candidates=2, steps=3, threshold=1.1),
}


def small_search(method, scorer, stats, seed):
    m = make_method(method, SMALL[method], stats=stats)
    return run_search(m, scorer, targets=np.arange(10), rng=np.random.default_rng(seed))


@pytest.mark.parametrize("method", METHODS)
def test_searches_are_deterministic_and_end_out_of_budget(method, scorer, stats):
    a, b, c = (small_search(method, scorer, stats, seed) for seed in (7, 7, 8))
    for name in ("images", "outputs", "outcome", "cost", "attempts", "evaluations", "steps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.curve, b.curve)
    assert not np.array_equal(a.images, c.images)  # the seed matters
    # An unreachable goal: every run ends when its budget does.
    assert (a.outcome == "budget").all()
    if method in GENETIC:  # two attempts of two checked generations: 4 generations, 3 steps
        assert (a.steps == 3).all() and (a.attempts == 2).all()
        assert (a.evaluations == 4 * 12).all()
    else:
        assert (a.steps == 3).all() and (a.attempts == 1).all()


def test_hillclimb_runs_stop_when_their_rule_is_met(scorer):
    """Replay hill climbing's rules on the batches the network scored: when each run converged,
    got stuck or ran out of steps, what it spent, its curve; and that it was scored no more."""
    n, candidates, steps, patience, threshold = 12, 3, 9, 2, 0.3
    targets = np.arange(n) % 10
    h = HillClimb(candidates=candidates, density=0.05, amplitude=0.5, steps=steps,
                  patience=patience, threshold=threshold, chunk=n)  # fmt: skip
    rec = Recording(scorer)
    r = run_search(h, rec, targets=targets, rng=np.random.default_rng(3))
    best = rec.results[0][np.arange(n), targets].astype(np.float64)  # the blank bases
    history = [best.copy()]
    stalled = np.zeros(n, int)
    end, outcome = np.full(n, -1), np.full(n, "", object)
    active = list(np.flatnonzero(best < threshold))
    for k in np.flatnonzero(best >= threshold):
        end[k], outcome[k] = 0, "converged"
    for call in range(1, len(rec.calls)):
        out = rec.results[call]
        assert len(out) == candidates * len(active), call  # only active runs are scored
        for j, run in enumerate(active):
            top = out[j * candidates : (j + 1) * candidates, targets[run]].max()
            stalled[run] = 0 if top > best[run] else stalled[run] + 1
            best[run] = max(best[run], top)
            if best[run] >= threshold:
                end[run], outcome[run] = call, "converged"
            elif call >= steps:
                end[run], outcome[run] = call, "budget"
            elif stalled[run] >= patience:
                end[run], outcome[run] = call, "stuck"
        history.append(best.copy())
        active = [run for run in active if end[run] < 0]
    assert not active
    assert len(set(outcome)) == 3, outcome  # the replay covers more than one way of ending
    np.testing.assert_array_equal(r.steps, end)
    np.testing.assert_array_equal(r.outcome, outcome.astype(str))
    np.testing.assert_array_equal(r.evaluations, 1 + candidates * end)
    assert network_evaluations(r.evaluations, replicate_index(targets), shared=False) == sum(
        len(c) for c in rec.calls
    )
    # The curve: at E evaluations, the best after the last step that fit in E.
    history = np.array(history)  # (calls, n)
    for run in range(n):
        k = np.minimum((CURVE_EVALUATIONS - 1) // candidates, end[run])
        np.testing.assert_allclose(r.curve[run], history[k, run], rtol=1e-6)


def test_gradient_stops_at_the_step_that_scores_its_first_image_at_threshold():
    """Seed 000's descent on a stub: the trajectory x_{k+1} = clip(x_k − lr·grad) is known, and
    x_k is scored by step k + 1 (its gradient pass), where the run must stop."""
    rng = np.random.default_rng(4)
    w = band_weights() * 0.2 + rng.normal(0, 0.02, (784, 10)).astype(np.float32)
    stub = NumpySoftmax(w)
    targets = np.arange(10)
    lr, steps, threshold = 2.0, 8, 0.9
    calls = []
    forward = stub.forward
    stub.forward = lambda images: calls.append(np.array(images)) or forward(images)
    r = run_search(Gradient(learning_rate=lr, steps=steps, threshold=threshold), stub,
                   targets=targets, rng=np.random.default_rng(0))  # fmt: skip
    x = calls[0].astype(np.float32)  # the random start
    onehot = np.eye(10, dtype=np.float32)
    expected, final, converged = np.full(10, steps), x.copy(), np.zeros(10, bool)
    for t in targets:
        xt = x[t : t + 1]
        for k in range(steps + 1):
            conf = forward(xt)[0, t]
            if conf >= threshold:
                expected[t], final[t], converged[t] = (0 if k == 0 else k + 1), xt[0], True
                break
            if k == steps - 1:
                break  # the last step scores x_{steps-1} and ends the run
            _, g = stub.gradient(xt, onehot[t : t + 1])
            xt = np.clip(xt - lr * g, 0.0, 1.0)
    assert 2 <= converged.sum() < 10 and len(set(expected[converged])) > 1
    np.testing.assert_array_equal(r.steps, expected)
    np.testing.assert_array_equal(r.outcome, np.where(converged, "converged", "budget"))
    np.testing.assert_array_equal(r.evaluations, 1 + 2 * expected)
    np.testing.assert_allclose(r.images[converged], final[converged], atol=1e-5)


def test_hillclimb_is_stuck_on_a_constant_model():
    constant = Scorer(keras_softmax(np.zeros((784, 10), np.float32)))  # 0.1 for every digit
    h = HillClimb(candidates=5, steps=50, patience=4, threshold=0.5)
    r = run_search(h, constant, targets=np.arange(10), rng=np.random.default_rng(0))
    assert (r.outcome == "stuck").all() and (r.steps == 4).all()
    assert (r.evaluations == 1 + 5 * 4).all() and not r.images.any()


def test_map_elites_shared_evaluations_count_the_images_scored(scorer):
    targets = np.repeat(np.arange(10), 2)
    rec = Recording(scorer)
    m = make_method("map_elites", dict(batch_size=20, steps=200, threshold=0.95))
    r = run_search(m, rec, targets=targets, rng=np.random.default_rng(5))
    assert m.shared_evaluations and r.converged.all()
    scored = sum(len(c) for c in rec.calls)
    rep = replicate_index(targets)
    assert network_evaluations(r.evaluations, rep, shared=True) == scored
    assert network_evaluations(r.evaluations, rep, shared=False) > scored


def test_bad_method_parameters():
    with pytest.raises(ValueError, match="unknown method"):
        registry.make_method("annealing", {})
    with pytest.raises(TypeError, match="missing .* 'density'"):  # the config holds defaults
        registry.make_method("hillclimb", {"steps": 5})
    with pytest.raises(TypeError):
        make_method("hillclimb", {"mask_fraction": 0.02})  # the old name is gone
    with pytest.raises(ValueError, match="density"):
        make_method("hillclimb", {"density": 0.0})
    with pytest.raises(ValueError, match="square"):
        make_method("square_search", {"square": 3, "min_square": 4})


def test_engine_runs_on_the_jax_backend():
    """Gradient, genetic and MAP-Elites searches with KERAS_BACKEND=jax (the GPU path), on CPU."""
    from tests.conftest import run_with_jax

    script = """
        import numpy as np, keras
        assert keras.backend.backend() == "jax"
        from mnist_fooling.core.models import build_model
        from mnist_fooling.search import run_search
        from tests.search.configured import make_method
        from tests.conftest import train_config
        from mnist_fooling.search.engine import Scorer
        keras.utils.set_random_seed(0)
        scorer = Scorer(build_model("mlp", train_config("mlp"), n_train=10))
        for name, params in (("gradient", dict(learning_rate=0.5, steps=3)),
                             ("gradient_sign", dict(steps=3)),
                             ("genetic", dict(population=20, selected=4, max_iter=3)),
                             ("map_elites", dict(batch_size=20, steps=3))):
            r = run_search(make_method(name, params), scorer, targets=np.arange(10),
                           rng=np.random.default_rng(0))
            assert r.images.shape == (10, 28, 28)
            np.testing.assert_allclose(scorer.forward(r.images), r.outputs, atol=1e-5)
        print("jax engine ok")
        """
    assert "jax engine ok" in run_with_jax(script)
