"""Report inputs (variables, tables) from pipeline outputs; rendering (Quarto or pandoc+typst)."""

from __future__ import annotations

import importlib.metadata
import logging
import platform
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .claims import claims_table, pct, runs_of
from .io import write_text

log = logging.getLogger(__name__)

MODELS = ("softmax", "mlp", "cnn")
PACKAGES = (
    "numpy",
    "keras",
    "tensorflow",
    "jax",
    "pandas",
    "matplotlib",
    "seaborn",
    "snakemake",
    "typst",
    "pypandoc-binary",
    "mnist-fooling",
)


def markdown_table(
    frame: pd.DataFrame, headers: dict[str, str], *, widths: list[int] | None = None
) -> str:
    """A pipe table of ``frame``'s columns named in ``headers`` (column → header text).

    ``widths`` gives relative column widths (pandoc reads them from the dashes of the
    separator line when a row is longer than the page).
    """

    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    widths = widths or [3] * len(headers)
    if len(widths) != len(headers):
        raise ValueError(f"{len(widths)} widths for {len(headers)} columns")
    lines = [
        "| " + " | ".join(headers.values()) + " |",
        "|" + "|".join("-" * w for w in widths) + "|",
    ]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(cell(row[c]) for c in headers) + " |")
    return "\n".join(lines) + "\n"


def accuracy_variables(acc: pd.DataFrame) -> dict:
    """``{model: {split: "97.9%", split_ci: "[97.6%, 98.2%]"}}`` with "not run" placeholders."""
    out = {
        m: {k: "not run" for k in ("val", "val_ci", "test", "test_ci", "test_n")} for m in MODELS
    }
    for r in acc.itertuples():
        out[r.model][r.split] = pct(r.accuracy, 2)
        out[r.model][f"{r.split}_ci"] = f"[{pct(r.ci_low, 2)}, {pct(r.ci_high, 2)}]"
        out[r.model][f"{r.split}_n"] = f"{r.n:,}"
    return out


def confidence_variables(conf: pd.DataFrame) -> dict:
    """``{model: {source: {above_06, above_09, median}}}`` as formatted strings."""
    out = {
        m: {
            s: {k: "not run" for k in ("above_06", "above_09", "median", "n")}
            for s in ("test", "noise")
        }
        for m in MODELS
    }
    for r in conf.itertuples():
        out[r.model][r.source] = dict(
            above_06=pct(r.above_06),
            above_09=pct(r.above_09),
            median=f"{r.median:.3f}",
            n=f"{r.n:,}",
        )
    return out


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
        try:
            rows.append(dict(package=name, version=importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            rows.append(dict(package=name, version="not installed"))
    rows.append(dict(package="keras backend", version=keras.backend.backend()))
    return pd.DataFrame(rows)


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


def pca_variables(pca_dir: Path, pca_acc: pd.DataFrame) -> dict:
    """Components needed for 50/90/95/99% of the variance, and classifier headlines."""
    from .claims import pca_headline
    from .pca import VARIANCE_LEVELS, components_for

    ev = pd.read_csv(pca_dir / "explained_variance.csv")["eigenvalue"].to_numpy()
    out = {f"k{round(100 * lv)}": components_for(ev, lv) for lv in VARIANCE_LEVELS}
    r, best = pca_headline(pca_acc)
    out.update(
        ncm_k=int(r.k),
        ncm_acc=pct(r.accuracy),
        best_rule=best.rule,
        best_k=int(best.k),
        best_acc=pct(best.accuracy),
    )
    return out


def _at(frame: pd.DataFrame, model: str, column: str, value) -> str:
    rows = frame[(frame.model == model) & (frame[column] == value)]
    return pct(rows.accuracy.iloc[0]) if len(rows) else "not run"


def edge_variables(*, scale, shift, border) -> dict:
    """Accuracy of each model at the extremes of the three sweeps."""
    out = {}
    for model in MODELS:
        out[model] = dict(
            size_small=_at(scale, model, "size", scale["size"].min()),
            size_20=_at(scale, model, "size", 20),
            size_28=_at(scale, model, "size", 28),
            shift_0=_at(shift[shift.axis == "x"], model, "shift", 0),
            shift_max=_at(shift[shift.axis == "x"], model, "shift", shift["shift"].max()),
            border_min=_at(border, model, "central_box", border.central_box.min()),
        )
    out.update(
        size_min=int(scale["size"].min()),
        shift_max=int(shift["shift"].max()),
        border_min=int(border.central_box.min()),
    )
    return out


def pca_markdown(pca_acc: pd.DataFrame | None) -> str:
    """Test accuracy of the PCA classifiers against the number of components."""
    if pca_acc is None:
        return "PCA was not run.\n"
    view = pca_acc.assign(
        accuracy=pca_acc.accuracy.map(pct),
        interval=[
            f"[{pct(a)}, {pct(b)}]" for a, b in zip(pca_acc.ci_low, pca_acc.ci_high, strict=True)
        ],
    )
    return markdown_table(
        view, dict(rule="rule", k="components k", accuracy="test accuracy", interval="95% interval")
    )


def drawn_markdown(drawn: pd.DataFrame | None) -> str:
    """Top-2 outputs per model for the drawn '2's and '9's (the post's three drawings)."""
    if drawn is None:
        return "The drawing experiments were not run.\n"
    picked = drawn[drawn.digit.isin([2, 9])].copy()
    picked["top2"] = [
        f"'{a}' {pct(p, 2)}, '{b}' {pct(q, 2)}"
        for a, p, b, q in zip(picked.top1, picked.p1, picked.top2, picked.p2, strict=True)
    ]
    wide = picked.pivot_table(
        index=["digit", "size", "style"], columns="model", values="top2", aggfunc="first"
    ).reset_index()
    models = [m for m in MODELS if m in wide.columns]
    return markdown_table(
        wide,
        dict(digit="drawn", size="size", style="style", **{m: f"{m}: top 2" for m in models}),
        widths=[4, 5, 4] + [16] * len(models),
    )


def edge_markdown(v: dict | None) -> str:
    """Accuracy at the ends of each sweep, per model, from :func:`edge_variables`."""
    if v is None:
        return "The drawing experiments were not run.\n"
    rows = [
        dict(
            model=m,
            **{
                k: v[m][k]
                for k in ("size_small", "size_20", "size_28", "shift_0", "shift_max", "border_min")
            },
        )
        for m in MODELS
        if v[m]["size_28"] != "not run"
    ]
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            size_small=f"size {v['size_min']} px",
            size_20="size 20 px (MNIST)",
            size_28="size 28 px (edges)",
            shift_0="no shift",
            shift_max=f"shift {v['shift_max']} px",
            border_min=f"noise outside central {v['border_min']} px",
        ),
    )


