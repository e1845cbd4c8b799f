"""Command-line interface: one subcommand per workflow step, usable on its own."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .. import __version__
from ..core.errors import UserInputError
from . import (
    benchmark,
    classify,
    data,
    detectors,
    edge,
    eleventh,
    evaluate,
    fooling,
    lab,
    pca,
    reading,
    report,
    train,
)
from .options import Parser

# in the workflow's order: their subcommands are listed so in --help
STAGES = (
    data,
    train,
    evaluate,
    pca,
    edge,
    fooling,
    reading,
    eleventh,
    detectors,
    benchmark,
    report,
    classify,
    lab,
)

# Arguments that name files a command reads: checked before any heavy import, so a wrong path
# comes back in a fraction of a second instead of after TensorFlow's start-up.
INPUT_ARGS = (
    "model_file",
    "data",
    "runs",
    "pca",
    "fooling",
    "before",
    "retrains",
    "searches",
    "published",
    "intended",
    "input",
    "fragments",
    "wheel",
    "deck",
)


def build_parser() -> Parser:
    """The ``mnist-fooling`` argument parser: each stage module adds its subcommands."""
    parser = Parser(prog="mnist-fooling", description=__doc__)
    parser.add_argument("--version", action="version", version=f"mnist-fooling {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for stage in STAGES:
        stage.add_parsers(sub)
    return parser


def _preflight(args) -> None:
    """One clear line for the first input file that does not exist."""
    for name in INPUT_ARGS:
        value = getattr(args, name, None)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, Path) and not path.exists():
                raise UserInputError(f"{path}: no such file (--{name.replace('_', '-')})")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one subcommand; user errors print one line and exit with code 2."""
    from ..core.quiet import filtered_stderr

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter out of logs
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    try:
        args = build_parser().parse_args(argv)  # a bad typed option: one UserInputError line
    except UserInputError as exc:
        return _fail(exc)
    with filtered_stderr():
        try:
            _preflight(args)
            args.func(args)
        except UserInputError as exc:
            return _fail(exc)
        except OSError as exc:  # disk full, read-only results/, ...: say which file, no traceback
            where = f": {exc.filename}" if exc.filename else ""
            return _fail(f"{exc.strerror or exc}{where}")
    return 0


def _fail(message) -> int:
    print(f"mnist-fooling: error: {message}", file=sys.stderr)
    return 2
