"""Search loop shared by all methods: active runs step together; each stops by its method's rule."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

# A run's state: still searching, or how it ended.
ACTIVE, CONVERGED, STUCK, BUDGET = 0, 1, 2, 3
OUTCOMES = ("active", "converged", "stuck", "budget")
# Evaluation counts at which each run's best target output is recorded (the convergence
# figure's x axis): 10^(k/10), 1 to 10^8.
CURVE_EVALUATIONS = np.unique(np.round(10 ** (np.arange(81) / 10)).astype(np.int64))


@dataclass
class SearchResult:
    """Per run: the image the method returns and how the search got there.

    Attributes:
        images: ``(n, 28, 28)`` the image each run returns.
        target: ``(n,)`` target digit.
        outputs: ``(n, 10)`` the network's outputs on ``images``.
        outcome: ``(n,)`` "converged", "stuck" (a local optimum: no progress for the method's
            patience) or "budget" (its step or attempt cap ran out).
        cost: ``(n,)`` the method's own cost of ``images`` (NaN where it has none).
        attempts: ``(n,)`` restarts used (the genetic driver's retry loop; 1 elsewhere).
        evaluations: ``(n,)`` network passes spent by the run (a gradient step counts a
            forward and a backward pass).
        steps: ``(n,)`` steps (generations, iterations) the run took.
        curve: ``(n, len(CURVE_EVALUATIONS))`` best target output so far once the run had
            spent that many evaluations (NaN before its first).
    """

    images: np.ndarray
    target: np.ndarray
    outputs: np.ndarray
    outcome: np.ndarray
    cost: np.ndarray
    attempts: np.ndarray
    evaluations: np.ndarray
    steps: np.ndarray
    curve: np.ndarray

    @property
    def converged(self) -> np.ndarray:
        """``(n,)`` bool: runs that met their method's stop rule."""
        return self.outcome == "converged"


class Scorer:
    """The network as the methods see it: compiled forward pass, input gradients."""

    def __init__(self, model, *, batch_size: int | None = None):
        from ..core.backend import forward_batch_size

        self.model = model
        self.batch_size = batch_size or forward_batch_size(model)
        self._gradients: dict = {}

    def forward(self, images: np.ndarray) -> np.ndarray:
        """The ten digits' outputs ``(n, 10)`` of images ``(n, 28, 28)``, in compiled batches.

        A model with an 11th "fooling" class (N2) has its extra output left out: a digit at
        99.99% leaves at most 0.01% to it.
        """
        from ..core.backend import predict_batched

        flat = images.reshape(-1, 28, 28).astype(np.float32, copy=False)
        return predict_batched(self.model, flat, batch_size=self.batch_size)[:, :10]

    def gradient(self, images: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(outputs (n, 10), d loss / d image (n, 28, 28))``, Nielsen's cross-entropy."""
        if "nielsen" not in self._gradients:
            from ..core.backend import compiled_input_gradient

            self._gradients["nielsen"] = compiled_input_gradient(self.model)
        return self._gradients["nielsen"](images.astype(np.float32, copy=False), onehot)

    def target_gradient(
        self, images: np.ndarray, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(outputs (n, 10), d objective / d image (n, 28, 28))`` of the white-box attack.

        The objective is log p(target) for softmax outputs and the target's logit for sigmoid
        outputs (the MLP): the log of a sigmoid output at 0.9999 has almost no gradient left,
        the logit's stays the same.
        """
        if "target" not in self._gradients:
            self._gradients["target"] = _target_gradient(self.model)
        return self._gradients["target"](images.astype(np.float32, copy=False), targets)


def _target_gradient(model):
    """Compiled ``(images, targets) -> (outputs, grad)`` for :meth:`Scorer.target_gradient`."""
    import keras

    from ..core.backend import compiled_gradient
    from ..core.models import with_logits

    split = with_logits(model)
    activation = model.get_layer("out").activation
    softmax = activation is keras.activations.softmax

    def objective(outs, targets):
        logits = outs[1]
        picked = keras.ops.take_along_axis(logits, keras.ops.expand_dims(targets, 1), axis=1)
        picked = picked[:, 0]
        return picked - keras.ops.logsumexp(logits, axis=1) if softmax else picked

    run = compiled_gradient(split, objective)

    def step(images, targets):
        _, grad, (_, logits) = run(images, np.asarray(targets, np.int32))
        outputs = np.asarray(activation(logits))[:, :10]
        return outputs.astype(np.float32), grad

    return step


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


class _Curve:
    """Best target output of each run at fixed evaluation counts, filled as the runs go."""

    def __init__(self, n: int):
        self.values = np.full((n, len(CURVE_EVALUATIONS)), np.nan, np.float32)
        self.spent = np.zeros(n, np.int64)
        self.best = np.full(n, np.nan, np.float32)

    def update(self, idx: np.ndarray, spent: np.ndarray, best: np.ndarray) -> None:
        """Runs ``idx`` have now spent ``spent`` evaluations and reached ``best``."""
        # Grid points passed during this step keep the best from before it.
        lo = np.searchsorted(CURVE_EVALUATIONS, self.spent[idx], side="left")
        hi = np.searchsorted(CURVE_EVALUATIONS, spent, side="left")
        for g in range(int(lo.min()) if lo.size else 0, int(hi.max(initial=0))):
            passed = (lo <= g) & (g < hi)
            self.values[idx[passed], g] = self.best[idx[passed]]
        self.spent[idx], self.best[idx] = spent, best

    def finish(self) -> np.ndarray:
        """The curve with each run's final best carried to the end of the grid."""
        start = np.searchsorted(CURVE_EVALUATIONS, self.spent, side="left")
        after = np.arange(len(CURVE_EVALUATIONS))[None, :] >= start[:, None]
        return np.where(after, self.best[:, None], self.values)


def run_search(
    method,
    scorer: Scorer,
    *,
    targets: np.ndarray,
    rng: np.random.Generator,
    label: str = "search",
    progress_seconds: float = 10.0,
) -> SearchResult:
    """Run ``method`` for every target at once until every run has ended.

    ``method.init(targets, scorer, rng)`` and ``method.step(active_indices, scorer, rng)``
    return the evaluations they spent per run; the method keeps ``status`` (one of
    ``ACTIVE``, ``CONVERGED``, ``STUCK``, ``BUDGET`` per run), ``best_conf`` (best target
    output so far) and ``result()`` (the images it returns), and ends each run itself.
    A line of progress goes to the log every ``progress_seconds``.
    """
    targets = np.asarray(targets, dtype=np.int64)
    n = len(targets)
    evaluations = np.zeros(n, dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    curve = _Curve(n)
    start = last = time.monotonic()
    evaluations += method.init(targets, scorer, rng)
    everyone = np.arange(n)
    curve.update(everyone, evaluations, method.best_conf)
    step = 0
    while True:
        idx = np.flatnonzero(method.status == ACTIVE)
        if idx.size == 0:
            break
        step += 1
        evaluations[idx] += method.step(idx, scorer, rng)
        steps[idx] += 1
        curve.update(idx, evaluations[idx], method.best_conf[idx])
        if time.monotonic() - last >= progress_seconds:
            last = time.monotonic()
            _progress(label, step, method.status, evaluations, last - start)
    _progress(label, step, method.status, evaluations, time.monotonic() - start)
    found = method.result()
    return SearchResult(
        images=found["images"],
        target=targets,
        outputs=found["outputs"],
        outcome=np.array(OUTCOMES, dtype=object)[method.status].astype(str),
        cost=found["cost"],
        attempts=found["attempts"],
        evaluations=evaluations,
        steps=steps,
        curve=curve.finish(),
    )


def _progress(label: str, step: int, status: np.ndarray, evaluations, seconds: float) -> None:
    counts = np.bincount(status, minlength=len(OUTCOMES))
    total = int(evaluations.sum())
    log.info(
        "%s: step %d, %d/%d runs ended (%d converged, %d stuck, %d out of budget), "
        "%s evaluations, %.0f/s, %.0f s",
        label,
        step,
        len(status) - counts[ACTIVE],
        len(status),
        counts[CONVERGED],
        counts[STUCK],
        counts[BUDGET],
        f"{total:,}",
        total / max(seconds, 1e-9),
        seconds,
    )
