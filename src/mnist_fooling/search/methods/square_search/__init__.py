"""Our greedy square search, after the Square Attack (``fooling.methods.square_search``)."""

from __future__ import annotations

from ...spec import LabEntry, MethodSpec, load_params
from .host import SquareSearch


def device() -> type:
    from .device import _SquareSearch

    return _SquareSearch


SPEC = MethodSpec(
    name="square_search",
    cls=SquareSearch,
    params=load_params(__name__),
    summary=(
        "(ours): a greedy black-box search from uniform noise that sets random small squares "
        "to black or white and keeps a change when it raises the target's log-odds (after "
        "Andriushchenko et al.'s Square Attack, 2020)."
    ),
    label="square search",
    kind="black-box",
    source="ours",
    faithful=False,
    stream=8,
    batch="candidates",
    device=device,
    lab=LabEntry(
        package=__name__,
        rank=3,
        label="square search (ours)",
        note="Square search (ours): {candidates} squares a step, {steps} steps, until {threshold}.",
    ),
)
