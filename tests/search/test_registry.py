"""The method registry is the one list of methods: the schema, the configs and every consumer
agree with it."""

from __future__ import annotations

import pytest
import yaml

from mnist_fooling.config import config_schema
from mnist_fooling.search import registry
from tests.conftest import ROOT

SCHEMA = config_schema()


def test_names_and_random_streams_are_unique_and_fixed():
    assert len(set(registry.NAMES)) == len(registry.NAMES)
    streams = {s.name: s.stream for s in registry.METHODS}
    assert len(set(streams.values())) == len(streams)
    # Today's streams: a new method takes a new number and changes no other method's images.
    assert {name: streams.get(name) for name in FIXED_STREAMS} == FIXED_STREAMS


FIXED_STREAMS = {
    "gradient": 0,
    "gradient_sign": 1,
    "gradient_prior": 2,
    "genetic": 3,
    "genetic_prior": 4,
    "genetic_prior_intended": 5,
    "hillclimb": 6,
    "map_elites": 7,
    "square_search": 8,
}


def test_the_schemas_method_keys_are_the_registrys():
    fooling = SCHEMA["properties"]["fooling"]["properties"]
    assert set(fooling["methods"]["properties"]) == set(registry.NAMES)
    assert set(SCHEMA["$defs"]["method_counts"]["properties"]) == set(registry.NAMES)


@pytest.mark.parametrize("config", sorted(ROOT.glob("**/*config*.yaml")), ids=str)
def test_every_configured_method_is_registered(config):
    found = yaml.safe_load(config.read_text()) or {}
    methods = found.get("fooling", {}).get("methods", {})
    assert set(methods) <= set(registry.NAMES)


@pytest.mark.parametrize("entry", registry.METHODS, ids=lambda s: s.name)
def test_every_entry_is_complete(entry):
    """Its class exists, its config section builds it, the device path knows it, the report
    labels it and its kind and source are known."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    params = config["fooling"]["methods"][entry.name]
    method = entry.build(params, stats=())
    assert isinstance(method, entry.cls)
    assert registry.has_device(method) == (entry.device is not None)
    assert entry.kind in ("white-box", "black-box") and entry.label and entry.source
    assert entry.cap in params


def test_every_consumer_knows_every_method():
    from mnist_fooling.stages.detectors.labels import SET_LABELS

    assert {n: SET_LABELS[n] for n in registry.NAMES} == {s.name: s.label for s in registry.METHODS}
    rows = registry.assumption_rows({}, {"attempts_of_two": 1})
    assert {r[0].rstrip("*") for r in rows} <= {n for n in registry.NAMES}
    assert all(r[3] for r in rows)


def test_unknown_method_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown method 'annealing'; expected one of"):
        registry.spec("annealing")


def test_the_labs_menu_has_one_place_per_method_and_opens_on_hill_climbing():
    ranks = [entry.rank for entry in registry.lab_methods().values()]
    assert len(set(ranks)) == len(ranks)
    menu = ["hillclimb", "genetic", "gradient_sign", "square_search"]
    assert list(registry.lab_methods()) == menu
