"""The fooling stage's part of the report: tables, variables and claims from its CSVs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...claims import claim_row, nguyen, seed000, seed003
from ...claims.common import FOOLED, pct, rate, replicates, verdict_span
from ...claims.seed000.fooling import convergence_times
from ...core.io import listed
from ...core.stats import wilson_interval
from ...core.tables import markdown_table
from ...search.registry import BY_NAME, METHODS, NAMES, assumption_rows
from .runs import read_arrays, read_sweeps, read_tables
from .stall import STALL_WINDOW, late_gain

# How each method sees the network, and whose it is.
REFERENCES = (
    ("pyribs' fooling tutorial (CMA-ME)", "900,000 evaluations, no class at 99.99%"),
    ("Nguyen et al. (2015), MAP-Elites", "≈10,000 (all ten digits in < 50 generations of 200)"),
)


def replicate_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The replicate runs (not the genetic driver's extra '2's)."""
    return runs[~runs.extra.astype(bool)]


def _median_iqr(values: pd.Series) -> str:
    if values.empty:
        return "—"
    q1, q2, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return f"{q2:,.0f} ({q1:,.0f}–{q3:,.0f})"


def methods_markdown(runs: pd.DataFrame) -> str:
    """Per model and method: runs meeting their stop rule, runs above 99.99%, evaluations."""
    rows = []
    for (model, method), g in replicate_runs(runs).groupby(["model", "method"], sort=False):
        k, n = int(g.converged.sum()), len(g)
        fooled = int((g.confidence > FOOLED).sum())
        rows.append(
            dict(
                model=model,
                method=method,
                stop=rate(k, n),
                fooled=rate(fooled, n),
                evals=_median_iqr(g.evaluations[g.converged]),
                median=pct(g.confidence.median(), 2),
                never=", ".join(map(str, sorted(set(g.target) - set(g.target[g.converged]))))
                or "—",
            )
        )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="model",
            method="method",
            stop="met its stop rule",
            fooled="target output > 99.99%",
            evals="evaluations to stop: median (IQR)",
            median="median target output",
            never="digits never stopped",
        ),
        widths=[5, 12, 12, 12, 12, 7, 7],
    )


def digits_markdown(runs: pd.DataFrame) -> str:
    """Per model and method (rows) and digit (columns): runs meeting the stop rule, k/n, with
    the 95% Wilson interval in percent."""
    rows = []
    for (model, method), g in replicate_runs(runs).groupby(["model", "method"], sort=False):
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


def times_markdown(runs: pd.DataFrame) -> str:
    """C8's evidence: Kaplan–Meier median generations to converge per digit (MLP, genetic)."""
    reps = replicates(runs, "mlp", "genetic")
    if reps is None:
        return "The genetic algorithm did not run on the MLP.\n"
    km = convergence_times(reps).reset_index()

    def fmt(v) -> str:
        return "not reached" if not np.isfinite(v) else f"{v:,.0f}"

    def ci(lo, hi, median) -> str:
        if not np.isfinite(median):
            return "—"  # no median, so no interval for it
        return f"[{fmt(lo)}, {'∞' if not np.isfinite(hi) else fmt(hi)}]"

    view = km.assign(
        converged=[f"{e}/{n}" for e, n in zip(km.events, km.n, strict=True)],
        ci=[ci(lo, hi, m) for lo, hi, m in zip(km.low, km.high, km["median"], strict=True)],
        median=km["median"].map(fmt),
    )
    return markdown_table(
        view,
        dict(
            digit="digit",
            converged="converged runs",
            median="median generations",
            ci="95% interval",
        ),
    )


