"""The report's computed variables of the detectors section: judgements and settings as text."""

from __future__ import annotations

import pandas as pd

from ...claims.common import pct
from .config import NOISE_SET, TPR, DetectorConfig
from .labels import LABELS, MODEL_LABELS, cell, model_order, number
from .verdict import HOLD_BAR, IN_SAMPLE, best_and_worst, mean_auroc

HG_MNIST_AUROC = 0.979  # Hendrycks & Gimpel (2017), MNIST: max softmax vs uniform noise
COLLAPSE_BAR = 0.75  # a detector collapses when its AUROC against adaptive images is below this


def _listing(items: list[str], empty: str) -> str:
    if not items:
        return empty
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _on(model: str, detector: str) -> str:
    note = " (in-sample)" if detector in IN_SAMPLE else ""
    return f"{LABELS.get(detector, detector)} on the {MODEL_LABELS.get(model, model)}{note}"


def _hg_relation(row) -> str:
    if row.auroc_low > HG_MNIST_AUROC:
        return "above the reference"
    if row.auroc_high < HG_MNIST_AUROC:
        return "below the reference"
    return "consistent with the reference"


def judgements(auroc: pd.DataFrame) -> dict[str, str]:
    """The section's computed judgements: best/worst, holding and collapsing detectors."""
    means = mean_auroc(auroc)
    models = model_order(auroc)
    best, worst = [], []
    for model in models:
        b, w = best_and_worst(auroc, model)
        mean = means[means.model == model].set_index("detector")["mean"]
        best.append(f"{_on(model, b)} (mean AUROC {number(mean[b])})")
        worst.append(f"{_on(model, w)} ({number(mean[w])})")
    holds = means[means["low"] >= HOLD_BAR]
    holds_attack = means[means["attack_low"] >= HOLD_BAR]
    collapsed = holds[holds.attack_auroc < COLLAPSE_BAR]
    inverted = means[means["mean"] < 0.5]
    noise = auroc[(auroc.set == NOISE_SET) & (auroc.detector == "max_output")]
    noise = noise.set_index("model").reindex(models).dropna(subset=["auroc"])
    return dict(
        best_list=_listing(best, "none"),
        worst_list=_listing(worst, "none"),
        holding=_listing([_on(r.model, r.detector) for r in holds.itertuples()], "none"),
        holding_attack=_listing(
            [_on(r.model, r.detector) for r in holds_attack.itertuples()], "none"
        ),
        collapsed=_listing([_on(r.model, r.detector) for r in collapsed.itertuples()], "none"),
        inverted=_listing([_on(r.model, r.detector) for r in inverted.itertuples()], "none"),
        msp_noise=_listing(
            [
                f"{cell(r, 'auroc')} on the {MODEL_LABELS.get(m, m)} ({_hg_relation(r)})"
                for m, r in noise.iterrows()
            ],
            "not measured",
        ),
    )


def attack_judgements(adaptive: pd.DataFrame) -> dict[str, str]:
    """Success shares of the adaptive attack and its price in evaluations, summarised."""
    if adaptive.empty:
        return dict(success_range="not measured", plain_range="not measured", price="—")
    share = adaptive.adaptive_success / adaptive.runs
    plain = adaptive.plain_passes / adaptive.runs
    per_plain = adaptive.plain_evaluations / adaptive.plain_reached.where(
        adaptive.plain_reached > 0
    )
    per_adaptive = adaptive.adaptive_evaluations / adaptive.adaptive_success.where(
        adaptive.adaptive_success > 0
    )
    ratio = (per_adaptive / per_plain).dropna()
    lo, hi = share.idxmin(), share.idxmax()

    def where(i) -> str:
        return _on(adaptive.model[i], adaptive.detector[i])

    price = (
        f"{ratio.median():.1f} times (the median over {len(ratio)} model–detector pairs; from "
        f"{ratio.min():.1f} to {ratio.max():.1f} times)"
        if len(ratio)
        else "an unknown number of times (no run of one of the attacks succeeded)"
    )
    return dict(
        success_range=(
            f"from {pct(share[lo], missing='—')} ({where(lo)}) "
            f"to {pct(share[hi], missing='—')} ({where(hi)})"
        ),
        plain_range=f"from {pct(plain.min(), missing='—')} to {pct(plain.max(), missing='—')}",
        price=price,
    )


def config_variables(cfg: DetectorConfig, auroc: pd.DataFrame) -> dict[str, str]:
    """The settings the section cites: bars, sample sizes and the attack's parameters."""
    a = cfg.adaptive
    with_eleventh = auroc[auroc.detector == "eleventh"].model
    n_runs = 10 * a.runs_per_digit
    return dict(
        hg_auroc=f"{HG_MNIST_AUROC:.3f}",
        hold_bar=f"{HOLD_BAR:.2f}",
        tpr=f"{100 * TPR:g}%",
        collapse_bar=f"{COLLAPSE_BAR:.2f}",
        n_negatives=f"{int(auroc.n_negatives.max()) if len(auroc) else cfg.n_negatives:,}",
        n_fit=f"{cfg.n_fit:,}",
        bootstrap=f"{cfg.bootstrap:,}",
        pca_k=str(cfg.pca_k),
        ridge=f"{cfg.ridge:g}",
        runs=f"{n_runs:,}",
        steps=str(a.steps),
        step_size=f"{a.step_size:g}",
        decay=f"{a.decay:g}",
        weight=f"{a.weight:g}",
        threshold=f"{100 * a.threshold:g}%",
        quantile=f"{100 * a.quantile:g}%",
        eleventh_model=(
            MODEL_LABELS.get(with_eleventh.iloc[0], with_eleventh.iloc[0])
            if len(with_eleventh)
            else "none"
        ),
    )


MEASURED_KEYS = (
    "best_list", "worst_list", "holding", "holding_attack", "collapsed", "inverted", "msp_noise",
    "success_range", "plain_range", "price", "roc_model", "roc_best", "roc_worst",
)  # fmt: skip
