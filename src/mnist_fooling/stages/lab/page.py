"""``write_lab``: the lab page, one self-contained HTML file that works from ``file://``."""

from __future__ import annotations

import base64
import html
import json
import re
from importlib import resources
from pathlib import Path

from ...core.errors import UserInputError
from ...core.io import write_text
from ...search.registry import BY_NAME, lab_methods
from .export import export_model

# The searches the page runs (the registry's entries with a lab part), with their parameters
# from the config (fooling.methods).
METHODS = lab_methods()
# The scripts the page holds: the networks (also each Web Worker's source, with worker.js), the
# page's own; and the WebAssembly builds of gemm.wat (plain SIMD, relaxed SIMD).
SCRIPTS = (("__NET__", "net.js"), ("__WORKER__", "worker.js"), ("__SCRIPT__", "lab.js"))
KERNELS = ("gemm", "gemm_relaxed")
# Where lab.js takes prepare.js (the input preparation) and the searches' generators (see
# script()).
_PREPARE = re.compile(r"[ \t]*/\* __PREPARE__.*?\*/\n", re.S)
_SEARCHES = re.compile(r"[ \t]*/\* __SEARCHES__.*?\*/", re.S)


# An add of a product to a sum, in gemm.wat's spelling, and the same as one relaxed fused
# multiply-add (relaxed_madd(a, b, c) = a * b + c, rounded once where the CPU has FMA).
_GET = r"\(local\.get (\$\w+)\)"
_MADD = re.compile(rf"\(f32x4\.add {_GET} \(f32x4\.mul {_GET} {_GET}\)\)")
_RELAXED = r"(f32x4.relaxed_madd (local.get \2) (local.get \3) (local.get \1))"


def kernel_texts() -> dict[str, str]:
    """The text of each build of the product (:data:`KERNELS`): gemm.wat, and gemm.wat with
    its multiply-adds fused."""
    text = _asset("gemm.wat")
    relaxed, n = _MADD.subn(_RELAXED, text)
    if n != 16:  # gemm's eight and peak's eight
        raise RuntimeError(f"gemm.wat: expected 16 multiply-adds to fuse, found {n}")
    return dict(gemm=text, gemm_relaxed=relaxed)


def build_kernels(folder: Path) -> None:
    """Compile :func:`kernel_texts` into ``folder/<name>.wasm`` with wasmtime's wat2wasm (a
    test checks that the committed files are these bytes)."""
    import wasmtime

    for name, text in kernel_texts().items():
        (Path(folder) / f"{name}.wasm").write_bytes(wasmtime.wat2wasm(text))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def searches(names) -> str:
    """The generators of the lab methods ``names`` (each folder's lab script, indented into
    lab.js's closure), then ``METHODS`` (name -> generator) and ``CAPS`` (name -> the
    parameter that caps its steps)."""
    parts = [_indented(BY_NAME[name].lab.source()) for name in names]
    table = ", ".join(names)
    caps = ", ".join(f"{name}: {json.dumps(BY_NAME[name].cap)}" for name in names)
    return "".join(parts) + f"  const METHODS = {{ {table} }};\n  const CAPS = {{ {caps} }};"


def _indented(source: str) -> str:
    """``source`` indented into lab.js's closure (two spaces a line)."""
    lines = source.splitlines(keepends=True)
    return "".join(f"  {line}" if line.strip() else line for line in lines)


def script(names) -> str:
    """lab.js as the page holds it: its input preparation (prepare.js) and the searches of
    ``names`` (each method's lab.js) in their places."""
    text = _PREPARE.sub(lambda m: _indented(_asset("prepare.js")), _asset("lab.js"), count=1)
    return _SEARCHES.sub(lambda m: searches(names), text, count=1)


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
    # the matrix product in WebAssembly SIMD (gemm.wat compiled, plain and relaxed)
    kernels = {
        name: base64.b64encode(
            resources.files(__package__).joinpath(f"{name}.wasm").read_bytes()
        ).decode("ascii")
        for name in KERNELS
    }
    data = dict(order=list(exported), models=exported, methods=offered, kernels=kernels)
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
        ("__METHOD_OPTIONS__", _options({m: METHODS[m].label for m in offered})),
        ("__METHOD_NOTES__", " ".join(METHODS[m].note.format(**p) for m, p in offered.items())),
        ("__BARS__", bars),
    ):
        page = page.replace(key, value)
    # the big parts in one pass, so that no placeholder is looked for inside them
    scripts = {key: _asset(name) for key, name in SCRIPTS}
    scripts["__SCRIPT__"] = script(list(offered))
    parts = dict(
        __DATA__=payload, **{key: text.replace("</", "<\\/") for key, text in scripts.items()}
    )
    return re.sub("|".join(parts), lambda m: parts[m.group()], page)


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
