"""Seed 000's claims on the models and the principal components: C1–C3 (accuracy, eigen-digits,
the PCA classifier)."""

from __future__ import annotations

import pandas as pd

from ..common import NOT_REPRODUCED, PARTLY, REPRODUCED, accuracy_claim, found, interval, pct


def c1(acc: pd.DataFrame) -> dict | None:
    return accuracy_claim(acc, "mlp", 0.98)


def c2(eigen: pd.DataFrame | None) -> dict | None:
    """Eigen-digits read by the network-free template reader (a network judging likeness would
    be circular in a report about fooling networks)."""
    if eigen is None or eigen.empty:
        return None
    looks = eigen[eigen.looks_like_digit]
    k, n = len(looks), len(eigen)
    listing = ", ".join(f"PC{r.component}→'{r.digit}' r={r.corr:.2f}" for r in looks.itertuples())
    floor = float(eigen.floor.iloc[0])
    return found(
        value=f"{k}/{n}",
        measured=f"{k} of the first {n} eigen-digits look like a digit to the template reader "
        f"(best-matching mean training digit, correlation ≥ {floor:.2f}, the 5th percentile "
        f"of real test digits; either sign)" + (f": {listing}" if listing else ""),
        criterion="≥ half look like a digit (partly: at least one; uniform noise: none)",
        verdict=REPRODUCED if k >= n / 2 else PARTLY if k >= 1 else NOT_REPRODUCED,
    )


def pca_headline(pca_acc: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The nearest-class-mean row with k nearest 10 (the "first few" PCs), and the best row."""
    ncm = pca_acc[pca_acc.rule == "nearest class mean"]
    return ncm.iloc[(ncm.k - 10).abs().argsort().iloc[0]], pca_acc.loc[pca_acc.accuracy.idxmax()]


def c3(pca_acc: pd.DataFrame | None) -> dict | None:
    if pca_acc is None or pca_acc.empty:
        return None
    r, best = pca_headline(pca_acc)
    gap = round(abs(r.accuracy - 0.70), 9)  # exactly 5 points is within 5 points
    return found(
        value=pct(r.accuracy),
        measured=f"nearest class mean, k={r.k}: {pct(r.accuracy)} "
        f"{interval(r.ci_low, r.ci_high)}; best: {best.rule}, k={best.k}: {pct(best.accuracy)}",
        criterion="nearest class mean on ≈10 PCs within 5 points of 70% (partly 15)",
        verdict=REPRODUCED if gap <= 0.05 else PARTLY if gap <= 0.15 else NOT_REPRODUCED,
    )
