"""Seed 000's gradient descent on the pixels (``fooling.methods.gradient``)."""

from __future__ import annotations

from ...spec import Getter, MethodSpec, load_params
from .host import Gradient


def device() -> type:
    from .device import _Gradient

    return _Gradient


def assumptions(get: Getter, fooling: dict) -> list[tuple]:
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


SPEC = MethodSpec(
    name="gradient",
    cls=Gradient,
    params=load_params(__name__),
    summary=(
        "(seed 000): gradient descent on the pixels of a random image with the network's "
        "weights frozen (Nielsen's cross-entropy, fixed step, pixels clipped to [0, 1])."
    ),
    label="gradient",
    kind="white-box",
    source="seed 000",
    faithful=True,
    stream=0,
    device=device,
    assumptions=assumptions,
)
