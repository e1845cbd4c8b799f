"""Compare a `test` profile run on JAX's device path with the same profile on TensorFlow.

    python -m tools.jax.compare TF_RESULTS JAX_RESULTS --data mnist.npz --out summary.csv

Each file under either folder gets the first check of ``CHECKS`` whose pattern matches it:

* ``identical``: files whose content comes from the data, the config and the seeds only: the
  PCA stage and its tables and figures (but the fooling images' PCA error), the MNIST examples,
  the readers' calibration on data, the edge stage's transformed digits, the config and
  methods tables. They must match byte for byte (``tools.cluster.compare``'s digests), as they
  do between two CPU runs; on the `test` profile they did between the backends too.
* ``skip``: the files that report wall-clock time (``mnist_fooling.report.timings``), which
  differ between two runs on the same backend.
* ``structure``: everything a trained model or a search feeds. Keras' JAX and TensorFlow
  backends draw different random streams (weight initialisation, dropout, shuffling), and the
  device path's searches draw other streams than the host path's, so no value can match. What
  must match is the shape of the output: the same files; a CSV's columns, its number of rows
  and its key columns (``KEYS``: model, method, run, target, claim id, ...), row by row; an
  NPZ's arrays by name, dtype and shape; any other file (figures, HTML, models) must exist
  in both and be empty in both or in neither.
* ``columns``: as ``structure`` but for the number of rows and the keys, for files with a row
  per distinct value (a ROC curve's points).

Three checks are independent of the files' values:

* ``models``: the TensorFlow run's trained ``.keras`` models, loaded under JAX, give the same
  outputs as under TensorFlow on ``N_IMAGES`` test digits (max abs diff <= ``MODEL_ATOL``, same
  argmax): one model file, one set of weights, the same function on both backends.
* ``accuracy``: each model's accuracy on each split (metrics/accuracy.csv) differs by at most
  ``ACCURACY_TOL`` between the runs: one epoch on 3,000 images moves by a point or two with
  the initial weights (measured: 1.2 to 1.9 points); a broken backend misses by far more.
* ``appendix``: the JAX report's versions table says the Keras backend is ``jax`` and that the
  searches ran on the device path (``mnist_fooling.report.gather.device_name``).

Writes one row per file and check (file, rule, check, result, detail) to ``--out``, prints the
failures and a summary line; exit code 0 when every check passes, 1 when not, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from mnist_fooling.report.timings import TIMED_FILES
from tools.cluster.compare import digests

# (pattern relative to results/<profile>/, check, why); the first match wins.
CHECKS = [
    *((rel, "skip", reason) for rel, reason in TIMED_FILES.items()),
    ("pca/fooling_error.csv", "structure", "PCA error of the fooling images"),
    ("figures/pca_error.png", "structure", "plots pca/fooling_error.csv"),
    ("pca/*", "identical", "PCA of the training images: data and seed only"),
    ("figures/pca_*.png", "identical", "plots of the PCA stage's data-only files"),
    ("figures/examples.png", "identical", "plots MNIST digits"),
    ("fooling/likeness_calibration.csv", "identical", "the readers calibrated on data only"),
    ("fooling/likeness_readers.csv", "identical", "the readers' fitness: data only"),
    ("fooling/likeness_specificity.csv", "identical", "negatives drawn on their own seeds"),
    ("figures/likeness_*.png", "identical", "plots the calibration and MNIST"),
    ("edge/examples.npz", "identical", "the scaled, shifted and framed test digits"),
    ("report/inputs/tables/config.md", "identical", "the profile's config"),
    ("report/inputs/tables/environment.md", "identical", "the environment's settings"),
    ("report/inputs/tables/fooling/assumptions.md", "identical", "the methods' settings"),
    ("report/inputs/tables/fooling/methods_list.md", "identical", "the methods' list"),
    ("report/inputs/tables/pca/*", "identical", "tables of the PCA stage's data-only files"),
    ("detectors/roc.csv", "columns", "a ROC curve has a row per distinct score"),
    ("*", "structure", "depends on a trained model or a search"),
]
# Columns that name a row rather than measure it: equal row by row in both runs.
KEYS = (
    "model",
    "method",
    "run",
    "replicate",
    "extra",
    "target",
    "digit",
    "label",
    "split",
    "id",
    "claim",
    "source",
    "scorer",
    "k",
    "size",
    "shift",
    "border",
)
MODEL_ATOL = 1e-5
ACCURACY_TOL = 0.05
N_IMAGES = 500
VERSIONS = "report/inputs/tables/versions.md"


def rule_for(rel: str) -> tuple[str, str]:
    """``(check, why)`` of the first entry of ``CHECKS`` whose pattern matches ``rel``."""
    for pattern, check, why in CHECKS:
        if fnmatch.fnmatchcase(rel, pattern):
            return check, why
    raise AssertionError(f"no check for {rel}")  # CHECKS ends with "*"


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV as strings (so keys compare exactly, whatever their type)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def csv_structure(a: Path, b: Path, *, rows: bool = True) -> str:
    """What differs between two CSVs' columns and (``rows``) their rows and key columns, or
    "" when nothing does."""
    ta, tb = read_csv(a), read_csv(b)
    if list(ta.columns) != list(tb.columns):
        return f"columns differ: {sorted(set(ta.columns) ^ set(tb.columns))}"
    if not rows:
        return ""
    if len(ta) != len(tb):
        return f"{len(ta)} rows against {len(tb)}"
    for key in (c for c in ta.columns if c in KEYS):
        if not ta[key].equals(tb[key]):
            row = int((ta[key] != tb[key]).to_numpy().argmax())
            return f"key column {key!r} differs from row {row}"
    return ""


def npz_structure(a: Path, b: Path) -> str:
    """What differs between two NPZ files' array names, dtypes and shapes, or "" when
    nothing does."""
    with np.load(a) as za, np.load(b) as zb:
        sa = {k: (za[k].dtype.str, za[k].shape) for k in za.files}
        sb = {k: (zb[k].dtype.str, zb[k].shape) for k in zb.files}
    if sa.keys() != sb.keys():
        return f"arrays differ: {sorted(sa.keys() ^ sb.keys())}"
    bad = [f"{k} {sa[k]} against {sb[k]}" for k in sorted(sa) if sa[k] != sb[k]]
    return "; ".join(bad)


def structure(a: Path, b: Path, check: str = "structure") -> str:
    """What differs in structure between two model-dependent files (see the module
    docstring), or "" when nothing does."""
    if a.suffix == ".csv":
        return csv_structure(a, b, rows=check == "structure")
    if a.suffix == ".npz":
        return npz_structure(a, b)
    if (a.stat().st_size == 0) != (b.stat().st_size == 0):
        return "empty in one run only"
    return ""


def file_rows(tf: Path, jx: Path) -> list[dict]:
    """One row per file under either folder: its check and result."""
    files = {
        p.relative_to(root).as_posix() for root in (tf, jx) for p in root.rglob("*") if p.is_file()
    }
    same = digests(tf), digests(jx)
    rows = []
    for rel in sorted(files):
        check, why = rule_for(rel)
        detail = ""
        if not (tf / rel).is_file() or not (jx / rel).is_file():
            detail = "only in the " + ("JAX" if (jx / rel).is_file() else "TensorFlow") + " run"
        elif check == "identical" and same[0].get(rel) != same[1].get(rel):
            detail = "differs byte for byte"
        elif check in ("structure", "columns"):
            detail = structure(tf / rel, jx / rel, check)
        result = "skipped" if check == "skip" and not detail else ("FAIL" if detail else "ok")
        rows.append(dict(file=rel, rule=why, check=check, result=result, detail=detail))
    return rows


def accuracy_rows(tf: Path, jx: Path) -> list[dict]:
    """Each model's accuracy on each split within ``ACCURACY_TOL`` of the other run's."""
    rel = "metrics/accuracy.csv"
    if not (tf / rel).is_file() or not (jx / rel).is_file():
        return [row(rel, "accuracy", f"missing {rel}")]
    both = pd.read_csv(tf / rel).merge(
        pd.read_csv(jx / rel), on=["model", "split"], suffixes=("_tf", "_jax")
    )
    rows = []
    for rec in both.itertuples():
        detail = f"{rec.accuracy_tf:.4f} (TensorFlow) against {rec.accuracy_jax:.4f} (JAX)"
        failed = abs(rec.accuracy_tf - rec.accuracy_jax) > ACCURACY_TOL
        rows.append(row(f"{rel}:{rec.model}:{rec.split}", "accuracy", detail * failed, detail))
    return rows or [row(rel, "accuracy", "no model in both runs")]


def row(file: str, check: str, failure: str, ok: str = "") -> dict:
    """A summary row: ``failure`` non-empty means the check failed."""
    why = {"accuracy": f"within {ACCURACY_TOL}", "models": f"max abs diff <= {MODEL_ATOL}"}
    return dict(
        file=file,
        rule=why.get(check, check),
        check=check,
        result="FAIL" if failure else "ok",
        detail=failure or ok,
    )


def appendix_rows(jx: Path) -> list[dict]:
    """The JAX report's versions table names the jax backend and the device path."""
    path = jx / VERSIONS
    text = path.read_text() if path.is_file() else ""
    wanted = ("| keras backend | jax", "searches on the device path")
    missing = [w for w in wanted if w not in " ".join(text.split())]
    failure = f"{VERSIONS} lacks {missing}" if missing else ""
    return [row(VERSIONS, "appendix", failure, "keras backend jax, device path")]


