"""Seed 003's hill climbing (``fooling.methods.hillclimb``)."""

from __future__ import annotations

from ...spec import Getter, LabEntry, MethodSpec, load_params
from .host import HillClimb


def device() -> type:
    from .device import _HillClimb

    return _HillClimb


def assumptions(get: Getter, fooling: dict) -> list[tuple]:
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


SPEC = MethodSpec(
    name="hillclimb",
    cls=HillClimb,
    params=load_params(__name__),
    summary=(
        "(seed 003): a blank base, 500 random masks per iteration *added* to it (clipped to "
        "[0, 1]), the best candidate kept when it raises the target output."
    ),
    label="hill climbing",
    kind="black-box",
    source="seed 003",
    faithful=True,
    stream=6,
    batch="candidates",
    device=device,
    lab=LabEntry(
        package=__name__,
        rank=0,
        label="seed 003's hill climbing",
        note="Hill climbing (seed 003): {candidates} random masks added to a blank base "
        "(density {density}, amplitude {amplitude}), the best kept, until {threshold}.",
    ),
    own_job="first",
    never_stop={"threshold": 2.0, "patience": 10**6},
    assumptions=assumptions,
)
