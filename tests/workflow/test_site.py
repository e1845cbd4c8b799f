"""tools/site/assemble.py: the published site holds every page the report links, no dead link."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

SCRIPT = ROOT / "tools" / "site" / "assemble.py"


def _load():
    spec = importlib.util.spec_from_file_location("site_assemble", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assemble = _load()

REPORT = """<!DOCTYPE html><html><head><link rel="stylesheet" href="data:text/css,a">
<script src="https://example.org/x.js"></script></head><body>
<a href="#results">results</a> <a href="explorer.html#model=cnn&amp;digit=2">explorer</a>
<a href="report.pdf">PDF</a> <a href="https://github.com/x/y">code</a>
<a href="mailto:a@b.c">mail</a>
<img src="figures/a%20b.png"> <img srcset="figures/small.png 1x, figures/big.png 2x">
<h2 id="results">Results</h2></body></html>"""
EXPLORER = (
    '<html><body><a href="report.html#results">back</a><a href="help/index.html">?</a>'
    "</body></html>"
)


def _report(tmp_path: Path, report: str = REPORT) -> Path:
    folder = tmp_path / "report"
    (folder / "figures").mkdir(parents=True)
    (folder / "help").mkdir()
    (folder / "report.html").write_text(report)
    (folder / "explorer.html").write_text(EXPLORER)
    (folder / "help" / "index.html").write_text('<a href="../report.html">report</a>')
    (folder / "report.pdf").write_bytes(b"%PDF-1.7")
    for name in ("a b.png", "small.png", "big.png", "unused.png"):
        (folder / "figures" / name).write_bytes(b"\x89PNG")
    (folder / "fragments").mkdir()
    (folder / "fragments" / "x.json").write_text("{}")  # an input of the report, not linked
    return folder


def test_the_site_holds_the_report_pdf_explorer_and_every_page_and_image_they_link(tmp_path):
    site = tmp_path / "site"
    copied = assemble.assemble(_report(tmp_path), site)
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == sorted(copied)
    assert files == [
        "explorer.html",
        "figures/a b.png",
        "figures/big.png",
        "figures/small.png",
        "help/index.html",
        "index.html",
        "report.html",
        "report.pdf",
    ]
    assert (site / "index.html").read_bytes() == (site / "report.html").read_bytes()
    assert assemble.dead_links(site) == []


def test_a_dead_link_or_image_is_found_and_fails_the_build_with_one_line(tmp_path):
    dead = '<img src="figures/gone.png"><a href="../x.html">up</a>'
    broken = REPORT.replace("</body>", dead + "</body>")
    folder = _report(tmp_path, broken)
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), str(site)], capture_output=True, text=True
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "report.html: figures/gone.png" in lines[0]
    assert "report.html: ../x.html" in lines[0]
    assert "index.html: figures/gone.png" in lines[0]


def test_links_to_other_sites_fragments_and_data_are_not_files():
    external = ("https://a.b/c", "//cdn.x/y.js", "mailto:a@b", "data:image/png;base64,AA")
    for link in ("#x", "?q=1", *external):
        assert assemble.local_target(link) is None
    assert assemble.local_target("explorer.html#model=cnn") == "explorer.html"
    assert assemble.local_target("figures/a%20b.png") == "figures/a b.png"


def test_a_missing_report_is_one_line_and_exit_code_2(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "nothing"), str(tmp_path / "site")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "report.html is missing" in done.stderr
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 2
    assert check.stderr.strip() == f"site: no folder {tmp_path / 'nothing'}"


def test_the_actions_workflow_publishes_the_folder_make_site_writes():
    workflow = (ROOT / ".github" / "workflows" / "report.yml").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make site PROFILE=quick" in workflow
    assert "path: results/quick/site" in workflow
    assert "tools/site/assemble.py results/$(PROFILE)/report results/$(PROFILE)/site" in makefile


@pytest.mark.e2e
def test_the_site_of_the_test_run_has_every_page_and_no_dead_link(test_run, tmp_path):
    """The site assembled from the end-to-end run's report: every page the report links is
    there (the explorer, the lab) and every relative link and image resolves."""
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "site" / "assemble.py"),
         str(test_run["results"] / "report"), str(site)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    names = {p.name for p in site.iterdir()}
    assert {"index.html", "report.html", "report.pdf", "explorer.html", "lab.html"} <= names
    assert assemble.dead_links(site) == []


WORKFLOWS = [".github/workflows/report.yml"]


def test_the_lint_target_validates_the_workflow_file_offline():
    makefile = (ROOT / "Makefile").read_text()
    assert "check-jsonschema --builtin-schema vendor.github-workflows" in makefile
    checker = Path(sys.executable).parent / "check-jsonschema"
    if not checker.exists():
        pytest.skip("check-jsonschema is not installed in this environment")
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
