"""Nguyen et al. 2015's MAP-Elites with direct encoding (``fooling.methods.map_elites``)."""

from __future__ import annotations

from ...spec import Getter, MethodSpec, load_params
from .host import MapElites


def device() -> type:
    from .device import _MapElites

    return _MapElites


def assumptions(get: Getter, fooling: dict) -> list[tuple]:
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


SPEC = MethodSpec(
    name="map_elites",
    cls=MapElites,
    params=load_params(__name__),
    summary=(
        "(Nguyen et al. 2015): MAP-Elites with direct encoding on a pyribs archive, one cell "
        "per digit and replicate, every child competing for all ten digits (the paper's "
        "sferes settings: 200 random images, 200 children per generation, per-pixel "
        "polynomial mutation of strength 15 with probability 0.1)."
    ),
    label="MAP-Elites",
    kind="black-box",
    source="Nguyen et al.",
    faithful=True,
    stream=7,
    batch="batch_size",
    device=device,
    never_stop={"threshold": 2.0},
    assumptions=assumptions,
)
