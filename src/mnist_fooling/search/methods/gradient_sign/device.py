"""The signed-gradient ascent on the device (``gradient_sign``, ``gradient_prior``), from uniform
noise, with decay, blur and jitter."""

from __future__ import annotations

import numpy as np

from ...device._jax import jax, jnp
from ...device.base import PIXELS, _end_by_threshold, _GradientStart, _offer
from ...device.forward import _in_chunks, _weights
from ...device.streams import _below, _seeds, _words
from ...engine import ACTIVE


def _gaussian_kernel(sigma: float, radius: int) -> np.ndarray:
    """scipy's ``gaussian_filter1d`` kernel ``(2 radius + 1,)`` (truncate 4), zero-padded."""
    own = int(4.0 * sigma + 0.5)
    x = np.arange(-own, own + 1)
    phi = np.exp(-0.5 / sigma**2 * x**2)
    out = np.zeros(2 * radius + 1)
    out[radius - own : radius + own + 1] = phi / phi.sum()
    return out


def _blur(x, kernel):
    """Images ``x`` ``(U, 28, 28)`` filtered by the separable ``kernel`` ``(2R + 1,)`` along
    both image axes, with scipy's "reflect" border (``jnp.pad`` "symmetric")."""
    radius = (kernel.shape[0] - 1) // 2
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = jnp.pad(x, pad, mode="symmetric")
        parts = [
            jax.lax.slice_in_dim(padded, j, j + 28, axis=axis) * kernel[j]
            for j in range(2 * radius + 1)
        ]
        x = sum(parts[1:], parts[0])
    return x


class _GradientSign(_GradientStart):
    """:class:`~mnist_fooling.search.methods.gradient_sign.host.GradientSign` (``gradient_sign``,
    ``gradient_prior``): signed ascent on log p(target) (the logit for sigmoid outputs), then
    L2 decay, blur and jitter.

    The step size, the regularisers' weight and the blur kernel at step t are tables computed
    on the host in float64, as the numpy path computes them; the jitter shift of step t is
    one draw shared by all runs (as there).
    """

    fields = (
        "step_size",
        "decay",
        "steps",
        "threshold",
        "l2",
        "blur_every",
        "blur_sigma",
        "jitter",
        "reg_decay",
    )

    def __init__(self, method, model, *, max_batch: int):
        import keras

        from ....core.models import with_logits

        super().__init__(method, model, max_batch=max_batch)
        split = with_logits(model)
        activation = model.get_layer("out").activation
        softmax = activation is keras.activations.softmax

        def total(x, targets, weights):
            (_, logits), _ = split.stateless_call(weights[0], weights[1], x, training=False)
            picked = jnp.take_along_axis(logits, targets[:, None], axis=1)[:, 0]
            value = picked - jax.nn.logsumexp(logits, axis=1) if softmax else picked
            return value.sum(), logits

        grad = jax.value_and_grad(total, has_aux=True)

        def run(weights, x, targets):
            (_, logits), g = grad(x, targets, weights)
            return jnp.asarray(activation(logits))[:, :10], g

        self.gradient = lambda w, x, t: _in_chunks(lambda a, b: run(w, a, b), [x, t], max_batch)
        self.params = (self.params, _weights(split))
        self._tables()

    def _tables(self) -> None:
        """Per step t: step length, L2 factor, blur on/off and kernel (float64 on the host)."""
        m = self.method
        t = np.arange(m.steps + 1)
        weight = m.reg_decay**t
        self.step_len = (m.step_size * m.decay**t).astype(np.float32)
        self.l2_factor = (1 - m.l2 * weight).astype(np.float32)
        self.radius = int(4.0 * m.blur_sigma + 0.5) if m.blur_every else 0
        on = np.zeros(len(t), bool)
        if m.blur_every:
            on = (t % m.blur_every == 0) & (weight > 1e-3)
        self.blur_on = on
        kernels = np.zeros((len(t), 2 * self.radius + 1))
        kernels[:, self.radius] = 1.0
        for i in np.flatnonzero(on):
            kernels[i] = _gaussian_kernel(m.blur_sigma * weight[i], self.radius)
        self.kernels = kernels.astype(np.float32)

    def init(self, params, keys, data):
        return super().init(params[0], keys, data)

    def step(self, params, keys, key, state):
        m = self.method
        n = len(keys)
        active = state["status"] == ACTIVE
        # Active runs share their step count t (as on the numpy path): one scalar.
        t = jnp.minimum(jnp.max(jnp.where(active, state["iteration"], 0)), m.steps)
        x = state["x"].reshape(n, 28, 28)
        dy = dx = jnp.int32(0)
        if m.jitter:  # one shift per step for every run, as on the numpy path
            words = _words(_seeds(key ^ np.uint32(0xFFFFFFFF), t), (2,))
            dy, dx = _below(words, 2 * m.jitter + 1) - m.jitter
        still = (dy == 0) & (dx == 0)
        seen = jnp.roll(x, (dy, dx), axis=(1, 2)) if m.jitter else x
        out, grad = self.gradient(params[1], seen, state["target"])
        rank = jnp.zeros((n, 1))
        _offer(state, state["x"][:, None], out[:, None], rank, state["target"], active & still)
        grad = jnp.roll(grad, (-dy, -dx), axis=(1, 2)) if m.jitter else grad
        x = jnp.clip(x + jnp.asarray(self.step_len)[t] * jnp.sign(grad), 0.0, 1.0)
        x = self._regularise(x, t)
        state["x"] = x.reshape(n, PIXELS)
        if m.jitter:  # jittered outputs are not x's own: score the new image
            out = jax.lax.cond(
                still,
                lambda: jnp.zeros((n, 10), jnp.float32),
                lambda: self.forward(params[0], x),
            )
            moved = active & ~still
            _offer(state, state["x"][:, None], out[:, None], rank, state["target"], moved)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, 2 + (~still).astype(jnp.int32)

    def _regularise(self, x, t):
        """``GradientSign._regularise`` at step ``t`` of images ``x`` ``(U, 28, 28)``."""
        if self.method.l2:
            x = x * jnp.asarray(self.l2_factor)[t]
        if self.method.blur_every:
            kernel = jnp.asarray(self.kernels)[t]
            x = jax.lax.cond(jnp.asarray(self.blur_on)[t], lambda: _blur(x, kernel), lambda: x)
        return jnp.clip(x, 0.0, 1.0)
