"""Search loop shared by all methods: active runs step together; each stops at its threshold."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class SearchResult:
    """Per run: the best image found and how the search got there.

    Attributes:
        images: ``(n, 28, 28)`` best image of each run.
        target: ``(n,)`` target digit.
        outputs: ``(n, 10)`` the network's outputs on ``images``.
        converged: ``(n,)`` whether the target output reached the threshold.
        evaluations: ``(n,)`` network evaluations (images scored) spent by the run.
        curve: ``(n, steps + 1)`` best target output after each step (NaN once stopped).
    """

    images: np.ndarray
    target: np.ndarray
    outputs: np.ndarray
    converged: np.ndarray
    evaluations: np.ndarray
    curve: np.ndarray


class Scorer:
    """The network as the methods see it: compiled forward pass, optional input gradient."""

    def __init__(self, model, *, batch_size: int = 4096):
        self.model = model
        self._gradient = None
        self.batch_size = batch_size

    def forward(self, images: np.ndarray) -> np.ndarray:
        """The ten digits' outputs ``(n, 10)`` of images ``(n, 28, 28)``, in compiled batches.

        A model with an 11th "fooling" class (N2) has its extra output left out: a digit at
        99.99% leaves at most 0.01% to it.
        """
        from ..backend import predict_batched

        flat = images.reshape(-1, 28, 28).astype(np.float32, copy=False)
        return predict_batched(self.model, flat, batch_size=self.batch_size)[:, :10]

    def gradient(self, images: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(outputs (n, 10), d loss / d image (n, 28, 28))``, loss as in backend."""
        if self._gradient is None:
            from ..backend import compiled_input_gradient

            self._gradient = compiled_input_gradient(self.model)
        return self._gradient(images.astype(np.float32, copy=False), onehot)


def replicate_index(targets: np.ndarray) -> np.ndarray:
    """``(n,)`` the k-th run of each target belongs to replicate k."""
    order = np.argsort(targets, kind="stable")
    sorted_t = targets[order]
    first = np.searchsorted(sorted_t, sorted_t, side="left")
    rep = np.empty(len(targets), np.int64)
    rep[order] = np.arange(len(targets)) - first
    return rep


def network_evaluations(evaluations: np.ndarray, replicate: np.ndarray, *, shared: bool) -> int:
    """Images the network scored for runs ``(n,)``: with ``shared`` evaluations (MAP-Elites)
    the runs of one replicate were scored together, so each replicate counts its longest run."""
    if not shared:
        return int(evaluations.sum())
    longest = np.zeros(int(replicate.max()) + 1, np.int64)
    np.maximum.at(longest, replicate, evaluations)
    return int(longest.sum())


def run_search(
    method,
    scorer: Scorer,
    *,
    targets: np.ndarray,
    steps: int,
    threshold: float,
    rng: np.random.Generator,
    progress_every: int = 10,
) -> SearchResult:
    """Run ``method`` for every target at once until each run reaches ``threshold`` or ``steps``.

    ``method`` holds per-run state; ``method.init(targets, scorer, rng)`` and
    ``method.step(active_indices, scorer, rng)`` return the evaluations they spent per run,
    and ``method.best_conf`` / ``best_image`` / ``best_out`` hold each run's best so far.
    """
    targets = np.asarray(targets, dtype=np.int64)
    n = len(targets)
    evaluations = np.zeros(n, dtype=np.int64)
    curve = np.full((n, steps + 1), np.nan, dtype=np.float32)
    evaluations += method.init(targets, scorer, rng)
    curve[:, 0] = method.best_conf
    active = method.best_conf < threshold
    start = time.monotonic()
    for step in range(1, steps + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        evaluations[idx] += method.step(idx, scorer, rng)
        curve[idx, step] = method.best_conf[idx]
        active[idx] = method.best_conf[idx] < threshold
        if step % progress_every == 0 or not active.any():
            log.info(
                "step %d: %d/%d runs converged, median best %.4f, %.1f s",
                step,
                int((~active).sum()),
                n,
                float(np.median(method.best_conf)),
                time.monotonic() - start,
            )
    return SearchResult(
        images=method.best_image.copy(),
        target=targets,
        outputs=method.best_out.copy(),
        converged=method.best_conf >= threshold,
        evaluations=evaluations,
        curve=curve,
    )
