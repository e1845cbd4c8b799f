"""The fooling engine on a tiny, transparent model: shapes, determinism, easy targets reached."""

import keras
import numpy as np
import pytest

from mnist_fooling.search import METHODS, make_method, run_search
from mnist_fooling.search.engine import Scorer
from mnist_fooling.search.methods import Genetic, tv_gradient
from mnist_fooling.search.prior import (
    N_LAGS,
    digit_stats,
    lag_means,
    sample_pixels,
    variogram_cost,
)


@pytest.fixture(scope="module")
def scorer():
    """Softmax over 10 fixed linear read-outs of the image: easy to fool, fast to score."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28))
    x = keras.layers.Flatten()(inputs)
    w = np.zeros((784, 10), np.float32)
    for d in range(10):  # digit d likes ink in its own band of rows
        w[d * 78 : (d + 1) * 78, d] = 0.5
    dense = keras.layers.Dense(10, activation="softmax")
    outputs = dense(x)
    dense.set_weights([w, np.zeros(10, np.float32)])
    return Scorer(keras.Model(inputs, outputs))


PARAMS = {
    "gradient": dict(learning_rate=0.5),
    "gradient_prior": dict(learning_rate=0.5, l2=0.001, tv=0.001, jitter=1),
    "genetic": dict(population=30, selected=5),
    "genetic_prior": dict(population=30, selected=5),
    "genetic_prior_intended": dict(population=30, selected=5),
    "hillclimb": dict(candidates=60, mask_fraction=0.05),
    "map_elites": dict(batch_size=40, mutation_rate=0.1, eta=15.0, halve_every=1000),
}


@pytest.fixture(scope="module")
def stats():
    rng = np.random.default_rng(0)
    return digit_stats(rng.random((200, 28, 28)) ** 4, np.arange(200) % 10)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_fools_the_easy_model_for_all_digits(method, scorer, stats):
    m = make_method(method, PARAMS[method], stats=stats)
    targets = np.repeat(np.arange(10), 2)
    result = run_search(
        m, scorer, targets=targets, steps=150, threshold=0.9, rng=np.random.default_rng(1)
    )
    assert result.images.shape == (20, 28, 28) and result.outputs.shape == (20, 10)
    assert result.curve.shape == (20, 151) and result.evaluations.shape == (20,)
    assert result.converged.all(), result.outputs[np.arange(20), targets]
    assert np.all((result.images >= 0) & (result.images <= 1))
    # The recorded outputs are the network's outputs on the recorded images.
    np.testing.assert_allclose(scorer.forward(result.images), result.outputs, atol=1e-5)
    # Runs stop on their own: nothing is recorded after convergence.
    stopped = np.argmax(np.isnan(result.curve), axis=1)
    assert np.all(result.curve[np.arange(20), stopped - 1] >= 0.9)


@pytest.mark.parametrize("method", ["genetic", "hillclimb", "gradient_prior", "map_elites"])
def test_searches_are_deterministic(method, scorer, stats):
    runs = []
    for _ in range(2):
        m = make_method(method, PARAMS[method], stats=stats)
        runs.append(
            run_search(
                m,
                scorer,
                targets=np.arange(10),
                steps=5,
                threshold=0.999,
                rng=np.random.default_rng(7),
            )
        )
    np.testing.assert_array_equal(runs[0].images, runs[1].images)
    np.testing.assert_array_equal(runs[0].evaluations, runs[1].evaluations)


def test_genetic_counts_evaluations_per_generation(scorer):
    m = Genetic(population=20, selected=4)
    r = run_search(
        m, scorer, targets=np.array([3]), steps=4, threshold=1.01, rng=np.random.default_rng(0)
    )
    assert r.evaluations.tolist() == [20 * 5]  # the initial population and four generations
    assert np.all(np.diff(r.curve[0]) >= 0)  # best-so-far never gets worse


def test_bad_method_parameters():
    with pytest.raises(ValueError, match="selected"):
        Genetic(population=3, selected=5)
    with pytest.raises(ValueError, match="prior"):
        Genetic(prior="published")
    with pytest.raises(ValueError, match="unknown method"):
        make_method("annealing", {})


def test_lag_means_and_variogram_variants():
    x = np.zeros((1, 28, 28))
    x[0, :, ::2] = 1.0  # vertical stripes: every horizontal odd lag differs, no vertical change
    across, down = lag_means(x, axis=2), lag_means(x, axis=1)
    assert across[0] == 1 and across[1] == 0 and down.max() == 0
    stats_x, stats_y = across[None], down[None]
    assert variogram_cost(x, stats_x, stats_y, variant="intended")[0] == pytest.approx(0)
    # As published, lag 1 is used for every k: the even lags (0 in truth) are compared with 1.
    published = variogram_cost(x, stats_x, stats_y, variant="published")[0]
    assert published == pytest.approx(7 / N_LAGS)
    with pytest.raises(ValueError, match="variant"):
        variogram_cost(x, stats_x, stats_y, variant="other")


def test_sample_pixels_follows_the_histogram():
    hist = np.zeros((2, 10))
    hist[0, 0] = 1.0
    hist[1, 9] = 1.0
    px = sample_pixels(hist, (2, 5000), np.random.default_rng(0))
    assert px[0].max() < 0.1 and px[1].min() >= 0.9


def test_tv_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.random((1, 28, 28))

    def tv(v):
        return np.abs(np.diff(v, axis=1)).sum() + np.abs(np.diff(v, axis=2)).sum()

    g = tv_gradient(x)
    e = np.zeros_like(x)
    e[0, 5, 7] = 1e-6
    assert (tv(x + e) - tv(x - e)) / 2e-6 == pytest.approx(g[0, 5, 7], abs=1e-3)


def test_engine_runs_on_the_jax_backend():
    """Gradient, genetic and MAP-Elites searches with KERAS_BACKEND=jax (the GPU path), on CPU."""
    from ..conftest import run_with_jax

    script = """
        import numpy as np, keras
        assert keras.backend.backend() == "jax"
        from mnist_fooling.models import TrainConfig, build_model
        from mnist_fooling.search import make_method, run_search
        from mnist_fooling.search.engine import Scorer
        keras.utils.set_random_seed(0)
        scorer = Scorer(build_model("mlp", TrainConfig(), n_train=10))
        for name, params in (("gradient", dict(learning_rate=0.5)),
                             ("genetic", dict(population=20, selected=4)),
                             ("map_elites", dict(batch_size=20))):
            r = run_search(make_method(name, params), scorer, targets=np.arange(10), steps=5,
                           threshold=0.99, rng=np.random.default_rng(0))
            assert r.images.shape == (10, 28, 28)
            np.testing.assert_allclose(scorer.forward(r.images), r.outputs, atol=1e-5)
        print("jax engine ok")
        """
    assert "jax engine ok" in run_with_jax(script)


def test_uniform_crossover_takes_each_pixel_from_one_parent():
    from mnist_fooling.search.methods import uniform_crossover

    rng = np.random.default_rng(0)
    a = rng.random((3, 40, 28, 28), dtype=np.float32)
    b = rng.random((3, 40, 28, 28), dtype=np.float32)
    child = uniform_crossover(a.copy(), b, rng)
    from_a, from_b = child == a, child == b
    assert np.all(from_a | from_b)
    assert 0.48 < from_a.mean() < 0.52
    with pytest.raises(ValueError, match="float32"):
        uniform_crossover(a.astype(np.float64), b, rng)


@pytest.mark.parametrize("rate", [0.0, 0.01, 0.3, 1.0])  # sparse and dense branches
def test_bernoulli_positions_follow_the_per_run_rate(rate):
    from mnist_fooling.search.methods import bernoulli_positions

    rng = np.random.default_rng(1)
    rates = np.array([rate, rate / 2, 0.0])
    size, trials = 2000, 200
    counts = np.zeros(3)
    hits = np.zeros(size)
    for _ in range(trials):
        run, pos = bernoulli_positions(rates, size, rng)
        assert np.all(np.diff(run) >= 0) and (pos < size).all()
        for r in range(3):  # positions of one run are distinct
            assert len(np.unique(pos[run == r])) == (run == r).sum()
        counts += np.bincount(run, minlength=3)
        hits += np.bincount(pos[run == 0], minlength=size)
    np.testing.assert_allclose(counts / (trials * size), rates, atol=0.005)
    if rate > 0:  # every position equally likely: binomial spread, no favourites
        assert hits.std() <= 1.3 * np.sqrt(hits.mean())
        assert abs(hits[: size // 2].sum() / hits.sum() - 0.5) < 0.05
