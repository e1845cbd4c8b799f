"""The files of a run that hold wall-clock timings, which two identical runs still differ in:
left out, or compared with their timing tables cut out, by the reliability and cluster checks."""

from __future__ import annotations

import re

# Relative to results/<profile>/: the file and why two identical runs still differ in it.
TIMED_FILES = {
    "benchmarks/search.csv": "search speed measured in evaluations per wall-clock second",
    "report/fragments/benchmark.json": "holds the search-speed table (benchmarks/search.csv)",
    "report/inputs/tables/benchmark/speed.md": "the search-speed table",
    "report/inputs/tables/benchmarks.md": "the run-time-per-job table (Snakemake benchmarks)",
    "report/report.pdf": "typesets both timing tables (and PDF layout shifts with their widths)",
    "benchmarks/lab.csv": "the lab page's speed in headless Chromium (per wall-clock second)",
    "report/fragments/lab.json": "holds the lab's speed tables (benchmarks/lab.csv)",
    "report/inputs/tables/lab/speed.md": "the lab's forward passes per second",
    "report/inputs/tables/lab/kernel.md": "the lab kernel's multiply-adds per second",
    "report/inputs/tables/lab/fool.md": "the lab's seconds to fool a digit",
}
# report.html is compared with these sections' first tables removed (run time per job, search
# speed); the lab's appendix section holds three timing tables: cut three times.
_LAB = b"the-lab-in-the-browser"
TIMED_SECTIONS = {
    "report/report.html": (b"run-time-per-job", b"speed-of-the-search", _LAB, _LAB, _LAB)
}


def mask_timings(rel: str, data: bytes) -> bytes:
    """``data`` of the file ``rel`` (relative to results/<profile>/) with its timing tables cut
    out; other files' data unchanged."""
    for section in TIMED_SECTIONS.get(rel, ()):
        data = re.sub(rb'(id="' + section + rb'".*?)<table.*?</table>', rb"\1", data, flags=re.S)
    return data
