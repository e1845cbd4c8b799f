"""Seed 000's genetic-ish algorithm (the Rcpp ``kinda_genetic_digit`` and its R driver), with or
without the natural-image prior: ``genetic``, ``genetic_prior``, ``genetic_prior_intended``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import kernels
from ...base import Method, _per_digit
from ...engine import BUDGET, CONVERGED
from .prior import cost_stats


@dataclass(kw_only=True)
class Genetic(Method):
    """Seed 000's genetic-ish algorithm and its R driver, one run per image wanted.

    Each generation the ``selected`` lowest-cost images are kept; ``population`` children are
    made by uniform crossover of two distinct kept images, each pixel then redrawn with
    probability min(0.5, 0.01 · best cost · ``mutate_factor``). An attempt stops when the best
    cost is below ``tol`` (returning that image) or after ``max_iter`` generations have been
    checked (returning the ``selected``-th best, as the Rcpp's ``selected[0]``); the driver
    then starts a new attempt, at most ``max_attempts`` in all.
    """

    population: int
    selected: int
    mutate_factor: float
    tol: float | list
    max_iter: int
    max_attempts: int
    prior: str | None = None  # None, "published" or "intended"
    stats: list | None = None  # DigitStats per digit, needed with a prior
    chunk: int = 100  # runs scored in one forward batch (chunk × population images)
    _buffer: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.selected < 2 or self.population < self.selected:
            raise ValueError("genetic: need 2 <= selected <= population")
        if self.max_iter < 1 or self.max_attempts < 1:
            raise ValueError("genetic: max_iter and max_attempts must be at least 1")
        if self.prior is not None and self.stats is None:
            raise ValueError("genetic: a prior needs the digits' training statistics")

    def init(self, targets, scorer, rng):
        self._start(targets)
        n, s = len(targets), self.selected
        self.tol_of = _per_digit(self.tol, targets)
        if self.prior is None:
            self.cum = np.zeros((n, 0))
        else:
            self.cum = np.cumsum(np.stack([self.stats[t].histogram for t in targets]), axis=1)
            self.stats_x, self.stats_y = cost_stats(self.stats, targets, variant=self.prior)
        self.parents = np.zeros((n, s, 784), np.float32)  # each run's kept images, best first
        self.parent_cost = np.zeros((n, s))
        self.parent_out = np.zeros((n, s, 10), np.float32)
        self.generation = np.zeros(n, np.int64)  # index of the checked generation, per attempt
        self.attempts = np.ones(n, np.int64)
        self.fresh = np.ones(n, bool)  # the next generation starts a new attempt
        return self.step(np.arange(n), scorer, rng)

    def step(self, idx, scorer, rng):
        for lo in range(0, len(idx), self.chunk):
            self._generation(idx[lo : lo + self.chunk], scorer, rng)
        self._settle(idx)
        return self.population

    def _children(self, rows: np.ndarray, rng) -> np.ndarray:
        """``(m, population, 784)`` the next generation of runs ``rows`` (or a new one)."""
        m = len(rows)
        if self._buffer is None or len(self._buffer) < m:
            self._buffer = kernels.aligned_empty((m, self.population, 784))
        children = self._buffer[:m]
        rate = np.minimum(0.5, 0.01 * self.parent_cost[rows, 0] * self.mutate_factor)
        seed = kernels.generation_seed(rng)
        kernels.breed(self.parents, rows, rate, self.cum[rows], self.fresh[rows], seed, children)
        return children

    def _cost(self, rows, children, outputs) -> np.ndarray:
        """The post's cost ``(m, population)``: L1 to the one-hot target, + variogram term."""
        cost = kernels.l1_cost(outputs, self.targets[rows])
        if self.prior is not None:
            m, p = cost.shape
            image_run = np.repeat(np.arange(m), p)
            cost += kernels.variogram_cost(
                children.reshape(-1, 28, 28),
                self.stats_x[rows],
                self.stats_y[rows],
                image_run,
                self.prior == "published",
            ).reshape(m, p)
        return cost

    def _generation(self, rows, scorer, rng) -> None:
        m = len(rows)
        children = self._children(rows, rng)
        outputs = scorer.forward(children.reshape(-1, 28, 28)).reshape(m, self.population, 10)
        cost = self._cost(rows, children, outputs)
        kernels.keep_best(
            children, outputs, cost, rows, self.parents, self.parent_cost, self.parent_out
        )
        self.generation[rows] = np.where(self.fresh[rows], 0, self.generation[rows] + 1)
        self.fresh[rows] = False
        conf = self.parent_out[rows, 0][np.arange(m), self.targets[rows]]
        self.best_conf[rows] = np.maximum(self.best_conf[rows], conf)

    def _settle(self, idx) -> None:
        """The Rcpp's stop test on each checked generation, and the driver's retry loop."""
        converged = self.parent_cost[idx, 0] < self.tol_of[idx]
        self.status[idx[converged]] = CONVERGED
        timed_out = idx[~converged & (self.generation[idx] >= self.max_iter - 1)]
        # The image a timed-out attempt returns (selected[0], the s-th best) never has a cost
        # below tol, so the driver always retries, here up to max_attempts.
        last = self.attempts[timed_out] >= self.max_attempts
        self.status[timed_out[last]] = BUDGET
        again = timed_out[~last]
        self.attempts[again] += 1
        self.fresh[again] = True

    def result(self) -> dict:
        rows = np.arange(len(self.targets))
        # Converged: the best image; timed out: the Rcpp's selected[0], the s-th best.
        pick = np.where(self.status == CONVERGED, 0, self.selected - 1)
        return dict(
            images=self.parents[rows, pick].reshape(-1, 28, 28).copy(),
            outputs=self.parent_out[rows, pick].copy(),
            cost=self.parent_cost[rows, pick].copy(),
            attempts=self.attempts.copy(),
        )