def predict(models: Path, data: Path, backend: str) -> dict[str, np.ndarray]:
    """Every model's outputs on the first ``N_IMAGES`` test digits, under ``backend`` (a
    subprocess: Keras picks its backend once per process)."""
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("MNIST_FOOLING_SEARCH", None)
    args = [sys.executable, "-m", "tools.jax.compare", "--predict", str(models), str(data)]
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise RuntimeError(f"predicting under {backend} failed: {' '.join(tail)}")
    with np.load(io.BytesIO(done.stdout)) as z:
        return {k: z[k] for k in z.files}


def predict_here(models: Path, data: Path) -> None:
    """Write ``predict``'s arrays as an NPZ to stdout (the subprocess's side)."""
    import keras

    from mnist_fooling.core.backend import predict_batched

    with np.load(data) as z:
        images = (z["x_test"][:N_IMAGES] / 255.0).astype(np.float32)
    out = {"backend": np.array(keras.backend.backend())}
    for path in sorted(models.glob("*.keras")):
        out[path.stem] = predict_batched(keras.saving.load_model(path), images)
    buf = io.BytesIO()
    np.savez(buf, **out)
    sys.stdout.buffer.write(buf.getvalue())


def model_rows(tf: Path, data: Path) -> list[dict]:
    """The TensorFlow run's models give the same outputs under JAX as under TensorFlow."""
    try:
        a, b = (predict(tf / "models", data, backend) for backend in ("tensorflow", "jax"))
    except RuntimeError as exc:
        return [row("models/*.keras", "models", str(exc))]
    if str(b.get("backend")) != "jax" or str(a.get("backend")) != "tensorflow":
        return [row("models/*.keras", "models", "the subprocesses ran on the wrong backend")]
    names = sorted(k for k in a if k != "backend")
    return [model_row(name, a[name], b.get(name)) for name in names] or [
        row("models/*.keras", "models", f"no .keras models under {tf / 'models'}")
    ]


