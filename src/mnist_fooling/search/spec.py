"""``MethodSpec``: what every consumer (config check, workflow, report, device path, lab,
benchmark) knows of a fooling method; each method's folder (``methods/<name>/``) makes one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import yaml

Getter = Callable[..., str]  # get(key, fmt=str): a config value of the method, or "not run"
Rows = Callable[[Getter, dict], list[tuple[str, str, str, str]]]
# What config.schema.yaml's $defs.search requires of the methods that refer to it.
SEARCH_KEYS = {"steps", "threshold"}


@dataclass(frozen=True, kw_only=True)
class LabEntry:
    """A method the lab page runs in the browser: ``label`` in its menu at place ``rank`` (the
    first is the page's default), ``note`` (HTML, with ``{parameter}`` fields) under it;
    ``script`` the file in the method's folder (``package``) that holds its generator,
    ``function* <name>(s)`` (see ``stages/lab/lab.js``)."""

    package: str
    rank: int
    label: str
    note: str
    script: str = "lab.js"

    def source(self) -> str:
        """The generator's JavaScript."""
        return resources.files(self.package).joinpath(self.script).read_text(encoding="utf-8")


@dataclass(frozen=True, kw_only=True)
class MethodSpec:
    """One fooling method.

    Attributes:
        name: the config key (``fooling.methods.<name>``) and the file stem of its runs.
        cls: its :class:`~mnist_fooling.search.base.Method`; ``fixed`` are the constructor
            arguments the entry itself sets (a variant of a shared class).
        params: the JSON schema of its config section (``params.yaml`` in its folder, with a
            description and the config's default of each parameter).
        summary: what it does, in a sentence of markdown after its name (the report's list).
        label: how the report names it. kind: ``"white-box"`` or ``"black-box"``.
        source: whose method it is; faithful: True when it does what its source's code does,
            False for ours and for reconstructions.
        stream: its index in the random streams (``[seed, model, stream]``), fixed here so
            that adding a method changes no other method's images.
        device: returns its device implementation (JAX, imported only when called; None:
            host only).
        lab: how the lab page offers it (None: not in the lab).
        needs_stats: built with the training digits' statistics (the natural-image prior).
        driver: the genetic driver that can add ``runs_of_two`` extra '2's (C9, C14).
        cap: the parameter that caps a run's steps (``fooling.counts`` may set it per model).
        batch: the parameter that sets how many images a run scores per step (None: one).
        own_job: when its search jobs start: ``"first"`` as soon as its model exists (hill
            climbing, the CNN's longest, on the longest chain); ``"background"`` in the cores
            that chain leaves (genetic and genetic_prior with their 1000 extra '2's on the MLP:
            7½ and 7 min of the default run). None: at the searches' usual priority.
        never_stop: the parameters that keep every run going (the speed benchmark times its
            loop with them; None: not benchmarked).
        assumptions: its rows of the report's assumptions table: ``(method, choice, the
            source's word, ours)`` from a getter of its config values and the fooling section.
    """

    name: str
    cls: type
    params: dict
    summary: str
    label: str
    kind: str
    source: str
    faithful: bool
    stream: int
    device: Callable[[], type] | None = None
    lab: LabEntry | None = None
    fixed: dict = field(default_factory=dict)
    needs_stats: bool = False
    driver: bool = False
    cap: str = "steps"
    batch: str | None = None
    own_job: str | None = None
    never_stop: dict | None = None
    assumptions: Rows = lambda get, fooling: []  # noqa: E731

    def optional(self) -> dict:
        """The defaults of the parameters its config block may leave out (params.yaml's
        properties that are not required, with a default)."""
        schema = self.params
        required = set(schema.get("required", [])) | SEARCH_KEYS
        return {
            key: prop["default"]
            for key, prop in schema.get("properties", {}).items()
            if key not in required and "default" in prop
        }

    def build(self, params: dict, *, stats=None):
        """The method object from its config parameters, an absent optional one at its schema
        default (``stats``: the digits' statistics, for methods with a prior)."""
        extra = {"stats": stats} if self.needs_stats else {}
        return self.cls(**{**self.optional(), **params}, **self.fixed, **extra)


def load_params(package: str) -> dict:
    """The parameter schema ``params.yaml`` of the method folder ``package``."""
    text = resources.files(package).joinpath("params.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
