"""Training: deterministic, learns the synthetic bars, refuses a subset too small."""

import numpy as np
import pytest

from mnist_fooling.core.backend import predict_batched
from mnist_fooling.core.models import load_model
from mnist_fooling.stages.train.training import train_model
from tests.conftest import train_config


def test_train_learns_synthetic_bars_and_is_deterministic(tmp_path, mnist_npz):
    cfg = train_config("softmax", epochs=20, batch_size=20, learning_rate=0.5, seed=3)
    out1, out2 = tmp_path / "a.keras", tmp_path / "b.keras"
    val = train_model("softmax", data=mnist_npz, out=out1, cfg=cfg)["val_accuracy"]
    train_model("softmax", data=mnist_npz, out=out2, cfg=cfg)
    assert val > 0.9
    x = np.random.default_rng(1).random((7, 28, 28), dtype=np.float32)
    a = predict_batched(load_model(out1), x)
    b = predict_batched(load_model(out2), x)
    np.testing.assert_array_equal(a, b)


def test_train_rejects_tiny_subset(tmp_path, mnist_npz):
    with pytest.raises(ValueError, match="n_train"):
        train_model(
            "softmax",
            data=mnist_npz,
            out=tmp_path / "m.keras",
            cfg=train_config("softmax"),
            n_train=3,
        )
    assert not (tmp_path / "m.keras").exists()
