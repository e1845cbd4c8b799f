"""The compiled variation operators (``search/kernels.py``) against the laws they claim.

Every test draws enough pixels for a binomial or chi-square test with real power; the seeds are
fixed, so a test either always passes or always fails. ALPHA is small because the samples are
large: a wrong law (an off-by-one in the geometric skips, a biased coin, a wrong bin) gives
p-values many orders of magnitude below it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from mnist_fooling.search import kernels
from mnist_fooling.search.methods.genetic import prior

ALPHA = 1e-3
HISTOGRAM = np.array([0.30, 0.05, 0.10, 0.0, 0.15, 0.05, 0.05, 0.10, 0.05, 0.15])  # bin 3 empty


def breed(parents, rates, *, population=50, cum=None, fresh=None, rows=None, seed=1):
    """``kernels.breed`` with defaults: one output row per run, uniform pixels, no fresh rows."""
    parents = np.ascontiguousarray(parents, np.float32)
    rows = np.arange(len(parents)) if rows is None else np.asarray(rows, np.int64)
    m = len(rows)
    rates = np.broadcast_to(np.asarray(rates, np.float64), (m,)).copy()
    cum = np.zeros((m, 0)) if cum is None else np.broadcast_to(cum, (m, len(cum))).copy()
    fresh = np.zeros(m, bool) if fresh is None else np.asarray(fresh, bool)
    out = np.empty((m, population, 784), np.float32)
    kernels.breed(parents, rows, rates, cum, fresh, np.uint64(seed), out)
    return out


def constant_parents(values, runs=1) -> np.ndarray:
    """``(runs, len(values), 784)``: parent j of every run is the constant image ``values[j]``."""
    return np.broadcast_to(np.asarray(values, np.float32)[None, :, None], (runs, len(values), 784))


# breed: crossover ---------------------------------------------------------------------------


def test_uniform_crossover_is_a_fair_coin_per_pixel():
    children = breed(constant_parents([0.0, 1.0], runs=2), 0.0, population=500)
    assert set(np.unique(children)) == {0.0, 1.0}  # every pixel comes from one of the parents
    # With two kept images every child mixes both (never a parent crossed with itself).
    assert (children.min(axis=2) == 0).all() and (children.max(axis=2) == 1).all()
    heads = int((children == 1.0).sum())
    assert sps.binomtest(heads, children.size, 0.5).pvalue > ALPHA
    # ... with the same coin at every position (no bit of the 64-bit words favoured)
    per_pixel = (children == 1.0).sum(axis=(0, 1))  # (784,) each ~ Binomial(1000, 1/2)
    n = children.shape[0] * children.shape[1]
    statistic = ((per_pixel - n / 2) ** 2 / (n / 4)).sum()  # ~ chi2(784)
    assert ALPHA / 2 < sps.chi2.sf(statistic, 784) < 1 - ALPHA / 2


def test_children_have_two_distinct_parents_chosen_uniformly():
    values = [0.1, 0.2, 0.3, 0.4, 0.5]
    children = breed(constant_parents(values), 0.0, population=2000)[0]
    pairs = [tuple(np.unique(child)) for child in children]
    # Two distinct parents in every child (a parent crossed with itself gives one value).
    assert all(len(p) == 2 for p in pairs)
    counts = np.zeros((5, 5), int)
    for a, b in pairs:
        counts[values.index(round(float(a), 1)), values.index(round(float(b), 1))] += 1
    observed = counts[np.triu_indices(5, 1)]  # the 10 unordered pairs, each 1/10
    assert observed.sum() == 2000
    assert sps.chisquare(observed).pvalue > ALPHA


def test_each_run_breeds_from_its_own_parents():
    parents = np.stack([constant_parents([0.1, 0.2])[0], constant_parents([0.7, 0.8])[0]])
    children = breed(parents, 0.0, rows=[1, 0, 1], population=10)
    assert set(np.unique(children[0])) == {np.float32(0.7), np.float32(0.8)}
    assert set(np.unique(children[1])) == {np.float32(0.1), np.float32(0.2)}
    assert set(np.unique(children[2])) == {np.float32(0.7), np.float32(0.8)}
    assert not np.array_equal(children[0], children[2])  # rows draw from their own streams


# breed: mutation ----------------------------------------------------------------------------

RATES = [0.0, 0.002, 0.05, 0.3, 0.5, 0.9, 1.0, 1.7]


def test_mutation_share_follows_each_rows_rate():
    # Parents at -1, a value no draw in [0, 1) can take: a pixel changed iff it mutated.
    parents = constant_parents([-1.0, -1.0, -1.0], runs=len(RATES))
    children = breed(parents, RATES, population=300)
    mutated = (children != -1.0).reshape(len(RATES), -1)
    assert mutated[0].sum() == 0  # rate 0: nothing
    assert mutated[-2].all() and mutated[-1].all()  # rate >= 1: every pixel
    for rate, row in zip(RATES[1:-2], mutated[1:-2], strict=True):
        p = sps.binomtest(int(row.sum()), row.size, rate).pvalue
        assert p > ALPHA, (rate, row.mean())
    values = children[children != -1.0]
    assert values.min() >= 0.0 and values.max() < 1.0
    assert sps.kstest(values[:200_000], "uniform").pvalue > ALPHA  # uniform without a prior


@pytest.mark.parametrize("rate", [0.01, 0.2])
def test_mutations_are_bernoulli_per_pixel(rate):
    """The geometric skips give one independent Bernoulli(rate) per pixel: every position as
    likely (the first pixel included) and per-child counts with the binomial's variance."""
    children = breed(constant_parents([-1.0, -1.0]), rate, population=4000)[0]
    mutated = children != -1.0  # (4000, 784)
    per_position = mutated.sum(axis=0)
    assert sps.chisquare(per_position, np.full(784, per_position.mean())).pvalue > ALPHA
    per_child = mutated.sum(axis=1)
    dispersion = ((per_child - 784 * rate) ** 2).sum() / (784 * rate * (1 - rate))
    p = sps.chi2.sf(dispersion, len(per_child))
    assert ALPHA / 2 < p < 1 - ALPHA / 2, dispersion / len(per_child)
    # Mutated pixels are not clustered: a pixel's neighbour mutates with the same probability.
    both = (mutated[:, :-1] & mutated[:, 1:]).sum()
    assert sps.binomtest(int(both), int(mutated[:, :-1].sum()), rate).pvalue > ALPHA


