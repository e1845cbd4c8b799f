import zipfile

import numpy as np
import pytest

from mnist_fooling.core.io import atomic_path, write_npz, write_text
from tests.conftest import train_config


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_write_text_replaces_and_keeps_suffix(tmp_path):
    target = tmp_path / "sub" / "a.csv"
    write_text(target, "one")
    write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.csv"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_write_npz_is_byte_identical_and_loads_without_pickle(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    write_npz(tmp_path / "1.npz", a=a, b=np.array([1, 2]))
    write_npz(tmp_path / "2.npz", a=a, b=np.array([1, 2]))
    assert (tmp_path / "1.npz").read_bytes() == (tmp_path / "2.npz").read_bytes()
    with np.load(tmp_path / "1.npz", allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["a"], a)
    assert zipfile.ZipFile(tmp_path / "1.npz").namelist() == ["a.npy", "b.npy"]


def test_atomic_path_sweeps_temporary_files_of_a_killed_writer(tmp_path):
    stale = tmp_path / ".model.abc123.tmp.keras"
    stale.write_text("left by SIGKILL")
    other = tmp_path / ".other.abc123.tmp.keras"
    other.write_text("another output's")
    write_text(tmp_path / "model.keras", "new")
    assert not stale.exists() and other.exists()


def test_saved_keras_models_are_byte_identical_and_load(tmp_path):
    import keras

    from mnist_fooling.core.io import save_keras_model
    from mnist_fooling.core.models import build_model, load_model

    keras.backend.clear_session()  # layer names count up within a process
    keras.utils.set_random_seed(0)
    save_keras_model(build_model("cnn", train_config("cnn"), n_train=1), tmp_path / "a.keras")
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    save_keras_model(build_model("cnn", train_config("cnn"), n_train=1), tmp_path / "b.keras")
    assert (tmp_path / "a.keras").read_bytes() == (tmp_path / "b.keras").read_bytes()
    x = np.zeros((2, 28, 28), np.float32)
    assert load_model(tmp_path / "a.keras").predict(x, verbose=0).shape == (2, 10)
