"""tools/cluster: the byte-for-byte comparison and the SLURM job accounting of cluster-test."""

from __future__ import annotations

import importlib.util

from ..conftest import ROOT


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"cluster_{name}", ROOT / "tools" / "cluster" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare = _load("compare")
jobs = _load("jobs")

HTML = (
    '<h2 id="run-time-per-job">Run time</h2><table><tr><td>{a}</td></tr></table>'
    '<h2 id="speed-of-the-search">Speed</h2><table><tr><td>{b}</td></tr></table>'
    "<p>{c}</p>"
)


def _results(folder, *, seconds="1.0", claim="reproduced", extra=None):
    (folder / "report").mkdir(parents=True)
    (folder / "metrics").mkdir()
    (folder / "metrics" / "accuracy.csv").write_text("model,accuracy\ncnn,0.99\n")
    (folder / "benchmarks").mkdir()
    (folder / "benchmarks" / "search.csv").write_text(f"method,per_s\nx,{seconds}\n")
    (folder / "report" / "report.pdf").write_bytes(seconds.encode())
    (folder / "report" / "report.html").write_text(HTML.format(a=seconds, b=seconds, c=claim))
    if extra:
        (folder / extra).write_text("x")
    return folder


def test_runs_that_differ_only_in_timings_match(tmp_path):
    a = _results(tmp_path / "a", seconds="1.0")
    b = _results(tmp_path / "b", seconds="2.5")
    assert compare.differences(a, b) == []
    assert compare.main([str(a), str(b)]) == 0


def test_a_changed_result_a_changed_report_text_or_a_missing_file_is_found(tmp_path, capsys):
    a = _results(tmp_path / "a")
    b = _results(tmp_path / "b", claim="not reproduced", extra="metrics/more.csv")
    (b / "metrics" / "accuracy.csv").write_text("model,accuracy\ncnn,0.98\n")
    assert compare.differences(a, b) == [
        "differs: metrics/accuracy.csv",
        f"only in {b}: metrics/more.csv",
        "differs: report/report.html",
    ]
    assert compare.main([str(a), str(b)]) == 1
    assert compare.main([str(a), str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"compare: no folder {tmp_path / 'none'}")


def test_every_excluded_file_has_a_reason_and_the_pdf_and_speeds_are_among_them():
    assert all(reason for reason in compare.EXCLUDED.values())
    assert {"report/report.pdf", "benchmarks/search.csv"} <= set(compare.EXCLUDED)
    assert "report/report.html" not in compare.EXCLUDED  # compared, with its tables masked


CTLD = """\
[2026-12-03T07:33:50.100] sched: Allocate JobId=2 NodeList=mnistnode #CPUs=1 Partition=debug
[2026-12-03T07:34:44.000] sched/backfill: _start_job: Started JobId=3 in debug on mnistnode
[2026-12-03T07:34:00.100] _job_complete: JobId=2 WEXITSTATUS 0
[2026-12-03T07:34:00.100] _job_complete: JobId=2 done
[2026-12-03T07:35:06.000] _job_complete: JobId=3 WEXITSTATUS {code}
"""
SMK = """\
Job 7 has been submitted with SLURM jobid 2 (log: /w/.snakemake/slurm_logs/rule_train/cnn/2.log).
Job 8c has been submitted with SLURM jobid 3 (log: /w/.snakemake/slurm_logs/group_report_a_b/3.log).
"""


def _logs(tmp_path, code: int):
    (tmp_path / "ctld.log").write_text(CTLD.format(code=code))
    (tmp_path / "smk.log").write_text(SMK)
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "train_cnn.tsv").write_text("s\th:m:s\n6.0\t0:00:06\n")
    (tmp_path / "bench" / "plot.tsv").write_text("s\th:m:s\n10.0\t0:00:10\n")
    return [str(tmp_path / n) for n in ("ctld.log", "smk.log", "bench")]


def test_jobs_counts_both_schedulers_and_the_start_up_per_job(tmp_path, capsys):
    assert jobs.main(_logs(tmp_path, 0)) == 0
    out = capsys.readouterr().out
    assert "2 SLURM jobs, all exited 0 (train x1, group report x1)" in out
    assert "32 s in SLURM jobs for 16 s of rule run time: 8.0 s start-up per job" in out


def test_a_failed_slurm_job_fails_the_check(tmp_path, capsys):
    assert jobs.main(_logs(tmp_path, 1)) == 1
    assert "not run or failed in SLURM: ['3']" in capsys.readouterr().err
