"""The one place that knows the Keras backend: seeding, determinism and compiled forward passes."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import keras
import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and the backend; make TensorFlow ops deterministic on CPU."""
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def compiled_forward(model: keras.Model) -> Callable[[np.ndarray], np.ndarray]:
    """Return ``f(images (n, 28, 28) float32) -> outputs (n, 10) float32``, compiled once.

    ``model.predict`` re-enters Keras' data pipeline on every call; a jitted stateless call
    (JAX) or a ``tf.function`` (TensorFlow) is about 1.7x faster on populations
    (../shared/DESIGN.md).
    """
    name = keras.backend.backend()
    if name == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        @jax.jit
        def run(x):
            out, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            return out

        return lambda x: np.asarray(run(np.asarray(x, dtype=np.float32)))
    if name == "tensorflow":
        import tensorflow as tf

        run = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        return lambda x: run(_as_tensor(x)).numpy()
    return lambda x: np.asarray(model(np.asarray(x, dtype=np.float32), training=False))


def _as_tensor(x: np.ndarray):
    """A float32 TensorFlow tensor of ``x``: zero-copy (DLPack) for a writeable C-contiguous
    float32 array on a 64-byte boundary (``search.kernels.aligned_empty``), a copy otherwise
    (DLPack cannot export a read-only array).

    TensorFlow's kernels assume that alignment (an unaligned DLPack tensor aborts the
    process), and ``convert_to_tensor`` always copies: 6 ms of the MLP's 18 ms pass over
    10,000 images.
    """
    import tensorflow as tf

    x = np.asarray(x)
    flags = x.flags
    aligned = x.ctypes.data % 64 == 0
    if x.dtype == np.float32 and x.size and flags.c_contiguous and flags.writeable and aligned:
        return tf.experimental.dlpack.from_dlpack(x.__dlpack__())
    return tf.convert_to_tensor(x, dtype=tf.float32)


_FORWARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached_forward(model: keras.Model) -> Callable[[np.ndarray], np.ndarray]:
    """:func:`compiled_forward` of ``model``, compiled once per model and then reused."""
    if model not in _FORWARDS:
        _FORWARDS[model] = compiled_forward(model)
    return _FORWARDS[model]


def forward_batch_size(model: keras.Model) -> int:
    """Images per compiled call: small for convolutional models, large for dense ones.

    With TensorFlow's oneDNN kernels, the CNN scored 3,300 images/s a core in batches of 512,
    against 2,650 in batches of 256 and 3,100 in batches of 1,024 (2 threads: 6,150 against
    4,900 and 6,370; 2,048 was slower). A dense network's activations are small, and its
    per-call overhead is what a large batch saves.
    """
    convolutional = any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)
    return 512 if convolutional else 10_000


def predict_batched(
    model: keras.Model, images: np.ndarray, *, batch_size: int | None = None
) -> np.ndarray:
    """Outputs of ``model`` on images ``(n, 28, 28)`` → ``(n, k)`` float32, in fixed batches
    (``batch_size``, by default :func:`forward_batch_size`)."""
    batch_size = batch_size or forward_batch_size(model)
    forward = cached_forward(model)
    out = [forward(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
    return (
        np.concatenate(out, axis=0)
        if out
        else np.zeros((0, model.outputs[0].shape[-1]), np.float32)
    )


def compiled_gradient(
    model: keras.Model, objective: Callable
) -> Callable[..., tuple[np.ndarray, np.ndarray, object]]:
    """Compile the input gradient of a per-image ``objective`` of ``model``'s outputs.

    Args:
        model: a Keras model taking ``(n, 28, 28)`` images (weights stay frozen).
        objective: ``objective(outputs, *args) -> (n,)`` written with ``keras.ops``; ``outputs``
            is what ``model`` returns (a tensor, or a list for a multi-output model) and
            ``args`` are extra per-call arrays (targets, weights).

    Returns:
        ``f(x (n, 28, 28), *args) -> (values (n,), grad (n, 28, 28), outputs)`` as numpy: the
        gradient of the summed objective, so each image gets the gradient of its own value.
    """
    name = keras.backend.backend()
    if name == "jax":
        import jax
        import jax.numpy as jnp

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        def total(x, *args):
            out, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            values = objective(out, *args)
            return jnp.sum(values), (values, out)

        run = jax.jit(jax.value_and_grad(total, has_aux=True))

        def jax_step(x, *args):
            (_, (values, out)), grad = run(np.asarray(x, np.float32), *map(np.asarray, args))
            return np.asarray(values), np.asarray(grad), jax.tree.map(np.asarray, out)

        return jax_step
    if name != "tensorflow":
        raise ValueError(f"input gradients need the tensorflow or jax backend, not {name!r}")
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def run_tf(x, *args):
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = model(x, training=False)
            values = objective(out, *args)
            total = tf.reduce_sum(values)
        return values, tape.gradient(total, x), out

    def tf_step(x, *args):
        values, grad, out = run_tf(
            tf.convert_to_tensor(x, tf.float32), *(tf.convert_to_tensor(a) for a in args)
        )
        return values.numpy(), grad.numpy(), tf.nest.map_structure(lambda t: t.numpy(), out)

    return tf_step


def compiled_input_gradient(model: keras.Model) -> Callable[[np.ndarray, np.ndarray], tuple]:
    """Return ``f(images (n, 28, 28), onehot (n, 10)) -> (outputs (n, 10), grad (n, 28, 28))``.

    The loss is Nielsen's cost computed from the logits (the last ``Dense``'s pre-activation):
    for sigmoid outputs the binary cross-entropy summed over the ten outputs, whose gradient at
    the pre-activation is exactly Nielsen's delta = a - y; for softmax outputs the softmax
    cross-entropy (delta = p - y). Computing it from the outputs through a clipped log would
    zero the gradient wherever an output saturates, where Nielsen's delta does not vanish.
    The weights stay frozen: only the input is differentiated.
    """
    from .models import with_logits

    split = with_logits(model)
    activation = model.get_layer("out").activation
    softmax = activation is keras.activations.softmax

    def cross_entropy(outs, onehot):
        return logit_cross_entropy(outs[1], onehot, softmax=softmax)

    run = compiled_gradient(split, cross_entropy)

    def step(x, onehot):
        _, grad, (_, logits) = run(x, np.asarray(onehot, np.float32))
        outputs = np.asarray(activation(logits))[:, :10]
        return outputs.astype(np.float32), grad

    return step


def logit_cross_entropy(logits, onehot, *, softmax: bool):
    """Per-image cross-entropy ``(n,)`` from logits ``(n, k)`` and one-hot targets ``(n, 10)``
    (``keras.ops``): softmax cross-entropy, or the ten sigmoid outputs' binary cross-entropy
    ``softplus(z) - y z`` (its gradient in ``z`` is ``sigmoid(z) - y``, never clipped)."""
    ops = keras.ops
    if softmax:
        log_p = ops.log_softmax(logits, axis=1)[:, :10]
        return -ops.sum(onehot * log_p, axis=1)
    z = logits[:, :10]
    return ops.sum(ops.softplus(z) - onehot * z, axis=1)