def test_histogram_pixels_fall_in_bins_with_the_histograms_frequencies():
    cum = np.cumsum(HISTOGRAM)
    fresh = breed(np.zeros((1, 2, 784)), 0.0, cum=cum, fresh=[True], population=300)
    mutated = breed(constant_parents([-1.0, -1.0]), 1.0, cum=cum, population=300)
    for values in (fresh.ravel(), mutated.ravel()):
        assert values.min() >= 0.0 and values.max() <= 1.0
        # Nothing strictly inside the empty bin (an edge value may round to it).
        assert not ((values > 0.3) & (values < 0.4)).any()
        counts = np.histogram(values, bins=20, range=(0, 1))[0]  # half bins: uniform within
        expected = np.repeat(HISTOGRAM, 2) / 2 * values.size
        keep = expected > 0
        assert sps.chisquare(counts[keep], expected[keep]).pvalue > ALPHA


def test_fresh_rows_draw_every_pixel_and_others_breed():
    parents = constant_parents([-1.0, -2.0], runs=4)
    children = breed(parents, 0.0, fresh=[True, False, True, False], population=20)
    for k in (0, 2):
        assert (children[k] >= 0).all() and (children[k] < 1).all()
        assert len(np.unique(children[k])) > 0.99 * children[k].size
    for k in (1, 3):  # rate 0: crossover of the parents only
        assert set(np.unique(children[k])) == {-1.0, -2.0}


def test_breeding_is_reproducible_and_seeded():
    parents = np.random.default_rng(0).random((3, 4, 784), dtype=np.float32)
    a = breed(parents, 0.1, seed=5)
    np.testing.assert_array_equal(a, breed(parents, 0.1, seed=5))
    assert (a != breed(parents, 0.1, seed=6)).mean() > 0.4


def test_results_do_not_depend_on_the_thread_split(monkeypatch):
    rng = np.random.default_rng(3)
    runs = 80  # enough rows for kernels._split to cut into several parts
    parents = rng.random((runs, 5, 784), dtype=np.float32)
    rates = rng.random(runs) * 0.3
    cum = np.cumsum(HISTOGRAM)
    fresh = rng.random(runs) < 0.2
    base = rng.random((runs, 784), dtype=np.float32)
    images = rng.random((runs, 28, 28), dtype=np.float32)
    sx, sy = rng.random((runs, 14)), rng.random((runs, 14))
    results = []
    for n_threads in (1, 2, 5):
        monkeypatch.setattr(kernels, "threads", lambda n=n_threads: n)
        children = breed(parents, rates, cum=cum, fresh=fresh, population=7, seed=11)
        cand = np.empty((runs, 6, 784), np.float32)
        kernels.perturb(base, np.arange(runs), 0.05, 0.5, np.uint64(4), cand)
        cost = kernels.variogram_cost(images, sx, sy, np.arange(runs), True)
        results.append((children, cand, cost))
    calls = []
    monkeypatch.setattr(kernels, "threads", lambda: 5)
    real = kernels._split
    monkeypatch.setattr(kernels, "_split", lambda n, work: calls.append(n) or real(n, work))
    breed(parents, rates, population=1)
    assert calls == [runs]
    for other in results[1:]:
        for mine, theirs in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(mine, theirs)


# perturb ------------------------------------------------------------------------------------


def perturb(base, density, amplitude, candidates=400, seed=2):
    base = np.ascontiguousarray(base, np.float32)
    out = np.empty((len(base), candidates, 784), np.float32)
    kernels.perturb(base, np.arange(len(base)), density, amplitude, np.uint64(seed), out)
    return out


