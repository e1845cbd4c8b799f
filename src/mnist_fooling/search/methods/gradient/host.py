"""Seed 000's gradient descent on the input from noise (Nielsen's cost from logits, fixed step)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...base import Method


@dataclass(kw_only=True)
class Gradient(Method):
    """Seed 000's gradient descent on the input (weights frozen): Nielsen's cross-entropy,
    a fixed step, pixels clipped to [0, 1]; a run returns the best image it met."""

    learning_rate: float
    steps: int
    threshold: float

    def init(self, targets, scorer, rng):
        return self._start_from_noise(targets, scorer, rng, self.threshold)

    def step(self, idx, scorer, rng):
        x = self.x[idx]
        out, grad = scorer.gradient(x, self.onehot[idx])
        self._offer(idx, x[:, None], out[:, None], np.zeros((len(idx), 1)))
        self.x[idx] = np.clip(x - self.learning_rate * grad, 0.0, 1.0)
        self._end_by_threshold(idx, self.threshold, self.steps)
        return 2  # a forward and a backward pass
