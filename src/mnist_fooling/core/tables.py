"""Markdown pipe tables for the report's fragments."""

from __future__ import annotations

import pandas as pd


def markdown_table(
    frame: pd.DataFrame, headers: dict[str, str], *, widths: list[int] | None = None
) -> str:
    """A pipe table of ``frame``'s columns named in ``headers`` (column → header text).

    ``widths`` gives relative column widths (pandoc reads them from the dashes of the
    separator line when a row is longer than the page).
    """

    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    widths = widths or [3] * len(headers)
    if len(widths) != len(headers):
        raise ValueError(f"{len(widths)} widths for {len(headers)} columns")
    lines = [
        "| " + " | ".join(headers.values()) + " |",
        "|" + "|".join("-" * w for w in widths) + "|",
    ]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(cell(row[c]) for c in headers) + " |")
    return "\n".join(lines) + "\n"


def read_csv(path) -> pd.DataFrame:
    """A pipeline CSV (keeps empty strings as such, not NaN)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])
