"""Validate the workflow config against its JSON schema (workflow/schemas/config.schema.yaml with
each registered method's parameter schema added), with one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from .core.errors import UserInputError
from .search.registry import METHODS

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "top level"


def describe(error: jsonschema.ValidationError) -> str:
    """One line naming the offending key and what is wrong with it."""
    where = _where(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return (
            f"unknown key {', '.join(map(repr, extra))} in {where} (allowed: {', '.join(allowed)})"
        )
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {error.validator_value}"
    return f"{where}: {error.message}"


def config_schema(path: Path = SCHEMA) -> dict:
    """The schema at ``path`` with every method's parameters (``$defs.method_<name>``, from its
    folder's params.yaml) under ``fooling.methods`` and its counts under each model's
    ``fooling.counts``: the registry is the one list of methods."""
    with open(path) as fh:
        schema = yaml.safe_load(fh)
    defs = schema["$defs"]
    methods = schema["properties"]["fooling"]["properties"]["methods"]
    for entry in METHODS:
        defs[f"method_{entry.name}"] = entry.params
        methods["properties"][entry.name] = {"$ref": f"#/$defs/method_{entry.name}"}
        defs["method_counts"]["properties"][entry.name] = {"$ref": "#/$defs/counts"}
    return schema


def validate_config(config: dict, *, schema: Path = SCHEMA) -> None:
    """Raise :class:`UserInputError` naming the first problem of ``config``, if any."""
    spec = config_schema(schema)
    validator = jsonschema.Draft202012Validator(spec)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise UserInputError(f"config error: {describe(best)}")
    fooling, eleventh = config["fooling"], config["eleventh"]
    for model, methods in fooling.get("counts", {}).items():
        for method in methods:
            if method not in fooling["methods"]:
                raise UserInputError(
                    f"config error: fooling.counts.{model}.{method}: {method!r} is not in "
                    "fooling.methods"
                )
    for method, sweep in fooling.get("sweeps", {}).items():
        if method not in fooling["methods"]:
            raise UserInputError(
                f"config error: fooling.sweeps.{method}: {method!r} is not in fooling.methods"
            )
        if sweep["model"] not in config["models"]:
            raise UserInputError(
                f"config error: fooling.sweeps.{method}.model {sweep['model']!r} is not in models"
            )
    if eleventh["model"] not in config["models"]:
        raise UserInputError(f"config error: eleventh.model {eleventh['model']!r} is not in models")
    if eleventh["method"] not in fooling["methods"]:
        raise UserInputError(
            f"config error: eleventh.method {eleventh['method']!r} is not in fooling.methods"
        )


def load_config(path: Path, *, schema: Path = SCHEMA) -> dict:
    """Read a YAML config file and validate it."""
    try:
        with open(path) as fh:
            config = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise UserInputError(f"config error: cannot read {path}: {exc}") from exc
    if not isinstance(config, dict):
        raise UserInputError(f"config error: {path} does not hold a mapping")
    validate_config(config, schema=schema)
    return config


def in_base_order(config: dict, base: dict) -> dict:
    """``config`` with the key order of ``base`` (config/config.yaml) in every mapping, keys
    only ``config`` has after them. Snakemake's merged config puts a profile's keys first, and
    the order of ``fooling.methods`` is the order in which jobs read the runs (the 11th-class
    retraining's data among them): a profile changes values, not that order."""
    ordered = {}
    for key in [*[k for k in base if k in config], *[k for k in config if k not in base]]:
        value = config[key]
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            value = in_base_order(value, base[key])
        ordered[key] = value
    return ordered


def fine_tuning_limit(config: dict) -> int | None:
    """Training digits the 11th-class fine-tuning uses: the tighter of ``data.n_train`` and
    ``eleventh.n_train`` (None: all of them)."""
    limits = [n for n in (config["data"]["n_train"], config["eleventh"].get("n_train")) if n]
    return min(limits) if limits else None
