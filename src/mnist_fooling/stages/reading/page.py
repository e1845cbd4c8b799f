"""``write_reading``: the reading page, one self-contained HTML file (works from ``file://``)
that shows a deck's images one at a time and scores the reader's answers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from ...core.io import write_text
from .format import DECK_FORMAT, GROUPS, deck_id


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def check_deck(deck: dict) -> None:
    """Raise ``ValueError`` naming the first thing the page cannot use in ``deck``."""
    if not isinstance(deck, dict) or deck.get("format") != DECK_FORMAT:
        got = deck.get("format") if isinstance(deck, dict) else type(deck).__name__
        raise ValueError(f"the deck's format must be {DECK_FORMAT!r}, got {got!r}")
    items = deck.get("items")
    if not isinstance(items, list) or not items:
        raise ValueError("the deck has no items")
    for item in items:
        if item.get("group") not in GROUPS:
            raise ValueError(f"deck item {item.get('id')!r} has group {item.get('group')!r}")
    if deck.get("id") != deck_id(items):
        raise ValueError(f"the deck's id {deck.get('id')!r} is not deck_id(items)")
    display = deck.get("display_s")
    if display is not None and (not isinstance(display, int | float) or display < 0):
        raise ValueError(f"the deck's display_s must be >= 0 or null, got {display!r}")


def render_reading(deck: dict) -> str:
    """The page's HTML for ``deck`` (see :mod:`.format`), the deck embedded as JSON."""
    check_deck(deck)
    payload = json.dumps(deck, separators=(",", ":")).replace("</", "<\\/")
    script = _asset("reading.js").replace("</", "<\\/")
    head, tail = _asset("reading.html").split("__DATA__")
    return head + payload + tail.replace("__SCRIPT__", script)


def write_reading(deck: dict, *, out: Path) -> None:
    """Write the reading page for ``deck`` to ``out``."""
    write_text(out, render_reading(deck))
