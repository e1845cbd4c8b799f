"""Shared, typed options: each ``type=`` checks a value once, as argparse reads it, before
any heavy import; a bad value ends as one line ``--flag message`` (see :class:`Parser`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.errors import UserInputError

DATA = Path("resources/mnist.npz")


class Parser(argparse.ArgumentParser):
    """An argument parser whose typed options fail like every other user error: one
    :class:`UserInputError` line, the flag then the type's message; argparse's own errors (a
    missing option, an unknown choice) keep its usage text and exit code 2."""

    def error(self, message: str):
        err = sys.exc_info()[1]  # error() runs inside argparse's ``except ArgumentError``
        if isinstance(err, argparse.ArgumentError) and isinstance(
            err.__context__, argparse.ArgumentTypeError
        ):
            raise UserInputError(f"{err.argument_name} {err.message}") from None
        super().error(message)


def model_name(text: str) -> str:
    """A model name of :data:`~mnist_fooling.core.names.MODEL_NAMES`."""
    from ..core.names import MODEL_NAMES

    if text not in MODEL_NAMES:
        raise argparse.ArgumentTypeError(f"must be one of {MODEL_NAMES}, got {text!r}")
    return text


def method_name(text: str) -> str:
    """A fooling method's name of :data:`~mnist_fooling.search.registry.NAMES`."""
    from ..search.registry import NAMES

    if text not in NAMES:
        raise argparse.ArgumentTypeError(f"must be one of {NAMES}, got {text!r}")
    return text


def model_file(text: str) -> tuple[str, Path]:
    """``(name, path)`` of one ``NAME=PATH`` item of ``--models``: a known model name and a
    file that exists."""
    from ..core.names import MODEL_NAMES

    name, sep, path = text.partition("=")
    if not sep or name not in MODEL_NAMES:
        raise argparse.ArgumentTypeError(
            f"expects NAME=PATH with NAME in {MODEL_NAMES}, got {text!r}"
        )
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"{text}: model file not found")
    return name, Path(path)


def pair(what: str) -> Callable[[str], tuple[str, Path]]:
    """A type for ``<what>=PATH`` items, both parts non-empty: ``(what, path)``."""

    def parse(text: str) -> tuple[str, Path]:
        key, sep, path = text.partition("=")
        if not sep or not key or not path:
            raise argparse.ArgumentTypeError(f"expects {what}=PATH, got {text!r}")
        return key, Path(path)

    parse.__name__ = "pair"
    return parse


def run_file(text: str) -> Path:
    """A fooling run file ``<model>/<method>.npz`` (:func:`~..stages.fooling.runs.key_of`)."""
    from ..stages.fooling.runs import key_of

    try:
        key_of(text)
    except UserInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not text.endswith(".npz"):
        raise argparse.ArgumentTypeError(f"expects <model>/<method>.npz, got {text}")
    return Path(text)


def at_least(low: int) -> Callable[[str], int]:
    """A type for integers ``>= low`` (a count: ``at_least(1)``)."""

    def parse(text: str) -> int:
        value = int(text)  # not an integer: argparse's own "invalid int value"
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value

    parse.__name__ = "int"
    return parse


def between(low: int, high: int) -> Callable[[str], int]:
    """A type for integers in ``low..high``."""

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must lie in {low}..{high}")
        return value

    parse.__name__ = "int"
    return parse


def json_value(text: str) -> object:
    """Any JSON value (its meaning is checked by the code that takes it)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"is not JSON: {exc}") from None


def json_object(text: str) -> dict:
    """A JSON object: a config section, a method's parameters."""
    value = json_value(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def json_list(text: str) -> list[str]:
    """A JSON list of strings (regular expressions, names)."""
    value = json_value(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise argparse.ArgumentTypeError("must be a JSON list of strings")
    return value


def json_grid(text: str) -> dict[str, list]:
    """A parameter grid: a JSON object mapping each parameter to a non-empty list."""
    grid = json_value(text)
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise argparse.ArgumentTypeError("must map each parameter to a non-empty list")
    return grid


def runs_by_key(paths: list[Path], flag: str = "--runs") -> dict[tuple[str, str], Path]:
    """``{(model, method): path}`` of run files in the order given; one file per key."""
    from ..stages.fooling.runs import key_of

    runs: dict[tuple[str, str], Path] = {}
    for path in paths:
        key = key_of(path)
        if key in runs:
            raise UserInputError(f"{flag}: {runs[key]} and {path} are both {'/'.join(key)}")
        runs[key] = path
    return runs


def add_data(parser: argparse.ArgumentParser, **kwargs) -> None:
    """``--data``: the MNIST ``.npz``."""
    parser.add_argument("--data", type=Path, default=DATA, **kwargs)


def add_models(parser: argparse.ArgumentParser) -> None:
    """``--models NAME=PATH ...``: the trained models, as ``[(name, path)]``."""
    parser.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH", type=model_file)


def add_model(parser: argparse.ArgumentParser, *, file: bool = True) -> None:
    """``--model`` (a name) and, with ``file``, ``--model-file`` (its ``.keras``)."""
    parser.add_argument(
        "--model", required=True, type=model_name, help="model name (softmax, mlp, cnn)"
    )
    if file:
        parser.add_argument("--model-file", type=Path, required=True)


def add_runs(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """``--runs``: fooling run files ``<model>/<method>.npz`` (none, when ``optional``)."""
    parser.add_argument(
        "--runs",
        type=run_file,
        nargs="*" if optional else "+",
        required=not optional,
        default=[] if optional else None,
        help="<model>/<method>.npz",
    )
