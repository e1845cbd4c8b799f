"""What each fooling job needs of the config: a model's methods with their parameters and counts
(the `fooling` section resolved per model), and nothing else."""

from __future__ import annotations

from ...search.registry import spec

COUNT_KEYS = ("runs_per_digit", "runs_of_two", "attempts_of_two")
CAP_KEYS = ("steps", "max_iter")  # a run's step (generation) cap, per model when set there


def counts_for(fooling: dict, model: str, method: str) -> dict:
    """``runs_per_digit``, ``runs_of_two`` and ``attempts_of_two`` of one (model, method):
    the ``fooling`` config section's defaults, overridden by ``counts.<model>.<method>``."""
    found = {k: fooling[k] for k in COUNT_KEYS}
    override = fooling.get("counts", {}).get(model, {}).get(method, {})
    found.update({k: v for k, v in override.items() if k in COUNT_KEYS})
    if not spec(method).driver:
        found["runs_of_two"] = 0  # the extra '2's are the genetic driver's (C9, C14)
    return found


def params_for(fooling: dict, model: str, method: str) -> dict:
    """The method's parameters for one model: ``methods.<method>`` with a step or generation
    cap from ``counts.<model>.<method>`` when one is set there."""
    override = fooling.get("counts", {}).get(model, {}).get(method, {})
    return {**fooling["methods"][method], **{k: v for k, v in override.items() if k in CAP_KEYS}}


def plan_for(fooling: dict, model: str, methods: list[str]) -> dict[str, dict]:
    """What a fooling job of ``model`` needs of the config, and nothing else:
    ``{method: {params, runs_per_digit, runs_of_two, attempts_of_two}}``."""
    return {
        m: dict(params=params_for(fooling, model, m), **counts_for(fooling, model, m))
        for m in methods
    }
