"""Nguyen et al. (2015)'s direct-encoding MAP-Elites over the ten classes, on a pyribs archive.

One :class:`ribs.archives.GridArchive` holds every replicate: cell ``(r, c)`` is replicate r's
elite for class c. :class:`PolynomialEmitter` is the paper's variation (uniform random start;
each pixel mutated with probability 0.1, halved every 1000 generations, by polynomial mutation
of strength 15). Every offspring competes in all ten cells of its replicate, as in the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ribs.archives import GridArchive
from ribs.emitters import EmitterBase

from .base import Method
from .engine import CONVERGED, replicate_index

PIXELS = 28 * 28


def polynomial_mutation(
    x: np.ndarray, *, rate: float, eta: float, rng: np.random.Generator
) -> np.ndarray:
    """Deb's polynomial mutation of pixels in [0, 1], as sferes' ``evo_float`` applies it.

    Args:
        x: ``(..., 784)`` parents. rate: probability that a pixel mutates. eta: strength
            (larger = smaller steps).

    Returns:
        ``(..., 784)`` float32 children, clipped to [0, 1].
    """
    mutate = rng.random(x.shape, dtype=np.float32) < rate
    u = rng.random(int(mutate.sum()), dtype=np.float32)
    power = 1.0 / (eta + 1.0)
    delta = np.where(u < 0.5, (2 * u) ** power - 1, 1 - (2 * (1 - u)) ** power)
    child = x.astype(np.float32, copy=True)
    child[mutate] += delta.astype(np.float32)
    return np.clip(child, 0.0, 1.0)


class PolynomialEmitter(EmitterBase):
    """Offspring of uniformly chosen elites of each active replicate (a pyribs emitter).

    ``active`` (set before :meth:`ask`) names the replicates that still search; each gets
    ``batch_size`` offspring, in replicate order.
    """

    def __init__(
        self,
        archive: GridArchive,
        *,
        replicates: int,
        batch_size: int,
        rate: float,
        eta: float,
        halve_every: int,
        rng: np.random.Generator,
    ):
        super().__init__(
            archive, solution_dim=PIXELS, bounds=None, lower_bounds=None, upper_bounds=None
        )
        self.replicates, self.batch_size = replicates, batch_size
        self.rate, self.eta, self.halve_every = rate, eta, halve_every
        self.rng = rng
        self.generation = 0
        self.active = np.arange(replicates)

    def current_rate(self) -> float:
        """The paper's schedule: the mutation rate halves every ``halve_every`` generations."""
        # The random start is generation 0 (``generation`` counts it as 1), as in sferes.
        return self.rate * 0.5 ** ((self.generation - 1) // self.halve_every)

    def elites(self) -> tuple[np.ndarray, np.ndarray]:
        """``(occupied (R, 10) bool, solutions (R, 10, 784))`` of the whole archive."""
        data = self.archive.data(["solution", "index"])
        occupied = np.zeros((self.replicates, 10), bool)
        solutions = np.zeros((self.replicates, 10, PIXELS), np.float32)
        r, c = self.archive.int_to_grid_index(data["index"]).T
        occupied[r, c] = True
        solutions[r, c] = data["solution"]
        return occupied, solutions

    def ask(self) -> np.ndarray:
        """``(len(active) * batch_size, 784)`` offspring (random images in generation 0)."""
        m, b = len(self.active), self.batch_size
        self.generation += 1
        if self.archive.empty:
            return self.rng.random((m * b, PIXELS), dtype=np.float32)
        occupied, solutions = self.elites()
        # A uniform choice among each replicate's occupied cells: argmax of masked noise.
        keys = self.rng.random((m, b, 10), dtype=np.float32)
        keys[~np.broadcast_to(occupied[self.active][:, None, :], keys.shape)] = -1
        pick = keys.argmax(axis=2)  # (m, b)
        parents = solutions[self.active[:, None], pick]  # (m, b, 784)
        children = polynomial_mutation(
            parents, rate=self.current_rate(), eta=self.eta, rng=self.rng
        )
        return children.reshape(m * b, PIXELS)


@dataclass(kw_only=True)
class MapElites(Method):
    """MAP-Elites with one niche per class; a run is one (replicate, target digit) pair.

    Runs that share a replicate share its archive row and its evaluations: each offspring is
    scored once and offered to all ten classes. A replicate keeps searching while any of its
    runs is below the threshold; a run's evaluations stop counting when it converges.
    """

    batch_size: int  # offspring per generation and replicate (sferes' pop::size)
    mutation_rate: float
    eta: float  # polynomial mutation strength
    halve_every: int  # generations between halvings of the mutation rate
    steps: int  # generations after the random start
    threshold: float
    shared_evaluations = True  # a replicate's runs are scored by the same forward passes

    def init(self, targets, scorer, rng):
        self._start(targets)
        self.replicate = replicate_index(targets)
        n_rep = int(self.replicate.max()) + 1
        self.archive = GridArchive(
            solution_dim=PIXELS,
            dims=[n_rep, 10],
            ranges=[(0, n_rep), (0, 10)],
            seed=int(rng.integers(2**31)),
            solution_dtype=np.float32,
            extra_fields={"outputs": ((10,), np.float32)},
        )
        self.emitter = PolynomialEmitter(
            self.archive,
            replicates=n_rep,
            batch_size=self.batch_size,
            rate=self.mutation_rate,
            eta=self.eta,
            halve_every=self.halve_every,
            rng=rng,
        )
        everyone = np.arange(len(targets))
        spent = self._generation(everyone, scorer)
        self.status[self.best_conf >= self.threshold] = CONVERGED
        return spent

    def step(self, idx, scorer, rng):
        spent = self._generation(idx, scorer)
        self._end_by_threshold(idx, self.threshold, self.steps)
        return spent

    def _generation(self, idx, scorer):
        active = np.unique(self.replicate[idx])
        self.emitter.active = active
        children = self.emitter.ask()
        outputs = scorer.forward(children.reshape(-1, 28, 28))
        m, b = len(active), self.batch_size
        self._tell(active, children.reshape(m, b, PIXELS), outputs.reshape(m, b, 10))
        self._read_elites(idx)
        return b

    def _tell(self, active, children, outputs):
        """Offer each replicate's best offspring per class to the archive (one batched add).

        Only the best of the batch can win a cell, and pyribs keeps the first of equal
        objectives, as ``argmax`` does: the same archive as adding every offspring ten times.
        """
        m = len(active)
        best = outputs.argmax(axis=1)  # (m, 10): batch index of the best offspring per class
        rows = np.arange(m)[:, None]
        solution = children[rows, best].reshape(m * 10, PIXELS)
        out = outputs[rows, best].reshape(m * 10, 10)
        cls = np.tile(np.arange(10), m)
        measures = np.stack([np.repeat(active, 10), cls], axis=1) + 0.5
        objective = out[np.arange(m * 10), cls]
        info = self.archive.add(solution, objective, measures, outputs=out)
        self.emitter.tell(solution, objective, measures, info)

    def _read_elites(self, idx):
        measures = np.stack([self.replicate[idx], self.targets[idx]], axis=1) + 0.5
        occupied, data = self.archive.retrieve(measures)
        ok = idx[occupied]
        self.best_conf[ok] = data["objective"][occupied]
        self.best_out[ok] = data["outputs"][occupied]
        self.best_image[ok] = data["solution"][occupied].reshape(-1, 28, 28)