def budget_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Evaluations to fool all ten digits at 99.99%, per model, method and replicate.

    A replicate is the k-th run of every digit; its total is the sum over its ten runs (their
    maximum where runs share evaluations, as in MAP-Elites); it is complete when all ten runs
    returned an image above 99.99% (hill climbing stops at 0.99, so it rarely is).
    """
    reps = replicate_runs(runs)
    rows = []
    for (model, method), g in reps.groupby(["model", "method"], sort=False):
        shared = bool(g.shared_evaluations.iloc[0])
        per = (
            g.assign(fooled=g.confidence > FOOLED)
            .groupby("replicate")
            .agg(
                digits=("target", "nunique"),
                complete=("fooled", "all"),
                total=("evaluations", "max" if shared else "sum"),
            )
        )
        per = per[per.digits == 10]
        if per.empty:
            continue
        done = per.total[per.complete]
        entry = BY_NAME.get(method)
        kind, source = (entry.kind, entry.source) if entry else ("", "")
        rows.append(
            dict(
                model=model,
                method=method,
                kind=kind,
                source=source,
                replicates=len(per),
                complete=int(per.complete.sum()),
                median=float(np.median(np.where(per.complete, per.total, np.inf))),
                done_median=float(done.median()) if len(done) else np.inf,
                q1=float(done.quantile(0.25)) if len(done) else np.inf,
                q3=float(done.quantile(0.75)) if len(done) else np.inf,
            )
        )
    return pd.DataFrame(rows)


def budget_markdown(table: pd.DataFrame) -> str:
    """The table that answers "how easily fooled": one row per method (white- and black-box
    side by side), one column per model: the median (IQR) evaluations for all ten digits over
    the complete replicates, and the share of complete replicates with its interval."""
    if table.empty:
        return "No method was run on all ten digits.\n"

    def fmt(v) -> str:
        return "—" if not np.isfinite(v) else f"{v:,.0f}"

    def cell(r) -> str:
        evals = (
            "—"
            if not np.isfinite(r.done_median)
            else (f"{fmt(r.done_median)} ({fmt(r.q1)}–{fmt(r.q3)})")
        )
        return f"{evals}; {rate(int(r.complete), int(r.replicates))}"

    t = table.assign(cell=[cell(r) for r in table.itertuples()])
    models = [m for m in ("softmax", "mlp", "cnn") if m in set(t.model)]
    wide = t.pivot_table(
        index=["kind", "method", "source"], columns="model", values="cell", aggfunc="first"
    ).reset_index()
    order = {m: i for i, m in enumerate(NAMES)}
    wide = wide.sort_values(
        ["kind", "method"], key=lambda c: c.map(order) if c.name == "method" else c
    )
    text = markdown_table(
        wide.fillna("not run"),
        dict(kind="access", method="method", source="whose", **{m: m for m in models}),
        widths=[6, 11, 10] + [16] * len(models),
    )
    refs = pd.DataFrame([dict(ref=r, value=v) for r, v in REFERENCES])
    return text + "\n" + markdown_table(refs, dict(ref="reference", value="evaluations"))


def likeness_markdown(likeness: pd.DataFrame, calibration: pd.DataFrame) -> str:
    """Per model and method: images that look like their digit to each reader, the k-NN share
    against pure noise (one-sided Fisher p), its equivalent blend strength, the frame."""
    from scipy.stats import fisher_exact

    from .reader import equivalent_strength

    noise = likeness[(likeness.model == "reference") & (likeness.method == "uniform noise")]
    k0, n0 = int(noise.knn_looks.sum()), int(noise.n.sum())
    curve = calibration[calibration.reader == "k-NN"]
    rows = []
    for (model, method), g in likeness.groupby(["model", "method"], sort=False):
        k, n = int(g.knn_looks.sum()), int(g.n.sum())
        p = fisher_exact([[k, n - k], [k0, n0 - k0]], alternative="greater")[1]
        s = equivalent_strength(curve, k / n)
        rows.append(
            dict(
                model=model,
                method=method,
                knn=rate(k, n),
                p="—" if model == "reference" else f"{p:.2g}",
                s="0" if s == 0 else ">1" if np.isinf(s) else f"{s:.2f}",
                looks=rate(int(g.looks.sum()), n),
                frame=f"{(g.background * g.n).sum() / n:.2f} ± "
                f"{(g.background_std * g.n).sum() / n:.2f}",
            )
        )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="images of",
            method="method",
            knn="look like their digit (k-NN)",
            p="Fisher p vs noise",
            s="as alike as blends at s",
            looks="look like their digit (template)",
            frame="frame mean ± within-image std",
        ),
    )


def calibration_markdown(calibration: pd.DataFrame) -> str:
    """Every reader's share of blends that look like their digit, one row per strength s."""
    view = calibration.assign(
        cell=[rate(int(k), int(n)) for k, n in zip(calibration.k, calibration.n, strict=True)]
    )
    wide = view.pivot(index="s", columns="reader", values="cell").reset_index()
    wide["s"] = wide.s.map("{:.2f}".format)
    readers = list(dict.fromkeys(calibration.reader))
    return markdown_table(wide, dict(s="blend strength s", **{r: f"{r} reader" for r in readers}))


