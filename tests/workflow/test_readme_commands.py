"""Every command of the README's ```sh examples runs, on the finished `test` profile run: the
default run's paths become the test run's, the files the examples write go to a temporary folder,
so the examples cannot rot."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_readme import readme_commands

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
# A bare file name (no folder) as a word or after NAME=: what the examples read or write.
BARE = re.compile(r"(?<=[\s=])([\w-]+\.(?:keras|csv|npz|npy|png|jpg|json))(?=\s|$)")
DRAWINGS = ("my_two.png",)  # the example's own drawing, made here from a test-set '2'


def adapted(command: str, tmp: Path) -> tuple[str, set[str]]:
    """``command`` for the test run: its paths, this interpreter's tools, files under ``tmp``."""
    names = set(BARE.findall(command))
    command = BARE.sub(lambda m: shlex.quote(str(tmp / m.group(1))), command)
    command = command.replace("results/default", "results/test")
    command = command.replace(".venv/bin/", f"{BIN}/")
    words = command.split()
    if words[0].endswith("/snakemake") and "--profile" not in words:
        command = command.replace(words[0], f"{words[0]} --profile profiles/test", 1)
    return command, names


def draw_a_two(workdir: Path, path: Path) -> None:
    """A test-set '2', dark ink on a light page and larger than MNIST, as a person draws it."""
    with np.load(workdir / "resources" / "mnist.npz") as data:
        two = data["x_test"][np.flatnonzero(data["y_test"] == 2)[0]]
    Image.fromarray(255 - two).resize((112, 112), Image.BILINEAR).save(path)


def test_every_readme_example_runs_on_the_test_run(test_run, workdir, tmp_path):
    assert test_run["results"] == workdir / "results" / "test"
    for name in DRAWINGS:
        draw_a_two(workdir, tmp_path / name)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    written = set()
    commands = readme_commands()
    assert any("classify" in c for c in commands) and any("snakemake" in c for c in commands)
    for example in commands:
        command, names = adapted(example, tmp_path)
        done = subprocess.run(
            ["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{example}\n{done.stderr[-3000:]}"
        written |= names - set(DRAWINGS)
    missing = sorted(name for name in written if not (tmp_path / name).is_file())
    assert not missing, f"the examples did not write {missing}"
