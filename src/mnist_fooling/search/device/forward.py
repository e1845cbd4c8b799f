"""The model's pure forward pass on the device, scored in chunks of at most ``max_batch``
images (``lax.map``), and its weights as jit arguments."""

from __future__ import annotations

import math
from collections.abc import Callable

from ._jax import jax, jnp


def _in_chunks(fn, arrays, max_batch: int):
    """``fn(*arrays)`` over the leading axis in chunks of at most ``max_batch`` (``lax.map``)."""
    n = arrays[0].shape[0]
    if n <= max_batch:
        return fn(*arrays)
    k = math.ceil(n / max_batch)
    size = math.ceil(n / k)
    padded = [jnp.pad(a, [(0, k * size - n)] + [(0, 0)] * (a.ndim - 1)) for a in arrays]
    stacked = [a.reshape((k, size) + a.shape[1:]) for a in padded]
    out = jax.lax.map(lambda xs: fn(*xs), stacked)
    return jax.tree.map(lambda a: a.reshape((k * size,) + a.shape[2:])[:n], out)


def _weights(model):
    """``(trainable, non_trainable)`` values of ``model`` (jit arguments, not constants)."""
    return (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
    )


def _forward_fn(model, max_batch: int) -> Callable:
    """``f(weights, images (N, 28, 28)) -> outputs (N, 10)``: the model's pure forward."""

    def once(weights, x):
        out, _ = model.stateless_call(weights[0], weights[1], x, training=False)
        return out[:, :10]

    return lambda weights, x: _in_chunks(lambda c: once(weights, c), [x], max_batch)
