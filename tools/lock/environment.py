"""Write environment.yml from pyproject.toml and the locks: the conda route to the same pins.

`make lock` runs it after resolving; tests/test_packaging.py checks the file is what it writes.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# conda-forge gives Python and pip; every package comes from pip at the lock's version (for
# the lowest supported Python, 3.11), so a conda user gets the wheels `make report` installs.
PYTHON = {"implementation_name": "cpython", "python_version": "3.11",
          "python_full_version": "3.11.0", "sys_platform": "linux",
          "platform_system": "Linux", "platform_machine": "x86_64"}  # fmt: skip
HEADER = """\
# Conda environment for `snakemake --use-conda`, written by `make lock` (tools/lock/environment.py)
# from pyproject.toml and requirements/*.lock: Python from conda-forge, then every dependency
# from PyPI at the version requirements/report.lock pins for Python 3.11 (the lock also pins
# their dependencies and hashes: `make report` installs that). jax is for GPU runs: install
# 'jax[cuda12]' at the same version on a CUDA machine (docs/gpu.md).
"""


def pins(lock: Path) -> dict[str, str]:
    """``{canonical name: version}`` of ``lock`` for Linux x86_64, Python 3.11."""
    sys.path.insert(0, str(ROOT / "src"))
    from mnist_fooling.report.environment import locked_pins

    return locked_pins(lock.read_text(), environment=PYTHON)


def requirement_name(spec: str) -> str:
    return canonicalize_name(re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0])


def render(root: Path = ROOT) -> str:
    """The text of environment.yml for the checkout at ``root``."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    report = pins(root / "requirements" / "report.lock")
    dev = pins(root / "requirements" / "dev.lock")
    names = map(requirement_name, project["dependencies"])
    lines = [f"      - {name}=={report[name]}" for name in names]
    lines.append(f"      - jax=={dev['jax']}")
    return (
        HEADER
        + "name: mnist-fooling\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n"
        + "  - python=3.11\n  - pip\n  - pip:\n"
        + "\n".join(lines)
        + "\n"
    )


if __name__ == "__main__":
    out = ROOT / "environment.yml"
    out.write_text(render())
    print(f"{out.relative_to(ROOT)}: {len(render().splitlines())} lines", file=sys.stderr)
