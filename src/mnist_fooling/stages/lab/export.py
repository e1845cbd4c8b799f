"""The trained models' weights as the page's layer list: plain numbers, float32 or float16."""

from __future__ import annotations

import base64

import numpy as np

from ...core.errors import UserInputError

PRECISIONS = ("float32", "float16")
ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax")


def _activation(layer) -> str:
    name = getattr(layer.activation, "__name__", str(layer.activation))
    if name not in ACTIVATIONS:
        raise UserInputError(f"layer {layer.name}: activation {name!r} is not supported in the lab")
    return name


def _blob(array: np.ndarray, precision: str) -> str:
    """``array`` as base64 of its little-endian float32 or float16 bytes (C order)."""
    dtype = np.dtype("<f4") if precision == "float32" else np.dtype("<f2")
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def export_model(model, *, precision: str = "float32") -> dict:
    """The layers of a ``(n, 28, 28)`` Keras model as the page runs them.

    Activations are kept channels-last (``(h, w, c)``, Keras' order), so ``Flatten`` and
    ``Reshape`` change nothing; ``Dropout`` is the identity at inference. Supported: Dense,
    Conv2D (stride 1, ``same`` or ``valid``), MaxPooling2D (square, stride = size, ``valid``).

    Returns:
        ``{"layers": [...]}``; each layer a dict with ``type`` (``dense``, ``conv``, ``pool``),
        its shapes, its activation and its weights as base64 (``kernel``, ``bias``).

    Raises:
        UserInputError: a layer or setting the page cannot run.
    """
    if precision not in PRECISIONS:
        raise UserInputError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    from keras import layers as L

    shape = (28, 28, 1)  # (h, w, c) of the current activation
    out = []
    for layer in model.layers:
        if isinstance(layer, L.InputLayer | L.Flatten | L.Reshape | L.Dropout):
            continue
        if isinstance(layer, L.Dense):
            kernel, bias = layer.get_weights()  # (n_in, n_out), (n_out,)
            if kernel.shape[0] != int(np.prod(shape)):
                raise UserInputError(f"layer {layer.name}: input size {kernel.shape[0]} != {shape}")
            out.append(
                dict(
                    type="dense",
                    nin=int(kernel.shape[0]),
                    nout=int(kernel.shape[1]),
                    act=_activation(layer),
                    kernel=_blob(kernel, precision),
                    bias=_blob(bias, precision),
                )
            )
            shape = (1, 1, int(kernel.shape[1]))
        elif isinstance(layer, L.Conv2D):
            kernel, bias = layer.get_weights()  # (kh, kw, c_in, c_out)
            ok = tuple(layer.strides) == (1, 1) and tuple(layer.dilation_rate) == (1, 1)
            if (
                not ok
                or layer.padding not in ("same", "valid")
                or kernel.shape[0] != kernel.shape[1]
            ):
                raise UserInputError(f"layer {layer.name}: only square stride-1 convolutions")
            k = int(kernel.shape[0])
            pad = (
                (k - 1) // 2 if layer.padding == "same" else 0
            )  # TF's 'same': the extra at the end
            h, w = (
                (shape[0], shape[1])
                if layer.padding == "same"
                else (shape[0] - k + 1, shape[1] - k + 1)
            )
            out.append(
                dict(
                    type="conv",
                    h=shape[0],
                    w=shape[1],
                    cin=int(kernel.shape[2]),
                    cout=int(kernel.shape[3]),
                    k=k,
                    pad=pad,
                    oh=h,
                    ow=w,
                    act=_activation(layer),
                    kernel=_blob(kernel, precision),
                    bias=_blob(bias, precision),
                )
            )
            shape = (h, w, int(kernel.shape[3]))
        elif isinstance(layer, L.MaxPooling2D):
            size, strides = tuple(layer.pool_size), tuple(layer.strides)
            if size[0] != size[1] or strides != size or layer.padding != "valid":
                raise UserInputError(f"layer {layer.name}: only square non-overlapping max pooling")
            s = int(size[0])
            out.append(dict(type="pool", h=shape[0], w=shape[1], c=shape[2], size=s))
            shape = (shape[0] // s, shape[1] // s, shape[2])
        else:
            raise UserInputError(f"layer {layer.name}: {type(layer).__name__} is not supported")
    if not out or out[-1]["type"] != "dense" or out[-1]["nout"] != 10:
        raise UserInputError("the lab needs a model ending in a Dense layer with 10 outputs")
    return dict(layers=out, precision=precision, output=out[-1]["act"])
