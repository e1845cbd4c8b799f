"""The compiled part of the device search: a method's first generation and a ``lax.while_loop``
of its next ones with the engine's bookkeeping, built once per model and configuration."""

from __future__ import annotations

import weakref

import numpy as np

from ..engine import ACTIVE, BUDGET, CURVE_EVALUATIONS
from ..registry import device_class
from ._jax import jax, jnp
from .streams import _run_keys, _seeds

_CURVE = CURVE_EVALUATIONS.astype(np.int32)  # 1 .. 10^8 fits int32


class _Program:
    """A method's compiled ``init`` and ``advance`` for one model (cached, see :func:`compiled`).

    ``init(params, key, data) -> state`` and ``advance(params, key, state, idx, stop_below,
    generations) -> (state, generations run)``; ``state`` is a dict of device arrays with a
    leading unit axis, ``data`` its constant fields (targets, per-run statistics).
    """

    def __init__(self, impl):
        self.impl = impl
        self.init = jax.jit(lambda params, key, data: _init(impl, params, key, data))
        self.advance = jax.jit(
            lambda params, key, state, idx, stop_below, generations: _advance(
                impl, params, key, state, idx, stop_below, generations
            ),
            donate_argnums=(2,) if jax.default_backend() != "cpu" else (),
        )


_PROGRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled(method, model, *, max_batch: int) -> _Program:
    """The compiled program of ``method`` on ``model``: built once per static configuration."""
    impl_class = device_class(method)
    if impl_class is None:
        raise ValueError(f"no device search for {type(method).__name__}; see device_supported()")
    key = (impl_class.__name__, impl_class.static_key(method), max_batch)
    cache = _PROGRAMS.setdefault(model, {})
    if key not in cache:
        cache[key] = _Program(impl_class(method, model, max_batch=max_batch))
    return cache[key]


def _init(impl, params, key, data):
    """The first generation of every unit, with the engine's bookkeeping started."""
    units = data["uid"].shape[0]
    data = dict(data, key=_run_keys(key, data["uid"]))
    state, spent = impl.init(params, _seeds(data["key"], 0), data)
    state["tick"] = jnp.ones(units, jnp.int32)
    shape = state["status"].reshape(units, -1).shape
    state["evaluations"] = jnp.broadcast_to(jnp.asarray(spent, jnp.int32), shape)
    state["steps"] = jnp.zeros(shape, jnp.int32)
    state["curve"] = jnp.full((*shape, len(_CURVE)), jnp.nan, jnp.float32)
    state["curve_best"] = state["best_conf"].reshape(shape)
    return state


def _advance(impl, params, key, full, idx, stop_below, generations):
    """Up to ``generations`` generations of the units ``idx`` ``(b,)`` (``idx >= units``:
    padding), stopping early once at most ``stop_below`` of them still search."""
    units = full["uid"].shape[0]
    work = jax.tree.map(lambda a: jnp.take(a, idx, axis=0, mode="clip"), full)
    pad = (idx >= units).reshape((-1,) + (1,) * (work["status"].ndim - 1))
    work["status"] = jnp.where(pad, BUDGET, work["status"])

    def live(w):
        return (w["status"].reshape(len(idx), -1) == ACTIVE).any(axis=1).sum()

    def cond(carry):
        g, w = carry
        return (g < generations) & (live(w) > stop_below)

    def body(carry):
        g, w = carry
        return g + 1, _generation(impl, params, key, w)

    done, work = jax.lax.while_loop(cond, body, (jnp.int32(0), work))
    return jax.tree.map(lambda a, b: a.at[idx].set(b, mode="drop"), full, work), done


def _generation(impl, params, key, state):
    """One generation of every unit in ``state``; ended units stay as they were."""
    units = state["uid"].shape[0]
    active = state["status"].reshape(units, -1) == ACTIVE  # (U, S) before the step
    keys = _seeds(state["key"], state["tick"])
    new, spent = impl.step(params, keys, key, dict(state))
    new["tick"] = state["tick"] + 1
    live = active.any(axis=1)
    new = {
        k: jnp.where(live.reshape((-1,) + (1,) * (v.ndim - 1)), v, state[k]) for k, v in new.items()
    }
    return _book(new, state, active, spent)


def _book(new, old, active, spent):
    """The engine's bookkeeping: evaluations, steps and the curve of the runs ``active``
    ``(U, S)`` that spent ``spent`` (a number, ``(U,)`` or ``(U, S)``) evaluations."""
    units, slots = active.shape
    spent = jnp.asarray(spent, jnp.int32)
    spent = spent.reshape(spent.shape + (1,) * (2 - spent.ndim)) if spent.ndim == 1 else spent
    before = old["evaluations"]
    after = before + jnp.broadcast_to(spent, (units, slots)) * active
    passed = (before[..., None] <= _CURVE) & (after[..., None] > _CURVE) & active[..., None]
    new["curve"] = jnp.where(passed, old["curve_best"][..., None], old["curve"])
    best = new["best_conf"].reshape(units, slots)
    new["curve_best"] = jnp.where(active, best, old["curve_best"])
    new["evaluations"] = after
    new["steps"] = old["steps"] + active
    return new
