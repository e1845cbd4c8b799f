"""The shared base of the methods' device implementations (:class:`_Impl`) and their
best-so-far bookkeeping, as ``Method``'s (``_start``, ``_offer``, ``_end_by_threshold``)."""

from __future__ import annotations

import numpy as np

from ..engine import ACTIVE, BUDGET, CONVERGED
from ._jax import jax, jnp
from .forward import _forward_fn, _weights
from .streams import _uniform, _words

PIXELS = 784


class _Impl:
    """A method on the device. Subclasses define ``setup``, ``init``, ``step``, ``result``.

    ``init(params, seeds, data) -> (state, spent)`` and ``step(params, seeds, key, state) ->
    (state, spent)`` get each unit's generation seed ``(U, 2)`` (see :func:`.streams._words`)
    and the search's key data ``(2,)``; they keep ``status`` and ``best_conf`` (``(U,)``, or
    ``(U, S)`` for S runs per unit) and spend ``spent`` evaluations per active run (a number
    or ``(U,)``). ``setup(method, targets) -> (data, slot_run (U, S))`` gives the constant
    per-unit fields and the run in each slot (-1: none); ``result(host state)`` what each
    run returns. Only the parameters in ``fields`` shape the compiled program.
    """

    fields: tuple[str, ...] = ()  # the method's parameters that shape the compiled program
    slotted = False  # True where a unit holds several runs (arrays ``(U, S, ...)``)

    def __init__(self, method, model, *, max_batch: int):
        self.method = method
        self.forward = _forward_fn(model, max_batch)
        self.params = _weights(model)

    @classmethod
    def static_key(cls, method) -> tuple:
        return tuple(getattr(method, f) for f in cls.fields)

    def setup(self, method, targets):
        return _run_data(targets)

    def result(self, state: dict) -> dict:
        return _best_result(state)


def _offer(state, images, outputs, rank, targets, active):
    """Keep each unit's candidate of highest ``rank`` if it raises the target output.

    Args:
        images: ``(U, p, 784)``; outputs: ``(U, p, 10)``; rank: ``(U, p)``; targets,
            active: ``(U,)``.

    Returns:
        ``(U,)`` bool: units whose best improved (state's ``best_*`` updated in place).
    """
    pick = jnp.argmax(rank, axis=1)
    out = jnp.take_along_axis(outputs, pick[:, None, None], axis=1)[:, 0]
    image = jnp.take_along_axis(images, pick[:, None, None], axis=1)[:, 0]
    conf = jnp.take_along_axis(out, targets[:, None], axis=1)[:, 0]
    better = (conf > state["best_conf"]) & active
    state["best_conf"] = jnp.where(better, conf, state["best_conf"])
    state["best_out"] = jnp.where(better[:, None], out, state["best_out"])
    state["best_image"] = jnp.where(better[:, None], image, state["best_image"])
    return better


def _offer_start(state, images, outputs, targets, threshold: float) -> None:
    """Record each run's starting image ``(U, 784)`` with its outputs ``(U, 10)`` as its best
    (its first evaluation) and end the runs it already takes to ``threshold``."""
    n = len(targets)
    _offer(state, images[:, None], outputs[:, None], jnp.zeros((n, 1)), targets, jnp.ones(n, bool))
    converged = state["best_conf"] >= threshold
    state["status"] = jnp.where(converged, CONVERGED, state["status"])


def _end_by_threshold(state, threshold: float, steps: int, active):
    """``Method._end_by_threshold``: converged at ``threshold``, out of budget after
    ``steps`` steps (``state``'s ``iteration`` and ``status`` updated in place)."""
    state["iteration"] = state["iteration"] + active
    done = state["best_conf"] >= threshold
    spent = ~done & (state["iteration"] >= steps)
    status = jnp.where(active & done, CONVERGED, state["status"])
    state["status"] = jnp.where(active & spent, BUDGET, status)


def _start_best(n: int) -> dict:
    """The per-run best-so-far fields of ``Method._start``, for ``n`` runs."""
    return dict(
        best_image=jnp.zeros((n, PIXELS), jnp.float32),
        best_out=jnp.zeros((n, 10), jnp.float32),
        best_conf=jnp.full(n, -jnp.inf, jnp.float32),
        status=jnp.full(n, ACTIVE, jnp.int32),
        iteration=jnp.zeros(n, jnp.int32),
    )


def _run_data(targets: np.ndarray) -> tuple[dict, np.ndarray]:
    """One unit per run: ``(data, slot_run (n, 1))``."""
    n = len(targets)
    data = dict(uid=np.arange(n, dtype=np.uint32), target=targets.astype(np.int32))
    return data, np.arange(n)[:, None]


def _best_result(state: dict) -> dict:
    """What a run returns by default (``Method.result``): its best image."""
    n = len(state["best_conf"])
    return dict(
        images=state["best_image"],
        outputs=state["best_out"],
        cost=np.full(n, np.nan),
        attempts=np.ones(n, np.int64),
    )


class _GradientStart(_Impl):
    """Gradient methods: from uniform noise, score it, converge at once at ``threshold``."""

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n))
        state["x"] = jax.vmap(lambda k: _uniform(_words(k, (PIXELS,))))(keys)
        out = self.forward(params, state["x"].reshape(n, 28, 28))
        _offer_start(state, state["x"], out, data["target"], self.method.threshold)
        return state, 1
