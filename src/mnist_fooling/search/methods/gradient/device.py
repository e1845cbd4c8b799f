"""Seed 000's gradient descent on the device, from uniform noise (Nielsen's cross-entropy,
fixed step)."""

from __future__ import annotations

from ...device._jax import jax, jnp
from ...device.base import PIXELS, _end_by_threshold, _GradientStart, _offer
from ...device.forward import _in_chunks, _weights
from ...engine import ACTIVE


class _Gradient(_GradientStart):
    """:class:`~.host.Gradient`: seed 000's descent on Nielsen's
    cross-entropy, fixed step."""

    fields = ("learning_rate", "steps", "threshold")

    def __init__(self, method, model, *, max_batch: int):
        import keras

        from ....core.models import with_logits

        super().__init__(method, model, max_batch=max_batch)
        split = with_logits(model)
        activation = model.get_layer("out").activation
        softmax = activation is keras.activations.softmax

        # Nielsen's cost from the logits, as core.backend.compiled_input_gradient: delta = a - y
        # at the pre-activation, no clipped log whose gradient vanishes where outputs saturate.
        def total(x, onehot, weights):
            (_, logits), _ = split.stateless_call(weights[0], weights[1], x, training=False)
            if softmax:
                loss = -(onehot * jax.nn.log_softmax(logits, axis=1)[:, :10]).sum()
            else:
                z = logits[:, :10]
                loss = (jax.nn.softplus(z) - onehot * z).sum()
            return loss, jnp.asarray(activation(logits))[:, :10]

        grad = jax.value_and_grad(total, has_aux=True)

        def run(weights, x, onehot):
            (_, out), g = grad(x, onehot, weights)
            return out, g

        self.gradient = lambda w, x, onehot: _in_chunks(
            lambda a, b: run(w, a, b), [x, onehot], max_batch
        )
        self.params = (self.params, _weights(split))

    def init(self, params, keys, data):
        return super().init(params[0], keys, data)

    def step(self, params, keys, key, state):
        m = self.method
        n = len(keys)
        active = state["status"] == ACTIVE
        onehot = jax.nn.one_hot(state["target"], 10, dtype=jnp.float32)
        out, grad = self.gradient(params[1], state["x"].reshape(n, 28, 28), onehot)
        _offer(state, state["x"][:, None], out[:, None], jnp.zeros((n, 1)), state["target"], active)
        x = jnp.clip(state["x"] - m.learning_rate * grad.reshape(n, PIXELS), 0.0, 1.0)
        state["x"] = x
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, 2
