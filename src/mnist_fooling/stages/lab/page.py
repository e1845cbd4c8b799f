"""``write_lab``: the lab page, one self-contained HTML file that works from ``file://``."""

from __future__ import annotations

import base64
import html
import json
from importlib import resources
from pathlib import Path

from ...core.errors import UserInputError
from ...core.io import write_text
from .export import export_model

# The searches the page runs, with their parameters from the config (fooling.methods).
METHODS = {
    "hillclimb": "seed 003's hill climbing",
    "genetic": "seed 000's genetic algorithm",
    "gradient_sign": "signed gradient (ours)",
    "square_search": "square search (ours)",
}
NOTES = {
    "hillclimb": "Hill climbing (seed 003): {candidates} random masks added to a blank base "
    "(density {density}, amplitude {amplitude}), the best kept, until {threshold}.",
    "genetic": "Genetic (seed 000): {population} images, the {selected} of lowest cost (L1 to "
    "the one-hot target) kept, children by uniform crossover, each pixel redrawn with "
    "probability min(0.5, 0.01 &middot; cost), until the cost is below {tol}.",
    "gradient_sign": "Signed gradient (ours): {steps} steps of {step_size} &middot; {decay}<sup>t"
    "</sup> from noise, until {threshold}.",
    "square_search": "Square search (ours): {candidates} squares a step, {steps} steps, until "
    "{threshold}.",
}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _options(values: dict) -> str:
    return "".join(
        f'<option value="{html.escape(str(k))}">{html.escape(str(v))}</option>'
        for k, v in values.items()
    )


def render_lab(exported: dict[str, dict], methods: dict[str, dict]) -> str:
    """The page's HTML for exported models (name -> :func:`export_model`'s dict) and the
    searches' parameters (method -> its config entry): the page offers the methods of
    :data:`METHODS` that have parameters, so a method taken out of the config leaves it."""
    offered = {m: methods[m] for m in METHODS if m in methods}
    if not offered:
        raise UserInputError(f"the lab needs the parameters of one of {', '.join(METHODS)}")
    # the convolution kernel in WebAssembly SIMD (conv.wat, compiled to conv.wasm)
    conv = base64.b64encode(resources.files(__package__).joinpath("conv.wasm").read_bytes())
    data = dict(
        order=list(exported), models=exported, methods=offered, kernels=dict(conv=conv.decode())
    )
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    precision = {e["precision"] for e in exported.values()}
    bars = (
        '<div class="bars">'
        + "<span><i></i></span>" * 10
        + '</div><div class="ticks">'
        + "".join(f"<span>{d}</span>" for d in range(10))
        + "</div>"
    )
    page = _asset("lab.html")
    for key, value in (
        ("__PRECISION__", " and ".join(sorted(precision))),
        ("__MODEL_OPTIONS__", _options({m: m for m in exported})),
        ("__DIGIT_OPTIONS__", _options({d: d for d in range(10)})),
        ("__METHOD_OPTIONS__", _options({m: METHODS[m] for m in offered})),
        ("__METHOD_NOTES__", " ".join(NOTES[m].format(**p) for m, p in offered.items())),
        ("__BARS__", bars),
    ):
        page = page.replace(key, value)
    script = _asset("lab.js").replace("</", "<\\/")
    # the two big parts last, so that no placeholder is looked for inside them
    head, tail = page.split("__DATA__")
    tail_head, tail_tail = tail.split("__SCRIPT__")
    return head + payload + tail_head + script + tail_tail


def write_lab(
    *, models: dict[str, Path], out: Path, methods: dict[str, dict], precision: str = "float32"
) -> int:
    """Write the lab page for the trained ``models`` (name -> ``.keras``) to ``out``.

    Returns:
        The page's size in bytes.
    """
    from ...core.models import load_model

    exported = {
        name: export_model(load_model(path), precision=precision) for name, path in models.items()
    }
    text = render_lab(exported, methods)
    write_text(out, text)
    return len(text.encode("utf-8"))
