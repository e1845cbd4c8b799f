"""End to end: the `test` profile from an empty results directory to the rendered report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mnist_fooling.claims import pct
from mnist_fooling.reliability import hash_results, interrupted_trials

from .conftest import ROOT

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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
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


@pytest.mark.e2e
def test_report_exists_with_pages_and_embedded_images(test_run):
    test_run = test_run["results"]
    html = (test_run / "report" / "report.html").read_text()
    pdf = (test_run / "report" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert max(int(n) for n in re.findall(rb"/Count\s+(\d+)", pdf)) >= 3
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == len(list((test_run / "figures").glob("*.png"))) == 19
    assert all('src="data:image/png;base64,' in img for img in images)
    assert "figures/" not in html.replace("figures/examples", "").replace("figures/confidence", "")


@pytest.mark.e2e
def test_report_numbers_equal_the_csvs(test_run):
    test_run = test_run["results"]
    html = (test_run / "report" / "report.html").read_text()
    acc = pd.read_csv(test_run / "metrics" / "accuracy.csv")
    assert set(acc.model) == {"softmax", "mlp", "cnn"} and set(acc.split) == {"val", "test"}
    for r in acc.itertuples():
        assert r.accuracy == pytest.approx(r.correct / r.n)
        assert f"{pct(r.accuracy, 2)}" in html
        assert f"[{pct(r.ci_low, 2)}, {pct(r.ci_high, 2)}]" in html
    conf = pd.read_csv(test_run / "metrics" / "confidence.csv").set_index(["model", "source"])
    noise = conf.loc[("cnn", "noise")]
    assert noise.n == 500
    assert f"exceeds 0.6 for {pct(noise.above_06)} of the images" in html
    c1 = acc[(acc.model == "mlp") & (acc.split == "test")].iloc[0]
    assert re.search(rf"C1</td>.*?{re.escape(pct(c1.accuracy, 2))}", html, flags=re.S)
    assert "not yet measured" in html
    pca = pd.read_csv(test_run / "pca" / "accuracy.csv")
    for r in pca.itertuples():
        assert f"[{pct(r.ci_low)}, {pct(r.ci_high)}]" in html
    drawn = pd.read_csv(test_run / "edge" / "drawn.csv")
    big2 = drawn[(drawn.model == "mlp") & (drawn.digit == 2) & (drawn["size"] == "large")]
    for r in big2.itertuples():  # pandoc turns '6' into typographic quotes
        assert re.search(
            rf"style {r.style}: \S{{1,8}}{r.top1}\S{{1,8}} {re.escape(pct(r.p1, 2))}", html
        )


@pytest.mark.e2e
def test_every_method_and_fooling_table_reaches_the_report(test_run):
    test_run = test_run["results"]
    html = (test_run / "report" / "report.html").read_text()
    for model in ("softmax", "mlp", "cnn"):
        me = pd.read_csv(test_run / "fooling" / model / "map_elites.csv")
        assert set(me.target) == set(range(10)) and me.shared_evaluations.all()
        genetic = pd.read_csv(test_run / "fooling" / model / "genetic.csv")
        assert (genetic.target == 2).sum() == 2  # runs_of_two in the test profile
    likeness = pd.read_csv(test_run / "fooling" / "likeness.csv")
    assert {"test digits", "uniform noise", "map_elites"} <= set(likeness.method)
    assert "The evaluation budget" in html and "digit means read as their digit" in html
    assert re.search(r"N1</td>.*?MAP-Elites", html, flags=re.S)


@pytest.mark.e2e
def test_second_run_has_nothing_to_do(test_run, workdir):
    result = snakemake(workdir, "--profile", "profiles/test")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.e2e
def test_every_rule_logged_and_benchmarked(test_run, workdir):
    logs = {p.stem for p in (workdir / "logs" / "test").glob("*.log")}
    assert {
        "train_softmax",
        "train_mlp",
        "train_cnn",
        "evaluate",
        "confidence",
        "pca",
        "edge",
        "render_report",
    } <= logs
    benchmarks = {p.stem for p in (workdir / "logs" / "test" / "benchmarks").glob("*.tsv")}
    assert {"train_cnn", "evaluate", "confidence", "render_report"} <= benchmarks


def test_slurm_profile_dry_run():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    result = snakemake(ROOT, "--profile", "profiles/slurm", "-n", "--forceall")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "train" in result.stdout and "render_report" in result.stdout


@pytest.mark.e2e
def test_runs_offline_after_the_fetch(test_run):
    if not test_run["offline"]:
        pytest.skip("cannot switch the network off here (unshare -n not permitted)")
    assert (test_run["results"] / "report" / "report.pdf").is_file()


@pytest.mark.e2e
def test_killed_run_resumes_to_identical_files(test_run, workdir):
    """Runs last in this module: it deletes and rebuilds results/test."""
    summary = interrupted_trials(
        trials=1, work=workdir, baseline=test_run["hashes"], moments=[12.0], log=lambda _: None
    )
    row = summary.iloc[0]
    assert row.killed, "the run finished before it could be killed"
    assert row.identical, f"differing files after resume: {row.differing}"
    compared = set(test_run["hashes"])
    assert {
        "models/cnn.keras",
        "metrics/confidence_samples.csv",
        "figures/confidence.png",
        "report/_variables.yml",
        "report/report.html",
    } <= compared