REPORT_STRENGTHS = (0.0, 0.2, 0.3, 0.5, 1.0)  # the blends the readers' table shows
NOT_MEASURED = "Not measured in this run.\n"


def reader_setting(row) -> str:
    """A reader's name in the report: ``'k-NN: blur 1, correlation'`` or ``'template'``."""
    if row.similarity == "template":
        return "template"
    return f"k-NN: blur {row.blur:g}, {row.similarity}"


def _share_cell(k: int, n: int, low: float, high: float) -> str:
    """``'3.9% [2.9–5.3]'``: a share with its 95% interval (percent)."""
    return f"{pct(k / n if n else 0.0, 1)} [{100 * low:.1f}–{100 * high:.1f}]"


def readers_markdown(
    readers: pd.DataFrame, calibration: pd.DataFrame, specificity: pd.DataFrame
) -> str:
    """One column per reader (the chosen k-NN reader first, the template last), one row per
    measure: its floor (95% interval; the family that sets it), the share of blends that look
    like their digit at each of :data:`REPORT_STRENGTHS` measured, the share of each family of
    negatives called a digit (Wilson intervals), and whether it is specific, fit and chosen."""
    from ...claims.panel import FIT_AT, FIT_SHARE, SPECIFIC_SHARE

    order = readers.assign(
        rank=np.where(readers.chosen.astype(bool), 0, np.where(readers.reader == "template", 2, 1))
    ).sort_values("rank", kind="stable")
    names = list(order.reader)
    rows = [
        dict(
            measure="floor [95%]; set by",
            **{
                r.reader: f"{r.floor:.3f} [{r.floor_low:.3f}, {r.floor_high:.3f}]; {r.floor_family}"
                for r in order.itertuples()
            },
        )
    ]
    for s in [s for s in REPORT_STRENGTHS if s in set(calibration.s)]:
        at = calibration[calibration.s == s].set_index("reader")
        rows.append(
            dict(
                measure=f"blends at s = {s:g} (n = {int(at.n.iloc[0]):,}) that look like "
                "their digit",
                **{n: _share_cell(at.k[n], at.n[n], at.low[n], at.high[n]) for n in names},
            )
        )
    for family, g in specificity.groupby("family", sort=False):
        g = g.set_index("reader")
        rows.append(
            dict(
                measure=f"{family} (n = {int(g.n.iloc[0]):,}) called a digit",
                **{n: _share_cell(g.k[n], g.n[n], g.low[n], g.high[n]) for n in names},
            )
        )
    rows += [
        dict(
            measure=f"specific: every family ≤ {pct(SPECIFIC_SHARE, 0)}",
            **{r.reader: "yes" if r.specific else "no" for r in order.itertuples()},
        ),
        dict(
            measure=f"fit: specific and ≥ {pct(FIT_SHARE, 0)} at s = {FIT_AT:g}",
            **{r.reader: "**fit**" if r.fit else "unfit" for r in order.itertuples()},
        ),
        dict(
            measure="the k-NN reader used",
            **{r.reader: "**chosen**" if r.chosen else "" for r in order.itertuples()},
        ),
    ]
    headers = dict(measure="", **{r.reader: reader_setting(r) for r in order.itertuples()})
    return markdown_table(pd.DataFrame(rows), headers, widths=[10] + [6] * len(names))


def shuffled_markdown(likeness: pd.DataFrame) -> str:
    """Per model and method (references first): images that look like their own digit to the
    chosen k-NN reader against those that look like another digit drawn at random, with the
    one-sided Fisher p that own > other (the shuffled-target control)."""
    from scipy.stats import fisher_exact

    if "knn_shuffled" not in likeness:
        return NOT_MEASURED
    rows = []
    for (model, method), g in likeness.groupby(["model", "method"], sort=False):
        own, other, n = int(g.knn_looks.sum()), int(g.knn_shuffled.sum()), int(g.n.sum())
        p = fisher_exact([[own, n - own], [other, n - other]], alternative="greater")[1]
        rows.append(
            dict(
                model=model,
                method=method,
                n=f"{n:,}",
                own=rate(own, n),
                other=rate(other, n),
                p=f"{p:.2g}",
            )
        )
    return markdown_table(
        pd.DataFrame(rows),
        dict(
            model="images of",
            method="method",
            n="images",
            own="look like their own digit",
            other="look like a random other digit",
            p="Fisher p (own > other)",
        ),
        widths=[6, 10, 5, 14, 14, 6],
    )


