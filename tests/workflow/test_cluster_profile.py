"""The SLURM profiles: what a site submits (profiles/slurm) and the cluster test's settings.

Nothing here needs a cluster: the site profile is checked through a dry run and the SLURM
plugin's own sbatch-argument builder; `make cluster-test` runs the real thing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from ..conftest import ROOT

SITE = ROOT / "profiles" / "slurm" / "config.yaml"
TEST = ROOT / "tools" / "cluster" / "test-profile" / "config.yaml"
SLURM_SH = ROOT / "tools" / "cluster" / "slurm.sh"
JOB = re.compile(r"^(?:local)?rule (\w+):\n(.*?)(?=^\S|\Z)", re.M | re.S)


def dry_run(*profile_args: str) -> dict[str, dict[str, str]]:
    """rule -> its resources as a forced dry run prints them (the first job of each rule;
    forced, so what this checkout has already built does not matter)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", *profile_args, "-n", "--forceall"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rules: dict[str, dict[str, str]] = {}
    for name, body in JOB.findall(done.stdout + done.stderr):
        found = re.search(r"^\s+resources: (.*)$", body, re.M)
        if found and name not in rules:
            rules[name] = dict(
                item.split("=", 1) for item in found.group(1).split(", ") if "=" in item
            )
    return rules


@pytest.fixture(scope="module")
def site_jobs() -> dict[str, dict[str, str]]:
    return dry_run("--profile", "profiles/slurm")


@pytest.fixture(scope="module")
def gpu_rules() -> set[str]:
    """The rules whose own resources say they can use a GPU (gpu=1 in workflow/rules)."""
    plain = dry_run("--profile", "profiles/test", "--workflow-profile", "none")
    rules = {name for name, res in plain.items() if res.get("gpu") == "1"}
    assert {"train", "fooling", "detectors"} <= rules
    return rules


def _sbatch_gres(resources: dict[str, str]) -> str:
    """The GPU part of the sbatch command the SLURM plugin builds from a job's resources."""
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    class Resources(dict):
        __getattr__ = dict.get

    values = {k: (int(v) if v.isdigit() else v.strip("'\"")) for k, v in resources.items()}
    return set_gres_string(SimpleNamespace(resources=Resources(values))).strip()


def test_site_profile_asks_for_gpus_with_gres_as_slurm_sites_do(site_jobs, gpu_rules):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    for rule in gpu_rules:
        resources = site_jobs[rule]
        assert resources.get("gres") == "gpu:1", rule
        assert resources.get("gpu") == "0", rule  # the rule's gpu=1 would add --gpus as well
        assert _sbatch_gres(resources) == "--gres=gpu:1", rule
    for rule in set(site_jobs) - gpu_rules - {"all"}:
        assert _sbatch_gres(site_jobs[rule]) == "", rule


def test_site_profile_gives_every_job_a_runtime_and_memory(site_jobs):
    for rule, resources in site_jobs.items():
        if rule == "all":
            continue
        assert int(resources["runtime"]) > 0, rule
        assert int(resources["mem_mb"]) >= 1000, rule
    assert int(site_jobs["train"]["runtime"]) > int(site_jobs["fragment"]["runtime"])


def test_site_profile_documents_partition_and_account_and_runs_the_paper_config():
    text = SITE.read_text()
    assert re.search(r"^\s*#?\s*slurm_partition: ", text, re.M)
    assert re.search(r"^\s*#?\s*slurm_account: ", text, re.M)
    profile = yaml.safe_load(text)
    assert profile["executor"] == "slurm"
    assert profile["configfile"] == "profiles/paper/workflow-config.yaml"


def test_the_cluster_test_profile_cannot_hang_on_sacct_and_asks_for_no_gpu(gpu_rules):
    profile = yaml.safe_load(TEST.read_text())
    assert profile["executor"] == "slurm"
    assert profile["slurm-status-command"] == "squeue"
    min_job_age = int(re.search(r"^MinJobAge=(\d+)$", SLURM_SH.read_text(), re.M).group(1))
    # below 3 x the first status delay the plugin goes back to sacct, which fails here
    assert min_job_age >= 3 * profile["slurm-init-seconds-before-status-checks"]
    for rule in gpu_rules:
        assert profile["set-resources"][rule] == {"gpu": 0}, rule
    grouped = set(profile["groups"])
    assert not grouped & gpu_rules
    assert profile["group-components"]["report"] >= len(grouped)


def test_the_cluster_config_binds_to_localhost_and_sits_where_the_job_step_looks():
    text = SLURM_SH.read_text()
    for line in (
        "CONF=/etc/slurm/slurm.conf",
        "CommunicationParameters=NoCtldInAddrAny,NoInAddrAny",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "AccountingStorageType=accounting_storage/none",
    ):
        assert line in text
    assert re.search(r"^NodeName=\S+ NodeAddr=127\.0\.0\.1 ", text, re.M)
    # the node's RealMemory is 90% of this machine's: a job asking for more would never start
    assert "int($2 / 1024 * 0.9)" in text
    memory = yaml.safe_load(TEST.read_text())["default-resources"]["mem_mb"]
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        assert memory <= int(meminfo.read_text().split()[1]) / 1024 * 0.9


def test_the_cluster_test_profile_groups_form_a_dag():
    """No path leaves the report group and comes back (Snakemake refuses such a group before
    it submits anything: a rule added between two grouped rules must join the group)."""
    jobs = dry_run("--profile", "profiles/test", "--workflow-profile", "tools/cluster/test-profile")
    assert {"lab", "benchmark_lab"} <= set(jobs)  # the lab feeds its benchmark: not grouped
    grouped = set(yaml.safe_load(TEST.read_text())["groups"])
    assert {"likeness", "plot_likeness", "render_report"} <= grouped and not grouped & set(jobs)
