"""The human panel: answer files saved by the reading page, checked against the run's deck and
scored; a reader counts when their controls pass (clean digits read, negatives rejected)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import UserInputError
from ...core.stats import wilson_interval
from .format import ANSWERS_FORMAT, DECK_FORMAT, NO_DIGIT

ANSWERS = frozenset([*map(str, range(10)), NO_DIGIT])
CLEAN_SHARE, NEGATIVE_SHARE = 0.9, 0.1  # a reader counts: ≥ 90% of clean digits, ≤ 10% of negatives
ITEM_COLUMNS = ["reader", "id", "group", "set", "target", "s", "answer", "digit", "own", "valid"]
READER_COLUMNS = [
    "reader",
    "file",
    "n",
    "display_s",
    "clean_k",
    "clean_n",
    "negative_k",
    "negative_n",
    "valid",
]


def read_deck(path: Path) -> dict:
    """The deck :func:`.deck.build_deck` wrote (one clear line when it is not one)."""
    try:
        deck = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserInputError(f"{path}: not a readable deck ({exc})") from exc
    if not isinstance(deck, dict) or deck.get("format") != DECK_FORMAT:
        raise UserInputError(f"{path}: not a reading deck (format {DECK_FORMAT!r} expected)")
    return deck


def read_answers(path: Path, deck: dict) -> dict[str, str]:
    """``{item id: answer}`` of one answer file for ``deck``; a :class:`UserInputError` naming
    the file when it is malformed, for another deck, or does not answer every card once."""
    path = Path(path)

    def bad(why: str) -> UserInputError:
        return UserInputError(f"reading answers {path}: {why}")

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise bad(f"not readable JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != ANSWERS_FORMAT:
        raise bad(f"not a reading answer file (format {ANSWERS_FORMAT!r} expected)")
    if data.get("deck") != deck["id"]:
        raise bad(f"answers deck {data.get('deck')!r}, but this run's deck is {deck['id']!r}")
    shown = data.get("display_s")
    if shown != deck["display_s"] and not (shown in (0, None) and not deck["display_s"]):
        raise bad(f"taken at display_s {shown!r}, this run's deck shows {deck['display_s']!r} s")
    answers = data.get("answers")
    if not isinstance(answers, list) or not all(
        isinstance(a, dict) and isinstance(a.get("id"), str) and isinstance(a.get("answer"), str)
        for a in answers
    ):
        raise bad("'answers' must be a list of {id, answer, ms} objects with string id and answer")
    ids = [a["id"] for a in answers]
    expected = [card["id"] for card in deck["items"]]
    if sorted(ids) != sorted(expected):
        raise bad(f"answers {len(set(ids))} distinct cards, the deck has {len(expected)}")
    wrong = sorted({a["answer"] for a in answers} - ANSWERS)
    if wrong:
        raise bad(f"answers {wrong} are not digits 0–9 or 'none'")
    return {a["id"]: a["answer"] for a in answers}


def distinct(paths: list[Path]) -> None:
    """One line naming the second of two answer files that are the same file or the same bytes
    (one reading counted twice would narrow every interval)."""
    seen = {}
    for path in paths:
        key = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        for twin in (seen.get(Path(path).resolve()), seen.get(key)):
            if twin is not None:
                raise UserInputError(f"reading answers {path}: the same answers as {twin}")
        seen[Path(path).resolve()] = seen[key] = path


def scored(deck: dict, answers: dict[str, str], reader: str) -> pd.DataFrame:
    """One row per card: the reader's answer, whether it names a digit and whether it names the
    card's target (``own``; eigen-digits, which have none: any digit)."""
    cards = pd.DataFrame(deck["items"]).drop(columns="pixels")
    answer = cards.id.map(answers)
    digit = answer != NO_DIGIT
    target = cards.target.map(lambda t: "" if pd.isna(t) else str(int(t)))
    own = np.where(cards.group == "eigen", digit, answer == target)
    return cards.assign(reader=reader, answer=answer, digit=digit, own=own)


def controls(items: pd.DataFrame) -> dict:
    """A reader's controls: clean digits (blends at s = 1) read as themselves, and cards with
    no digit called a digit; ``valid`` when ≥ 90% and ≤ 10%."""
    clean = items[(items.group == "blend") & (items.s == 1)]
    negative = items[items.group == "negative"]
    counts = dict(
        clean_k=int(clean.own.sum()),
        clean_n=len(clean),
        negative_k=int(negative.digit.sum()),
        negative_n=len(negative),
    )
    valid = (
        counts["clean_n"] > 0
        and counts["negative_n"] > 0
        and counts["clean_k"] >= CLEAN_SHARE * counts["clean_n"]
        and counts["negative_k"] <= NEGATIVE_SHARE * counts["negative_n"]
    )
    return dict(counts, valid=bool(valid))


def reader_names(paths: list[Path]) -> list[str]:
    """A name per answer file: its stem, or its path where two stems are the same."""
    stems = [Path(p).stem for p in paths]
    return [s if stems.count(s) == 1 else str(p) for s, p in zip(stems, paths, strict=True)]


def panel(deck: dict, paths: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(readers, items)``: one row per answer file (:data:`READER_COLUMNS`) and one per reader
    and card (:data:`ITEM_COLUMNS`). Every file is checked before anything is scored."""
    answers = [read_answers(p, deck) for p in paths]
    distinct(paths)
    readers, items = [], []
    for name, path, given in zip(reader_names(paths), paths, answers, strict=True):
        rows = scored(deck, given, name)
        check = controls(rows)
        readers.append(
            # read_answers checked that the file was taken at the deck's display time
            dict(reader=name, file=str(path), n=len(rows), display_s=deck["display_s"], **check)
        )
        items.append(rows.assign(valid=check["valid"]))
    items = pd.concat(items) if items else pd.DataFrame(columns=ITEM_COLUMNS)
    return pd.DataFrame(readers, columns=READER_COLUMNS), items[ITEM_COLUMNS]


def pooled(items: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The valid readers' answers pooled per ``by`` (e.g. ``["group", "set"]``): n answers, k
    read as their target (eigen-digits and negatives: as a digit), share and Wilson interval,
    and how many readers."""
    valid = items[items.valid.astype(bool)]
    if valid.empty:
        return pd.DataFrame(columns=[*by, "readers", "n", "k", "share", "low", "high"])
    counted = valid.assign(hit=np.where(valid.group == "negative", valid.digit, valid.own))
    rows = []
    for key, g in counted.groupby(by, sort=False, dropna=False):
        k, n = int(g.hit.sum()), len(g)
        low, high = wilson_interval(k, n)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            dict(
                zip(by, key, strict=True),
                readers=g.reader.nunique(),
                n=n,
                k=k,
                share=k / n,
                low=low,
                high=high,
            )
        )
    return pd.DataFrame(rows)
