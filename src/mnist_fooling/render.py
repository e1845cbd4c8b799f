"""Rendering the Quarto project: with quarto when on PATH, else pandoc (HTML) + typst (PDF)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from .errors import UserInputError
from .io import atomic_path

# typst stamps the PDF with the compile time unless told otherwise; a fixed date keeps reruns
# byte-identical (DESIGN.md, "Measured on these machines").
PDF_TIMESTAMP = int(dt.datetime(2015, 11, 12, tzinfo=dt.UTC).timestamp())

_VAR = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_.-]+)\s*>\}\}")
_INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")


def lookup(variables: dict, key: str) -> str:
    """Value of a dotted ``key`` in ``variables``, as Quarto's ``{{< var >}}`` resolves it."""
    value = variables
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise UserInputError(f"report: variable {key!r} is not in _variables.yml")
        value = value[part]
    return str(value)


def expand_shortcodes(text: str, *, root: Path, variables: dict) -> str:
    """Expand Quarto's ``include`` and ``var`` shortcodes (the pandoc fallback's only extras)."""

    def include(match: re.Match) -> str:
        path = root / match.group(1)
        if not path.is_file():
            raise UserInputError(f"report: included file {match.group(1)} does not exist")
        return path.read_text()

    text = _INCLUDE.sub(include, text)
    return _VAR.sub(lambda m: lookup(variables, m.group(1)), text)


def render_report(*, source: Path, inputs: Path, figures: list[Path], html: Path, pdf: Path) -> str:
    """Render the Quarto project ``source`` to ``html`` and ``pdf``; return the renderer used.

    The project is copied into a temporary build directory beside the outputs together with
    the generated ``_variables.yml``, ``tables/`` and ``figures/`` (typst only reads below its
    root). Quarto is used when on PATH, else pandoc (HTML) and pandoc → typst (PDF).
    """
    html.parent.mkdir(parents=True, exist_ok=True)
    # A render killed with SIGKILL cannot remove its build directory; the rerun sweeps it.
    for stale in html.parent.glob(".build-*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=html.parent) as tmp:
        build = Path(tmp)
        shutil.copytree(source, build, dirs_exist_ok=True)
        shutil.copy2(inputs / "_variables.yml", build / "_variables.yml")
        shutil.copytree(inputs / "tables", build / "tables", dirs_exist_ok=True)
        (build / "figures").mkdir(exist_ok=True)
        for fig in figures:
            shutil.copy2(fig, build / "figures" / fig.name)
        if shutil.which("quarto"):
            _render_quarto(build, html=html, pdf=pdf)
            return "quarto"
        _render_pandoc(build, html=html, pdf=pdf)
        return "pandoc+typst"


def _render_quarto(build: Path, *, html: Path, pdf: Path) -> None:
    for fmt in ("html", "typst"):
        subprocess.run(["quarto", "render", "index.qmd", "--to", fmt], cwd=build, check=True)
    for produced, out in ((build / "index.html", html), (build / "index.pdf", pdf)):
        with atomic_path(out) as tmp:
            shutil.move(produced, tmp)


def _render_pandoc(build: Path, *, html: Path, pdf: Path) -> None:
    import pypandoc
    import typst

    variables = yaml.safe_load((build / "_variables.yml").read_text()) or {}
    text = expand_shortcodes((build / "index.qmd").read_text(), root=build, variables=variables)
    (build / "index.md").write_text(text)
    pandoc = pypandoc.get_pandoc_path()
    common = [pandoc, "index.md", "--from", "markdown", "--standalone", "--resource-path", "."]
    subprocess.run(
        common
        + [
            "--to",
            "html5",
            "--embed-resources",
            "--css",
            "report.css",
            "--toc",
            "--output",
            "index.html",
        ],
        cwd=build,
        check=True,
    )
    subprocess.run(
        common
        + [
            "--to",
            "typst",
            "--lua-filter",
            "typst.lua",
            "--include-in-header",
            "typst-header.typ",
            "--output",
            "index.typ",
        ],
        cwd=build,
        check=True,
    )
    typst.compile(
        str(build / "index.typ"),
        output=str(build / "index.pdf"),
        root=str(build),
        timestamp=PDF_TIMESTAMP,
    )
    # Both outputs exist before either is moved into place: no half-rendered report.
    for produced, out in ((build / "index.html", html), (build / "index.pdf", pdf)):
        with atomic_path(out) as tmp:
            shutil.move(produced, tmp)
