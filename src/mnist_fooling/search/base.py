"""What every search method shares: per-run status and best-so-far bookkeeping."""

from __future__ import annotations

import numpy as np

from .engine import ACTIVE, BUDGET, CONVERGED


class Method:
    """Per-run status and best-so-far bookkeeping shared by all methods."""

    shared_evaluations = False  # True where the runs of a replicate share forward passes

    def _start(self, targets: np.ndarray) -> None:
        n = len(targets)
        self.targets = targets
        self.onehot = np.eye(10, dtype=np.float32)[targets]
        self.best_image = np.zeros((n, 28, 28), np.float32)
        self.best_out = np.zeros((n, 10), np.float32)
        self.best_conf = np.full(n, -np.inf, np.float32)
        self.status = np.full(n, ACTIVE, np.int8)
        self.iteration = np.zeros(n, np.int64)

    def _offer(
        self, idx: np.ndarray, images: np.ndarray, outputs: np.ndarray, rank: np.ndarray
    ) -> np.ndarray:
        """Keep each run's candidate with the highest ``rank`` if its confidence is higher.

        Args:
            idx: ``(m,)`` runs; images: ``(m, p, 28, 28)``; outputs: ``(m, p, 10)``;
            rank: ``(m, p)`` the method's own preference (higher is better).

        Returns:
            ``(m,)`` bool: runs whose best improved.
        """
        pick = rank.argmax(axis=1)
        rows = np.arange(len(idx))
        out = outputs[rows, pick]
        conf = out[rows, self.targets[idx]]
        better = conf > self.best_conf[idx]
        self.best_conf[idx[better]] = conf[better]
        self.best_out[idx[better]] = out[better]
        self.best_image[idx[better]] = images[rows, pick][better].reshape(-1, 28, 28)
        return better

    def _start_from_noise(self, targets: np.ndarray, scorer, rng, threshold: float) -> int:
        """Each run starts from an image of uniform noise, scored once; returns 1 evaluation."""
        self._start(targets)
        n = len(targets)
        self.x = rng.random((n, 28, 28), dtype=np.float32)
        out = scorer.forward(self.x)
        self._offer(np.arange(n), self.x[:, None], out[:, None], np.zeros((n, 1)))
        self.status[self.best_conf >= threshold] = CONVERGED
        return 1

    def _end_by_threshold(self, idx: np.ndarray, threshold: float, steps: int) -> None:
        """Runs at ``threshold`` converged; runs that took ``steps`` steps are out of budget."""
        self.iteration[idx] += 1
        done = self.best_conf[idx] >= threshold
        self.status[idx[done]] = CONVERGED
        spent = ~done & (self.iteration[idx] >= steps)
        self.status[idx[spent]] = BUDGET

    def result(self) -> dict:
        """What each run returns: by default its best image."""
        n = len(self.targets)
        return dict(
            images=self.best_image.copy(),
            outputs=self.best_out.copy(),
            cost=np.full(n, np.nan),
            attempts=np.ones(n, np.int64),
        )


def _per_digit(value, targets: np.ndarray) -> np.ndarray:
    """``(n,)`` a number for every run, from one number or a list of ten (one per digit)."""
    values = np.asarray(value, dtype=np.float64)
    if values.ndim == 0:
        return np.full(len(targets), float(values))
    if values.shape != (10,):
        raise ValueError(f"a per-digit value needs one number or ten, got {values.shape[0]}")
    return values[targets]


def log_odds(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(n,)`` log(p / (1 − p)) of each target output, in float64 (fine near 1)."""
    p = outputs[np.arange(len(targets)), targets].astype(np.float64)
    return np.log(np.maximum(p, 1e-300)) - np.log(np.maximum(1.0 - p, 1e-300))
