"""Seed 000's input gradient: Nielsen's cost from the logits keeps delta = a - y at saturation."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from mnist_fooling.core.backend import compiled_gradient, compiled_input_gradient


def _network(*, activation: str, bias: float) -> keras.Model:
    """A 784-10 network ``(n, 28, 28) -> (n, 10)``: small weights, and a bias of ``bias`` on
    every output but the first two's ``-bias``; a large bias saturates every output, wrongly
    for targets 0 and 1 (sigmoid outputs at 0 or 1 in float32)."""
    rng = np.random.default_rng(0)
    inputs = keras.Input((28, 28))
    x = keras.layers.Flatten()(inputs)
    out = keras.layers.Dense(10, activation=activation, name="out")(x)
    model = keras.Model(inputs, out)
    kernel = (0.01 * rng.standard_normal((784, 10))).astype(np.float32)
    biases = np.full(10, bias, np.float32)
    biases[:2] = -bias
    model.get_layer("out").set_weights([kernel, biases])
    return model


def _clipped(model):
    """The former loss: binary cross-entropy through ``log(clip(a, 1e-7, 1 - 1e-7))``."""

    def loss(out, onehot):
        p = keras.ops.clip(out, 1e-7, 1 - 1e-7)
        terms = onehot * keras.ops.log(p) + (1 - onehot) * keras.ops.log(1 - p)
        return -keras.ops.sum(terms, axis=1)

    return compiled_gradient(model, loss)


@pytest.mark.parametrize(
    ("activation", "bias", "saturated"),
    [("sigmoid", 40.0, True), ("sigmoid", 0.0, False), ("softmax", 40.0, True)],
)
def test_gradient_is_the_analytic_delta_chain(activation, bias, saturated):
    model = _network(activation=activation, bias=bias)
    x = np.random.default_rng(1).uniform(0, 1, (3, 28, 28)).astype(np.float32)
    onehot = np.eye(10, dtype=np.float32)[[0, 1, 0]]
    out, grad = compiled_input_gradient(model)(x, onehot)
    kernel = model.get_layer("out").get_weights()[0]
    expected = ((out - onehot) @ kernel.T).reshape(3, 28, 28)  # delta = a - y, chained by W
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-5)
    assert np.abs(grad).max() > 1e-3
    if activation == "sigmoid":
        old = _clipped(model)(x, onehot)[1]
        # the clip zeroes the saturated outputs' gradient: the old loss loses most of delta
        vanished = np.abs(old).max() < 1e-6 * np.abs(expected).max()
        assert vanished == saturated
