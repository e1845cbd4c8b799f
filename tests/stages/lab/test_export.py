"""The weights' export: layer list, shapes, precision; unsupported models are refused."""

import base64

import numpy as np
import pytest

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.core.models import load_model
from mnist_fooling.stages.lab.export import export_model


def _array(text, dtype):
    return np.frombuffer(base64.b64decode(text), dtype)


def test_cnn_layers_in_keras_order(lab_models):
    spec = export_model(load_model(lab_models["cnn"]))
    kinds = [(layer["type"], layer.get("act")) for layer in spec["layers"]]
    assert kinds == [
        ("conv", "relu"),
        ("pool", None),
        ("conv", "relu"),
        ("pool", None),
        ("dense", "relu"),
        ("dense", "softmax"),
    ]
    conv2 = spec["layers"][2]
    assert (conv2["h"], conv2["cin"], conv2["cout"], conv2["k"], conv2["pad"]) == (14, 32, 64, 5, 2)
    assert spec["layers"][4]["nin"] == 7 * 7 * 64


def test_weights_round_trip_in_both_precisions(lab_models):
    model = load_model(lab_models["mlp"])
    kernel = model.get_layer("hidden").get_weights()[0]
    f32 = export_model(model)["layers"][0]
    assert np.array_equal(_array(f32["kernel"], "<f4").reshape(kernel.shape), kernel)
    f16 = export_model(model, precision="float16")["layers"][0]
    assert np.abs(_array(f16["kernel"], "<f2").reshape(kernel.shape) - kernel).max() < 1e-3
    assert export_model(model)["output"] == "sigmoid"


def test_unsupported_model_is_one_line_error():
    import keras

    inputs = keras.Input((28, 28))
    x = keras.layers.Reshape((28, 28, 1))(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2)(x)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(10)(x))
    with pytest.raises(UserInputError, match="stride-1"):
        export_model(model)
    with pytest.raises(UserInputError, match="precision"):
        export_model(model, precision="int8")
