"""The fooling methods, one entry each: what every consumer (config check, workflow, report,
device path, benchmark) knows of a method. Adding a method: its module, one entry here, its
config section (``fooling.methods`` and the schema)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

Getter = Callable[..., str]  # get(key, fmt=str): a config value of the method, or "not run"
Rows = Callable[[Getter, dict], list[tuple[str, str, str, str]]]


@dataclass(frozen=True, kw_only=True)
class MethodSpec:
    """One fooling method.

    Attributes:
        name: the config key (``fooling.methods.<name>``) and the file stem of its runs.
        cls: ``"module:Class"`` of its :class:`~mnist_fooling.search.base.Method`, in
            :mod:`mnist_fooling.search`; ``fixed`` are the constructor arguments the entry
            itself sets (a variant of a shared class).
        summary: what it does, in a sentence of markdown after its name (the report's list).
        label: how the report names it. kind: ``"white-box"`` or ``"black-box"``.
        source: whose method it is; faithful: True when it does what its source's code does,
            False for ours and for reconstructions.
        stream: its index in the random streams (``[seed, model, stream]``), fixed here so
            that adding a method changes no other method's images.
        device: the name of its device implementation (a key of
            ``mnist_fooling.search.device.implementations.IMPLEMENTATIONS``; None: host only).
        needs_stats: built with the training digits' statistics (the natural-image prior).
        driver: the genetic driver that can add ``runs_of_two`` extra '2's (C9, C14).
        cap: the parameter that caps a run's steps (``fooling.counts`` may set it per model).
        own_job: searched in a job of its own, for a long search: ``"first"`` starts as soon
            as its model exists (hill climbing, the CNN's longest, on the longest chain);
            ``"background"`` fills the cores that chain leaves (genetic and genetic_prior with
            their 1000 extra '2's on the MLP: 7½ and 7 min of the default run, 28 min in one
            job before the crossover was vectorised). None: with the model's other methods.
        never_stop: the parameters that keep every run going (the speed benchmark times its
            loop with them; None: not benchmarked).
        assumptions: its rows of the report's assumptions table: ``(method, choice, the
            source's word, ours)`` from a getter of its config values and the fooling section.
    """

    name: str
    cls: str
    summary: str
    label: str
    kind: str
    source: str
    faithful: bool
    stream: int
    device: str | None
    fixed: dict = field(default_factory=dict)
    needs_stats: bool = False
    driver: bool = False
    cap: str = "steps"
    own_job: str | None = None
    never_stop: dict | None = None
    assumptions: Rows = lambda get, fooling: []  # noqa: E731

    def method_class(self) -> type:
        module, name = self.cls.split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)

    def build(self, params: dict, *, stats=None):
        """The method object from its config parameters (``stats``: the digits' statistics,
        for methods with a prior)."""
        extra = {"stats": stats} if self.needs_stats else {}
        return self.method_class()(**params, **self.fixed, **extra)


def _genetic_rows(get: Getter, fooling: dict) -> list[tuple]:
    return [
        (
            "genetic",
            "stop rule",
            "the earlier version is unpublished",
            f"the published driver's cost rule: L1 to the one-hot target below tol = {get('tol')}"
            " (it bounds the target output only above 1 − tol, not at 99.99%)",
        ),
        (
            "genetic",
            "what C6 counts",
            "'often returned images … greater than 99.99%'",
            "the calls whose returned image's target output is above 99.99% (not the cost "
            "rule's stops; those are reported beside the rate)",
        ),
        (
            "genetic",
            "generations per attempt",
            "unpublished",
            f"{get('max_iter')} (the Rcpp function's default: 1000; capped per model "
            "in fooling.counts)",
        ),
        ("genetic", "pixels", "unpublished", "uniform in [0, 1] (no histogram)"),
        (
            "genetic*",
            "calls per image",
            "the driver retries until converged",
            f"replicate runs: {get('max_attempts')} call(s), counted in the rates; "
            f"extra '2's: up to {fooling['attempts_of_two']} calls each",
        ),
        (
            "genetic*",
            "last generation of an attempt",
            "scored, never checked",
            "not scored (its evaluations are not counted)",
        ),
    ]


def _prior_rows(get: Getter, fooling: dict) -> list[tuple]:
    return [
        (
            "genetic_prior*",
            "tol for digits other than '2'",
            "0.055 for '2'; 'tweaked digit by digit'",
            f"{get('tol')} for every digit",
        ),
        (
            "genetic_prior*",
            "the queue in top_index",
            "the posted listing lacks q.pop()",
            "the Rcpp gallery original (keeps the 5 best)",
        ),
    ]


def _hillclimb_rows(get: Getter, fooling: dict) -> list[tuple]:
    return [
        ("hillclimb", "mask density", "not given", get("density")),
        ("hillclimb", "mask amplitude", "not given", f"uniform in ±{get('amplitude')}"),
        ("hillclimb", "iteration cap", "not given", get("steps")),
        (
            "hillclimb",
            "local minimum (D7)",
            "'none of the generated images could improve'",
            f"no improvement for {get('patience')} iterations below 0.99",
        ),
        ("hillclimb", "no candidate better", "not said", "the base is kept"),
    ]


def _gradient_rows(get: Getter, fooling: dict) -> list[tuple]:
    return [
        (
            "gradient",
            "cost and step",
            "Nielsen's network, 'back-propagation'",
            f"cross-entropy summed over the outputs, step {get('learning_rate')}",
        ),
        ("gradient", "iterations", "not given", get("steps")),
        ("gradient", "image returned", "not said", "the best (highest target output) met"),
    ]


def _map_elites_rows(get: Getter, fooling: dict) -> list[tuple]:
    return [
        ("map_elites", "generations", "paper: 1000s", get("steps")),
        (
            "map_elites",
            "searches after the 11th class's last round (N2)",
            "new searches from random images, as before retraining",
            "those too, and (ours) the same searches continued from their own images for "
            "eleventh.continue_steps more generations (the 11th-class section)",
        ),
    ]


_GENETIC = dict(cls="genetic:Genetic", kind="black-box", device="_Genetic", cap="max_iter")
_SIGN = dict(cls="gradient_sign:GradientSign", kind="white-box", device="_GradientSign")
# In report order: white-box first, then black-box.
METHODS: tuple[MethodSpec, ...] = (
    MethodSpec(
        name="gradient",
        summary=(
            "(seed 000): gradient descent on the pixels of a random image with the network's "
            "weights frozen (Nielsen's cross-entropy, fixed step, pixels clipped to [0, 1])."
        ),
        cls="gradient:Gradient",
        label="gradient",
        kind="white-box",
        source="seed 000",
        faithful=True,
        stream=0,
        device="_Gradient",
        assumptions=_gradient_rows,
    ),
    MethodSpec(
        name="gradient_sign",
        summary=(
            "(ours): signed-gradient ascent on log p(target) (for the MLP's sigmoid outputs, the "
            "target's logit, whose gradient does not vanish at 0.9999) from uniform noise."
        ),
        label="sign gradient",
        source="ours",
        faithful=False,
        stream=1,
        **_SIGN,
    ),
    MethodSpec(
        name="gradient_prior",
        summary=(
            "(ours): the same with image regularisers acting after each step (decay towards the "
            "black background, Gaussian blur, jitter; Yosinski et al. 2015) whose weight decays, "
            "so the ascent alone finishes the run."
        ),
        label="gradient + prior",
        source="ours",
        faithful=False,
        stream=2,
        **_SIGN,
    ),
    MethodSpec(
        name="genetic",
        summary=(
            "(seed 000, reconstructed): our reconstruction of the post's earlier, unpublished "
            "version: the same loop as genetic_prior with uniform pixels and the L1 cost alone."
        ),
        label="genetic",
        source="seed 000 (reconstructed)",
        faithful=False,
        stream=3,
        driver=True,
        own_job="background",
        never_stop={"tol": 0.0, "max_attempts": 1},
        assumptions=_genetic_rows,
        **_GENETIC,
    ),
    MethodSpec(
        name="genetic_prior",
        summary=(
            "(seed 000, exactly as published): the Rcpp `kinda_genetic_digit` as its R driver ran "
            "it: 100 images, the 5 of lowest cost kept, children by uniform crossover of two "
            "distinct kept images, each pixel redrawn from the digit's intensity histogram with "
            "probability min(0.5, 0.01 · cost); an attempt stops when the *total cost* (L1 "
            "distance of the outputs to the one-hot target plus the variogram term) is below tol, "
            "or returns its 5th best after `max_iter` generations, and the driver retries until "
            "it converges."
        ),  # the post's code as published (C15)
        label="genetic + prior",
        source="seed 000",
        faithful=True,
        stream=4,
        fixed={"prior": "published"},
        needs_stats=True,
        driver=True,
        own_job="background",
        assumptions=_prior_rows,
        **_GENETIC,
    ),
    MethodSpec(
        name="genetic_prior_intended",
        summary=(
            "(seed 000, C15 fixed): genetic_prior with the variogram's lag and axes fixed (C15, "
            "@sec-variogram)."
        ),  # lag k, matching axes
        label="genetic + prior (intended)",
        source="seed 000, C15 fixed",
        faithful=False,
        stream=5,
        fixed={"prior": "intended"},
        needs_stats=True,
        driver=True,
        **_GENETIC,
    ),
    MethodSpec(
        name="hillclimb",
        summary=(
            "(seed 003): a blank base, 500 random masks per iteration *added* to it (clipped to "
            "[0, 1]), the best candidate kept when it raises the target output."
        ),
        cls="hillclimb:HillClimb",
        label="hill climbing",
        kind="black-box",
        source="seed 003",
        faithful=True,
        stream=6,
        device="_HillClimb",
        own_job="first",
        never_stop={"threshold": 2.0, "patience": 10**6},
        assumptions=_hillclimb_rows,
    ),
    MethodSpec(
        name="map_elites",
        summary=(
            "(Nguyen et al. 2015): MAP-Elites with direct encoding on a pyribs archive, one cell "
            "per digit and replicate, every child competing for all ten digits (the paper's "
            "sferes settings: 200 random images, 200 children per generation, per-pixel "
            "polynomial mutation of strength 15 with probability 0.1)."
        ),
        cls="map_elites:MapElites",
        label="MAP-Elites",
        kind="black-box",
        source="Nguyen et al.",
        faithful=True,
        stream=7,
        device="_MapElites",
        never_stop={"threshold": 2.0},
        assumptions=_map_elites_rows,
    ),
    MethodSpec(
        name="square_search",
        summary=(
            "(ours): a greedy black-box search from uniform noise that sets random small squares "
            "to black or white and keeps a change when it raises the target's log-odds (after "
            "Andriushchenko et al.'s Square Attack, 2020)."
        ),
        cls="square_search:SquareSearch",
        label="square search",
        kind="black-box",
        source="ours",
        faithful=False,
        stream=8,
        device="_SquareSearch",
    ),
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


def device_name(method) -> str | None:
    """The device implementation's name for a method object (by its class), or None."""
    for entry in METHODS:
        if entry.device and type(method) is entry.method_class():
            return entry.device
    return None


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
