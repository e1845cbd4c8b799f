"""The report's 11th-class section (claim N2): the rounds of retraining and searching."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HEADERS = dict(
    round="round",
    fooling_images="fooling images in the class",
    test_accuracy="test accuracy (digits)",
    caught="class images called 'fooling'",
    noise_caught="uniform noise called 'fooling'",
    reached="new searches reaching the threshold",
    digits_fooled="digits fooled",
    median_evaluations="median evaluations (converged searches)",
)


def fine_tuning_digits(config: dict) -> str:
    """The digits the fine-tuning used, in words (:func:`config.fine_tuning_limit`)."""
    from ...core.config import fine_tuning_limit

    limit = fine_tuning_limit(config)
    return f"the first {limit:,} training digits" if limit else "the training digits"


def rounds_rows(rounds: pd.DataFrame) -> pd.DataFrame:
    """The per-round table's cells: round 0 (before retraining) has no retrained model."""
    from ...claims import pct
    from ...claims.common import rate

    def cells(r) -> dict:
        evals = "–" if pd.isna(r.median_evaluations) else f"{r.median_evaluations:,.0f}"
        return dict(
            round=f"{r['round']:.0f}" if r["round"] else "0 (before retraining)",
            fooling_images=f"{r.fooling_images:,.0f}" if r["round"] else "–",
            test_accuracy=pct(r.test_accuracy, missing="–"),
            caught=pct(r.caught, missing="–"),
            noise_caught=pct(r.noise_caught, missing="–"),
            reached=rate(int(r.converged), int(r.searches)) if r.searches else "not run",
            digits_fooled=f"{r.digits_fooled:.0f}/10",
            median_evaluations=evals,
        )

    return pd.DataFrame([cells(r) for _, r in rounds.iterrows()])


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's N2 section: one row per round, and the verdict from the last round."""
    from ...claims import claim_row, nguyen
    from ...core.tables import markdown_table

    rounds = pd.read_csv(inputs["rounds"])
    last = rounds.iloc[-1]
    return dict(
        variables=dict(
            model=last.model,
            method=last.method,
            digits=fine_tuning_digits(config),
            rounds=str(int(last["round"])),
            runs_per_digit=str(config["eleventh"]["runs_per_digit"]),
            epochs=str(config["eleventh"]["epochs"]),
        ),
        tables=dict(rounds=markdown_table(rounds_rows(rounds), HEADERS)),
        claims=[c for c in [claim_row("N2", nguyen.n2(rounds))] if c],
    )
