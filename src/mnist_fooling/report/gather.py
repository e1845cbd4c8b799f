"""The report's own inputs: it gathers the stages' fragments and adds the claims and appendix."""

from __future__ import annotations

import logging
import os
import platform
import subprocess
from pathlib import Path

import pandas as pd
import yaml

from ..claims import KINDS, claims_table, verdict_counts
from ..claims.common import verdict_span
from ..core.io import write_text
from ..core.tables import markdown_table
from .environment import (
    installed_version,
    lock_check,
    lock_markdown,
    renderer_description,
    resolve_renderer,
)
from .fragments import gather, read_fragments

log = logging.getLogger(__name__)

PACKAGES = (
    "numpy",
    "keras",
    "tensorflow",
    "jax",
    "numba",
    "pandas",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "ribs",
    "snakemake",
    "typst",
    "pypandoc-binary",
    "mnist-fooling",
)
OTHER_KINDS = ("code", "ours")  # rows listed apart from the headline
SOURCES = {
    "seed 000": "seed000",
    "seed 003": "seed003",
    "Nguyen 2015": "nguyen",
    "ours": "ours",
}


def benchmark_table(files: list[Path]) -> pd.DataFrame:
    """Run time and peak memory per job from Snakemake benchmark TSVs (name = file stem).

    Files that do not exist (a job whose timing was deleted) are skipped.
    """
    rows = []
    for path in sorted((p for p in files if p.is_file()), key=lambda p: p.name):
        bench = pd.read_csv(path, sep="\t")
        rss = pd.to_numeric(bench.get("max_rss", pd.Series(["-"])).iloc[0], errors="coerce")
        rows.append(
            dict(
                job=path.stem,
                seconds=f"{bench['s'].iloc[0]:.1f}",
                max_rss_mb="—" if pd.isna(rss) else f"{rss:.0f}",
            )
        )
    return pd.DataFrame(rows, columns=["job", "seconds", "max_rss_mb"])


def package_versions() -> pd.DataFrame:
    """Installed versions of the packages the report depends on."""
    import keras

    rows = [dict(package="python", version=platform.python_version())]
    for name in PACKAGES:
        rows.append(dict(package=name, version=installed_version(name) or "not installed"))
    rows.append(dict(package="keras backend", version=keras.backend.backend()))
    if keras.backend.backend() == "tensorflow":
        rows.append(dict(package="TensorFlow oneDNN kernels", version=onednn_setting()))
    rows.append(dict(package="device", version=device_name()))
    return pd.DataFrame(rows)


def onednn_setting() -> str:
    """Whether TensorFlow's oneDNN kernels were on (the package turns them on; see __init__)."""
    value = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").lower()
    if value in ("1", "true"):
        return "on"
    return "off" if value in ("0", "false") else "TensorFlow's default"


def device_name() -> str:
    """Where the report ran: the accelerator's kind and the search path under JAX, else the CPU."""
    import keras

    cpu = f"CPU, {os.cpu_count()} cores"
    if keras.backend.backend() != "jax":
        return cpu
    import jax

    from ..stages.fooling.run import search_path

    device = jax.devices()[0]
    where = cpu if device.platform == "cpu" else f"{device.platform.upper()} {device.device_kind}"
    return f"{where} (searches on the {search_path()} path)"


def git_commit(repo: Path) -> str:
    """The checkout's commit (with ``-dirty`` when files differ), or "unknown".

    Only a repository whose top level is ``repo`` itself counts: a copy of the workflow inside
    another checkout must not report that checkout's commit.
    """

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != Path(repo).resolve():
            return "unknown"
        head = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def reliability_markdown(summary: Path | None, bad_inputs: Path | None) -> str:
    """The appendix's reliability section from ``make reliability``'s CSVs, if they exist."""
    if summary is None or not summary.is_file():
        return "Not run for this report: `make reliability` writes `results/reliability/`.\n"
    runs = pd.read_csv(summary)
    text = (
        f"**{int(runs.identical.sum())}/{len(runs)}** runs of the `test` profile, each killed "
        f"with SIGKILL at a random moment ({int(runs.killed.sum())} before they finished) and "
        "resumed with `--rerun-incomplete`, ended with every output byte-identical to an "
        "uninterrupted run (the run-time table is masked in the HTML and the PDF is left "
        "out, as wall-clock seconds differ on every run).\n\n"
    )
    text += markdown_table(
        runs.assign(differing=runs.differing.fillna("—")),
        dict(
            trial="trial",
            kill_after_s="killed after (s)",
            killed="killed",
            identical="identical",
            differing="differing files",
        ),
    )
    if bad_inputs is not None and bad_inputs.is_file():
        bad = pd.read_csv(bad_inputs)
        text += (
            f"\n**{int(bad.clean.sum())}/{len(bad)}** kinds of bad input stopped with one "
            "clear line, a non-zero exit code and nothing written:\n\n"
        )
        text += markdown_table(
            bad,
            dict(kind="kind", input="input", message="message", exit_code="exit code"),
            widths=[6, 18, 50, 6],
        )
    return text


