"""The fooling methods, one line each, in report order (white-box first, then black-box).
Adding a method: its folder under ``methods/`` (see ``methods/square_search``), one line here,
its block in config/config.yaml (``fooling.methods``)."""

from __future__ import annotations

from .methods import (
    genetic,
    genetic_prior,
    genetic_prior_intended,
    gradient,
    gradient_prior,
    gradient_sign,
    hillclimb,
    map_elites,
    square_search,
)
from .spec import LabEntry, MethodSpec

METHODS: tuple[MethodSpec, ...] = (
    gradient.SPEC,
    gradient_sign.SPEC,
    gradient_prior.SPEC,
    genetic.SPEC,
    genetic_prior.SPEC,
    genetic_prior_intended.SPEC,
    hillclimb.SPEC,
    map_elites.SPEC,
    square_search.SPEC,
)
NAMES: tuple[str, ...] = tuple(spec.name for spec in METHODS)
BY_NAME = {spec.name: spec for spec in METHODS}


def spec(name: str) -> MethodSpec:
    """The entry of method ``name``; a ValueError naming the known methods otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; expected one of {NAMES}") from None


def set_name(model: str, method: str) -> str:
    """``"MLP, gradient"``: how the reading page, its answer files, the claims and the report
    name the fooling set of ``model`` and ``method``."""
    from ..core.names import MODEL_LABELS

    label = BY_NAME[method].label if method in BY_NAME else method
    return f"{MODEL_LABELS.get(model, model)}, {label}"


def mean_name(model: str, method: str) -> str:
    """``"MLP, genetic: mean '2'"``: the mean of a set's '2's (C9, C14)."""
    return f"{set_name(model, method)}: mean '2'"


def make_method(name: str, params: dict, *, stats=None):
    """Build method ``name`` from its config section (``stats``: see :meth:`MethodSpec.build`)."""
    return spec(name).build(dict(params), stats=stats)


def device_class(method) -> type | None:
    """The device implementation of a method object (by its class; imports JAX), or None."""
    for entry in METHODS:
        if entry.device and type(method) is entry.cls:
            return entry.device()
    return None


def has_device(method) -> bool:
    """Whether a method object's class has a device implementation (imports nothing)."""
    return any(entry.device and type(method) is entry.cls for entry in METHODS)


def lab_methods() -> dict[str, LabEntry]:
    """The methods the lab page runs, in the order of its menu (their ``lab.rank``)."""
    entries = sorted((e for e in METHODS if e.lab), key=lambda e: e.lab.rank)
    return {entry.name: entry.lab for entry in entries}


def assumption_rows(methods: dict, fooling: dict) -> list[tuple]:
    """Every entry's assumptions-table rows, from the config's ``methods`` section (a method
    that is not configured shows "not run")."""
    rows = []
    for entry in METHODS:
        params = methods.get(entry.name, {})

        def get(key: str, fmt=str, params=params) -> str:
            return fmt(params[key]) if key in params else "not run"

        rows += entry.assumptions(get, fooling)
    return rows
