"""Atomic file writing: every output goes to a temporary name and is renamed into place."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The temporary file keeps ``path``'s suffix so that writers choosing a format by extension
    (Keras, matplotlib) behave as they would for the final name.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A writer killed with SIGKILL cannot clean up; its rerun sweeps the debris.
        for stale in path.parent.glob(f".{path.stem}.*.tmp{path.suffix}"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
        )
    except OSError as exc:  # name the file the user asked for, not a temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; match a plain open()
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: object) -> None:
    """Write ``obj`` as indented, key-sorted JSON atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def write_csv(path: str | os.PathLike, frame) -> None:
    """Write a pandas DataFrame as CSV (no index, fixed float format) atomically."""
    write_text(path, frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))


def write_npz(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    """Write arrays to a compressed ``.npz`` atomically.

    ``np.savez_compressed`` stamps each member with the current time; writing through a
    zipfile with a fixed date keeps reruns byte-identical.
    """
    members = []
    for name, array in arrays.items():
        member = io.BytesIO()
        np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
        info = zipfile.ZipInfo(f"{name}.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        members.append((info, member.getvalue()))
    write_bytes(path, _fixed_zip(members))


def _fixed_zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """Re-pack zip members with a fixed date so the archive's bytes depend on content only."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for old, data in members:
            info = zipfile.ZipInfo(old.filename, date_time=FIXED_ZIP_DATE)
            info.compress_type = old.compress_type
            zf.writestr(info, data)
    return buf.getvalue()


def _renumber_shared_ids(node, ids: dict) -> None:
    """Replace Keras' ``shared_object_id`` values (Python ``id()``s) by 1, 2, ... in order."""
    if isinstance(node, dict):
        if "shared_object_id" in node:
            node["shared_object_id"] = ids.setdefault(node["shared_object_id"], len(ids) + 1)
        for value in node.values():
            _renumber_shared_ids(value, ids)
    elif isinstance(node, list):
        for value in node:
            _renumber_shared_ids(value, ids)


def save_keras_model(model, path: str | os.PathLike) -> None:
    """Save a Keras model as ``.keras`` atomically and byte-reproducibly.

    Keras stamps ``metadata.json`` with the save time, the weights' zip entry with the clock
    and ``config.json`` with memory addresses (``shared_object_id``); all are fixed here
    (the same old id always maps to the same new one, so shared objects stay shared).
    """
    with atomic_path(path) as tmp:
        model.save(tmp)
        with zipfile.ZipFile(tmp) as zf:
            members = [(info, zf.read(info)) for info in zf.infolist()]
        fixed = []
        for info, data in members:
            if info.filename == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = "1980-01-01@00:00:00"
                data = json.dumps(meta).encode()
            elif info.filename == "config.json":
                config = json.loads(data)
                _renumber_shared_ids(config, {})
                data = json.dumps(config).encode()
            fixed.append((info, data))
        tmp.write_bytes(_fixed_zip(fixed))


def save_figure(fig, path: str | os.PathLike) -> None:
    """Save a matplotlib figure as PNG atomically, without the timestamp metadata."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})


def listed(inputs: dict, key: str) -> list[Path]:
    """The files of a list-valued input (given once, several times or not at all)."""
    found = inputs.get(key, [])
    return [Path(p) for p in (found if isinstance(found, list) else [found])]
