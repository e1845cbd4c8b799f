"""MAP-Elites on the device: a replicate's archive row of ten cells, one per class."""

from __future__ import annotations

import numpy as np

from ...device._jax import jax, jnp
from ...device.base import PIXELS, _end_by_threshold, _Impl
from ...device.streams import _below, _rescaled, _uniform, _words
from ...engine import ACTIVE, BUDGET, CONVERGED, replicate_index


class _MapElites(_Impl):
    """:class:`~.host.MapElites`: a unit is a replicate, its ten
    slots the runs of its classes (cell ``(replicate, class)``); the archive row lives on the
    device.

    Each generation every searching replicate mutates ``batch_size`` elites chosen uniformly
    among its (after the random start, always ten) cells; each class's best offspring
    replaces that cell's elite when its output is strictly higher (pyribs' rule).
    """

    fields = ("batch_size", "mutation_rate", "eta", "halve_every", "steps", "threshold")
    slotted = True

    def setup(self, method, targets):
        rep = replicate_index(targets)
        units = int(rep.max()) + 1
        slot_run = np.full((units, 10), -1, np.int64)
        slot_run[rep, targets] = np.arange(len(targets))
        data = dict(uid=np.arange(units, dtype=np.uint32), valid=slot_run >= 0)
        return data, slot_run

    def init(self, params, keys, data):
        m = self.method
        r, b = len(keys), m.batch_size
        children = jax.vmap(lambda k: _uniform(_words(k, (b, PIXELS))))(keys)  # (r, b, 784)
        outputs = self.forward(params, children.reshape(r * b, 28, 28)).reshape(r, b, 10)
        state = dict(
            data,
            elites=jnp.zeros((r, 10, PIXELS), jnp.float32),
            elite_obj=jnp.full((r, 10), -jnp.inf, jnp.float32),
            elite_out=jnp.zeros((r, 10, 10), jnp.float32),
            asked=jnp.ones(r, jnp.int32),  # the emitter's generation counter
            best_image=jnp.zeros((r, 10, PIXELS), jnp.float32),
            best_out=jnp.zeros((r, 10, 10), jnp.float32),
            best_conf=jnp.full((r, 10), -jnp.inf, jnp.float32),
            iteration=jnp.zeros((r, 10), jnp.int32),
        )
        self._tell(state, children, outputs)
        valid = data["valid"]
        self._read(state, valid)
        converged = state["best_conf"] >= m.threshold
        state["status"] = jnp.where(valid, jnp.where(converged, CONVERGED, ACTIVE), BUDGET)
        return state, b

    def step(self, params, keys, key, state):
        m = self.method
        r, b = len(keys), m.batch_size
        active = state["status"] == ACTIVE  # (r, 10)
        state["asked"] = state["asked"] + 1
        rate = m.mutation_rate * 0.5 ** (state["asked"] // m.halve_every).astype(jnp.float32)
        children = jax.vmap(self._mutate)(keys, state["elites"], rate)
        outputs = self.forward(params, children.reshape(r * b, 28, 28)).reshape(r, b, 10)
        self._tell(state, children, outputs)
        self._read(state, active)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, b

    def _mutate(self, key, elites, rate):
        """One replicate's ``(batch_size, 784)`` offspring: uniformly chosen elites of its
        ``(10, 784)`` cells, each pixel mutated with probability ``rate`` by Deb's polynomial
        mutation (as :func:`.mutation.polynomial_mutation`)."""
        m = self.method
        parents = elites[_below(_words(key, (m.batch_size,), 1), 10)]
        u = _uniform(_words(key, (m.batch_size, PIXELS)))
        w = _rescaled(u, rate)
        low = w < 0.5
        base = jnp.where(low, 2 * w, 2 * (1 - w))
        step = jnp.exp(jnp.log(base) * (1.0 / (m.eta + 1.0)))  # base ** power, 2x as fast
        delta = jnp.where(low, step - 1, 1 - step)
        return jnp.clip(parents + jnp.where(u < rate, delta, 0.0), 0.0, 1.0)

    def _tell(self, state, children, outputs) -> None:
        """Each class's best offspring ``(r, b, ...)`` replaces its cell's elite if higher."""
        best = jnp.argmax(outputs, axis=1)  # (r, 10) offspring index per class
        out = jnp.take_along_axis(outputs, best[..., None], axis=1)  # (r, 10, 10)
        image = jnp.take_along_axis(children, best[..., None], axis=1)  # (r, 10, 784)
        objective = jnp.diagonal(out, axis1=1, axis2=2)  # (r, 10)
        better = objective > state["elite_obj"]
        state["elite_obj"] = jnp.where(better, objective, state["elite_obj"])
        state["elite_out"] = jnp.where(better[..., None], out, state["elite_out"])
        state["elites"] = jnp.where(better[..., None], image, state["elites"])

    def _read(self, state, active) -> None:
        """The runs ``active`` ``(r, 10)`` take their cell's elite as their best."""
        state["best_conf"] = jnp.where(active, state["elite_obj"], state["best_conf"])
        state["best_out"] = jnp.where(active[..., None], state["elite_out"], state["best_out"])
        state["best_image"] = jnp.where(active[..., None], state["elites"], state["best_image"])

    def result(self, state):
        shape = state["best_conf"].shape
        return dict(
            images=state["best_image"],
            outputs=state["best_out"],
            cost=np.full(shape, np.nan),
            attempts=np.ones(shape, np.int64),
        )
