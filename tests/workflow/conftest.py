"""The finished `test` profile run that the workflow tests share (one run for the package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools.reliability import hash_results

IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "results",
    "resources",
    "logs",
    ".snakemake",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
)


def snakemake(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="package")
def workdir(tmp_path_factory) -> Path:
    """A copy of the checkout with no results; MNIST reused from resources/ when present."""
    work = tmp_path_factory.mktemp("clone") / "repo"
    shutil.copytree(ROOT, work, ignore=IGNORE)
    cached = ROOT / "resources" / "mnist.npz"
    if cached.is_file():  # saves the 20 MB download on a developer's machine; CI downloads
        (work / "resources").mkdir()
        shutil.copy2(cached, work / "resources" / "mnist.npz")
    return work


def network_off_works() -> bool:
    """Whether `unshare -n` can run a command without network (root, or user namespaces)."""
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="package")
def test_run(workdir) -> dict:
    """Fetch MNIST (online, unless cached), then run the test profile with the network off."""
    fetched = snakemake(workdir, "--profile", "profiles/test", "resources/mnist.npz")
    assert fetched.returncode == 0, fetched.stderr[-5000:]
    offline = network_off_works()
    prefix = ["unshare", "-n"] if offline else []
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "snakemake", "--profile", "profiles/test"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    results = workdir / "results" / "test"
    return dict(results=results, offline=offline, hashes=hash_results(results))
