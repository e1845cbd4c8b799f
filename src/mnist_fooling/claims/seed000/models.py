"""Seed 000's claims on the models and the principal components: C1–C3 (accuracy, eigen-digits,
the PCA classifier)."""

from __future__ import annotations

import pandas as pd

from ..common import (
    accuracy_claim,
    decide,
    distance_interval,
    found,
    interval,
    pct,
)


def c1(acc: pd.DataFrame) -> dict | None:
    return accuracy_claim(acc, "mlp", 0.98)


def c2(eigen: pd.DataFrame | None) -> dict | None:
    """Eigen-digits read by the network-free template reader (a network judging likeness would
    be circular in a report about fooling networks). The count is decided at both ends of the
    floor's 95% interval: a component between them may or may not look like a digit."""
    if eigen is None or eigen.empty:
        return None
    looks = eigen[eigen.looks_like_digit]
    k, n = len(looks), len(eigen)
    listing = ", ".join(f"PC{r.component}→'{r.digit}' r={r.corr:.2f}" for r in looks.itertuples())
    floor = float(eigen.floor.iloc[0])
    low, high = (
        (float(eigen.floor_low.iloc[0]), float(eigen.floor_high.iloc[0]))
        if "floor_low" in eigen
        else (floor, floor)
    )
    # A higher floor admits fewer components: the count's interval is [k at high, k at low].
    k_low, k_high = int((eigen["corr"] >= high).sum()), int((eigen["corr"] >= low).sum())
    verdict = decide(k_low / n, k_high / n, yes=0.5, partly=1 / n)
    return found(
        value=f"{k}/{n} [{k_low}, {k_high}]",
        measured=f"{k} of the first {n} eigen-digits look like a digit to the template reader "
        f"(best-matching mean training digit, correlation ≥ {floor:.3f} [{low:.3f}, {high:.3f}], "
        f"the 5th percentile of real test digits with its 95% interval; either sign): "
        f"{k_low} to {k_high} across that interval" + (f"; {listing}" if listing else ""),
        criterion="≥ half look like a digit (partly: at least one; uniform noise: none); "
        "undecided when the count at the two ends of the floor's interval falls on both sides "
        "of a bound",
        verdict=verdict,
    )


def pca_headline(pca_acc: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The nearest-class-mean row with k nearest 10 (the "first few" PCs), and the best row."""
    ncm = pca_acc[pca_acc.rule == "nearest class mean"]
    return ncm.iloc[(ncm.k - 10).abs().argsort().iloc[0]], pca_acc.loc[pca_acc.accuracy.idxmax()]


def c3(pca_acc: pd.DataFrame | None) -> dict | None:
    if pca_acc is None or pca_acc.empty:
        return None
    r, best = pca_headline(pca_acc)
    return found(
        value=f"{pct(r.accuracy)} {interval(r.ci_low, r.ci_high)}",
        measured=f"nearest class mean, k={r.k}: {pct(r.accuracy)} "
        f"{interval(r.ci_low, r.ci_high)}; best: {best.rule}, k={best.k}: {pct(best.accuracy)}",
        criterion="nearest class mean on ≈10 PCs within 5 points of 70% (partly 15), over the "
        "accuracy's 95% interval",
        verdict=decide(*distance_interval(r.ci_low, r.ci_high, 0.70), yes=0.05, partly=0.15),
    )
