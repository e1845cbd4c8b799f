"""Seed 000's genetic algorithm exactly as published (``fooling.methods.genetic_prior``)."""

from __future__ import annotations

from ...spec import Getter, MethodSpec, load_params
from ..genetic import SPEC as GENETIC


def assumptions(get: Getter, fooling: dict) -> list[tuple]:
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


SPEC = MethodSpec(
    name="genetic_prior",
    cls=GENETIC.cls,
    params=load_params(__name__),
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
    kind="black-box",
    source="seed 000",
    faithful=True,
    stream=4,
    batch="population",
    device=GENETIC.device,
    fixed={"prior": "published"},
    needs_stats=True,
    driver=True,
    cap="max_iter",
    own_job="background",
    assumptions=assumptions,
)
