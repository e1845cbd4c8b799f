"""Claim X1 ("standard detectors flag fooling images"): mean AUROC, rankings and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import ADAPTIVE_SET, ATTACK_SETS
from .labels import LABELS, MODEL_LABELS, model_order, number

HOLD_BAR = 0.95  # a detector holds when its AUROC's lower bound reaches this on every set
IN_SAMPLE = ("eleventh",)  # detectors trained on the fooling sets they are scored on


def fooling_sets(auroc: pd.DataFrame) -> pd.DataFrame:
    """The rows of real fooling sets (every method and uniform noise), not the attacks'."""
    return auroc[~auroc.set.isin(ATTACK_SETS)]


def mean_auroc(auroc: pd.DataFrame) -> pd.DataFrame:
    """Per model and detector: mean AUROC over the fooling sets and the lowest lower bound.

    An adaptive attack that produced no image at the threshold (n = 0) counts as held
    (``attack_low`` = 1).
    """
    found = fooling_sets(auroc).dropna(subset=["auroc"])
    out = found.groupby(["model", "detector"], sort=False).agg(
        mean=("auroc", "mean"), low=("auroc_low", "min")
    )
    adaptive = auroc[auroc.set == ADAPTIVE_SET].set_index(["model", "detector"])
    attack_low = adaptive.auroc_low.where(adaptive.n > 0, 1.0)
    out["attack_low"] = np.minimum(out["low"], attack_low.reindex(out.index))  # NaN: no attack
    out["attack_auroc"] = adaptive.auroc.reindex(out.index)
    return out.reset_index()


def ranked(means: pd.DataFrame) -> pd.DataFrame:
    """:func:`mean_auroc`'s rows that may be ranked: without the in-sample 11th class (it was
    trained on the fooling images it is scored on), unless nothing else is left."""
    fair = means[~means.detector.isin(IN_SAMPLE)]
    return fair if len(fair) else means


def best_and_worst(auroc: pd.DataFrame, model: str) -> tuple[str, str]:
    """The detectors of ``model`` with the highest and the lowest mean AUROC (of :func:`ranked`)."""
    means = ranked(mean_auroc(auroc))
    means = means[means.model == model].sort_values("mean", kind="stable")
    if means.empty:
        raise ValueError(f"no AUROC rows for model {model!r}")
    return str(means.detector.iloc[-1]), str(means.detector.iloc[0])


def roc_model(auroc: pd.DataFrame) -> str:
    """The model whose ROC curves the report shows: the CNN, else the last model."""
    models = model_order(auroc)
    return "cnn" if "cnn" in models else models[-1]


CRITERION = (
    f"reproduced if every model has a detector whose AUROC 95% lower bound is ≥ {HOLD_BAR} on "
    "every fooling set (each method, uniform noise) and on the adaptive attack's images against "
    "it (none at the threshold counts as held); partly if that holds without the adaptive "
    "attack only; else not reproduced (the 11th class, trained on these fooling images, does "
    "not count)"
)


def claim_verdict(auroc: pd.DataFrame) -> tuple[str, str, str]:
    """Verdict, short value and measured text of claim X1 ("standard detectors flag fooling
    images")."""
    if auroc.empty or fooling_sets(auroc).auroc.isna().all():
        return "not yet measured", "—", "—"
    means = ranked(mean_auroc(auroc))
    parts, plain_ok, attack_ok, lows = [], True, True, []
    for model in model_order(auroc):
        rows = means[means.model == model]
        best = rows.loc[rows["low"].idxmax()]
        best_attack = rows.loc[rows["attack_low"].fillna(-1).idxmax()]
        lows.append((best["low"], best_attack["attack_low"]))
        plain_ok &= bool(best["low"] >= HOLD_BAR)
        attack_ok &= bool(best_attack["attack_low"] >= HOLD_BAR)
        parts.append(
            f"{MODEL_LABELS.get(model, model)}: {LABELS[best.detector]} {number(best['low'])}, "
            f"with the adaptive attack {LABELS[best_attack.detector]} "
            f"{number(best_attack['attack_low'])}"
        )
    verdict = "reproduced" if attack_ok else "partly" if plain_ok else "not reproduced"
    measured = "best detector's lowest AUROC lower bound over the sets: " + "; ".join(parts)
    worst = np.array(lows, float).min(axis=0)
    value = f"AUROC ≥ {number(worst[0])} ({number(worst[1])} under attack)"
    return verdict, value, measured