def model_row(name: str, a: np.ndarray, b: np.ndarray | None) -> dict:
    """One model's outputs under TensorFlow (``a``) and JAX (``b``) compared."""
    rel = f"models/{name}.keras"
    if b is None or a.shape != b.shape:
        return row(rel, "models", "outputs of different shapes")
    diff = float(np.abs(a - b).max())
    flips = int((a.argmax(1) != b.argmax(1)).sum())
    detail = f"max abs diff {diff:.1e}, {flips} of {len(a)} argmax differ"
    return row(rel, "models", detail if diff > MODEL_ATOL or flips else "", detail)


def compare(tf: Path, jx: Path, data: Path) -> pd.DataFrame:
    """Every row of the summary (see the module docstring)."""
    rows = file_rows(tf, jx) + accuracy_rows(tf, jx) + appendix_rows(jx) + model_rows(tf, data)
    return pd.DataFrame(rows, columns=["file", "rule", "check", "result", "detail"])


def report(table: pd.DataFrame) -> int:
    """Print the failures and a summary line; the exit code."""
    failed = table[table.result == "FAIL"]
    for rec in failed.itertuples():
        print(f"jax-compare: FAIL {rec.check} {rec.file}: {rec.detail}", file=sys.stderr)
    counts = json.dumps(table.groupby("check").size().to_dict())
    if len(failed):
        print(f"jax-compare: {len(failed)} of {len(table)} checks failed", file=sys.stderr)
        return 1
    print(f"jax-compare: all {len(table)} checks passed (rows per check: {counts})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predict", nargs=2, metavar=("MODELS", "DATA"), help=argparse.SUPPRESS)
    parser.add_argument("tf", nargs="?", type=Path, help="results/<profile> of the TF run")
    parser.add_argument("jax", nargs="?", type=Path, help="results/<profile> of the JAX run")
    parser.add_argument("--data", type=Path, help="the runs' resources/mnist.npz")
    parser.add_argument("--out", type=Path, help="summary CSV to write")
    args = parser.parse_args(argv)
    if args.predict:
        predict_here(*map(Path, args.predict))
        return 0
    for path in (args.tf, args.jax, args.data):
        if path is None or not path.exists():
            print(f"jax-compare: no {path} (usage: see --help)", file=sys.stderr)
            return 2
    table = compare(args.tf, args.jax, args.data)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False)
    return report(table)


if __name__ == "__main__":
    sys.exit(main())
