"""Method classes and ``make_method`` with the config's parameters (config/config.yaml, the one
place that holds them) under the test's own: tests name only what they change."""

from __future__ import annotations

import functools

import yaml

from mnist_fooling.search import registry
from tests.conftest import ROOT


@functools.cache
def config_methods() -> dict:
    """``fooling.methods`` of config/config.yaml."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return config["fooling"]["methods"]


def params(name: str, given: dict | None = None, **overrides) -> dict:
    """Method ``name``'s config parameters, updated by ``given`` and ``overrides``."""
    return {**config_methods()[name], **(given or {}), **overrides}


def make_method(name: str, given: dict, *, stats=None):
    """:func:`mnist_fooling.search.make_method` with the config's parameters under ``given``."""
    return registry.make_method(name, params(name, given), stats=stats)


def _factory(name: str):
    entry = registry.spec(name)

    def build(**overrides):
        return entry.build(params(name, overrides))

    build.__name__ = entry.cls.__name__
    return build


# One factory per method class, named after it (Genetic, HillClimb, ...), with the parameters of
# the first registry entry that uses it: a new method's class comes with its factory.
FACTORIES = {}
for _entry in registry.METHODS:
    FACTORIES.setdefault(_entry.cls.__name__, _factory(_entry.name))
globals().update(FACTORIES)
