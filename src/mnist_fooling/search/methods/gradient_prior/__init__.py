"""The signed-gradient ascent with image regularisers, ours (``fooling.methods.gradient_prior``)."""

from __future__ import annotations

from ...spec import MethodSpec, load_params
from ..gradient_sign import SPEC as SIGN

SPEC = MethodSpec(
    name="gradient_prior",
    cls=SIGN.cls,
    params=load_params(__name__),
    summary=(
        "(ours): the same with image regularisers acting after each step (decay towards the "
        "black background, Gaussian blur, jitter; Yosinski et al. 2015) whose weight decays, "
        "so the ascent alone finishes the run."
    ),
    label="gradient + prior",
    kind="white-box",
    source="ours",
    faithful=False,
    stream=2,
    device=SIGN.device,
)
