"""The report's PCA section: variance levels, classifier table, claims C2 and C3."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .compute import VARIANCE_LEVELS, components_for


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's PCA section: variance levels, classifier table, claims C2 and C3."""
    from ...claims import claim_row, pct, seed000
    from ...claims.common import interval
    from ...claims.seed000.models import pca_headline
    from ...core.tables import markdown_table

    pca_acc = pd.read_csv(inputs["accuracy"])
    eigen = pd.read_csv(inputs["eigen_likeness"])
    ev = pd.read_csv(inputs["explained_variance"])["eigenvalue"].to_numpy()
    variables = {f"k{round(100 * lv)}": components_for(ev, lv) for lv in VARIANCE_LEVELS}
    r, best = pca_headline(pca_acc)
    variables.update(
        ncm_k=int(r.k),
        ncm_acc=pct(r.accuracy),
        best_rule=best.rule,
        best_k=int(best.k),
        best_acc=pct(best.accuracy),
        eigen_looks=int(eigen.looks_like_digit.sum()),
        eigen_n=len(eigen),
    )
    view = pca_acc.assign(
        accuracy=pca_acc.accuracy.map(pct),
        interval=[interval(a, b) for a, b in zip(pca_acc.ci_low, pca_acc.ci_high, strict=True)],
    )
    eigen_view = eigen.assign(
        sign=eigen.sign.map({1: "+v", -1: "−v"}),
        corr=eigen["corr"].map("{:.2f}".format),
        looks=eigen.looks_like_digit.map({True: "yes", False: "no"}),
    )
    from ...claims.panel import judges

    claims = [
        claim_row("C2", seed000.c2(eigen, **judges(inputs))),
        claim_row("C3", seed000.c3(pca_acc)),
    ]
    return dict(
        variables=variables,
        tables=dict(
            accuracy=markdown_table(
                view,
                dict(
                    rule="rule", k="components k", accuracy="test accuracy", interval="95% interval"
                ),
            ),
            eigen=markdown_table(
                eigen_view,
                dict(
                    component="component",
                    sign="sign",
                    digit="best-matching digit",
                    corr="correlation",
                    looks="looks like a digit",
                ),
            ),
        ),
        claims=[c for c in claims if c],
    )
