import os
import subprocess
import sys

import numpy as np
import pytest

from mnist_fooling.core.backend import compiled_forward, predict_batched
from mnist_fooling.core.errors import UserInputError
from mnist_fooling.core.models import build_model, load_model
from mnist_fooling.core.names import MODEL_NAMES
from tests.conftest import run_with_jax, train_config


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_models_map_images_to_ten_outputs(name):
    model = build_model(name, train_config(name), n_train=100)
    x = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    out = compiled_forward(model)(x)
    assert out.shape == (5, 10) and out.dtype == np.float32
    if name != "mlp":  # softmax outputs sum to one; Nielsen's sigmoids do not
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all((out >= 0) & (out <= 1))


def test_architectures_have_the_posts_parameter_counts():
    assert build_model("softmax", train_config("softmax"), n_train=1).count_params() == 7850
    mlp = build_model("mlp", train_config("mlp"), n_train=1)
    assert mlp.count_params() == 784 * 100 + 100 + 1010
    cnn = build_model("cnn", train_config("cnn"), n_train=1)
    expected = (5 * 5 * 32 + 32) + (5 * 5 * 32 * 64 + 64) + (3136 * 1024 + 1024) + 10250
    assert cnn.count_params() == expected


def test_mlp_l2_matches_nielsen_update():
    model = build_model("mlp", train_config("mlp", l2=5.0, learning_rate=0.5), n_train=50_000)
    reg = model.get_layer("hidden").kernel_regularizer
    assert reg.l2 == pytest.approx(5.0 / (20 * 50_000))
    assert float(model.optimizer.learning_rate) == pytest.approx(5.0)


def test_bad_model_and_optimizer_names():
    with pytest.raises(ValueError, match="unknown model"):
        build_model("svm", train_config("cnn"), n_train=1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        build_model("cnn", train_config("cnn", optimizer="rmsprop"), n_train=1)


def test_load_model_refuses_non_keras_files(tmp_path):
    bogus = tmp_path / "model.keras"
    bogus.write_bytes(b"not a zip archive")
    with pytest.raises(UserInputError, match="not a Keras archive"):
        load_model(bogus)
    with pytest.raises(UserInputError, match="not found"):
        load_model(tmp_path / "missing.keras")


def test_predict_batched_matches_keras_predict():
    model = build_model("cnn", train_config("cnn"), n_train=1)
    x = np.random.default_rng(2).random((23, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(
        predict_batched(model, x, batch_size=10), model.predict(x, verbose=0), atol=1e-5
    )


def test_models_run_on_the_jax_backend(tmp_path):
    """Build, train one step, save, load and score every model with KERAS_BACKEND=jax."""
    script = f"""
        import numpy as np, keras
        assert keras.backend.backend() == "jax"
        from mnist_fooling.core.models import build_model, load_model
        from mnist_fooling.core.backend import predict_batched
        from tests.conftest import train_config
        x = np.random.default_rng(0).random((8, 28, 28), dtype=np.float32)
        y = np.arange(8) % 10
        for name in ("softmax", "mlp", "cnn"):
            cfg = train_config(name, optimizer="adam", learning_rate=1e-3)
            m = build_model(name, cfg, n_train=8)
            m.fit(x, np.eye(10)[y] if name == "mlp" else y, epochs=1, verbose=0)
            m.save(r"{tmp_path}/" + name + ".keras")
            out = predict_batched(load_model(r"{tmp_path}/" + name + ".keras"), x)
            assert out.shape == (8, 10), out.shape
            np.testing.assert_allclose(out, m.predict(x, verbose=0), atol=1e-5)
        print("jax ok")
        """
    assert "jax ok" in run_with_jax(script)


def test_steps_per_execution_trains_the_same_weights():
    """Several optimiser steps per compiled call change the speed, not the updates."""
    from mnist_fooling.core.backend import seed_everything
    from mnist_fooling.core.models import steps_per_execution

    x = np.random.default_rng(4).random((60, 28, 28), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(60) % 10]
    cfg = train_config("mlp", epochs=1, batch_size=10, learning_rate=0.5, l2=5.0, seed=4)
    weights = []
    for steps in (1, 4):
        seed_everything(4)
        model = build_model("mlp", cfg, n_train=60)
        model.compile(optimizer=model.optimizer, loss=model.loss, steps_per_execution=steps)
        model.fit(x, y, epochs=2, batch_size=10, shuffle=True, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert steps_per_execution(10) == 100 and steps_per_execution(2000) == 1


def test_forward_batch_size_is_small_for_convolutions():
    from mnist_fooling.core.backend import forward_batch_size

    assert forward_batch_size(build_model("cnn", train_config("cnn"), n_train=1)) == 512
    assert forward_batch_size(build_model("mlp", train_config("mlp"), n_train=1)) == 10_000


@pytest.mark.parametrize("layout", ["aligned", "unaligned", "read-only", "strided"])
def test_forward_reads_any_input_layout(layout):
    """Aligned buffers go to TensorFlow without a copy; every other layout is copied."""
    from mnist_fooling.search.kernels import aligned_empty

    model = build_model("mlp", train_config("mlp"), n_train=1)
    x = np.random.default_rng(5).random((8, 28, 28), dtype=np.float32)
    expected = compiled_forward(model)(x.copy())
    buf = aligned_empty((16, 28, 28))
    if layout == "aligned":
        buf[:8] = x
        images = buf[:8]
        assert images.ctypes.data % 64 == 0
    elif layout == "unaligned":
        raw = aligned_empty((8 * 784 + 4,))
        images = raw[4:].reshape(8, 28, 28)
        images[:] = x
    elif layout == "read-only":
        buf[:8] = x
        images = buf[:8]
        images.flags.writeable = False
    else:
        buf[::2] = x
        images = buf[::2]
    np.testing.assert_array_equal(compiled_forward(model)(images), expected)


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("0", "0")])
def test_onednn_kernels_are_on_unless_the_user_says_otherwise(given, expected):
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if given is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = given
    code = "import os, mnist_fooling; print(os.environ['TF_ENABLE_ONEDNN_OPTS'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == expected, out.stderr
