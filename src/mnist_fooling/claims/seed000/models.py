"""Seed 000's claims on the models and the principal components: C1–C3 (accuracy, eigen-digits,
the PCA classifier)."""

from __future__ import annotations

import pandas as pd

from ..common import (
    accuracy_claim,
    decide,
    decide_rate,
    distance_interval,
    found,
    interval,
    pct,
    rate,
    share,
)


def c1(acc: pd.DataFrame) -> dict | None:
    return accuracy_claim(acc, "mlp", 0.98)


def c2(eigen: pd.DataFrame | None, *, readers=None, panel=None) -> dict | None:
    """Eigen-digits read by the human panel when a reader passed its controls, otherwise by the
    network-free template reader (a network judging likeness would be circular in a report
    about fooling networks), which decides only when fit. The template reader's count is decided
    at both ends of the floor's 95% interval: a component between them may or may not look like
    a digit."""
    from ..panel import UNFIT, fitness_text, reader_row

    if eigen is None or eigen.empty:
        return None
    criterion = (
        "\u2265 half look like a digit (partly: at least one; of the panel's answers, one in "
        "ten; uniform noise: none), on the share's 95% interval: read by the human panel when "
        "a reader passed its controls, else by the template reader at both ends of its "
        "floor's interval, which decides only when fit (\u2265 90% of s = 0.3 blends, "
        "\u2264 5% of every no-digit family)"
    )
    if panel is not None and panel.has("eigen-digits"):
        k, n = panel.counts("eigen-digits")
        return found(
            value=f"{share(k, n)}; {panel.source}",
            measured=f"the first eigen-digits called a digit in {rate(k, n)} of the "
            f"{panel.source}'s answers",
            criterion=criterion,
            verdict=decide_rate(k, n, yes=0.5, partly=0.1),
        )
    looks = eigen[eigen.looks_like_digit]
    k, n = len(looks), len(eigen)
    listing = ", ".join(
        f"PC{r.component}\u2192'{r.digit}' r={r.corr:.2f}" for r in looks.itertuples()
    )
    floor = float(eigen.floor.iloc[0])
    low, high = (
        (float(eigen.floor_low.iloc[0]), float(eigen.floor_high.iloc[0]))
        if "floor_low" in eigen
        else (floor, floor)
    )
    # A higher floor admits fewer components: the count's interval is [k at high, k at low].
    k_low, k_high = int((eigen["corr"] >= high).sum()), int((eigen["corr"] >= low).sum())
    template = reader_row(readers, "template")
    verdict = decide(k_low / n, k_high / n, yes=0.5, partly=1 / n)
    if template is not None and not bool(template.fit):
        verdict = UNFIT
    fit_text = "" if template is None else f"; {fitness_text(template, 'template')}"
    return found(
        value=f"{k}/{n} [{k_low}, {k_high}]; template reader",
        measured=f"{k} of the first {n} eigen-digits look like a digit to the template reader "
        f"(best-matching mean training digit, correlation \u2265 {floor:.3f} [{low:.3f}, "
        f"{high:.3f}], the 5th percentile of real test digits with its 95% interval; either "
        f"sign): {k_low} to {k_high} across that interval"
        + (f"; {listing}" if listing else "")
        + fit_text,
        criterion=criterion,
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
