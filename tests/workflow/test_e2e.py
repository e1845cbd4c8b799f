"""End to end: the `test` profile from an empty results directory to the rendered report."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims.common import KINDS
from tests.conftest import ROOT
from tests.workflow.conftest import snakemake
from tools.reliability import interrupted_trials


class Tables(HTMLParser):
    """Every table of an HTML page as rows of cell texts, and the page's plain text."""

    def __init__(self):
        super().__init__()
        self.tables, self.text, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(plain("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def plain(text: str) -> str:
    """Text as pandoc's typography leaves it, made comparable: straight quotes, one space."""
    for fancy, simple in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "--")):
        text = text.replace(fancy, simple)
    return " ".join(text.split())


def run_config(workdir: Path) -> dict:
    """The test profile's effective config: config.yaml with the profile's overrides."""
    import yaml

    def merge(base: dict, over: dict) -> dict:
        for k, v in over.items():
            base[k] = (
                merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
            )
        return base

    base = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    over = yaml.safe_load((workdir / "profiles" / "test" / "workflow-config.yaml").read_text())
    return merge(base, over)


def rebuilt_claims(results: Path, workdir: Path) -> pd.DataFrame:
    """The claims table computed afresh from the run's own CSVs, as the stages compute it."""
    from mnist_fooling.claims import claims_table
    from mnist_fooling.stages.detectors import fragment as detectors
    from mnist_fooling.stages.edge import fragment as edge
    from mnist_fooling.stages.eleventh import fragment as eleventh
    from mnist_fooling.stages.evaluate import fragment as evaluate
    from mnist_fooling.stages.fooling import fragment as fooling
    from mnist_fooling.stages.pca import fragment as pca

    config = run_config(workdir)
    judges = dict(  # reading.smk: the panel and the automated reader's fitness
        panel_readers="reading/panel_readers.csv",
        panel_items="reading/panel_items.csv",
        likeness_readers="fooling/likeness_readers.csv",
    )
    inputs = {
        evaluate: dict(accuracy="metrics/accuracy.csv", confidence="metrics/confidence.csv"),
        pca: dict(
            accuracy="pca/accuracy.csv",
            explained_variance="pca/explained_variance.csv",
            eigen_likeness="pca/eigen_likeness.csv",
            **judges,
        ),
        edge: dict(
            scale="edge/scale.csv",
            shift="edge/shift.csv",
            border="edge/border.csv",
            drawn="edge/drawn.csv",
            outputs="edge/outputs.npz",
        ),
        fooling: dict(
            runs=sorted(results.glob("fooling/*/*.csv")),
            likeness="fooling/likeness.csv",
            calibration="fooling/likeness_calibration.csv",
            similarity="fooling/likeness_similarity.csv",
            transfer="fooling/transfer.csv",
            variogram=sorted(results.glob("fooling/variogram.csv")),
            sweeps=sorted(results.glob("fooling/sweep_*.csv")),
            mlp_genetic=sorted(results.glob("fooling/mlp/genetic.npz")),
            hill_curves=sorted(results.glob("fooling/cnn/hillclimb.npz")),
            **judges,
        ),
        eleventh: dict(rounds="eleventh/rounds.csv"),
        detectors: dict(auroc="detectors/auroc.csv", adaptive="detectors/adaptive.csv"),
    }
    rows = []
    for module, paths in inputs.items():
        given = {k: v if isinstance(v, list) else results / v for k, v in paths.items()}
        found = module.fragment(given, config)
        rows += found["claims"]
    return claims_table(rows)


@pytest.mark.e2e
def test_report_claims_equal_those_rebuilt_from_the_csvs(test_run, workdir):
    """Every claim row of the rendered page (verdict and measured value, in the same row) and
    the counts in the introduction agree with the claims computed afresh from the CSVs."""
    results = test_run["results"]
    page = Tables()
    page.feed((results / "report" / "report.html").read_text())
    rows = {
        r[0]: r for table in page.tables for r in table if r and re.fullmatch(r"[CDNX]\d+", r[0])
    }
    claims = rebuilt_claims(results, workdir)
    assert len(claims) >= 26
    kinds = set(KINDS.values())
    for c in claims.itertuples():
        assert c.id in rows, f"claim {c.id} is not in the report"
        mine = [r for t in page.tables for r in t if r and r[0] == c.id]
        # The full table's row: claim text, source value, measured, criterion, verdict; the
        # glance rows: id, claim, source, here, verdict (and, for rows not the sources', kind).
        full = [r for r in mine if len(r) == 6 and r[5] not in kinds]
        assert full, f"claim {c.id} has no row in the claims tables"
        label = f"{c.verdict}: {c.between}" if c.between else c.verdict  # names an undecided's two
        assert full[0][3] == plain(c.measured), c.id
        assert full[0][5] == label, c.id
        glance = [r for r in mine if len(r) == 5 or (len(r) == 6 and r[5] in kinds)]
        assert glance and glance[0][3] == plain(c.value) and glance[0][4] == label, c.id
        assert (len(glance[0]) == 5) == (c.kind == "source"), c.id
    text = plain("".join(page.text))
    sources = claims[claims.kind == "source"]
    counts = sources.verdict.value_counts()
    expected = (
        f"of the sources' {len(sources)} claims, {counts.get('reproduced', 0)} reproduced, "
        f"{counts.get('partly', 0)} partly, {counts.get('not reproduced', 0)} not reproduced, "
        f"{counts.get('undecided', 0)} undecided and {counts.get('not yet measured', 0)} not yet "
        "measured"
    )
    assert expected in text


