"""Signed-gradient ascent on log p(target), ours (``fooling.methods.gradient_sign``)."""

from __future__ import annotations

from ...spec import LabEntry, MethodSpec, load_params
from .host import GradientSign


def device() -> type:
    from .device import _GradientSign

    return _GradientSign


SPEC = MethodSpec(
    name="gradient_sign",
    cls=GradientSign,
    params=load_params(__name__),
    summary=(
        "(ours): signed-gradient ascent on log p(target) (for the MLP's sigmoid outputs, the "
        "target's logit, whose gradient does not vanish at 0.9999) from uniform noise."
    ),
    label="sign gradient",
    kind="white-box",
    source="ours",
    faithful=False,
    stream=1,
    device=device,
    lab=LabEntry(
        package=__name__,
        rank=2,
        label="signed gradient (ours)",
        note="Signed gradient (ours): {steps} steps of {step_size} &middot; {decay}<sup>t</sup>"
        " from noise, until {threshold}.",
    ),
)
