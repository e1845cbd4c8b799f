"""The fooling-run files, owned here: ``<dir>/<model>/<method>.npz`` (arrays) and ``.csv`` (one
row per run), and ``<dir>/sweep_<method>.csv``. Every reader goes through this module."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import UserInputError
from ...core.io import write_csv, write_npz
from ...core.names import MODEL_NAMES
from ...search.registry import NAMES

SWEEP_PREFIX = "sweep_"


def run_paths(out_dir: Path, method: str) -> tuple[Path, Path]:
    """``(npz, csv)`` of ``method``'s runs in a model's folder ``out_dir``."""
    return out_dir / f"{method}.npz", out_dir / f"{method}.csv"


def key_of(path: str | Path) -> tuple[str, str]:
    """``(model, method)`` of a run file ``.../<model>/<method>.npz|.csv``; a
    :class:`UserInputError` naming the file when it is not one."""
    path = Path(path)
    model, method = path.parent.name, path.stem
    if path.suffix not in (".npz", ".csv") or model not in MODEL_NAMES or method not in NAMES:
        raise UserInputError(
            f"{path}: not a fooling run file <model>/<method>.npz "
            f"(model in {MODEL_NAMES}, method in {NAMES})"
        )
    return model, method


def by_key(paths: list[Path]) -> dict[tuple[str, str], Path]:
    """``{(model, method): path}`` of run files, in (model, method) order."""
    found = {key_of(p): Path(p) for p in paths}
    return dict(sorted(found.items()))


def write_run(out_npz: Path, out_csv: Path, *, arrays: dict, table: pd.DataFrame) -> None:
    """Write one (model, method)'s arrays and its per-run table."""
    write_npz(out_npz, **arrays)
    write_csv(out_csv, table)


def read_arrays(
    path: Path, fields: tuple[str, ...] | None = None, *, optional: tuple[str, ...] = ()
) -> dict[str, np.ndarray]:
    """The arrays of one run file: all, or ``fields`` (required) and those of ``optional``
    it has. Any problem is one :class:`UserInputError` line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"{path}: fooling results not found")
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = npz.files
            wanted = [k for k in (*(fields or names), *optional) if k in names]
            found = {k: npz[k] for k in wanted}
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile, EOFError) as exc:
        # AttributeError: a plain .npy loads as an array, which has no .files
        raise UserInputError(f"{path}: not a readable .npz archive ({exc})") from exc
    missing = [k for k in fields or () if k not in found]
    if missing:
        raise UserInputError(f"{path}: missing arrays {', '.join(missing)}")
    return found


def read_tables(paths: list[Path]) -> pd.DataFrame:
    """The per-run tables of ``paths`` (``.csv`` run files), in (model, method) order."""
    frames = [pd.read_csv(p) for p in by_key(paths).values()]
    if not frames:
        raise ValueError("no fooling runs given")
    return pd.concat(frames, ignore_index=True)


def sweep_path(out_dir: Path, method: str) -> Path:
    """Where the sweep of ``method`` is written."""
    return out_dir / f"{SWEEP_PREFIX}{method}.csv"


def read_sweeps(paths: list[Path]) -> dict[str, pd.DataFrame]:
    """``{method: table}`` of sweep files."""
    return {Path(p).stem.removeprefix(SWEEP_PREFIX): pd.read_csv(p) for p in paths}
