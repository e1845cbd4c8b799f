"""The report's human panel: who read the deck, whether their controls passed, and how the valid
readers read each fooling set, mean image and eigen-digit."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from ...core.tables import markdown_table
from .panel import CLEAN_SHARE, NEGATIVE_SHARE, pooled

GROUP_ORDER = ["fooling", "mean", "eigen", "blend", "negative"]
GROUP_LABELS = {
    "fooling": "fooling set",
    "mean": "mean image",
    "eigen": "eigen-digits",
    "blend": "blend",
    "negative": "no digit",
}


def rate_cell(k: int, n: int) -> str:
    """``k/n = p% [low, high]``."""
    from ...claims.common import rate

    return rate(int(k), int(n)) if n else "—"


def readers_markdown(readers: pd.DataFrame) -> str:
    """One row per answer file: its controls and whether the reader counts in the panel."""
    rows = readers.assign(
        clean=[rate_cell(k, n) for k, n in zip(readers.clean_k, readers.clean_n, strict=True)],
        negatives=[
            rate_cell(k, n) for k, n in zip(readers.negative_k, readers.negative_n, strict=True)
        ],
        display=[f"{s:g} s" if pd.notna(s) else "—" for s in readers.display_s],
        counts=["yes" if v else "no: controls failed" for v in readers.valid.astype(bool)],
    )
    headers = dict(
        reader="reader",
        n="cards",
        display="shown",
        clean="clean digits read",
        negatives="no-digit cards called a digit",
        counts="in the panel",
    )
    return markdown_table(rows, headers, widths=[3, 1, 1, 4, 4, 3])


def calibration_markdown(items: pd.DataFrame) -> str:
    """Each reader's own calibration: the blends read as their digit, per strength s, as k/n
    (every reader, whether or not their controls passed)."""
    blends = items[items.group == "blend"]
    table = (
        blends.assign(own=blends.own.astype(bool))
        .groupby(["reader", "s"], sort=False)
        .own.agg(["sum", "size"])
        .reset_index()
    )
    table["cell"] = [f"{int(k)}/{int(n)}" for k, n in zip(table["sum"], table["size"], strict=True)]
    wide = table.pivot(index="reader", columns="s", values="cell").reset_index()
    strengths = sorted(blends.s.unique())
    headers = {"reader": "reader", **{s: f"s = {s:g}" for s in strengths}}
    return markdown_table(wide, headers, widths=[3] + [2] * len(strengths))


def sets_markdown(items: pd.DataFrame) -> str:
    """The valid readers pooled per set: read as its digit (eigen-digits and no-digit cards: as
    any digit), with the blends per strength."""
    table = pooled(items, ["group", "set", "s"])
    table = table.assign(
        order=table.group.map(GROUP_ORDER.index),
        kind=table.group.map(GROUP_LABELS),
        name=[
            f"{name} (s = {s:g})" if g == "blend" else name
            for g, name, s in zip(table.group, table.set, table.s, strict=True)
        ],
        reading=[rate_cell(k, n) for k, n in zip(table.k, table.n, strict=True)],
        asked=[
            "called a digit" if g in ("negative", "eigen") else "read as its digit"
            for g in table.group
        ],
    ).sort_values(["order", "s", "name"], kind="stable")
    headers = dict(kind="kind", name="set", readers="readers", asked="share", reading="k/n")
    return markdown_table(table, headers, widths=[2, 4, 1, 2, 4])


def deck_variables(deck: dict) -> dict:
    """The deck's id, size and make-up."""
    groups = Counter(card["group"] for card in deck["items"])
    return dict(
        id=deck["id"],
        cards=len(deck["items"]),
        shown=f"for {deck['display_s']:g} s each" if deck["display_s"] else "until answered",
        **{f"n_{g}": groups.get(g, 0) for g in GROUP_ORDER},
        sets=len({c["set"] for c in deck["items"] if c["group"] == "fooling"}),
    )


def panel_text(readers: pd.DataFrame) -> str:
    """One sentence: how many readers, how many count; or that nobody has read the deck."""
    n, valid = len(readers), int(readers.valid.astype(bool).sum()) if len(readers) else 0
    if not n:
        return (
            "No person has read this run's images yet: every visual verdict of this report rests "
            "on the automated reader. To add a reading, take the test in the reading page, save "
            "the answer file, list it in `likeness.readings` of the config and run the report "
            "again."
        )
    return (
        f"{n} answer file{'s' if n != 1 else ''} for this deck; {valid} reader"
        f"{'s' if valid != 1 else ''} passed the controls and count in the panel"
        + (
            "; the visual verdicts use the panel."
            if valid
            else ": the visual verdicts rest on the automated reader."
        )
    )


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The panel section: the deck, the readers and the pooled readings."""
    deck = json.loads(Path(inputs["deck"]).read_text(encoding="utf-8"))
    readers = pd.read_csv(inputs["panel_readers"])
    items = pd.read_csv(inputs["panel_items"])
    variables = dict(
        deck=deck_variables(deck),
        readers=len(readers),
        valid=int(readers.valid.astype(bool).sum()) if len(readers) else 0,
        clean_share=f"{CLEAN_SHARE:.0%}",
        negative_share=f"{NEGATIVE_SHARE:.0%}",
        panel_text=panel_text(readers),
    )
    # Captions travel with the tables: a run without readers shows neither.
    readers_caption = (
        "\n: Answer files for this deck and each reader's controls. {#tbl-panel-readers}\n"
    )
    sets_caption = (
        "\n: The readers in the panel pooled, per set: read as its digit (eigen-digits and "
        "no-digit cards: called a digit), k/n [95% Wilson interval]. {#tbl-panel-sets}\n"
    )
    calibration_caption = (
        "\n: Each reader's own calibration: real test digits blended into uniform noise at "
        "strength s that they read as their digit, k/n. {#tbl-panel-calibration}\n"
    )
    valid = len(items) and items.valid.astype(bool).any()
    tables = dict(
        readers=readers_markdown(readers) + readers_caption if len(readers) else "",
        calibration=calibration_markdown(items) + calibration_caption if len(readers) else "",
        sets=sets_markdown(items) + sets_caption if valid else "",
    )
    return dict(variables=variables, tables=tables)