@pytest.mark.e2e
def test_html_embeds_every_figure_and_the_pdf_holds_the_claims(test_run):
    from pypdf import PdfReader

    results = test_run["results"]
    html = (results / "report" / "report.html").read_text()
    images = re.findall(r"<img[^>]*>", html)
    figures = sorted(p.name for p in (results / "figures").glob("*.png"))
    referenced = set()
    for qmd in [ROOT / "report" / "index.qmd", *(ROOT / "report" / "sections").glob("*.qmd")]:
        referenced |= set(re.findall(r"\(figures/([\w.-]+\.png)\)", qmd.read_text()))
    assert referenced <= set(figures), referenced - set(figures)
    assert len(images) == len(
        re.findall(
            r"!\[",
            "".join(
                q.read_text()
                for q in [
                    ROOT / "report" / "index.qmd",
                    *(ROOT / "report" / "sections").glob("*.qmd"),
                ]
            ),
        )
    )
    assert all('src="data:image/png;base64,' in img for img in images)
    reader = PdfReader(results / "report" / "report.pdf")
    text = plain(" ".join(page.extract_text() for page in reader.pages))
    assert len(reader.pages) >= 10
    for heading in ("Claims checked", "At a glance", "Can they be caught?"):
        assert heading in text
    for cid in ("C1", "C8", "C15", "D5", "D8", "N1", "N2"):
        assert re.search(rf"\b{cid}\b", text), cid
    pdf_images = sum(len(page.images) for page in reader.pages)
    assert pdf_images >= len(referenced)


def test_appendix_names_the_lock_its_hash_and_the_renderer(test_run):
    """The tests' venv is installed from the locks, so the appendix says installed = lock."""
    html = (test_run["results"] / "report" / "report.html").read_text()
    text = plain(re.sub(r"<[^>]+>", "", html))
    digest = hashlib.sha256((ROOT / "requirements" / "report.lock").read_bytes()).hexdigest()
    assert f"Lock requirements/report.lock, sha256 {digest}: installed = lock (all " in text
    assert re.search(r"Typeset by pandoc [\d.]+ \(pypandoc-binary [\d.]+\) HTML", text)


@pytest.mark.e2e
def test_the_report_and_explorer_work_in_a_browser(test_run):
    from tests.browser import chromium, dump_dom

    if chromium() is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    results = test_run["results"]
    dom = dump_dom(results / "report" / "report.html")
    ids = set(re.findall(r'\bid="([^"]+)"', dom))
    links = re.findall(r'href="#([^"]+)"', dom)
    assert links and all(target in ids for target in links), set(links) - ids
    for fig in set(re.findall(r'href="#(fig-[^"]+)"', dom)):
        start = dom.index(f'id="{fig}"')
        assert "<img" in dom[start : dom.index("</figure>", start)], fig
    npz = np.load(results / "fooling" / "cnn" / "square_search.npz")
    expected = int((npz["target"] == 2).sum())
    total = sum(len(np.load(p)["target"]) for p in (results / "fooling").glob("*/*.npz"))
    explorer = dump_dom(
        results / "report" / "explorer.html", "model=cnn&method=square_search&digit=2"
    )
    assert f"{expected} of {total:,} images" in plain(re.sub(r"<[^>]+>", " ", explorer))


@pytest.mark.e2e
def test_second_run_has_nothing_to_do(test_run, workdir):
    result = snakemake(workdir, "--profile", "profiles/test")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.e2e
def test_every_rule_logged_and_benchmarked(test_run, workdir):
    """Every job of the run (as a forced dry run lists them) wrote its log and its benchmark."""
    plan = snakemake(workdir, "--profile", "profiles/test", "-n", "--forceall")
    assert plan.returncode == 0, plan.stderr[-3000:]
    jobs = re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", plan.stdout, re.M)
    assert len(jobs) > 30
    for rule, block in jobs:
        if rule == "all":
            continue
        found = dict(re.findall(r"^    (log|benchmark): (.+)$", block, re.M))
        assert set(found) == {"log", "benchmark"}, f"rule {rule} lacks a log or a benchmark"
        for path in found.values():
            assert (workdir / path).is_file(), f"rule {rule} did not write {path}"


def test_slurm_profile_dry_run():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    result = snakemake(ROOT, "--profile", "profiles/slurm", "-n", "--forceall")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "train" in result.stdout and "render_report" in result.stdout


@pytest.mark.e2e
def test_runs_offline_after_the_fetch(test_run):
    """The run after the fetch had no network at all (it could not even resolve a name)."""
    if not test_run["offline"]:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the workflow with the network off (unshare -n)")
        pytest.skip("cannot switch the network off here (unshare -n not permitted)")
    probe = "import socket; socket.getaddrinfo('pypi.org', 443)"
    cut = subprocess.run(["unshare", "-n", sys.executable, "-c", probe], capture_output=True)
    assert cut.returncode != 0  # the same wrapper as the run's: no network inside it


@pytest.mark.e2e
def test_killed_run_resumes_to_identical_files(test_run, workdir):
    """Runs last in this module: it deletes results/test but for the trained models and their
    evaluations, kills the rebuild of the rest after 12 s, and resumes it."""
    summary = interrupted_trials(
        trials=1,
        work=workdir,
        baseline=test_run["hashes"],
        moments=[12.0],
        keep=("models", "metrics", "pca", "edge"),
        log=lambda _: None,
    )
    row = summary.iloc[0]
    assert row.killed, "the run finished before it could be killed"
    assert row.identical, f"differing files after resume: {row.differing}"
    compared = set(test_run["hashes"])
    assert {
        "models/cnn.keras",
        "metrics/confidence_samples.csv",
        "figures/confidence.png",
        "report/inputs/_variables.yml",
        "report/report.html",
    } <= compared
