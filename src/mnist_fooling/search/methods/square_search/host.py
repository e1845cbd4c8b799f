"""Ours: a greedy black-box search from noise with black or white squares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...base import Method, log_odds


@dataclass(kw_only=True)
class SquareSearch(Method):
    """Ours: a greedy black-box search with black or white squares, using only the outputs.

    From uniform noise, each step proposes ``candidates`` copies of each run's image with one
    random square set to 0 or 1 (an adaptation of Andriushchenko et al.'s Square Attack,
    2020, to a search from noise without a norm bound) and keeps the best if it raises the
    target's log-odds. The square's side shrinks from ``square`` to ``min_square`` pixels as
    sqrt(1 − t / ``shrink_over``).
    """

    candidates: int
    square: int
    min_square: int
    shrink_over: int
    steps: int
    threshold: float

    def __post_init__(self):
        if not 1 <= self.min_square <= self.square <= 28:
            raise ValueError("square_search: need 1 <= min_square <= square <= 28")

    def init(self, targets, scorer, rng):
        spent = self._start_from_noise(targets, scorer, rng, self.threshold)
        self.score = log_odds(self.best_out, targets)  # the start's outputs, kept by _offer
        return spent

    def step(self, idx, scorer, rng):
        m, c = len(idx), self.candidates
        t = int(self.iteration[idx[0]])  # active runs share their step count
        side = max(
            self.min_square, round(self.square * np.sqrt(max(0.0, 1 - t / self.shrink_over)))
        )
        cand = np.repeat(self.x[idx], c, axis=0)  # (m·c, 28, 28)
        top = rng.integers(0, 29 - side, (2, m * c))
        value = rng.integers(0, 2, m * c).astype(np.float32)
        span = np.arange(side)
        rows = (top[0][:, None] + span)[:, :, None]
        cols = (top[1][:, None] + span)[:, None, :]
        cand[np.arange(m * c)[:, None, None], rows, cols] = value[:, None, None]
        out = scorer.forward(cand).reshape(m, c, 10)
        score = log_odds(out.reshape(-1, 10), np.repeat(self.targets[idx], c)).reshape(m, c)
        best = score.argmax(axis=1)
        line = np.arange(m)
        better = score[line, best] > self.score[idx]
        keep = idx[better]
        self.x[keep] = cand.reshape(m, c, 28, 28)[line, best][better]
        self.score[keep] = score[line, best][better]
        self._offer(idx, cand.reshape(m, c, 28, 28), out, score)
        self._end_by_threshold(idx, self.threshold, self.steps)
        return c
