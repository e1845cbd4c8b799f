"""Seed 000's genetic algorithm with the variogram fixed, C15
(``fooling.methods.genetic_prior_intended``)."""

from __future__ import annotations

from ...spec import MethodSpec, load_params
from ..genetic import SPEC as GENETIC

SPEC = MethodSpec(
    name="genetic_prior_intended",
    cls=GENETIC.cls,
    params=load_params(__name__),
    summary=(
        "(seed 000, C15 fixed): genetic_prior with the variogram's lag and axes fixed (C15, "
        "@sec-variogram)."
    ),  # lag k, matching axes
    label="genetic + prior (intended)",
    kind="black-box",
    source="seed 000, C15 fixed",
    faithful=False,
    stream=5,
    batch="population",
    device=GENETIC.device,
    fixed={"prior": "intended"},
    needs_stats=True,
    driver=True,
    cap="max_iter",
)
