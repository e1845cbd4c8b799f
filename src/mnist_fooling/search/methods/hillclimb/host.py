"""Seed 003's hill climbing: random masks added to a blank base, keep the best candidate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import kernels
from ...base import Method
from ...engine import ACTIVE, CONVERGED, STUCK


@dataclass(kw_only=True)
class HillClimb(Method):
    """Seed 003's hill climbing: candidates = clip(base + random mask); the best candidate
    replaces the base when it raises the target output (else the base is kept).

    A mask perturbs each pixel with probability ``density`` by a value uniform in
    ``[-amplitude, amplitude]``. A run ends at ``threshold`` (converged), after ``patience``
    iterations without improvement (stuck in a local optimum) or after ``steps`` iterations.
    """

    candidates: int
    density: float
    amplitude: float
    steps: int
    threshold: float
    patience: int
    chunk: int = 20  # runs scored in one forward batch

    def __post_init__(self):
        if not 0 < self.density <= 1 or not 0 < self.amplitude <= 1:
            raise ValueError("hillclimb: density and amplitude must lie in (0, 1]")
        if self.patience < 1 or self.steps < 1:
            raise ValueError("hillclimb: steps and patience must be at least 1")

    def init(self, targets, scorer, rng):
        self._start(targets)
        n = len(targets)
        self.base = np.zeros((n, 784), np.float32)  # the blank base image
        self.stalled = np.zeros(n, np.int64)
        outputs = scorer.forward(self.base).reshape(n, 1, 10)
        self._offer(np.arange(n), self.base[:, None], outputs, np.zeros((n, 1)))
        self.status[self.best_conf >= self.threshold] = CONVERGED
        return 1

    def step(self, idx, scorer, rng):
        for lo in range(0, len(idx), self.chunk):
            rows = idx[lo : lo + self.chunk]
            m = len(rows)
            cand = kernels.aligned_empty((m, self.candidates, 784))
            seed = kernels.generation_seed(rng)
            kernels.perturb(self.base, rows, self.density, self.amplitude, seed, cand)
            outputs = scorer.forward(cand.reshape(-1, 28, 28)).reshape(m, self.candidates, 10)
            conf = outputs[np.arange(m), :, self.targets[rows]]  # (m, candidates)
            better = self._offer(rows, cand, outputs, conf)
            self.base[rows[better]] = self.best_image[rows[better]].reshape(-1, 784)
            self.stalled[rows] = np.where(better, 0, self.stalled[rows] + 1)
        self._end_by_threshold(idx, self.threshold, self.steps)
        stuck = (self.status[idx] == ACTIVE) & (self.stalled[idx] >= self.patience)
        self.status[idx[stuck]] = STUCK
        return self.candidates
