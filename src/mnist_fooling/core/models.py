"""The three classifiers of the posts, as Keras 3 models taking ``(n, 28, 28)`` images in [0, 1].

Only standard layers, so a saved ``.keras`` file loads with ``safe_mode=True`` on any backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from .names import MODEL_NAMES  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class TrainConfig:
    """Training hyperparameters of one model, all from the workflow config (``train.<model>``
    and ``seed``); ``l2`` and ``dropout``, which only the MLP and the CNN set there, are off
    where a model's section leaves them out."""

    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str  # "sgd" or "adam"
    seed: int
    l2: float = 0.0  # Nielsen's lambda (mlp only)
    dropout: float = 0.0  # cnn only


def build_softmax() -> keras.Model:
    """TF tutorial softmax regression: 784 → 10 softmax, zero-initialised."""
    inputs = keras.Input((28, 28), name="image")
    x = layers.Flatten()(inputs)  # (n, 784)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer="zeros", name="out")(x)
    return keras.Model(inputs, outputs, name="softmax")


def build_mlp(*, l2: float, n_train: int) -> keras.Model:
    """Nielsen's network2: 784-100-10, sigmoid hidden and output layers.

    Nielsen minimises the cross-entropy summed over the 10 outputs plus ``lambda/(2n)·Σw²``.
    Keras' binary cross-entropy averages over the outputs (a tenth of Nielsen's sum), so the
    trainer multiplies the learning rate by 10 and the regulariser here is ``lambda/(20n)``:
    the update ``w -= eta·(∂C/∂w + lambda/n·w)`` is then exactly Nielsen's.
    """
    reg = keras.regularizers.L2(l2 / (20.0 * n_train)) if l2 > 0 else None
    # Nielsen's default_weight_initializer: N(0, 1/n_in) weights, N(0, 1) biases.
    hidden_init = keras.initializers.RandomNormal(stddev=1.0 / 28.0)  # 1/sqrt(784)
    out_init = keras.initializers.RandomNormal(stddev=0.1)  # 1/sqrt(100)
    inputs = keras.Input((28, 28), name="image")
    x = layers.Flatten()(inputs)  # (n, 784)
    x = layers.Dense(
        100,
        activation="sigmoid",
        kernel_initializer=hidden_init,
        bias_initializer=keras.initializers.RandomNormal(stddev=1.0),
        kernel_regularizer=reg,
        name="hidden",
    )(x)  # (n, 100)
    outputs = layers.Dense(
        10,
        activation="sigmoid",
        kernel_initializer=out_init,
        bias_initializer=keras.initializers.RandomNormal(stddev=1.0),
        kernel_regularizer=reg,
        name="out",
    )(x)  # (n, 10), not normalised: "confidence" is the target neuron's activation
    return keras.Model(inputs, outputs, name="mlp")


def build_cnn(*, dropout: float = 0.5) -> keras.Model:
    """TF tutorial CNN: conv5x5x32-pool-conv5x5x64-pool-fc1024-dropout-10 softmax."""
    weight = keras.initializers.TruncatedNormal(stddev=0.1)
    bias = keras.initializers.Constant(0.1)
    conv = dict(padding="same", activation="relu", kernel_initializer=weight, bias_initializer=bias)
    inputs = keras.Input((28, 28), name="image")
    x = layers.Reshape((28, 28, 1))(inputs)
    x = layers.Conv2D(32, 5, name="conv1", **conv)(x)  # (n, 28, 28, 32)
    x = layers.MaxPooling2D(2)(x)  # (n, 14, 14, 32)
    x = layers.Conv2D(64, 5, name="conv2", **conv)(x)  # (n, 14, 14, 64)
    x = layers.MaxPooling2D(2)(x)  # (n, 7, 7, 64)
    x = layers.Flatten()(x)  # (n, 3136)
    x = layers.Dense(1024, activation="relu", kernel_initializer=weight, bias_initializer=bias)(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(
        10, activation="softmax", kernel_initializer=weight, bias_initializer=bias, name="out"
    )(x)  # (n, 10)
    return keras.Model(inputs, outputs, name="cnn")


def build_model(name: str, cfg: TrainConfig, *, n_train: int) -> keras.Model:
    """Build and compile model ``name`` for training with ``cfg``."""
    if name == "softmax":
        model, loss, lr = build_softmax(), "sparse_categorical_crossentropy", cfg.learning_rate
    elif name == "mlp":
        model, loss = build_mlp(l2=cfg.l2, n_train=n_train), "binary_crossentropy"
        lr = 10.0 * cfg.learning_rate  # see build_mlp: Keras averages where Nielsen sums
    elif name == "cnn":
        model, loss, lr = (
            build_cnn(dropout=cfg.dropout),
            "sparse_categorical_crossentropy",
            cfg.learning_rate,
        )
    else:
        raise ValueError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")
    if cfg.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=lr)
    elif cfg.optimizer == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=lr)
    else:
        raise ValueError(f"unknown optimizer {cfg.optimizer!r}; expected 'sgd' or 'adam'")
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=["accuracy"] if name != "mlp" else [],
        steps_per_execution=steps_per_execution(cfg.batch_size),
    )
    return model


def steps_per_execution(batch_size: int) -> int:
    """Optimiser steps per compiled call: about 1000 images, whatever the batch size.

    The updates are the same, one batch at a time (the weights come out bit-identical); only
    the Python round trip per step goes. Nielsen's batches of 10 trained 2.8x faster this way.
    """
    return max(1, 1000 // batch_size)


def with_logits(model: keras.Model) -> keras.Model:
    """``(n, 28, 28) -> [features (n, f), logits (n, k)]`` for a model whose last layer is a
    ``Dense`` named ``out``: its input (the penultimate layer; the pixels for softmax
    regression) and its pre-activation. The head's weights are copied: for frozen models
    (attacks, detectors), not for training.
    """
    out = model.get_layer("out")
    kernel, bias = out.get_weights()  # (f, k), (k,)
    head = layers.Dense(kernel.shape[1], name="logits")
    features = out.input
    split = keras.Model(model.inputs, [features, head(features)], name=f"{model.name}_logits")
    head.set_weights([kernel, bias])
    return split


def load_model(path) -> keras.Model:
    """Load a saved ``.keras`` model safely (``safe_mode=True``, no custom objects)."""
    import zipfile
    from pathlib import Path

    from .errors import UserInputError

    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"{path}: model file not found")
    if not zipfile.is_zipfile(path):
        raise UserInputError(f"{path}: not a Keras archive (a .keras file is a zip archive)")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a bad archive
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserInputError(f"{path}: not a loadable Keras model ({first})") from exc
