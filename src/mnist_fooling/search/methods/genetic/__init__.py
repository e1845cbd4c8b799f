"""Our reconstruction of seed 000's earlier genetic algorithm (``fooling.methods.genetic``); the
shared class of the genetic_prior variants."""

from __future__ import annotations

from ...spec import Getter, LabEntry, MethodSpec, load_params
from .host import Genetic


def device() -> type:
    from .device import _Genetic

    return _Genetic


def assumptions(get: Getter, fooling: dict) -> list[tuple]:
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


SPEC = MethodSpec(
    name="genetic",
    cls=Genetic,
    params=load_params(__name__),
    summary=(
        "(seed 000, reconstructed): our reconstruction of the post's earlier, unpublished "
        "version: the same loop as genetic_prior with uniform pixels and the L1 cost alone."
    ),
    label="genetic",
    kind="black-box",
    source="seed 000 (reconstructed)",
    faithful=False,
    stream=3,
    batch="population",
    device=device,
    lab=LabEntry(
        package=__name__,
        rank=1,
        label="seed 000's genetic algorithm",
        note="Genetic (seed 000): {population} images, the {selected} of lowest cost (L1 to "
        "the one-hot target) kept, children by uniform crossover, each pixel redrawn with "
        "probability min(0.5, 0.01 &middot; cost), until the cost is below {tol}.",
    ),
    driver=True,
    cap="max_iter",
    own_job="background",
    never_stop={"tol": 0.0, "max_attempts": 1},
    assumptions=assumptions,
)
