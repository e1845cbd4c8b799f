"""``reading``: the blind reading page and its deck; ``panel``: score the answer files people
saved from it."""

from __future__ import annotations

from pathlib import Path

from .options import json_object


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("reading", help="the blind reading page (reading.html) and its deck")
    s.add_argument("--data", type=Path, required=True, help="mnist.npz (its test digits)")
    s.add_argument("--runs", type=Path, nargs="+", required=True, help="fooling runs (.npz)")
    s.add_argument("--pca", type=Path, help="pca.npz (eigen-digits); none: no eigen-digits")
    s.add_argument("--seed", type=int, required=True, help="the run's seed: fixes the deck")
    s.add_argument(
        "--reading-json", type=json_object, required=True, help="config likeness.reading"
    )
    s.add_argument("--deck-out", type=Path, required=True, help="the deck (deck.json)")
    s.add_argument("--out", type=Path, required=True, help="the page (reading.html)")
    s.set_defaults(func=cmd_reading)

    s = sub.add_parser("panel", help="score the reading page's answer files (the human panel)")
    s.add_argument("--deck", type=Path, required=True, help="the run's deck.json")
    s.add_argument("--readings", type=Path, nargs="*", default=[], help="answer files")
    s.add_argument("--readers-out", type=Path, required=True, help="one row per reader (CSV)")
    s.add_argument("--items-out", type=Path, required=True, help="one row per answer (CSV)")
    s.set_defaults(func=cmd_panel)


def cmd_reading(args) -> None:
    from ..core.io import write_json
    from ..stages.reading.deck import build_deck
    from ..stages.reading.page import write_reading

    deck = build_deck(
        data=args.data, runs=args.runs, pca=args.pca, seed=args.seed, reading=args.reading_json
    )
    write_reading(deck, out=args.out)
    write_json(args.deck_out, deck)
    print(f"{args.out}: deck {deck['id']}, {len(deck['items'])} cards")


def cmd_panel(args) -> None:
    from ..core.errors import UserInputError
    from ..core.io import write_csv
    from ..stages.reading.panel import panel, read_deck

    missing = [str(p) for p in args.readings if not p.is_file()]
    if missing:
        raise UserInputError(f"reading answers {missing[0]}: no such file (likeness.readings)")
    readers, items = panel(read_deck(args.deck), args.readings)
    write_csv(args.readers_out, readers)
    write_csv(args.items_out, items)
    print(f"{len(readers)} readers, {int(readers.valid.sum())} whose controls pass")
