"""MAP-Elites on a pyribs archive: the paper's mutation, shared evaluations, exact batching.

The network is a numpy stub (``NumpySoftmax``), so nothing here needs Keras.
"""

from __future__ import annotations

import numpy as np
import pytest
from ribs.archives import GridArchive
from scipy import stats as sps

from mnist_fooling.search.engine import network_evaluations, replicate_index, run_search
from mnist_fooling.search.methods.map_elites import emitter
from mnist_fooling.search.methods.map_elites.mutation import PIXELS, polynomial_mutation
from tests.search.configured import MapElites
from tests.search.test_engine import NumpySoftmax, Recording, band_weights

ALPHA = 1e-3


@pytest.fixture(scope="module")
def scorer():
    return NumpySoftmax(band_weights())


def test_polynomial_mutation_mutates_a_share_rate_of_the_pixels():
    rng = np.random.default_rng(0)
    x = np.full((200, PIXELS), 0.5, np.float32)
    assert np.array_equal(polynomial_mutation(x, rate=0.0, eta=15, rng=rng), x)
    for rate in (0.1, 0.025):
        changed = polynomial_mutation(x, rate=rate, eta=15, rng=rng) != x
        assert sps.binomtest(int(changed.sum()), changed.size, rate).pvalue > ALPHA
    assert (polynomial_mutation(x, rate=1.0, eta=15, rng=rng) != x).mean() > 0.999


@pytest.mark.parametrize("eta", [15.0, 2.0])
def test_polynomial_mutation_steps_follow_debs_law(eta):
    """From 0.5: |delta| = 1 − v^(1/(eta+1)) with v uniform, so P(|delta| > d) = (1 − d)^(eta+1)
    and, clipped at 0.5, E|step| = ∫₀^½ (1 − d)^(eta+1) dd = (1 − 2^-(eta+2)) / (eta+2)
    (1/17 for eta = 15); the sign is a fair coin."""
    rng = np.random.default_rng(1)
    x = np.full((100, PIXELS), 0.5, np.float32)
    delta = (polynomial_mutation(x, rate=0.2, eta=eta, rng=rng) - x).ravel()
    delta = delta[delta != 0].astype(np.float64)
    size = np.abs(delta)
    expected_mean = (1 - 0.5 ** (eta + 2)) / (eta + 2)
    se = size.std() / np.sqrt(len(size))
    assert abs(size.mean() - expected_mean) < 4 * se, (size.mean(), expected_mean)
    if eta > 5:  # a unit step would need |delta| > 0.5: practically never clipped
        cdf = lambda d: 1 - (1 - np.minimum(d, 1)) ** (eta + 1)  # noqa: E731
        assert sps.kstest(size, cdf).pvalue > ALPHA
    assert sps.binomtest(int((delta > 0).sum()), len(delta), 0.5).pvalue > ALPHA


def test_polynomial_mutation_clips_to_the_unit_interval():
    rng = np.random.default_rng(2)
    top = polynomial_mutation(np.ones((50, PIXELS)), rate=1.0, eta=1, rng=rng)
    assert top.min() >= 0 and top.max() <= 1
    # Half the steps go up and are clipped back to 1.
    assert sps.binomtest(int((top == 1).sum()), top.size, 0.5).pvalue > ALPHA


def test_replicates_and_shared_evaluation_counts():
    targets = np.array([0, 0, 1, 2, 1, 0])
    rep = replicate_index(targets)
    assert rep.tolist() == [0, 1, 0, 0, 1, 2]
    evals = np.array([10, 20, 30, 40, 5, 7])
    assert network_evaluations(evals, rep, shared=False) == 112
    assert network_evaluations(evals, rep, shared=True) == 40 + 20 + 7


