"""What the SLURM run of `make cluster-test` did, from slurmctld's log and Snakemake's.

    python tools/cluster/jobs.py SLURMCTLD_LOG SNAKEMAKE_LOG BENCHMARK_DIR

Checks that every job Snakemake submitted ran in SLURM and exited 0, and prints the count,
the rules, and the start-up cost per job: the SLURM jobs' run time (allocation to completion,
by slurmctld) less the time the rules themselves took in them (Snakemake's benchmark files).
Exit code 1 when a job is missing or failed, 2 for a missing file.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: \S*?slurm_logs/([^/]+)/")
# The main scheduler logs "sched: Allocate JobId=N", the backfill one "... Started JobId=N".
ALLOCATED = re.compile(
    r"\[(\S+)\] (?:sched: Allocate JobId=|sched/backfill: _start_job: Started JobId=)(\d+)"
)
EXITED = re.compile(r"\[(\S+)\] _job_complete: JobId=(\d+) WEXITSTATUS (\d+)")


def _name(log_dir: str) -> str:
    """``rule_train`` -> ``train``; ``group_report_<its rules>`` -> ``group report``."""
    if log_dir.startswith("group_"):
        return "group " + log_dir.split("_")[1]
    return log_dir.removeprefix("rule_")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: jobs.py SLURMCTLD_LOG SNAKEMAKE_LOG BENCHMARK_DIR", file=sys.stderr)
        return 2
    ctld, smk, bench = map(Path, args)
    for path in (ctld, smk, bench):
        if not path.exists():
            print(f"jobs: no {path}", file=sys.stderr)
            return 2
    submitted = dict(SUBMITTED.findall(smk.read_text()))
    text = ctld.read_text()
    allocated = {j: dt.datetime.fromisoformat(t) for t, j in ALLOCATED.findall(text)}
    exited = {j: (dt.datetime.fromisoformat(t), int(c)) for t, j, c in EXITED.findall(text)}
    bad = [j for j in submitted if j not in exited or exited[j][1] != 0 or j not in allocated]
    if not submitted or bad:
        print(
            f"jobs: {len(submitted)} submitted; not run or failed in SLURM: {bad or 'none ran'}",
            file=sys.stderr,
        )
        return 1
    in_slurm = sum((exited[j][0] - allocated[j]).total_seconds() for j in submitted)
    in_rules = sum(
        float(f.read_text().splitlines()[-1].split("\t")[0]) for f in bench.glob("*.tsv")
    )
    kinds = Counter(_name(rule) for rule in submitted.values())
    n = len(submitted)
    print(
        f"jobs: {n} SLURM jobs, all exited 0 ({', '.join(f'{k} x{v}' for k, v in kinds.items())});"
        f" {in_slurm:.0f} s in SLURM jobs for {in_rules:.0f} s of rule run time:"
        f" {(in_slurm - in_rules) / n:.1f} s start-up per job"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
