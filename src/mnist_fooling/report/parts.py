"""A stage's parts for the report, found the same way: ``fragment <stage>`` calls
``mnist_fooling.stages.<stage>.fragment.fragment(inputs, config)``, ``plot <stage>`` calls
``mnist_fooling.stages.<stage>.figures.figures(inputs, out_dir)`` (``plot <stage>:<module>``:
a second figures module of the stage). ``inputs`` maps each key of ``--input KEY=PATH`` to a
path, or to a list of paths for a repeated key."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ..core.errors import UserInputError


def stage_function(command: str, stage: str, module: str, function: str) -> Callable:
    """``function`` of ``mnist_fooling.stages.<stage>.<module>``; a UserInputError naming what
    is missing otherwise."""
    name = f"mnist_fooling.stages.{stage}.{module}"
    try:
        found = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise UserInputError(f"{command}: no stage module {name}") from exc
    if not hasattr(found, function):
        raise UserInputError(f"{command}: {name} has no {function}() function")
    return getattr(found, function)


def existing(command: str, inputs: dict) -> Inputs:
    """``inputs`` checked to exist, as :class:`Inputs`."""
    for key, paths in inputs.items():
        for path in paths if isinstance(paths, list) else [paths]:
            if not Path(path).exists():
                raise UserInputError(f"{command}: input {key}={path} not found")
    return Inputs(command, inputs)


class Inputs(dict):
    """A stage's inputs: one it needs but was not given is a user error, not a KeyError."""

    def __init__(self, command: str, inputs: dict):
        super().__init__(inputs)
        self.command = command

    def __missing__(self, key):
        raise UserInputError(f"{self.command}: no input {key} (give --input {key}=PATH)")

    def paths(self, key: str) -> list[Path]:
        """The input ``key`` as a list of paths (one file or several)."""
        value = self[key]
        return [Path(p) for p in (value if isinstance(value, list) else [value])]


def build_figures(stage: str, inputs: dict, out_dir: Path) -> None:
    """Draw ``stage``'s figures (``<stage>`` or ``<stage>:<module>``) into ``out_dir``."""
    name, _, module = stage.partition(":")
    draw = stage_function("plot", name, module or "figures", "figures")
    draw(existing(f"plot {stage}", inputs), Path(out_dir))