def fooling_markdown(runs: pd.DataFrame | None) -> str:
    """Per model and method: runs reaching the threshold (Wilson interval), evaluations."""
    if runs is None:
        return "No fooling searches were run.\n"
    from .stats import wilson_interval

    rows = []
    for (model, method), g in runs.groupby(["model", "method"], sort=False):
        k, n = int(g.converged.sum()), len(g)
        low, high = wilson_interval(k, n)
        done = g[g.converged]
        evals = (
            (
                f"{int(done.evaluations.median()):,} ({int(done.evaluations.quantile(0.25)):,}"
                f"–{int(done.evaluations.quantile(0.75)):,})"
            )
            if k
            else "—"
        )
        failed = sorted(set(g.target) - set(done.target))
        rows.append(
            dict(
                model=model,
                method=method,
                success=f"{k}/{n} ({pct(k / n, 0)})",
                interval=f"[{pct(low, 0)}, {pct(high, 0)}]",
                evals=evals,
                median=pct(g.confidence.median(), 2),
                never=", ".join(map(str, failed)) or "—",
            )
        )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            method="method",
            success="reached threshold",
            interval="95% interval",
            evals="evaluations to threshold: median (IQR)",
            median="median target output",
            never="digits never reached",
        ),
        widths=[5, 12, 8, 8, 14, 8, 8],
    )


def digit_success_markdown(runs: pd.DataFrame | None) -> str:
    """Per model and method (rows) and digit (columns): runs reaching the threshold, k/n, with
    the 95% Wilson interval in percent."""
    if runs is None:
        return "No fooling searches were run.\n"
    from .stats import wilson_interval

    rows = []
    for (model, method), g in runs.groupby(["model", "method"], sort=False):
        row = dict(model=model, method=method)
        for d in range(10):
            r = g[g.target == d]
            k, n = int(r.converged.sum()), len(r)
            low, high = wilson_interval(k, n)
            row[str(d)] = f"{k}/{n} [{100 * low:.0f}–{100 * high:.0f}]" if n else "—"
        rows.append(row)
    return markdown_table(
        pd.DataFrame(rows),
        dict(model="model", method="method", **{str(d): f"'{d}'" for d in range(10)}),
        widths=[5, 10] + [6] * 10,
    )


