"""The search methods' rules, with stub scorers whose outputs the test controls (no Keras).

A stub is any object with ``forward(images) -> (n, 10)``; ``Recorder`` also keeps every batch
it was asked to score, so a test can recompute what the method should have done from what it
actually evaluated. Also here: the natural-image prior (``search/methods/genetic/prior.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from mnist_fooling.search import run_search
from mnist_fooling.search.base import log_odds
from mnist_fooling.search.methods.genetic import prior
from tests.search.configured import Genetic, GradientSign, HillClimb, SquareSearch

ALPHA = 1e-3


class Recorder:
    """A stub scorer: ``outputs(images (n, 28, 28), call) -> (n, 10)``; keeps every batch."""

    def __init__(self, outputs):
        self.outputs = outputs
        self.calls: list[np.ndarray] = []
        self.results: list[np.ndarray] = []

    def forward(self, images):
        images = np.array(images, dtype=np.float32).reshape(-1, 28, 28)
        out = np.asarray(self.outputs(images, len(self.calls)), dtype=np.float32)
        self.calls.append(images)
        self.results.append(out)
        return out


def constant(vector):
    """Outputs ``vector`` for every image."""
    vector = np.asarray(vector, np.float32)
    return lambda images, call: np.broadcast_to(vector, (len(images), 10))


def with_cost(c: float) -> np.ndarray:
    """Outputs whose L1 distance to the one-hot digit 0 is ``c`` (for ``c <= 2``)."""
    v = np.zeros(10)
    v[0], v[1] = 1 - c / 2, c / 2
    return v


def ink(images, call):
    """Digit 0's output is the image's mean pixel, digit 1's the rest: L1 cost 2 − 2·mean."""
    m = images.reshape(len(images), -1).mean(axis=1, dtype=np.float64)
    out = np.zeros((len(images), 10))
    out[:, 0], out[:, 1] = m, 1 - m
    return out


def ink_cost(images) -> np.ndarray:
    return np.abs(ink(images, 0).astype(np.float32) - np.eye(10)[0]).sum(axis=1)


def per_run(batch: np.ndarray, runs: int) -> np.ndarray:
    """``(runs, population, 28, 28)``: a generation's batch split by run."""
    return batch.reshape(runs, -1, 28, 28)


# Genetic ------------------------------------------------------------------------------------


