"""Random streams of the device search: each run's ``jax.random`` key seeds one counter-based
stream per generation, so a run's search does not depend on which runs share its batch."""

from __future__ import annotations

import math

import numpy as np

from ._jax import jax, jnp

_BELOW_ONE = float(np.nextafter(np.float32(1), np.float32(0)))  # largest float32 < 1


def _triple32(x):
    """Wellons' ``triple32`` hash of uint32 ``x``: a bijection with near-ideal avalanche."""
    for shift, mult in ((17, 0xED5AD4BB), (11, 0xAC4C1B51), (15, 0x31848BAB)):
        x = (x ^ (x >> shift)) * np.uint32(mult)
    return x ^ (x >> 14)


def _run_keys(key, uid):
    """``(U, 2)`` uint32: the ``jax.random`` key of each run (unit) ``uid`` ``(U,)``, folded
    from the search's key data ``key`` ``(2,)``."""
    base = jax.random.wrap_key_data(key)
    return jax.vmap(lambda u: jax.random.key_data(jax.random.fold_in(base, u)))(uid)


def _seeds(run_key, tick):
    """``(..., 2)`` uint32: the seed of generation ``tick`` ``(...)`` of runs ``run_key``
    ``(..., 2)``: one stream per run and generation, whatever batch the run is in."""
    tick = jnp.asarray(tick, jnp.uint32)
    s0 = _triple32(run_key[..., 0] ^ _triple32(tick))
    s1 = _triple32(run_key[..., 1] + tick * np.uint32(0x9E3779B9) + np.uint32(1))
    return jnp.stack([s0, s1], axis=-1)


def _words(seed, shape, stream: int = 0):
    """Random uint32 words ``shape`` of one run's generation ``seed`` ``(2,)``.

    Counter-based: word ``c`` of ``stream`` is ``triple32(triple32(c' ^ s0) + s1)`` with
    ``c' = c + stream · 2^28``, a bijection of the counter (no word repeats within a run's
    generation); about 5x the speed of ``jax.random.bits`` on the CPU, and quick to compile.
    """
    size = math.prod(shape)
    if size >= 2**28 or not 0 <= stream < 16:
        raise ValueError(f"a random stream holds < 2^28 words in streams 0-15, not {shape}")
    counter = jnp.arange(size, dtype=jnp.uint32).reshape(shape) + np.uint32(stream << 28)
    return _triple32(_triple32(counter ^ seed[0]) + seed[1])


def _uniform(words):
    """Uniform float32 in [0, 1) from the low 31 bits of ``words`` (resolution 2^-31 near 0)."""
    u = (words & np.uint32(0x7FFFFFFF)).astype(jnp.float32) * np.float32(2.0**-31)
    return jnp.minimum(u, _BELOW_ONE)


def _coin(words):
    """A fair coin from the top bit of ``words`` (independent of :func:`_uniform`)."""
    return (words >> 31).astype(bool)


def _below(words, k):
    """Integers uniform in ``[0, k)`` (``k`` a number or broadcastable array)."""
    return jnp.minimum(jnp.floor(_uniform(words) * k), k - 1).astype(jnp.int32)


def _rescaled(u, rate):
    """``u / rate`` in [0, 1): where ``u < rate``, a uniform independent of that event.

    So one word per pixel gives both a fair coin (:func:`_coin`, the genetic crossover) and
    a uniform ``u``: the pixel mutates when ``u < rate``, and ``u / rate`` draws its new value
    (the law of the kernels' separate draws, in one word).
    """
    return jnp.minimum(u / jnp.maximum(rate, 1e-30), _BELOW_ONE)
