"""Nguyen et al. (2015)'s direct-encoding MAP-Elites over the ten classes, on a pyribs archive.

One :class:`ribs.archives.GridArchive` holds every replicate: cell ``(r, c)`` is replicate r's
elite for class c. :class:`.emitter.PolynomialEmitter` is the paper's variation (uniform random
start; each pixel mutated with probability 0.1, halved every 1000 generations, by polynomial
mutation of strength 15). Every offspring competes in all ten cells of its replicate, as in the
paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...base import Method
from ...engine import CONVERGED, replicate_index
from .mutation import PIXELS


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
        # pyribs (a second of imports) when a search starts, not when the registry loads
        from ribs.archives import GridArchive

        from .emitter import PolynomialEmitter

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
