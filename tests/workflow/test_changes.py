"""The everyday changes, on a finished `test` run: editing one sweep value, one method's parameter
or one CNN count reruns exactly what depends on it; removing a method takes it out of the
report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.workflow.conftest import snakemake

pytestmark = pytest.mark.e2e
JOB = re.compile(r"^(?:local)?rule (\w+):\n(?:    .*\n)*?    output: ([^\n,]+)", re.M)


def planned(workdir: Path, profile: str, *args: str) -> set[tuple[str, str]]:
    """``(rule, first output)`` of every job a dry run of ``profile`` would run."""
    done = snakemake(workdir, "--profile", f"profiles/{profile}", "-n", *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(JOB.findall(done.stdout + done.stderr))


def edited_profile(workdir: Path, name: str, edit) -> str:
    """A copy of the test profile whose config overrides ``edit`` changed (same results folder)."""
    src, dest = workdir / "profiles" / "test", workdir / "profiles" / name
    shutil.copytree(src, dest, dirs_exist_ok=True)
    options = yaml.safe_load((src / "config.yaml").read_text())
    options["configfile"] = f"profiles/{name}/workflow-config.yaml"
    (dest / "config.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    overrides = yaml.safe_load((src / "workflow-config.yaml").read_text())
    edit(overrides)
    (dest / "workflow-config.yaml").write_text(yaml.safe_dump(overrides, sort_keys=False))
    return name


@pytest.fixture(scope="module")
def finished(test_run, workdir) -> Path:
    assert planned(workdir, "test") == set(), "the test run left jobs to do"
    return workdir


def test_editing_one_sweep_value_reruns_the_sweep_and_its_readers(finished):
    def edit(c):
        c["fooling"]["sweeps"]["hillclimb"]["grid"]["amplitude"] = [0.5, 0.8]

    jobs = planned(finished, edited_profile(finished, "sweep-edited", edit))
    sweep = "results/test/fooling/sweep_hillclimb.csv"
    # Exactly what a forced rerun of that sweep would run: the sweep and what reads it.
    assert jobs == planned(finished, "test", "--forcerun", sweep)
    assert ("sweep", sweep) in jobs
    assert not {rule for rule, _ in jobs} & {
        "fooling",
        "fooling_apart",
        "fooling_background",
        "fooling_chain",
        "train",
        "detectors",
        "lab",
        "benchmark_lab",
    }


def test_editing_one_methods_parameter_reruns_only_its_searches_and_their_readers(finished):
    """square_search's steps: its search on each model (one job each), what reads those, and the
    jobs that read the parameter itself (the lab page, which runs square search in the
    browser); no other method's search."""

    def edit(c):
        c["fooling"]["methods"]["square_search"]["steps"] = 25

    jobs = planned(finished, edited_profile(finished, "method-edited", edit))
    runs = [f"results/test/fooling/{m}/square_search.npz" for m in ("softmax", "mlp", "cnn")]
    forced = planned(finished, "test", "--forcerun", *runs, "results/test/report/lab.html")
    assert jobs == forced
    searches = {out for rule, out in jobs if rule.startswith(("fooling", "sweep"))}
    assert searches == set(runs)


def test_editing_one_cnn_count_reruns_only_that_search_and_its_readers(finished):
    def edit(c):
        c["fooling"]["counts"]["cnn"]["hillclimb"]["runs_per_digit"] = 3

    jobs = planned(finished, edited_profile(finished, "count-edited", edit))
    hill = "results/test/fooling/cnn/hillclimb.npz"
    assert jobs == planned(finished, "test", "--forcerun", hill)
    assert ("fooling_apart", hill) in jobs
    searches = {out for rule, out in jobs if rule.startswith(("fooling", "sweep"))}
    assert searches == {hill}  # no other model's or method's search


def test_removing_a_method_removes_it_from_the_report(finished, tmp_path):
    """A copy of the finished run, square_search taken out of the config: its files stay on
    disk, but no table, figure input or verdict of the new report reads them."""
    work = tmp_path / "repo"
    shutil.copytree(finished, work, symlinks=True)

    def edit(c):
        del c["fooling"]["methods"]["square_search"]
        del c["fooling"]["counts"]["cnn"]["square_search"]

    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    del config["fooling"]["methods"]["square_search"]
    del config["fooling"]["counts"]["cnn"]["square_search"]
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    profile = edited_profile(work, "no-square", edit)
    done = snakemake(work, "--profile", f"profiles/{profile}")
    assert done.returncode == 0, done.stderr[-3000:]
    results = work / "results" / "test"
    assert (results / "fooling" / "cnn" / "square_search.npz").is_file()  # stale, still there
    tables = results / "report" / "inputs" / "tables"
    for path in [*tables.rglob("*.md"), *results.glob("detectors/*.csv"), results / "fooling" /
                 "transfer.csv", results / "fooling" / "likeness.csv"]:  # fmt: skip
        text = path.read_text()
        assert "square_search" not in text and "square search" not in text, path
    page = (results / "report" / "report.html").read_text()
    assert "square_search" not in page and "square search" not in page
    assert "square_search" not in (results / "report" / "explorer.html").read_text()
