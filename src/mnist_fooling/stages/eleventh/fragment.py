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
    start="searches start from",
    generations="generations",
    reached="searches reaching the threshold",
    digits_fooled="digits fooled",
    median_evaluations="median evaluations (converged searches)",
)


def fine_tuning_digits(config: dict) -> str:
    """The digits the fine-tuning used, in words (:func:`config.fine_tuning_limit`)."""
    from ...config import fine_tuning_limit

    limit = fine_tuning_limit(config)
    return f"the first {limit:,} training digits" if limit else "the training digits"


def generations(rounds: pd.DataFrame) -> int | None:
    """Every round's search budget (generations), as the rounds table gives it (None: not
    given)."""
    if "generations" not in rounds or rounds.generations.isna().all():
        return None
    return int(rounds.generations.dropna().iloc[0])


def rounds_rows(rounds: pd.DataFrame, *, steps: int | None = None) -> pd.DataFrame:
    """The per-round table's cells: round 0 (before retraining) has no retrained model; a
    "continued" row (ours) is the last round's searches given ``continue_steps`` more
    generations, from their own images. ``steps``: every round's generations."""
    from ...claims import pct
    from ...claims.common import rate

    search = rounds["search"] if "search" in rounds else pd.Series("fresh", index=rounds.index)

    def cells(r, continued: bool) -> dict:
        evals = "–" if pd.isna(r.median_evaluations) else f"{r.median_evaluations:,.0f}"
        label = f"{r['round']:.0f}" if r["round"] else "0 (before retraining)"
        if continued:
            label = f"{r['round']:.0f}, continued (ours)"
        start = (
            f"round {r['round']:.0f}'s images ({pct(r.start_caught, 0)} called 'fooling')"
            if continued
            else "uniform noise"
        )
        budget = "–" if steps is None else f"{steps:,}"
        if continued:
            budget = f"{r.more_generations:,.0f} more"
        return dict(
            round=label,
            fooling_images=f"{r.fooling_images:,.0f}" if r["round"] else "–",
            test_accuracy=pct(r.test_accuracy, missing="–"),
            caught=pct(r.caught, missing="–"),
            noise_caught=pct(r.noise_caught, missing="–"),
            start=start,
            generations=budget,
            reached=rate(int(r.converged), int(r.searches)) if r.searches else "not run",
            digits_fooled=f"{r.digits_fooled:.0f}/10",
            median_evaluations=evals,
        )

    return pd.DataFrame([cells(r, search[i] == "continued") for i, r in rounds.iterrows()])


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report's N2 section: one row per round (and the continued search's, ours), and the
    verdict from the last round's searches against round 0's."""
    from ...claims import claim_row, nguyen
    from ...core.tables import markdown_table

    rounds = pd.read_csv(inputs["rounds"])
    fresh = rounds[rounds.search == "fresh"] if "search" in rounds else rounds
    last = fresh.iloc[-1]
    steps = generations(rounds)
    more = config["eleventh"].get("continue_steps", 0)
    return dict(
        variables=dict(
            model=last.model,
            method=last.method,
            digits=fine_tuning_digits(config),
            rounds=str(int(last["round"])),
            runs_per_digit=str(config["eleventh"]["runs_per_digit"]),
            generations="–" if steps is None else f"{steps:,}",
            continue_steps=f"{more:,}" if more else "0 (not run: eleventh.continue_steps is 0)",
            epochs=str(config["eleventh"]["epochs"]),
        ),
        tables=dict(rounds=markdown_table(rounds_rows(rounds, steps=steps), HEADERS)),
        claims=[c for c in [claim_row("N2", nguyen.n2(rounds))] if c],
    )
