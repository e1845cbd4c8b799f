"""MAP-Elites on a pyribs archive: the paper's mutation, shared evaluations, exact batching."""

import numpy as np
import pytest
from ribs.archives import GridArchive

from mnist_fooling.search.engine import network_evaluations, replicate_index, run_search
from mnist_fooling.search.map_elites import PIXELS, MapElites, polynomial_mutation

from .test_engine import scorer  # noqa: F401  (the tiny linear model fixture)


def test_polynomial_mutation_rate_and_strength():
    rng = np.random.default_rng(0)
    x = np.full((200, PIXELS), 0.5, np.float32)
    assert np.array_equal(polynomial_mutation(x, rate=0.0, eta=15, rng=rng), x)
    child = polynomial_mutation(x, rate=0.1, eta=15, rng=rng)
    changed = child != x
    assert 0.09 < changed.mean() < 0.11  # the paper's 10% of pixels
    step = np.abs(child - x)[changed]
    assert step.max() <= 0.5 and abs((child - x)[changed].mean()) < 0.01  # symmetric
    gentle = polynomial_mutation(x, rate=1.0, eta=100, rng=rng)
    rough = polynomial_mutation(x, rate=1.0, eta=1, rng=rng)
    assert np.abs(gentle - x).mean() < np.abs(rough - x).mean()  # larger eta, smaller steps
    edge = polynomial_mutation(np.ones((10, PIXELS)), rate=1.0, eta=1, rng=rng)
    assert edge.min() >= 0 and edge.max() <= 1


def test_replicates_and_shared_evaluation_counts():
    targets = np.array([0, 0, 1, 2, 1, 0])
    rep = replicate_index(targets)
    assert rep.tolist() == [0, 1, 0, 0, 1, 2]
    evals = np.array([10, 20, 30, 40, 5, 7])
    assert network_evaluations(evals, rep, shared=False) == 112
    assert network_evaluations(evals, rep, shared=True) == 40 + 20 + 7


def test_best_per_cell_equals_adding_every_offspring_to_every_class(scorer):  # noqa: F811
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


def test_runs_of_a_replicate_share_evaluations_and_stop_counting_when_done(scorer):  # noqa: F811
    targets = np.repeat(np.arange(10), 3)
    m = MapElites(batch_size=30)
    r = run_search(
        m, scorer, targets=targets, steps=60, threshold=0.9, rng=np.random.default_rng(2)
    )
    assert r.converged.all()
    assert np.all(r.evaluations % 30 == 0)  # whole generations of one replicate
    rep = replicate_index(targets)
    for k in range(3):  # the replicate ran until its slowest digit converged
        mine = r.evaluations[rep == k]
        stopped = np.argmax(np.isnan(r.curve[rep == k]), axis=1)
        np.testing.assert_array_equal(mine, stopped * 30)
    # Each elite's stored outputs are the network's outputs on it.
    np.testing.assert_allclose(scorer.forward(r.images), r.outputs, atol=1e-5)
    assert m.archive.stats.num_elites == 30  # 3 replicates × 10 classes


def test_mutation_rate_halves_on_schedule(scorer):  # noqa: F811
    m = MapElites(batch_size=4, mutation_rate=0.1, halve_every=3)
    m.init(np.arange(10), scorer, np.random.default_rng(0))
    rates = []
    for _ in range(7):
        rates.append(m.emitter.current_rate())
        m.step(np.arange(10), scorer, np.random.default_rng(0))
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
