"""Who judges a visual claim: the human panel when a reader passed the controls, otherwise the
automated reader, and only when that reader is fit (unfit: the claim is undecided)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .common import GRADES, Decision, between

UNFIT = between(GRADES[0], GRADES[-1])  # an unfit reader decides nothing: any outcome is open
# When an automated reader may judge "unrecognisable" (stages/fooling/reader.py measures it):
FIT_AT, FIT_SHARE, CHANCE_SHARE = 0.3, 0.9, 0.15  # fit: ≥ 90% of s = 0.3 blends, ≤ 15% of noise
SPECIFIC_SHARE = 0.05  # specific: no family of negatives called a digit more often than this


def fit_readers(calibration: pd.DataFrame) -> dict[str, bool]:
    """Reader → whether it may judge "unrecognisable": ≥ 90% of the s = 0.3 blends look like
    their digit and ≤ 15% of pure noise (s = 0) does."""
    fit = {}
    for name, g in calibration.groupby("reader", sort=False):
        share = g.set_index("s").share
        if not {0.0, FIT_AT} <= set(share.index):
            raise ValueError(f"calibration of {name!r} lacks s = 0 or s = {FIT_AT}")
        fit[name] = bool(share[FIT_AT] >= FIT_SHARE and share[0.0] <= CHANCE_SHARE)
    return fit


@dataclass(frozen=True)
class Panel:
    """The valid readers' answers (stages/reading/panel.py's items, ``valid`` rows only)."""

    items: pd.DataFrame

    @property
    def readers(self) -> int:
        return int(self.items.reader.nunique())

    @property
    def source(self) -> str:
        return f"panel of {self.readers} reader{'s' if self.readers != 1 else ''}"

    def counts(self, name: str, *, digits: tuple[int, ...] | None = None) -> tuple[int, int]:
        """``(k, n)``: answers on set ``name`` that read a card as its digit (eigen-digits: as
        any digit), over the cards of ``digits`` when given."""
        rows = self.items[self.items.set == name]
        if digits is not None:
            rows = rows[rows.target.isin(digits)]
        return int(rows.own.astype(bool).sum()), len(rows)

    def has(self, name: str) -> bool:
        return bool((self.items.set == name).any())


def panel_of(items: pd.DataFrame | None) -> Panel | None:
    """The panel of the readers whose controls passed, or None when there is none."""
    if items is None or items.empty:
        return None
    valid = items[items.valid.astype(bool)]
    return Panel(valid) if len(valid) else None


def chosen_reader(readers: pd.DataFrame | None) -> pd.Series | None:
    """The automated k-NN reader chosen by sensitivity and specificity (likeness_readers.csv),
    or None when the run predates that table."""
    if readers is None or readers.empty or "chosen" not in readers:
        return None
    rows = readers[readers.chosen.astype(bool)]
    return rows.iloc[0] if len(rows) else None


def fit_reader(readers: pd.DataFrame | None) -> bool:
    """Whether the chosen automated reader is fit (True when this run did not measure it)."""
    row = chosen_reader(readers)
    return row is None or bool(row.fit)


def reader_row(readers: pd.DataFrame | None, name: str) -> pd.Series | None:
    if readers is None or readers.empty:
        return None
    rows = readers[readers.reader == name]
    return rows.iloc[0] if len(rows) else None


def fitness_text(row: pd.Series | None, name: str) -> str:
    """``the k-NN reader (blur 1, centred) recognises 93% of s = 0.3 blends and calls at most
    4% of any no-digit family a digit (smooth blobs): fit``."""
    if row is None:
        return f"no sensitivity and specificity measured for the {name} reader"
    fit = "fit" if bool(row.fit) else "unfit: the verdict is undecided"
    return (
        f"the {name} reader recognises {100 * row.sensitivity:.0f}% of s = 0.3 blends and calls "
        f"{100 * row.worst_share:.0f}% of its worst no-digit family ({row.worst_family}) a digit "
        f"(fit: ≥ 90% and ≤ 5%): {fit}"
    )


def or_unfit(decision: Decision, row: pd.Series | None) -> Decision:
    """``decision`` when the automated reader is fit (or its fitness was not measured),
    otherwise undecided over every outcome."""
    return decision if row is None or bool(row.fit) else UNFIT


def judges(inputs) -> dict:
    """``{readers, panel}`` for a fragment's visual claims from its inputs ``likeness_readers``
    and ``panel_items`` (CSV paths; either may be absent: None)."""
    readers = inputs.get("likeness_readers")
    items = inputs.get("panel_items")
    return dict(
        readers=None if readers is None else pd.read_csv(readers),
        panel=None if items is None else panel_of(pd.read_csv(items)),
    )