def reader_variables(
    calibration: pd.DataFrame,
    readers: pd.DataFrame | None = None,
    specificity: pd.DataFrame | None = None,
) -> dict:
    """Which readers are fit, their floors and the shares at s = 0, 0.2, 0.3 and 1; with the
    ``readers`` and ``specificity`` tables also the chosen k-NN reader's setting, sensitivity and
    worst family of negatives, the template's, and the negatives measured ("—" without)."""
    from ...claims.panel import CHANCE_SHARE, FIT_AT, FIT_SHARE, SPECIFIC_SHARE, fit_readers

    fit = fit_readers(calibration)
    if readers is not None:
        fit = {
            reader_setting(r) + (" (chosen)" if r.chosen else ""): bool(r.fit)
            for r in readers.itertuples()
        }
    out = dict(
        fit=", ".join(r for r, ok in fit.items() if ok) or "none",
        unfit=", ".join(r for r, ok in fit.items() if not ok) or "none",
        fit_share=pct(FIT_SHARE, 0),
        fit_at=f"{FIT_AT:.1f}",
        chance=pct(CHANCE_SHARE, 0),
        specific_share=pct(SPECIFIC_SHARE, 0),
        knn_floor=f"{calibration.knn_floor.iloc[0]:.2f}",
        template_floor=f"{calibration.template_floor.iloc[0]:.2f}",
    )
    for reader, key in (("k-NN", "knn"), ("template", "template")):
        share = calibration[calibration.reader == reader].set_index("s").share
        for s in (0.0, 0.2, 0.3, 0.5, 1.0):
            out[f"{key}_{int(round(s * 10)):02d}"] = pct(share.get(s, np.nan), 0, missing="—")
    return dict(out, **_fitness_variables(readers, specificity))


def _fitness_variables(readers: pd.DataFrame | None, specificity: pd.DataFrame | None) -> dict:
    """The chosen k-NN reader's and the template's sensitivity and specificity in words."""
    keys = ["blur", "similarity", "knn_floor_family", "n_readers", "n_specific", "n_fit",
            "families", "n_families", "n_negatives"]  # fmt: skip
    for who in ("knn", "template"):
        keys += [f"{who}_{k}" for k in ("fitness", "sensitivity", "worst", "worst_share")]
    if readers is None or specificity is None:
        return dict.fromkeys(keys, "—")
    knn = readers[readers.reader != "template"]
    chosen = knn[knn.chosen.astype(bool)].iloc[0]
    out = dict(
        blur=f"{chosen.blur:g}",
        similarity=str(chosen.similarity),
        knn_floor_family=str(chosen.floor_family),
        n_readers=str(len(knn)),
        n_specific=str(int(knn.specific.astype(bool).sum())),
        n_fit=str(int(knn.fit.astype(bool).sum())),
        families=", ".join(dict.fromkeys(specificity.family)),
        n_families=str(specificity.family.nunique()),
        n_negatives=f"{int(specificity.n.iloc[0]):,}",
    )
    template = readers[readers.reader == "template"]
    for who, r in (("knn", chosen), ("template", template.iloc[0] if len(template) else None)):
        if r is None:
            out.update(
                {f"{who}_{k}": "—" for k in ("fitness", "sensitivity", "worst", "worst_share")}
            )
            continue
        out.update(
            {
                f"{who}_fitness": "fit" if bool(r.fit) else "unfit",
                f"{who}_sensitivity": f"{pct(r.sensitivity, 1)} "
                f"[{pct(r.sensitivity_low, 1)}, {pct(r.sensitivity_high, 1)}]",
                f"{who}_worst": str(r.worst_family),
                f"{who}_worst_share": f"{pct(r.worst_share, 1)} "
                f"[{pct(r.worst_low, 1)}, {pct(r.worst_high, 1)}]",
            }
        )
    return out