def budget_markdown(runs: pd.DataFrame | None) -> tuple[str, dict]:
    """The 90,000-evaluation target: per gradient-free method, evaluations to fool all ten
    digits; and report variables naming the best method on the CNN."""
    from .fooling import BUDGET, budget_table

    variables = dict(
        budget=f"{BUDGET:,}", best_method="none", best_total="—", best_share="0/0", met="not met"
    )
    if runs is None or "replicate" not in runs:
        return "No fooling searches were run.\n", variables
    t = budget_table(runs)
    if t.empty:
        return "No gradient-free method was run.\n", variables
    cnn = t[(t.model == "cnn") & np.isfinite(t.median_total)]
    if len(cnn):
        best = cnn.sort_values(["median_total", "within_budget"], ascending=[True, False]).iloc[0]
        variables.update(
            best_method=best.method,
            best_total=f"{best.median_total:,.0f}",
            best_share=f"{best.complete}/{best.replicates}",
            met="met" if best.median_total <= BUDGET else "not met",
        )
    view = t.assign(
        complete=[f"{c}/{r}" for c, r in zip(t.complete, t.replicates, strict=True)],
        median_total=t.median_total.map(lambda v: "—" if not np.isfinite(v) else f"{v:,.0f}"),
        within_budget=t.within_budget.map(pct),
    )
    return markdown_table(
        view,
        dict(
            model="model",
            method="method",
            complete="replicates with all ten digits at 99.99%",
            median_total="median evaluations for all ten",
            within_budget=f"replicates within {BUDGET:,}",
        ),
    ), variables


def likeness_markdown(likeness: pd.DataFrame | None) -> str:
    """Per model and method: how often the template reader reads the images as their digit,
    for how many digits the mean image reads as its digit, and the background level."""
    from .likeness import pooled

    if likeness is None:
        return "Likeness was not measured.\n"
    rows = []
    for (model, method), g in likeness.groupby(["model", "method"], sort=False):
        rows.append(
            dict(
                model=model,
                method=method,
                n=f"{int(g.n.sum()):,}",
                read=pct(pooled(g, "read_as_target"), 0),
                looks=pct(pooled(g, "looks_like_target"), 0),
                corr=f"{pooled(g, 'median_corr'):.2f}",
                means=f"{int((g.mean_image_rank == 1).sum())}/{len(g)}",
                background=f"{pooled(g, 'background'):.2f}",
            )
        )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="images of",
            method="method",
            n="images",
            read="best match is their digit",
            looks="look like their digit",
            corr="correlation with own template",
            means="digit means read as their digit",
            background="frame mean",
        ),
    )


def eleventh_markdown(
    eleventh: tuple[pd.DataFrame, pd.DataFrame] | None, runs: pd.DataFrame | None
) -> str:
    """N2: the retrained model's accuracy and catch rates, and the search before and after."""
    if eleventh is None:
        return "The 11th-class retraining was not run.\n"
    from .stats import wilson_interval

    summary, after = eleventh
    rows = [
        dict(measure=r.measure, value=f"{pct(r.value)} (n={r.n:,})") for r in summary.itertuples()
    ]
    model, method = after.model.iloc[0], after.method.iloc[0]
    before = runs_of(runs, model, method)
    for label, frame in (("before", before), ("after", after)):
        if frame is None:
            continue
        k, n = int(frame.converged.sum()), len(frame)
        low, high = wilson_interval(k, n)
        rows.append(
            dict(
                measure=f"{method} searches reaching the threshold, {label} retraining",
                value=f"{k}/{n} = {pct(k / n, 0)} [{pct(low, 0)}, {pct(high, 0)}]",
            )
        )
    return markdown_table(
        pd.DataFrame(rows), dict(measure=f"{model} with an 11th class", value="value")
    )


def transfer_markdown(transfer: Path | None) -> str:
    """Rows (method, made for); columns: each scoring model's mean target output (share > 0.5)."""
    if transfer is None:
        return "No transfer matrix was computed.\n"
    t = pd.read_csv(transfer)
    t["cell"] = [
        f"{pct(m)} ({pct(a, 0)})" for m, a in zip(t.mean_target_output, t.above_half, strict=True)
    ]
    wide = t.pivot_table(
        index=["method", "source"], columns="scorer", values="cell", aggfunc="first", sort=False
    ).reset_index()
    scorers = [m for m in MODELS if m in wide.columns]
    return markdown_table(
        wide, dict(method="method", source="made for", **{m: f"scored by {m}" for m in scorers})
    )


def speed_markdown(speed: Path | None) -> str:
    """The search benchmark: throughputs and their ratios, with the targets and whether met."""
    if speed is None:
        return "The search benchmark was not run.\n"
    t = pd.read_csv(speed).fillna("")
    t["per_second"] = t.per_second.map(lambda v: f"{v:,.0f}")
    t["ratio"] = t.ratio.map(lambda v: f"{v:.2f}")
    return markdown_table(
        t,
        dict(
            model="model",
            measure="measure",
            per_second="per second",
            ratio="ratio",
            target="target",
            met="met",
        ),
        widths=[5, 20, 8, 5, 12, 4],
    )


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


