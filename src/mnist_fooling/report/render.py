"""Rendering the Quarto project: with quarto, or pandoc (HTML) + typst (PDF) (``report.renderer``).

The pandoc fallback reproduces what this report uses of Quarto: ``include`` and ``var``
shortcodes (here, in Python), and through ``report/crossref.lua`` callouts, numbered sections,
figures and tables and ``@fig-``/``@tbl-``/``@sec-`` cross-references; ``report/template.html``
with ``page.css`` lays the HTML out like a Quarto article.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from ..core.errors import UserInputError
from ..core.io import atomic_path
from .environment import resolve_renderer

log = logging.getLogger(__name__)

# typst stamps the PDF with the compile time unless told otherwise; a fixed date keeps reruns
# byte-identical (../shared/DESIGN.md, "Measured on these machines").
PDF_TIMESTAMP = int(dt.datetime(2015, 11, 12, tzinfo=dt.UTC).timestamp())

# Includes nest (index.qmd -> sections/x.qmd -> tables/x.md); deeper than this is a cycle.
MAX_INCLUDE_DEPTH = 8

_VAR = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_.-]+)\s*>\}\}")
_INCLUDE = re.compile(r"\{\{<\s*include\s+(\"?)([^\"\s]+)\1\s*>\}\}")
# The Lua filters report bad input as one line starting with this.
_FILTER_ERROR = re.compile(r"^report: .*$", re.MULTILINE)

_HTML_ARGS = [
    "--to=html5",
    "--template=template.html",
    "--embed-resources",
    "--css=page.css",
    "--css=report.css",
    "--toc",
    "--lua-filter=crossref.lua",
    # One line per paragraph: "Figure 1" stays findable in the page's source.
    "--wrap=none",
]
_TYPST_ARGS = [
    "--to=typst",
    "--toc",
    "--number-sections",
    # Quarto's top-level sections are "##": in typst they become level-1 headings, "1", "2".
    "--shift-heading-level-by=-1",
    "--lua-filter=crossref.lua",
    "--lua-filter=verdicts.lua",
    "--lua-filter=typst.lua",
    "--include-in-header=typst-header.typ",
]


def lookup(variables: dict, key: str) -> str:
    """Value of a dotted ``key`` in ``variables``, as Quarto's ``{{< var >}}`` resolves it."""
    value = variables
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise UserInputError(f"report: variable {key!r} is not in _variables.yml")
        value = value[part]
    return str(value)


def expand_includes(text: str, *, root: Path, depth: int = 0) -> str:
    """Replace each ``{{< include path >}}`` by the file's text, recursively.

    As in Quarto, every path is relative to the project ``root`` (the main file's folder), also
    in included files; a leading ``/`` means the project root too.
    """

    def include(match: re.Match) -> str:
        name = match.group(2)
        path = root / name.lstrip("/")
        if not path.is_file():
            raise UserInputError(f"report: included file {name} does not exist")
        if depth >= MAX_INCLUDE_DEPTH:
            raise UserInputError(
                f"report: includes nested deeper than {MAX_INCLUDE_DEPTH} levels at {name}"
                " (does a file include itself?)"
            )
        return expand_includes(path.read_text(), root=root, depth=depth + 1)

    return _INCLUDE.sub(include, text)


def expand_shortcodes(text: str, *, root: Path, variables: dict) -> str:
    """Expand Quarto's ``include`` (nested) and ``var`` shortcodes: the fallback's extras."""
    text = expand_includes(text, root=root)
    return _VAR.sub(lambda m: lookup(variables, m.group(1)), text)


def render_report(
    *,
    source: Path,
    inputs: Path,
    figures: list[Path],
    html: Path,
    pdf: Path,
    renderer: str,
) -> str:
    """Render the Quarto project ``source`` to ``html`` and ``pdf``; return the renderer used.

    The project is copied into a temporary build directory beside the outputs together with
    the whole generated ``inputs`` folder (``_variables.yml``, ``tables/``, ``_sections.qmd``,
    ...) and ``figures/`` (typst only reads below its root). ``renderer`` is the config's
    ``report.renderer``: ``quarto``, ``pandoc`` (HTML, and pandoc → typst for the PDF) or
    ``auto`` (quarto when on PATH).
    """
    used = resolve_renderer(renderer)
    html.parent.mkdir(parents=True, exist_ok=True)
    # A render killed with SIGKILL cannot remove its build directory; the rerun sweeps it.
    for stale in html.parent.glob(".build-*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=html.parent) as tmp:
        build = Path(tmp)
        shutil.copytree(source, build, dirs_exist_ok=True)
        _copy_inputs(inputs, build, skip={html.resolve(), pdf.resolve()})
        (build / "figures").mkdir(exist_ok=True)
        for fig in figures:
            shutil.copy2(fig, build / "figures" / fig.name)
        if used == "quarto":
            _render_quarto(build, html=html, pdf=pdf)
        else:
            _render_pandoc(build, html=html, pdf=pdf)
        return used


def _copy_inputs(inputs: Path, build: Path, *, skip: set[Path]) -> None:
    """Copy the generated inputs into ``build``, leaving out the outputs and hidden files.

    The inputs folder is usually the outputs' folder too: it holds this render's own build
    directory and temporary files (hidden) and the previous report, none of them an input.
    """

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name.startswith(".") or (Path(folder) / name).resolve() in skip
        }

    if not (inputs / "_variables.yml").is_file():
        raise FileNotFoundError(f"{inputs / '_variables.yml'} does not exist")
    shutil.copytree(inputs, build, ignore=ignore, dirs_exist_ok=True)


def _render_quarto(build: Path, *, html: Path, pdf: Path) -> None:
    for fmt in ("html", "typst"):
        subprocess.run(["quarto", "render", "index.qmd", "--to", fmt], cwd=build, check=True)
    for produced, out in ((build / "index.html", html), (build / "index.pdf", pdf)):
        with atomic_path(out) as tmp:
            shutil.move(produced, tmp)


def _render_pandoc(build: Path, *, html: Path, pdf: Path) -> None:
    import typst

    variables = yaml.safe_load((build / "_variables.yml").read_text()) or {}
    text = expand_shortcodes((build / "index.qmd").read_text(), root=build, variables=variables)
    (build / "index.md").write_text(text)
    _pandoc(build, [*_HTML_ARGS, "--output=index.html"])
    _pandoc(build, [*_TYPST_ARGS, "--output=index.typ"])
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


def _pandoc(build: Path, args: list[str]) -> None:
    """Run pandoc on ``build/index.md``; a filter's "report: ..." error becomes one line."""
    import pypandoc

    command = [pypandoc.get_pandoc_path(), "index.md", "--from=markdown", "--standalone"]
    command += ["--resource-path=.", *args]
    done = subprocess.run(command, cwd=build, capture_output=True, text=True)
    if done.stderr:
        log.warning("pandoc: %s", done.stderr.strip())
    if done.returncode == 0:
        return
    if found := _FILTER_ERROR.search(done.stderr):
        raise UserInputError(found.group(0))
    raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