def mutated_share(children: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """``(runs,)`` share of child pixels equal to none of the run's parents at that position."""
    kids = children.reshape(len(parents), -1, 1, 784)
    return (kids != parents[:, None]).all(axis=2).reshape(len(parents), -1).mean(axis=1)


@pytest.mark.parametrize(
    "cost, factor, rate",
    [(0.0, 1.0, 0.0), (2.0, 1.0, 0.02), (1.5, 10.0, 0.15), (1.0, 40.0, 0.4), (2.0, 40.0, 0.5)],
)
def test_genetic_mutation_rate_is_one_percent_of_the_best_cost(cost, factor, rate):
    runs, population = 4, 100
    g = Genetic(population=population, selected=3, mutate_factor=factor, tol=0.0, max_iter=9)
    scorer = Recorder(constant(with_cost(cost)))
    g.init(np.zeros(runs, np.int64), scorer, np.random.default_rng(0))
    parents = g.parents.copy()  # generation 0's kept images: the parents of generation 1
    g.step(np.arange(runs), scorer, np.random.default_rng(1))
    share = mutated_share(scorer.calls[1], parents)
    if rate == 0:
        assert share.max() == 0.0
    else:
        mutated = int(round(share.sum() * population * 784))
        p = sps.binomtest(mutated, runs * population * 784, rate).pvalue
        assert p > ALPHA, (share.mean(), rate)


def test_genetic_mutation_rate_uses_the_best_of_the_kept_images():
    """Kept images with costs 0.2 (best) and 2 (the rest): the rate follows the best."""

    def outputs(images, call):
        out = np.broadcast_to(with_cost(2.0), (len(images), 10)).copy()
        out[::50] = with_cost(0.2)  # one child in 50 is much better
        return out

    g = Genetic(population=100, selected=4, mutate_factor=50.0, tol=0.0, max_iter=9)
    scorer = Recorder(outputs)
    g.init(np.zeros(3, np.int64), scorer, np.random.default_rng(0))
    np.testing.assert_allclose(g.parent_cost[:, 0], 0.2, rtol=1e-6)
    parents = g.parents.copy()
    g.step(np.arange(3), scorer, np.random.default_rng(1))
    share = mutated_share(scorer.calls[1], parents).mean()
    assert abs(share - 0.1) < 0.005, share  # 0.01 · 0.2 · 50, not the 0.5 of the others


def test_genetic_children_have_two_distinct_parents():
    values = np.array([0.1, 0.3, 0.5, 0.7, 0.9], np.float32)
    g = Genetic(population=400, selected=5, tol=0.0, max_iter=9)
    scorer = Recorder(constant(with_cost(0.0)))  # cost 0: no mutation
    g.init(np.zeros(2, np.int64), scorer, np.random.default_rng(0))
    g.parents[:] = values[None, :, None]  # parent j of each run: the constant image values[j]
    g.step(np.arange(2), scorer, np.random.default_rng(1))
    children = scorer.calls[1].reshape(800, 784)
    distinct = [tuple(np.unique(c)) for c in children]
    assert all(len(d) == 2 for d in distinct)  # never a parent crossed with itself
    pairs = pd.Series(distinct).value_counts()
    assert len(pairs) == 10  # all unordered pairs of 5 parents ...
    assert sps.chisquare(pairs.to_numpy()).pvalue > ALPHA  # ... equally likely
    share = (children == children.max(axis=1, keepdims=True)).mean()
    assert sps.binomtest(int(share * children.size), children.size, 0.5).pvalue > ALPHA


def digit_stats_with(histogram) -> list[prior.DigitStats]:
    h = np.asarray(histogram, np.float64)
    lags = np.linspace(0.1, 0.3, prior.N_LAGS)
    return [prior.DigitStats(histogram=h, vertical=lags, horizontal=lags / 2)] * 10


HISTOGRAM = [0.5, 0.0, 0.05, 0.05, 0.1, 0.0, 0.1, 0.05, 0.05, 0.1]


@pytest.mark.parametrize("variant", ["published", "intended"])
def test_genetic_with_a_prior_draws_pixels_from_the_digits_histogram(variant):
    stats = digit_stats_with(HISTOGRAM)
    g = Genetic(population=100, selected=3, tol=0.0, max_iter=9, prior=variant, stats=stats)
    scorer = Recorder(constant(with_cost(2.0)))
    g.init(np.zeros(3, np.int64), scorer, np.random.default_rng(0))
    pixels = scorer.calls[0].ravel()  # a fresh population
    counts = np.histogram(pixels, bins=20, range=(0, 1))[0]  # half bins: uniform within a bin
    expected = np.repeat(HISTOGRAM, 2) / 2 * pixels.size
    keep = expected > 0
    assert counts[~keep].sum() < 1e-4 * pixels.size  # (edge values only)
    assert sps.chisquare(counts[keep], expected[keep]).pvalue > ALPHA
    # Without a prior the pixels are uniform.
    g = Genetic(population=100, selected=3, tol=0.0, max_iter=9)
    scorer = Recorder(constant(with_cost(2.0)))
    g.init(np.zeros(3, np.int64), scorer, np.random.default_rng(0))
    assert sps.kstest(scorer.calls[0].ravel()[:100_000], "uniform").pvalue > ALPHA


def test_genetic_cost_adds_the_variogram_term():
    stats = digit_stats_with(HISTOGRAM)
    for variant in ("published", "intended"):
        g = Genetic(population=30, selected=3, tol=0.0, max_iter=9, prior=variant, stats=stats)
        scorer = Recorder(constant(with_cost(0.5)))
        g.init(np.array([4, 7]), scorer, np.random.default_rng(0))
        kept = g.parents.reshape(-1, 28, 28).astype(np.float64)
        sx, sy = prior.cost_stats(stats, np.repeat([4, 7], 3), variant=variant)
        l1 = np.abs(with_cost(0.5) - np.eye(10)[np.repeat([4, 7], 3)]).sum(axis=1)
        expected = l1 + prior.variogram_cost(kept, sx, sy, variant=variant)
        np.testing.assert_allclose(g.parent_cost.ravel(), expected, rtol=1e-6)
        assert np.all(np.diff(g.parent_cost, axis=1) >= 0)  # kept in order, best first


def test_genetic_timeout_returns_the_selected_th_best_of_the_last_checked_generation():
    runs, population, selected, max_iter = 3, 12, 4, 3
    g = Genetic(population=population, selected=selected, tol=0.0, max_iter=max_iter)
    scorer = Recorder(ink)
    r = run_search(g, scorer, targets=np.zeros(runs, np.int64), rng=np.random.default_rng(0))
    assert len(scorer.calls) == max_iter  # generations 0 .. max_iter - 1, each checked
    assert (r.outcome == "budget").all() and (r.attempts == 1).all()
    assert (r.steps == max_iter - 1).all() and (r.evaluations == population * max_iter).all()
    last = per_run(scorer.calls[-1], runs)
    for k in range(runs):
        cost = ink_cost(last[k])
        order = np.argsort(cost, kind="stable")
        np.testing.assert_array_equal(r.images[k], last[k][order[selected - 1]])
        assert r.cost[k] == pytest.approx(cost[order[selected - 1]], abs=1e-6)
        assert r.cost[k] > cost[order[0]]  # not the best


def test_genetic_driver_retries_until_max_attempts():
    runs, population, max_iter, attempts = 2, 10, 2, 3
    g = Genetic(population=population, selected=3, tol=0.0, max_iter=max_iter,
                max_attempts=attempts)  # fmt: skip
    scorer = Recorder(ink)
    r = run_search(g, scorer, targets=np.zeros(runs, np.int64), rng=np.random.default_rng(0))
    assert len(scorer.calls) == attempts * max_iter
    assert (r.attempts == attempts).all() and (r.outcome == "budget").all()
    assert (r.steps == attempts * max_iter - 1).all()
    assert (r.evaluations == attempts * max_iter * population).all()

    def inherited(child_call: int) -> float:
        """Share of pixels of call ``child_call`` found at the same place in the previous call."""
        before = per_run(scorer.calls[child_call - 1], runs).reshape(runs, 1, -1, 784)
        after = per_run(scorer.calls[child_call], runs).reshape(runs, -1, 1, 784)
        return (after == before).any(axis=2).mean()

    assert inherited(1) > 0.9 and inherited(3) > 0.9  # children of the previous generation
    assert inherited(2) < 0.01 and inherited(4) < 0.01  # a new attempt: a fresh population


def test_genetic_converged_attempt_after_a_timeout_counts_its_attempts():
    population, max_iter = 8, 3

    def outputs(images, call):  # unreachable before the 5th generation scored, then reached
        return np.broadcast_to(with_cost(1.0 if call < 4 else 0.0), (len(images), 10))

    g = Genetic(population=population, selected=3, tol=0.01, max_iter=max_iter, max_attempts=5)
    scorer = Recorder(outputs)
    r = run_search(g, scorer, targets=np.zeros(2, np.int64), rng=np.random.default_rng(0))
    # attempt 1: calls 0-2 (timeout); attempt 2: calls 3 (cost 1), 4 (cost 0: converged)
    assert len(scorer.calls) == 5 and (r.outcome == "converged").all()
    assert (r.attempts == 2).all() and (r.steps == 4).all()
    assert (r.evaluations == 5 * population).all() and (r.cost == 0).all()
    np.testing.assert_array_equal(r.images, per_run(scorer.calls[4], 2)[:, 0])  # the best


def test_genetic_stops_at_the_first_checked_generation_below_tol():
    runs, population, selected = 8, 20, 4
    rng = np.random.default_rng(5)
    g = Genetic(population=population, selected=selected, tol=0.0, max_iter=40,
                mutate_factor=20.0)  # fmt: skip
    probe = Recorder(ink)
    run_search(g, probe, targets=np.zeros(runs, np.int64), rng=rng)
    best = np.array([ink_cost(b).min() for b in probe.calls])
    tol = float(np.quantile(best[1:], 0.5))  # met after a few generations, at varying times

    max_iter = 20
    g = Genetic(population=population, selected=selected, tol=tol, max_iter=max_iter,
                mutate_factor=20.0)  # fmt: skip
    scorer = Recorder(ink)
    r = run_search(g, scorer, targets=np.zeros(runs, np.int64), rng=np.random.default_rng(5))
    # Replay the stop rule on what was scored: active runs' children, in run order.
    active, stop, best_image = list(range(runs)), {}, {}
    for call, batch in enumerate(scorer.calls):
        assert len(batch) == population * len(active), call
        for k, run in enumerate(active):
            images = batch[k * population : (k + 1) * population]
            cost = ink_cost(images)
            if cost.min() < tol:
                stop[run], best_image[run] = call, images[np.argmin(cost)]
            elif call == max_iter - 1:
                stop[run] = call  # timed out
        active = [run for run in active if run not in stop]
    assert not active and len(set(stop.values())) > 2
    expected = np.array([stop[k] for k in range(runs)])
    np.testing.assert_array_equal(r.steps, expected)
    np.testing.assert_array_equal(r.evaluations, population * (expected + 1))
    converged = np.array([k in best_image for k in range(runs)])
    assert 0 < converged.sum() < runs
    np.testing.assert_array_equal(r.outcome, np.where(converged, "converged", "budget"))
    assert (r.cost[converged] < tol).all() and (r.cost[~converged] >= tol).all()
    np.testing.assert_array_equal(
        r.images[converged], np.stack([best_image[k] for k in np.flatnonzero(converged)])
    )


def test_genetic_converges_in_generation_zero():
    g = Genetic(population=10, selected=3, tol=5.0, max_iter=4)
    scorer = Recorder(ink)
    r = run_search(g, scorer, targets=np.zeros(3, np.int64), rng=np.random.default_rng(0))
    assert len(scorer.calls) == 1 and (r.steps == 0).all() and (r.evaluations == 10).all()
    assert (r.outcome == "converged").all()
    firsts = per_run(scorer.calls[0], 3)
    for k in range(3):
        np.testing.assert_array_equal(r.images[k], firsts[k][np.argmin(ink_cost(firsts[k]))])


def test_genetic_tolerance_per_digit():
    tol = [10.0] * 5 + [0.0] * 5  # digits 0-4 converge at once, 5-9 never
    g = Genetic(population=10, selected=3, tol=tol, max_iter=3)
    r = run_search(g, Recorder(constant(with_cost(1.0))), targets=np.arange(10),
                   rng=np.random.default_rng(0))  # fmt: skip
    assert r.outcome.tolist() == ["converged"] * 5 + ["budget"] * 5
    assert r.steps.tolist() == [0] * 5 + [2] * 5
    with pytest.raises(ValueError, match="ten"):
        Genetic(tol=[0.1, 0.2]).init(np.arange(3), Recorder(ink), np.random.default_rng(0))


def test_genetic_rejects_bad_parameters():
    with pytest.raises(ValueError, match="selected"):
        Genetic(population=3, selected=5)
    with pytest.raises(ValueError, match="selected"):
        Genetic(selected=1)
    with pytest.raises(ValueError, match="max_iter"):
        Genetic(max_iter=0)
    with pytest.raises(ValueError, match="prior"):
        Genetic(prior="published")


# HillClimb ----------------------------------------------------------------------------------


def test_hillclimb_masks_perturb_density_times_784_pixels_by_at_most_amplitude():
    density, amplitude, runs, candidates = 0.05, 0.4, 3, 200
    h = HillClimb(candidates=candidates, density=density, amplitude=amplitude, steps=5)
    scorer = Recorder(constant(with_cost(1.0)))
    h.init(np.zeros(runs, np.int64), scorer, np.random.default_rng(0))
    h.base[:] = 0.5  # away from 0 and 1: no clipping
    h.step(np.arange(runs), scorer, np.random.default_rng(1))
    delta = scorer.calls[1].reshape(runs * candidates, 784) - 0.5
    changed = delta != 0
    assert sps.binomtest(int(changed.sum()), changed.size, density).pvalue > ALPHA
    assert np.abs(delta).max() <= amplitude + 1e-6
    assert sps.kstest(delta[changed] / amplitude, "uniform", args=(-1, 2)).pvalue > ALPHA


def test_hillclimb_keeps_the_base_unless_the_best_candidate_improves():
    runs, candidates = 2, 50

    def outputs(images, call):
        if call == 0:  # the blank base: 0.5
            conf = np.full(len(images), 0.5)
        elif call == 1:  # every candidate worse than the base
            conf = 0.3 + 0.1 * images.reshape(len(images), -1).mean(axis=1)
        else:  # the candidates with more ink than the median beat it
            amount = images.reshape(len(images), -1).mean(axis=1)
            conf = 0.5 + (amount - np.median(amount))
        out = np.zeros((len(images), 10))
        out[:, 3], out[:, 4] = conf, 1 - conf
        return out

    h = HillClimb(candidates=candidates, density=0.1, amplitude=1.0, steps=10)
    scorer = Recorder(outputs)
    rng = np.random.default_rng(0)
    h.init(np.full(runs, 3), scorer, rng)
    h.step(np.arange(runs), scorer, rng)
    assert not h.base.any() and not h.best_image.any()  # kept: still the blank base
    np.testing.assert_array_equal(h.best_conf, 0.5)
    h.step(np.arange(runs), scorer, rng)
    cand = scorer.calls[2].reshape(runs, candidates, 784)
    conf = scorer.results[2][:, 3].reshape(runs, candidates)
    assert (conf.max(axis=1) > 0.5).all() and (conf.min(axis=1) < 0.5).all()
    best = cand[np.arange(runs), conf.argmax(axis=1)]
    np.testing.assert_array_equal(h.base, best)
    np.testing.assert_array_equal(h.best_image.reshape(runs, 784), best)
    # The next candidates are masks on the new base.
    h.step(np.arange(runs), scorer, rng)
    same = scorer.calls[3].reshape(runs, candidates, 784) == best[:, None]
    assert 0.85 < same.mean() < 0.95  # density 0.1


def test_hillclimb_is_stuck_after_patience_and_out_of_budget_after_steps():
    flat = Recorder(constant(with_cost(1.0)))  # nothing ever improves
    h = HillClimb(candidates=5, steps=50, patience=4)
    r = run_search(h, flat, targets=np.arange(4), rng=np.random.default_rng(0))
    assert (r.outcome == "stuck").all() and (r.steps == 4).all() and len(flat.calls) == 5
    assert not r.images.any()  # the blank base

    h = HillClimb(candidates=5, steps=3, patience=4, threshold=1.1)
    r = run_search(h, Recorder(ink), targets=np.zeros(2, np.int64), rng=np.random.default_rng(0))
    assert (r.outcome == "budget").all() and (r.steps == 3).all()
    assert (r.evaluations == 1 + 5 * 3).all()


# SquareSearch -------------------------------------------------------------------------------


def linear_softmax(seed=0, scale=0.05):
    w = np.random.default_rng(seed).normal(0, scale, (784, 10))

    def outputs(images, call):
        z = images.reshape(len(images), 784).astype(np.float64) @ w
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    return outputs


def test_square_search_accepts_only_improvements_of_the_log_odds():
    runs, c = 6, 3
    s = SquareSearch(candidates=c, square=5, steps=100)
    scorer = Recorder(linear_softmax())
    targets = np.arange(runs)
    rng = np.random.default_rng(0)
    s.init(targets, scorer, rng)
    accepted = rejected = 0
    score = log_odds(scorer.results[0], targets)  # of the current images, recomputed here
    for call in range(1, 30):
        before = s.x.copy()
        s.step(np.arange(runs), scorer, rng)
        cand = scorer.calls[call].reshape(runs, c, 28, 28)
        theirs = log_odds(scorer.results[call], np.repeat(targets, c)).reshape(runs, c)
        best = theirs.argmax(axis=1)
        better = theirs[np.arange(runs), best] > score
        expected = np.where(better[:, None, None], cand[np.arange(runs), best], before)
        np.testing.assert_array_equal(s.x, expected)
        score = np.where(better, theirs[np.arange(runs), best], score)
        accepted += better.sum()
        rejected += (~better).sum()
    assert accepted > 10 and rejected > 10
    # Its best output is that of its current image, which only ever improved.
    np.testing.assert_allclose(s.best_conf, linear_softmax()(s.x, 0)[np.arange(runs), targets],
                               rtol=1e-5)  # fmt: skip


def test_square_search_squares_shrink():
    runs, c, square, shrink = 2, 40, 7, 30
    s = SquareSearch(candidates=c, square=square, min_square=2, shrink_over=shrink, steps=40)
    scorer = Recorder(constant(with_cost(1.0)))  # nothing improves: the image stays the noise
    s.init(np.zeros(runs, np.int64), scorer, np.random.default_rng(0))
    x = s.x.copy()
    values = []
    for t in range(35):
        s.step(np.arange(runs), scorer, np.random.default_rng(t))
        side = max(2, round(square * np.sqrt(max(0.0, 1 - t / shrink))))
        cand = scorer.calls[t + 1].reshape(runs, c, 28, 28)
        changed = cand != x[:, None]
        assert (changed.sum(axis=(2, 3)) == side * side).all(), t
        rows, cols = changed.any(axis=3), changed.any(axis=2)
        assert (rows.sum(axis=2) == side).all() and (cols.sum(axis=2) == side).all()
        new = cand[changed].reshape(runs * c, side * side)
        assert np.isin(new, [0.0, 1.0]).all() and (new == new[:, :1]).all()
        values.extend(new[:, 0])
    assert sps.binomtest(int(np.sum(values)), len(values), 0.5).pvalue > ALPHA


# GradientSign -------------------------------------------------------------------------------


class GradientStub:
    """``target_gradient`` returns a fixed gradient; ``forward`` a constant output."""

    def __init__(self, grad):
        self.grad = grad
        self.forward = Recorder(constant(with_cost(1.0))).forward

    def target_gradient(self, images, targets):
        return self.forward(images), np.broadcast_to(self.grad, images.shape).copy()


def test_gradient_sign_step_moves_each_pixel_by_step_size_along_the_sign():
    rng = np.random.default_rng(0)
    grad = rng.normal(size=(28, 28)).astype(np.float32)
    grad[::5] = 0.0
    g = GradientSign(step_size=0.1, decay=0.5, steps=5)
    stub = GradientStub(grad)
    g.init(np.zeros(3, np.int64), stub, rng)
    for t in range(2):
        before = g.x.copy()
        g.step(np.arange(3), stub, rng)
        move = g.x - before
        size = 0.1 * 0.5**t
        assert np.all(np.abs(move) <= size + 1e-6)
        assert np.all(move[:, grad == 0] == 0)
        np.testing.assert_array_equal(np.sign(move[move != 0]), np.sign(np.broadcast_to(
            grad, move.shape)[move != 0]))  # fmt: skip
        free = (before + size * np.sign(grad) >= 0) & (before + size * np.sign(grad) <= 1)
        free &= grad != 0
        np.testing.assert_allclose(np.abs(move[free]), size, atol=1e-6)
        assert free.mean() > 0.5


def test_gradient_sign_l2_decays_the_image_towards_black():
    rng = np.random.default_rng(1)
    g = GradientSign(step_size=0.1, steps=5, l2=0.2, reg_decay=0.5)
    stub = GradientStub(np.zeros((28, 28), np.float32))  # no ascent: the regulariser alone
    g.init(np.zeros(2, np.int64), stub, rng)
    x0 = g.x.copy()
    g.step(np.arange(2), stub, rng)
    np.testing.assert_allclose(g.x, x0 * (1 - 0.2), rtol=1e-6)
    g.step(np.arange(2), stub, rng)
    np.testing.assert_allclose(g.x, x0 * (1 - 0.2) * (1 - 0.2 * 0.5), rtol=1e-6)


def test_gradient_sign_blur_smooths_the_image():
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(2)
    g = GradientSign(step_size=0.1, steps=5, blur_every=1, blur_sigma=0.8)
    stub = GradientStub(np.zeros((28, 28), np.float32))
    g.init(np.zeros(2, np.int64), stub, rng)
    x0 = g.x.copy()
    g.step(np.arange(2), stub, rng)
    np.testing.assert_allclose(g.x, gaussian_filter(x0, sigma=(0, 0.8, 0.8)), atol=1e-6)


# prior.py -----------------------------------------------------------------------------------

RAMP = np.broadcast_to(np.arange(28) / 27, (28, 28)).astype(np.float64)  # x[r, c] = c / 27
K = np.arange(1, prior.N_LAGS + 1)


def test_lag_terms_and_published_terms_of_a_ramp():
    images = np.stack([RAMP, RAMP.T])
    across, down = prior.lag_terms(images)
    np.testing.assert_allclose(across[0], K / 27, atol=1e-12)  # lag-k differences: k / 27
    np.testing.assert_allclose(down[0], 0, atol=1e-12)
    np.testing.assert_allclose(down[1], K / 27, atol=1e-12)  # the transposed ramp
    np.testing.assert_allclose(across[1], 0, atol=1e-12)
    # As published: lag-1 differences for every k, so 1/27 at every lag.
    this_x, this_y = prior.published_terms(images)
    np.testing.assert_allclose(this_x[0], 1 / 27, atol=1e-12)
    np.testing.assert_allclose(this_y[0], 0, atol=1e-12)
    np.testing.assert_allclose(this_y[1], 1 / 27, atol=1e-12)
    np.testing.assert_allclose(prior.lag_means(RAMP[None], axis=2), K / 27, atol=1e-12)


def test_variogram_cost_published_vs_intended_on_a_ramp():
    stats = prior.digit_stats(np.repeat(RAMP[None], 10, axis=0), np.arange(10))
    np.testing.assert_allclose(stats[2].horizontal, K / 27, atol=1e-12)
    np.testing.assert_allclose(stats[2].vertical, 0, atol=1e-12)
    targets = np.array([2])
    sx, sy = prior.cost_stats(stats, targets, variant="intended")
    assert prior.variogram_cost(RAMP[None], sx, sy, variant="intended")[0] == pytest.approx(
        0, abs=1e-12
    )
    # Published: R's g_x (vertical, 0) against horizontal lag-1 terms (1/27) and R's g_y
    # (horizontal, k/27) against vertical terms (0): (1/14) Σ_k (1/27 + k/27) = 119/378.
    sx, sy = prior.cost_stats(stats, targets, variant="published")
    np.testing.assert_allclose(sx[0], stats[2].vertical)
    np.testing.assert_allclose(sy[0], stats[2].horizontal)
    published = prior.variogram_cost(RAMP[None], sx, sy, variant="published")[0]
    assert published == pytest.approx(119 / 378, abs=1e-12)
    # Even with the axes matched, lag 1 for every k misses the lags > 1: (1/14) Σ (k-1)/27.
    matched = prior.variogram_cost(
        RAMP[None], stats[2].horizontal[None], stats[2].vertical[None], variant="published"
    )[0]
    assert matched == pytest.approx(91 / 378, abs=1e-12)
    with pytest.raises(ValueError, match="variant"):
        prior.variogram_cost(RAMP[None], sx, sy, variant="other")


def smooth_images(n, seed):
    """Blobby images with strong spatial correlation."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    x = gaussian_filter(rng.random((n, 28, 28)), sigma=(0, 2, 2))
    x = (x - x.min(axis=(1, 2), keepdims=True)) / np.ptp(x, axis=(1, 2), keepdims=True)
    return x


def test_variogram_check_reports_terms_and_the_mismatch_test():
    train = smooth_images(60, 0)
    like_train, noise = smooth_images(30, 1), np.random.default_rng(2).random((30, 28, 28))
    table = prior.variogram_check(train=train, published=like_train, intended=noise)
    row = table[table.measure == "mismatch test"]
    assert len(row) == 1
    assert row.value.iloc[0] < 1e-6  # noise is far from the training statistics
    assert row.published.iloc[0] < row.intended.iloc[0]
    terms = table[table.measure == "published terms on training '2's"]
    np.testing.assert_allclose(
        terms[terms.direction == "across"].value, prior.published_terms(train)[0].mean(axis=0)
    )
    truth = table[table.measure == "lag-k statistic of training '2's"]
    np.testing.assert_allclose(
        truth[truth.direction == "down"].value, prior.lag_means(train, axis=1), rtol=1e-12
    )
    # Both from the training distribution: no difference to find.
    same = prior.variogram_check(train=train, published=like_train, intended=smooth_images(30, 3))
    assert same[same.measure == "mismatch test"].value.iloc[0] > 0.01
    # One variant without images: its rows and the test are left out.
    alone = prior.variogram_check(train=train, published=like_train, intended=noise[:0])
    assert "mismatch test" not in set(alone.measure)
    assert "images as intended" not in set(alone.measure)
    assert (alone.measure == "images as published").sum() == 2 * prior.N_LAGS


def test_digit_stats_histogram_uses_r_bins():
    x = np.zeros((10, 28, 28))
    x[:, 0, :4] = [0.1, 0.1000001, 1.0, 0.55]  # 0.1 belongs to the first bin, as R's <=
    stats = prior.digit_stats(x, np.arange(10))
    h = stats[0].histogram * 784
    np.testing.assert_allclose(h, [781, 1, 0, 0, 0, 1, 0, 0, 0, 1], atol=1e-9)
