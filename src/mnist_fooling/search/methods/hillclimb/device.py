"""Hill climbing on the device: random masks on a base image."""

from __future__ import annotations

from ...device._jax import jax, jnp
from ...device.base import PIXELS, _end_by_threshold, _Impl, _offer, _offer_start, _start_best
from ...device.streams import _rescaled, _uniform, _words
from ...engine import ACTIVE, STUCK


class _HillClimb(_Impl):
    """:class:`~.host.HillClimb`: candidates ``clip(base + mask)``; the
    best replaces the base when it raises the target output; stuck after ``patience``
    iterations without."""

    fields = ("candidates", "density", "amplitude", "steps", "threshold", "patience")

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n), stalled=jnp.zeros(n, jnp.int32))
        state["base"] = jnp.zeros((n, PIXELS), jnp.float32)  # the blank base image
        out = jnp.broadcast_to(self.forward(params, jnp.zeros((1, 28, 28))), (n, 10))
        _offer_start(state, state["base"], out, data["target"], self.method.threshold)
        return state, 1

    def step(self, params, keys, key, state):
        m = self.method
        n, c = len(keys), m.candidates
        active = state["status"] == ACTIVE
        cand = jax.vmap(self._perturb)(keys, state["base"])  # (n, c, 784)
        outputs = self.forward(params, cand.reshape(n * c, 28, 28)).reshape(n, c, 10)
        conf = jnp.take_along_axis(outputs, state["target"][:, None, None], axis=2)[..., 0]
        better = _offer(state, cand, outputs, conf, state["target"], active)
        state["base"] = jnp.where(better[:, None], state["best_image"], state["base"])
        state["stalled"] = jnp.where(better, 0, state["stalled"] + 1)
        _end_by_threshold(state, m.threshold, m.steps, active)
        stuck = (state["status"] == ACTIVE) & (state["stalled"] >= m.patience)
        state["status"] = jnp.where(stuck, STUCK, state["status"])
        return state, c

    def _perturb(self, key, base):
        """One run's ``(candidates, 784)``: each pixel moved with probability ``density`` by
        a value uniform in ``[-amplitude, amplitude]``, clipped to [0, 1]."""
        m = self.method
        u = _uniform(_words(key, (m.candidates, PIXELS)))
        delta = m.amplitude * (2.0 * _rescaled(u, m.density) - 1.0)
        moved = jnp.clip(base + delta, 0.0, 1.0)
        return jnp.where(u < m.density, moved, base)