def similarity_variables(similarity: pd.DataFrame) -> dict:
    """D6's yardsticks from the similarity table's reference rows: real test digits' own
    within- minus between-digit gap, and that of their blends into noise (the minimum)."""
    ref = similarity[similarity.model == "reference"].set_index("method")
    blends = [m for m in ref.index if str(m).startswith("blends")]
    if "test digits" not in ref.index or not blends:
        return dict(real_gap="—", min_gap="—", min_strength="—")
    return dict(
        real_gap=f"{ref.loc['test digits', 'gap']:.3f}",
        min_gap=f"{ref.loc[blends[0], 'gap']:.3f}",
        min_strength=str(blends[0]).split("=")[-1],
    )


def transfer_markdown(transfer: pd.DataFrame) -> str:
    """Rows (method, made for); columns: each scoring model's mean target output (share > 0.5)."""
    t = transfer.assign(
        cell=[
            f"{pct(m)} ({pct(a, 0)})"
            for m, a in zip(transfer.mean_target_output, transfer.above_half, strict=True)
        ]
    )
    wide = t.pivot_table(
        index=["method", "source"], columns="scorer", values="cell", aggfunc="first", sort=False
    ).reset_index()
    scorers = [m for m in ("softmax", "mlp", "cnn") if m in wide.columns]
    return markdown_table(
        wide, dict(method="method", source="made for", **{m: f"scored by {m}" for m in scorers})
    )


def methods_list(methods: dict) -> str:
    """The report's list of the configured methods: each one's name and summary."""
    return "".join(f"- **{s.name}** {s.summary}\n" for s in METHODS if s.name in methods)


def assumptions(config: dict) -> pd.DataFrame:
    """Every choice a source leaves open, with the value this run used (from the config):
    each method's rows of its registry entry."""
    fooling = config["fooling"]
    rows = assumption_rows(fooling["methods"], fooling)
    return pd.DataFrame(rows, columns=["method", "choice", "source", "ours"])


def with_late_gain(hill: pd.DataFrame | None, paths: list[Path]) -> pd.DataFrame | None:
    """The hill-climbing runs with ``late_gain`` and ``late_window`` (:func:`.stall.late_gain`)
    from the convergence curves of their run file (``paths``: the CNN's hillclimb.npz, or
    none: the runs as they are, and D7 not measured)."""
    if hill is None or not paths:
        return hill
    fields = ("curve", "curve_evaluations", "evaluations", "steps")
    arrays = read_arrays(paths[0], fields)
    gain = late_gain(
        arrays["curve"], arrays["curve_evaluations"], arrays["evaluations"], arrays["steps"]
    )
    if len(gain) < len(hill):
        raise ValueError(f"{paths[0]}: {len(gain)} curves for {len(hill)} hill-climbing runs")
    rows = hill["run"].to_numpy() if "run" in hill else np.arange(len(hill))
    return hill.assign(late_gain=gain[rows], late_window=STALL_WINDOW)