@pytest.mark.parametrize("density, amplitude", [(0.02, 0.5), (0.3, 0.1), (1.0, 0.25)])
def test_perturb_density_and_amplitude(density, amplitude):
    base = np.full((2, 784), 0.5, np.float32)  # far enough from 0 and 1: no clipping
    cand = perturb(base, density, amplitude)
    delta = (cand - 0.5).ravel()
    changed = delta != 0
    if density == 1.0:
        assert changed.mean() > 0.9999
    else:
        assert sps.binomtest(int(changed.sum()), delta.size, density).pvalue > ALPHA
    assert np.abs(delta).max() <= amplitude + 1e-6
    # uniform in [-amplitude, amplitude]
    assert sps.kstest(delta[changed][:100_000] / amplitude, "uniform", args=(-1, 2)).pvalue > ALPHA


def test_perturb_clips_to_the_unit_interval():
    base = np.stack([np.full(784, 0.9), np.full(784, 0.1)])
    cand = perturb(base, 1.0, 0.5, candidates=200)
    assert cand.min() >= 0.0 and cand.max() <= 1.0
    # 0.9 + U(-0.5, 0.5) exceeds 1 with probability 0.4; 0.1 + U(...) falls below 0 likewise
    at_one, at_zero = (cand[0] == 1.0), (cand[1] == 0.0)
    assert sps.binomtest(int(at_one.sum()), at_one.size, 0.4).pvalue > ALPHA
    assert sps.binomtest(int(at_zero.sum()), at_zero.size, 0.4).pvalue > ALPHA


def test_perturb_starts_from_each_rows_base():
    base = np.stack([np.zeros(784), np.full(784, 0.5)]).astype(np.float32)
    out = np.empty((3, 50, 784), np.float32)
    kernels.perturb(base, np.array([1, 0, 1]), 0.01, 0.2, np.uint64(0), out)
    for k, run in enumerate([1, 0, 1]):
        same = out[k] == base[run]
        assert 0.97 < same.mean() < 1.0


# variogram cost -----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["published", "intended"])
def test_variogram_cost_equals_the_numpy_prior(variant):
    rng = np.random.default_rng(7)
    runs = 5
    smooth = np.cumsum(rng.random((20, 28, 28)), axis=2) / 28  # strong lag structure
    images = np.concatenate([rng.random((20, 28, 28)), smooth]).astype(np.float32)
    images[::7] = 0.0
    sx, sy = rng.random((runs, 14)) * 0.5, rng.random((runs, 14)) * 0.5
    rows = rng.integers(0, runs, len(images))
    ours = kernels.variogram_cost(images, sx, sy, rows, variant == "published")
    theirs = prior.variogram_cost(images.astype(np.float64), sx[rows], sy[rows], variant=variant)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    other = "intended" if variant == "published" else "published"
    swapped = prior.variogram_cost(images.astype(np.float64), sx[rows], sy[rows], variant=other)
    assert np.abs(swapped - ours).max() > 1e-3  # the two variants differ on these images


# selection ----------------------------------------------------------------------------------


def test_keep_best_is_a_stable_sort_of_each_runs_children():
    rng = np.random.default_rng(3)
    m, population, s, runs = 6, 40, 5, 9
    children = rng.random((m, population, 784), dtype=np.float32)
    outputs = rng.random((m, population, 10), dtype=np.float32)
    cost = rng.integers(0, 8, (m, population)).astype(np.float64)  # many ties
    cost[0] = 1.0  # all tied: the first five children, in order
    cost[1, ::-1] = np.arange(population)  # strictly falling: the last five, reversed
    rows = np.array([4, 0, 8, 2, 6, 1])
    parents = np.full((runs, s, 784), -1, np.float32)
    parent_cost = np.full((runs, s), -1.0)
    parent_out = np.full((runs, s, 10), -1, np.float32)
    kernels.keep_best(children, outputs, cost, rows, parents, parent_cost, parent_out)
    keep = np.argsort(cost, axis=1, kind="stable")[:, :s]
    line = np.arange(m)[:, None]
    np.testing.assert_array_equal(parents[rows], children[line, keep])
    np.testing.assert_array_equal(parent_cost[rows], cost[line, keep])
    np.testing.assert_array_equal(parent_out[rows], outputs[line, keep])
    untouched = np.setdiff1d(np.arange(runs), rows)
    assert (parents[untouched] == -1).all() and (parent_cost[untouched] == -1).all()


def test_l1_cost_is_numpys_bit_for_bit():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(7, 30, 10)) * 30  # outputs from 1 down to ~1e-30: rounding shows
    outputs = np.exp(logits - logits.max(axis=2, keepdims=True))
    outputs = (outputs / outputs.sum(axis=2, keepdims=True)).astype(np.float32)
    targets = rng.integers(0, 10, 7)
    onehot = np.eye(10, dtype=np.float32)[targets][:, None, :]
    expected = np.abs(outputs - onehot).sum(axis=2, dtype=np.float64)
    np.testing.assert_array_equal(kernels.l1_cost(outputs, targets), expected)
    with pytest.raises(ValueError, match="ten outputs"):
        kernels.l1_cost(outputs[:, :, :9], targets)