def test_best_per_cell_equals_adding_every_offspring_to_every_class(scorer):
    rng = np.random.default_rng(3)
    m = MapElites(batch_size=16)
    targets = np.repeat(np.arange(10), 2)
    m.init(targets, scorer, rng)
    children = rng.random((2, 16, PIXELS), dtype=np.float32)
    outputs = scorer.forward(children.reshape(-1, 28, 28)).reshape(2, 16, 10)
    before = m.archive.data(["solution", "objective", "index"])
    naive = GridArchive(
        solution_dim=PIXELS, dims=[2, 10], ranges=[(0, 2), (0, 10)], solution_dtype=np.float32
    )
    naive.add(
        before["solution"], before["objective"], naive.int_to_grid_index(before["index"]) + 0.5
    )
    m._tell(np.arange(2), children, outputs)
    rep = np.repeat(np.arange(2), 16 * 10)
    cls = np.tile(np.arange(10), 32)
    naive.add(
        np.repeat(children.reshape(32, PIXELS), 10, axis=0),
        outputs.reshape(320),
        np.stack([rep, cls], axis=1) + 0.5,
    )
    mine, theirs = (
        m.archive.data(["index", "objective", "solution"]),
        naive.data(["index", "objective", "solution"]),
    )
    order_m, order_t = np.argsort(mine["index"]), np.argsort(theirs["index"])
    np.testing.assert_array_equal(mine["index"][order_m], theirs["index"][order_t])
    np.testing.assert_array_equal(mine["objective"][order_m], theirs["objective"][order_t])
    np.testing.assert_array_equal(mine["solution"][order_m], theirs["solution"][order_t])


def test_runs_of_a_replicate_share_evaluations_and_stop_when_done(scorer):
    """Replay MAP-Elites' stop rule on the batches scored: a replicate is scored while any of
    its runs is below the threshold; each run stops counting when its cell reaches it."""
    b, steps, threshold = 30, 60, 0.9
    targets = np.repeat(np.arange(10), 3)
    rep = replicate_index(targets)
    rec = Recording(scorer)
    r = run_search(MapElites(batch_size=b, steps=steps, threshold=threshold), rec,
                   targets=targets, rng=np.random.default_rng(2))  # fmt: skip
    n = len(targets)
    best, end = np.full(n, -np.inf), np.full(n, -1)
    active_reps = [0, 1, 2]
    for call, out in enumerate(rec.results):
        assert len(out) == b * len(active_reps), call  # each active replicate: one batch
        for j, k in enumerate(active_reps):
            block = out[j * b : (j + 1) * b]
            for run in np.flatnonzero((rep == k) & (end < 0)):
                best[run] = max(best[run], block[:, targets[run]].max())
                if best[run] >= threshold or call == steps:
                    end[run] = call
        active_reps = [k for k in active_reps if (end[rep == k] < 0).any()]
    assert not active_reps and len(set(end)) > 3
    np.testing.assert_array_equal(r.steps, end)
    np.testing.assert_array_equal(r.evaluations, b * (end + 1))
    assert r.converged.all()
    np.testing.assert_allclose(r.outputs[np.arange(n), targets], best, rtol=1e-6)
    # Each elite's stored outputs are the network's outputs on it.
    np.testing.assert_allclose(scorer.forward(r.images), r.outputs, atol=1e-6)
    scored = sum(len(c) for c in rec.calls)
    assert network_evaluations(r.evaluations, rep, shared=True) == scored


def rates_used(halve_every: int, generations: int, monkeypatch, scorer) -> list[float]:
    used = []
    real = polynomial_mutation

    def recording(x, *, rate, eta, rng):
        used.append(rate)
        return real(x, rate=rate, eta=eta, rng=rng)

    monkeypatch.setattr(emitter, "polynomial_mutation", recording)
    m = MapElites(batch_size=4, mutation_rate=0.1, halve_every=halve_every, steps=generations,
                  threshold=2.0)  # fmt: skip
    run_search(m, scorer, targets=np.arange(10), rng=np.random.default_rng(0))
    return used


def test_mutation_rate_halves(monkeypatch, scorer):
    used = rates_used(3, 9, monkeypatch, scorer)
    assert len(used) == 9  # one mutation per generation after the random start
    assert used[0] == 0.1 and used[-1] < used[0]
    ratios = np.array(used[1:]) / np.array(used[:-1])
    assert set(np.round(ratios, 12)) == {0.5, 1.0} and (ratios == 0.5).sum() == 3


def test_mutation_rate_halves_after_halve_every_offspring_generations(monkeypatch, scorer):
    used = rates_used(3, 7, monkeypatch, scorer)
    assert used == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