def write_report_inputs(
    *,
    out_dir: Path,
    config: dict,
    accuracy: Path,
    confidence: Path,
    benchmarks: list[Path],
    repo: Path,
    reliability: Path | None = None,
    bad_inputs: Path | None = None,
    pca_dir: Path | None = None,
    edge_dir: Path | None = None,
    fooling: list[Path] | None = None,
    transfer: Path | None = None,
    likeness: Path | None = None,
    eleventh: tuple[Path, Path] | None = None,
    speed: Path | None = None,
) -> None:
    """Write ``_variables.yml`` and ``tables/*.md`` for the report into ``out_dir``."""
    acc = pd.read_csv(accuracy)
    conf = pd.read_csv(confidence)
    pca_acc = eigen = drawn = border = scale = shift = None
    if pca_dir is not None:
        pca_acc = pd.read_csv(pca_dir / "accuracy.csv")
        eigen = pd.read_csv(pca_dir / "eigen_outputs.csv")
    if edge_dir is not None:
        drawn, border = pd.read_csv(edge_dir / "drawn.csv"), pd.read_csv(edge_dir / "border.csv")
        scale, shift = pd.read_csv(edge_dir / "scale.csv"), pd.read_csv(edge_dir / "shift.csv")
    runs = pd.concat([pd.read_csv(p) for p in fooling]) if fooling else None
    likeness_rows = pd.read_csv(likeness) if likeness is not None else None
    eleventh_runs = tuple(pd.read_csv(p) for p in eleventh) if eleventh else None
    claims = claims_table(
        accuracy=acc,
        confidence=conf,
        pca_accuracy=pca_acc,
        eigen=eigen,
        drawn=drawn,
        border=border,
        fooling=runs,
        likeness=likeness_rows,
        eleventh=eleventh_runs,
    )
    counts = claims["verdict"].value_counts()
    variables = dict(
        profile=config["profile"],
        seed=config["seed"],
        n_train=f"{config['data']['n_train']:,}" if config["data"]["n_train"] else "50,000",
        n_noise=f"{config['confidence']['n_noise']:,}",
        n_edge=f"{config['edge']['n_images']:,}",
        runs_per_digit=config["fooling"]["runs_per_digit"],
        git_commit=git_commit(repo),
        accuracy=accuracy_variables(acc),
        confidence=confidence_variables(conf),
        claims={
            k.replace(" ", "_"): int(counts.get(k, 0))
            for k in ("reproduced", "partly", "not reproduced", "not yet measured")
        },
    )
    if pca_dir is not None:
        variables["pca"] = pca_variables(pca_dir, pca_acc)
    if edge_dir is not None:
        variables["edge"] = edge_variables(scale=scale, shift=shift, border=border)
    budget_md, variables["budget"] = budget_markdown(runs)
    write_text(
        out_dir / "_variables.yml", yaml.safe_dump(variables, sort_keys=True, allow_unicode=True)
    )
    acc_view = acc.assign(
        accuracy=acc.accuracy.map(lambda x: pct(x, 2)),
        interval=[
            f"[{pct(a, 2)}, {pct(b, 2)}]" for a, b in zip(acc.ci_low, acc.ci_high, strict=True)
        ],
        n=acc.n.map("{:,}".format),
    )
    tables = {
        "accuracy.md": markdown_table(
            acc_view,
            dict(
                model="model",
                split="split",
                n="images",
                accuracy="accuracy",
                interval="95% interval",
            ),
        ),
        "confidence.md": markdown_table(
            conf.assign(
                above_06=conf.above_06.map(pct),
                above_09=conf.above_09.map(pct),
                median=conf["median"].map("{:.3f}".format),
                n=conf.n.map("{:,}".format),
            ),
            dict(
                model="model",
                source="images",
                n="n",
                median="median max output",
                above_06="max > 0.6",
                above_09="max > 0.9",
            ),
        ),
        "claims.md": markdown_table(
            claims,
            dict(
                id="id",
                source="source",
                claim="claim",
                seed_value="seed's value",
                measured="measured",
                criterion="criterion",
                verdict="verdict",
            ),
            widths=[4, 9, 30, 12, 24, 14, 11],
        ),
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
        "pca.md": pca_markdown(pca_acc),
        "drawn.md": drawn_markdown(drawn),
        "edge.md": edge_markdown(variables.get("edge")),
        "fooling.md": fooling_markdown(runs),
        "transfer.md": transfer_markdown(transfer),
        "fooling_digits.md": digit_success_markdown(runs),
        "budget.md": budget_md,
        "likeness.md": likeness_markdown(likeness_rows),
        "eleventh.md": eleventh_markdown(eleventh_runs, runs),
        "search_speed.md": speed_markdown(speed),
    }
    for name, text in tables.items():
        write_text(out_dir / "tables" / name, text)
