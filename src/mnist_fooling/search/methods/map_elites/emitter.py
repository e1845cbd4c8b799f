"""The paper's variation as a pyribs emitter (imported when a MAP-Elites search starts)."""

from __future__ import annotations

import numpy as np
from ribs.archives import GridArchive
from ribs.emitters import EmitterBase

from .mutation import PIXELS, polynomial_mutation


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