def _shown(path: Path, repo: Path) -> Path:
    """``path`` relative to the checkout when inside it: the appendix names no temporary dirs."""
    try:
        return path.resolve().relative_to(repo.resolve())
    except ValueError:
        return Path(path.name)


def claims_markdown(claims: pd.DataFrame, source: str) -> str:
    """The full claims table of one source: claim, values, criterion and labelled verdict."""
    rows = claims[claims.source == source]
    if rows.empty:
        return "No claims from this source.\n"
    view = rows.assign(
        id=[f"[{i}]{{#claim-{i.lower()}}}" for i in rows.id],
        verdict=list(map(verdict_span, rows.verdict, rows.between)),
    )
    return markdown_table(
        view,
        dict(
            id="id",
            claim="claim",
            seed_value="source's value",
            measured="measured",
            criterion="criterion",
            verdict="verdict",
        ),
        widths=[4, 22, 10, 34, 18, 10],
    )


def glance_markdown(claims: pd.DataFrame, kinds: tuple[str, ...] = ("source",)) -> str:
    """One line per claim of ``kinds``: id (linking to its evidence), a few words, both values,
    verdict; rows that are not the sources' claims also say what they are."""
    rows = claims[claims.kind.isin(kinds)]
    if rows.empty:
        return "None in this run.\n"
    view = rows.assign(
        id=[f"[{i}](#{s})" for i, s in zip(rows.id, rows.section, strict=True)],
        verdict=list(map(verdict_span, rows.verdict, rows.between)),
        kind=rows.kind.map(KINDS),
    )
    columns = dict(id="id", short="claim", seed_value="source", value="here", verdict="verdict")
    widths = [4, 24, 12, 14, 10]
    if set(kinds) != {"source"}:
        columns, widths = dict(columns, kind="what it is"), [4, 20, 8, 12, 10, 16]
    return markdown_table(view, columns, widths=widths)


def write_report_inputs(
    *,
    out_dir: Path,
    config: dict,
    fragments: list[Path],
    benchmarks: list[Path],
    repo: Path,
    sections: Path,
    lock: Path,
    reliability: Path | None = None,
    bad_inputs: Path | None = None,
) -> pd.DataFrame:
    """Gather the stages' fragments into ``_variables.yml``, ``_sections.qmd`` and ``tables/``
    in ``out_dir``, adding the claims tables, the summary and the appendix; return the claims.

    ``lock`` is the runtime lock (``requirements/report.lock``) the appendix checks.
    """
    frags = read_fragments(fragments)
    claims = claims_table([row for f in frags for row in f["claims"]])
    base = dict(
        profile=config["profile"],
        seed=config["seed"],
        n_train=f"{config['data']['n_train']:,}" if config["data"]["n_train"] else "50,000",
        git_commit=git_commit(repo),
        claims=verdict_counts(claims),
        n_claims=int((claims.kind == "source").sum()),
        others=verdict_counts(claims, OTHER_KINDS),
        n_others=int(claims.kind.isin(OTHER_KINDS).sum()),
        renderer=renderer_description(resolve_renderer(config["report"]["renderer"])),
    )
    gather(frags, out_dir=out_dir, base_variables=base, sections=sections)
    tables = {
        "glance.md": glance_markdown(claims),
        "glance_others.md": glance_markdown(claims, OTHER_KINDS),
        "benchmarks.md": markdown_table(
            benchmark_table(benchmarks),
            dict(job="job", seconds="seconds", max_rss_mb="peak RSS (MB)"),
        ),
        "versions.md": markdown_table(
            package_versions(), dict(package="package", version="version")
        ),
        "config.md": "```yaml\n"
        + yaml.safe_dump(config, sort_keys=False, default_flow_style=None)
        + "```\n",
        "reliability.md": reliability_markdown(reliability, bad_inputs),
        "environment.md": lock_markdown(lock_check(lock), lock=_shown(lock, repo)),
    }
    for source, name in SOURCES.items():
        tables[f"claims_{name}.md"] = claims_markdown(claims, source)
    for name, text in tables.items():
        write_text(out_dir / "tables" / name, text)
    return claims