def hill_sensitivity(
    sweep: pd.DataFrame, main: pd.DataFrame | None = None, setting: dict | None = None
) -> pd.DataFrame:
    """D5, D7 and D8 at every point of the hill-climbing sweep, after those of the main runs
    (``main``, at the configured ``setting`` {density, amplitude}) when given."""
    groups = [(point, g, f"{len(g)}") for point, g in seed003.settings(sweep)]
    if main is not None and setting is not None:
        groups.insert(0, (setting, main, f"{len(main)} (main runs)"))
    rows = []
    for point, g, n in groups:
        row = dict(density=point["density"], amplitude=point["amplitude"], n=n)
        for cid, fn in (("D5", seed003.d5), ("D7", seed003.d7), ("D8", seed003.d8)):
            got = fn(g)
            row[cid] = (
                "—"
                if got is None
                else f"{got['value']} {verdict_span(got['verdict'], got['between'])}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def tradeoff_table(sweep: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per sweep value: runs reaching 99.99%, and images that look like their digit."""
    rows = []
    for value, g in sweep.groupby(key, sort=True):
        k, n = int(g.converged.sum()), len(g)
        looks = int(g.looks.sum())
        rows.append(
            {
                key: value,
                "fooled": rate(k, n),
                "looks": rate(looks, n),
                "corr": f"{g.own_corr.median():.2f}",
                "steps": f"{g.steps.median():.0f}",
            }
        )
    return pd.DataFrame(rows)


def variogram_markdown(variogram: pd.DataFrame) -> str:
    """C15 at a few lags: the published terms, the true statistics, each variant's images."""
    lags = [1, 2, 4, 7, 10, 14]
    v = variogram[variogram.lag.isin(lags)]
    wide = v.pivot_table(index=["direction", "lag"], columns="measure", values="value")
    wide = wide.reset_index()
    cols = [c for c in wide.columns if c not in ("direction", "lag")]
    for c in cols:
        wide[c] = wide[c].map("{:.3f}".format)
    return markdown_table(wide, dict(direction="direction", lag="lag", **{c: c for c in cols}))


def _other_outputs(paths: list[Path]) -> tuple[str, str]:
    """The smallest sum of the nine non-target outputs among the MLP's genetic images (``paths``:
    its run file, or none), and whether that puts the cost of a 99.99% probability vector
    (2e-4) out of reach."""
    if not paths:
        return "not run", "cannot be judged here"
    found = read_arrays(paths[0], ("outputs", "target"))
    out, target = found["outputs"], found["target"]
    rest = out.sum(axis=1) - out[np.arange(len(target)), target]
    reach = "is out of reach" if rest.min() > 2e-4 else "can be reached"
    return f"{rest.min():.1e}", reach


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The fooling sections of the report and claims C4–C9, C14, C15, D5–D8, N1."""
    from ...claims.panel import judges

    runs = read_tables(listed(inputs, "runs"))
    likeness = pd.read_csv(inputs["likeness"])
    calibration = pd.read_csv(inputs["calibration"])
    similarity = pd.read_csv(inputs["similarity"])
    readers, specificity = (
        pd.read_csv(inputs[k]) if inputs.get(k) else None
        for k in ("likeness_readers", "likeness_specificity")
    )  # a run before the readers were chosen by specificity has neither
    transfer = pd.read_csv(inputs["transfer"])
    vario_paths = listed(inputs, "variogram")
    variogram = pd.read_csv(vario_paths[0]) if vario_paths else None
    sweeps = read_sweeps(listed(inputs, "sweeps"))
    hill = with_late_gain(seed003.hill(runs), listed(inputs, "hill_curves"))
    hill_sweep = sweeps.get("hillclimb")
    by = judges(inputs)  # the human panel, or the automated reader and its fitness
    claims = [
        claim_row("C4", seed000.c4(runs)),
        claim_row("C5", seed000.c5(likeness, calibration, **by)),
        claim_row("C6", seed000.c6(runs)),
        claim_row("C7", seed000.c7(likeness, calibration, **by)),
        claim_row("C8", seed000.c8(runs)),
        claim_row("C9", seed000.c9(likeness, calibration, **by)),
        claim_row("C14", seed000.c14(likeness, calibration, **by)),
        claim_row("C15", seed000.c15(variogram)),
        claim_row("D5", seed003.d5(hill)),
        claim_row("D6", seed003.d6(likeness, similarity, **by)),
        claim_row("D7", seed003.d7(hill, hill_sweep)),
        claim_row("D8", seed003.d8(hill, hill_sweep)),
        claim_row("N1", nguyen.n1(runs)),
    ]
    budget = budget_table(runs)
    tables = dict(
        methods_list=methods_list(config["fooling"]["methods"]),
        methods=methods_markdown(runs),
        digits=digits_markdown(runs),
        times=times_markdown(runs),
        budget=budget_markdown(budget),
        likeness=likeness_markdown(likeness, calibration),
        calibration=calibration_markdown(calibration),
        readers=NOT_MEASURED
        if readers is None or specificity is None
        else readers_markdown(readers, calibration, specificity),
        shuffled=shuffled_markdown(likeness),
        transfer=transfer_markdown(transfer),
        assumptions=markdown_table(
            assumptions(config),
            dict(method="method", choice="choice", source="the source", ours="this run"),
            widths=[8, 12, 14, 20],
        ),
    )
    not_run = "Not configured in this profile.\n"
    tables.update(variogram=not_run, hill_sensitivity=not_run, tradeoff=not_run)
    if variogram is not None:
        tables["variogram"] = variogram_markdown(variogram)
    if hill_sweep is not None:
        params = config["fooling"]["methods"].get("hillclimb", {})
        setting = {k: params.get(k) for k in ("density", "amplitude")}
        s = hill_sensitivity(hill_sweep, hill, setting if None not in setting.values() else None)
        tables["hill_sensitivity"] = markdown_table(
            s,
            dict(density="density", amplitude="amplitude", n="runs", D5="D5", D7="D7", D8="D8"),
            widths=[6, 6, 8, 14, 14, 20],
        )
    if "gradient_prior" in sweeps:
        key = [c for c in sweeps["gradient_prior"].columns if c not in SWEEP_COLUMNS][0]
        tables["tradeoff"] = markdown_table(
            tradeoff_table(sweeps["gradient_prior"], key),
            {
                key: key,
                "fooled": "reached 99.99%",
                "looks": "look like their digit",
                "corr": "median correlation with own template",
                "steps": "median steps",
            },
        )
    return dict(
        variables=dict(
            fooling_variables(runs, budget, config, listed(inputs, "mlp_genetic")),
            reader=dict(
                reader_variables(calibration, readers, specificity),
                **{
                    k: "all" if v is None else f"{v:,}" if isinstance(v, int) else v
                    for k, v in config["likeness"]["knn"].items()
                },
                n_calibration=f"{config['likeness']['n_calibration']:,}",
                **similarity_variables(similarity),
            ),
            stall=dict(window=str(STALL_WINDOW), gain=f"{seed003.STALL_GAIN:g}"),
        ),
        tables=tables,
        claims=[c for c in claims if c],
    )


SWEEP_COLUMNS = {
    "model",
    "method",
    "target",
    "confidence",
    "outcome",
    "converged",
    "steps",
    "evaluations",
    "late_gain",
    "late_window",
    "own_corr",
    "looks",
}


def _twos_attempts(runs: pd.DataFrame) -> str:
    """Per model and method with extra '2's: converged/wanted and the calls they took."""
    extra = runs[runs.extra.astype(bool)]
    parts = [
        f"{model} {method}: {int(g.converged.astype(bool).sum()):,}/{len(g):,} converged in "
        f"{int(g.attempts.sum()):,} calls"
        for (model, method), g in extra.groupby(["model", "method"])
    ]
    return "; ".join(parts) or "no extra '2's in this run"


def fooling_variables(runs: pd.DataFrame, budget: pd.DataFrame, config: dict, mlp_genetic):
    """Numbers the fooling sections quote (``mlp_genetic``: the MLP's genetic run file, if run)."""
    reps = replicate_runs(runs)
    counts = reps.groupby(["model", "method"]).size() // 10
    extra = runs[runs.extra.astype(bool)].groupby(["model", "method"]).size()
    other, reach = _other_outputs(mlp_genetic)  # the MLP's genetic file, read once
    out = dict(
        runs={
            m: {meth: int(c) for (mm, meth), c in counts.items() if mm == m}
            for m in counts.index.get_level_values(0).unique()
        },
        extra_twos={f"{m}_{meth}": int(c) for (m, meth), c in extra.items()},
        twos_attempts=_twos_attempts(runs),
        total_runs=f"{len(runs):,}",
        genetic_tol=str(config["fooling"]["methods"].get("genetic", {}).get("tol", "not run")),
        other_outputs=other,
        other_outputs_reach=reach,
    )
    cnn = budget[(budget.model == "cnn") & np.isfinite(budget["median"])] if len(budget) else budget
    if len(cnn):
        best = cnn.sort_values("median").iloc[0]
        out.update(
            best_method=best.method,
            best_kind=best.kind,
            best_median=f"{best['median']:,.0f}",
            best_share=f"{best.complete}/{best.replicates}",
        )
        black = cnn[cnn.kind == "black-box"].sort_values("median")
        if len(black):
            b = black.iloc[0]
            out.update(
                best_black=b.method,
                best_black_median=f"{b['median']:,.0f}",
                best_black_share=f"{b.complete}/{b.replicates}",
            )
    else:
        out.update(
            best_method="none",
            best_kind="—",
            best_median="—",
            best_share="0/0",
            best_black="none",
            best_black_median="—",
            best_black_share="0/0",
        )
    for key in ("best_black", "best_black_median", "best_black_share"):
        out.setdefault(key, "none" if key == "best_black" else "—")
    return out
