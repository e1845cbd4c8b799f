"""Run the lab's functions in headless Chromium on arrays from Python (base64 float32 both ways)."""

from __future__ import annotations

import base64
import json

import numpy as np

from tests.browser import evaluate


def b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, "<f4").tobytes()).decode("ascii")


def unb64(text: str, shape) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), "<f4").reshape(shape)


# in the page: f32(b64) -> Float32Array, enc(Float32Array) -> b64
HELPERS = """
const f32 = (s) => lab.decode(s, 'float32');
const enc = (a) => { const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength); let s = '';
  for (let i = 0; i < u.length; i += 8192)
    s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
  return btoa(s); };
"""


def outputs_and_gradients(page, images: np.ndarray, targets: np.ndarray, names, *, grad=True):
    """``{name: (outputs (n, 10), gradients (n, 28, 28) or None)}`` computed by the page."""
    n = len(images)
    gradient = f"enc(lab.gradient(m, X, {n}, T))" if grad else "null"
    body = (
        HELPERS
        + f"const X = f32({json.dumps(b64(images))}), T = {json.dumps(targets.tolist())};"
        + f"const r = {{}}; for (const m of {json.dumps(list(names))}) r[m] = "
        + f"[enc(lab.forward(m, X, {n})), {gradient}];"
        + "return r;"
    )
    got = evaluate(page, body)
    return {
        m: (unb64(o, (n, 10)), unb64(g, (n, 28, 28)) if g else None) for m, (o, g) in got.items()
    }
