"""The square search on the device: random black or white squares scored by the target's
log-odds."""

from __future__ import annotations

import numpy as np

from ...device._jax import jax, jnp
from ...device.base import PIXELS, _end_by_threshold, _Impl, _offer, _offer_start, _start_best
from ...device.streams import _below, _coin, _uniform, _words
from ...engine import ACTIVE


def log_odds(outputs, targets):
    """``(...)`` log(p / (1 − p)) of each target output; ``outputs`` ``(..., 10)``, ``targets``
    broadcastable to ``(...)``."""
    p = jnp.take_along_axis(outputs, targets[..., None], axis=-1)[..., 0]
    tiny = np.finfo(np.float32).tiny
    return jnp.log(jnp.maximum(p, tiny)) - jnp.log(jnp.maximum(1.0 - p, tiny))


class _SquareSearch(_Impl):
    """:class:`~.host.SquareSearch`: one random black or white
    square per candidate; the best candidate is kept when it raises the target's log-odds."""

    fields = ("candidates", "square", "min_square", "shrink_over", "steps", "threshold")

    def __init__(self, method, model, *, max_batch: int):
        super().__init__(method, model, max_batch=max_batch)
        m = method
        t = np.arange(m.steps + 1)
        side = np.round(m.square * np.sqrt(np.maximum(0.0, 1 - t / m.shrink_over)))
        self.side = np.maximum(m.min_square, side).astype(np.int32)  # the numpy path's schedule

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n))
        state["x"] = jax.vmap(lambda k: _uniform(_words(k, (PIXELS,))))(keys)  # uniform noise
        out = self.forward(params, state["x"].reshape(n, 28, 28))
        _offer_start(state, state["x"], out, data["target"], self.method.threshold)
        state["score"] = log_odds(out, data["target"])
        return state, 1

    def step(self, params, keys, key, state):
        m = self.method
        n, c = len(keys), m.candidates
        active = state["status"] == ACTIVE
        side = jnp.asarray(self.side)[jnp.minimum(state["iteration"], m.steps)]
        cand = jax.vmap(self._squares)(keys, state["x"], side)  # (n, c, 784)
        out = self.forward(params, cand.reshape(n * c, 28, 28)).reshape(n, c, 10)
        score = log_odds(out, state["target"][:, None])  # (n, c)
        best = jnp.argmax(score, axis=1)
        top = jnp.take_along_axis(score, best[:, None], axis=1)[:, 0]
        better = active & (top > state["score"])
        chosen = jnp.take_along_axis(cand, best[:, None, None], axis=1)[:, 0]
        state["x"] = jnp.where(better[:, None], chosen, state["x"])
        state["score"] = jnp.where(better, top, state["score"])
        _offer(state, cand, out, score, state["target"], active)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, c

    def _squares(self, key, x, side):
        """One run's ``(candidates, 784)``: ``x`` with a ``side``-pixel square set to 0 or 1
        at a uniform position."""
        c = self.method.candidates
        top = _below(_words(key, (c, 2), 1), 29 - side)
        value = _coin(_words(key, (c,), 2)).astype(jnp.float32)
        r = jnp.arange(28)
        rows = (r >= top[:, :1]) & (r < top[:, :1] + side)  # (c, 28)
        cols = (r >= top[:, 1:]) & (r < top[:, 1:] + side)
        inside = (rows[:, :, None] & cols[:, None, :]).reshape(c, PIXELS)
        return jnp.where(inside, value[:, None], x)
