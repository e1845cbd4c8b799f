"""The lab page's speed in headless Chromium beside Keras', measured side by side in one job.

Per model: the page's forward passes per second (one image after another, as the page scores
a search's candidates; best of ``repeats``) and Keras' (the workflow's compiled forward pass,
``search.engine.Scorer``, on the same batch; best of ``repeats``), their ratio and its target;
per model and lab method: the seconds the page takes to fool the model for one digit (seed 0),
within a budget. Without Chromium (or Playwright) on the machine the CSV says "not measured".
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import numpy as np

# The page's forward passes per second over Keras', at least.
TARGETS = {"softmax": 0.1, "mlp": 0.1, "cnn": 0.05}
FIELDS = [
    "kind",  # forward | fool
    "model",
    "method",  # fool rows
    "page_per_s",
    "keras_per_s",
    "ratio",
    "target",
    "met",
    "seconds",  # fool rows: time to the search's end (or the budget)
    "status",  # converged | stuck | out of budget | not within budget | not measured: ...
    "evaluations",
    "confidence",
    "images",
    "budget_s",
    "page_bytes",
]


def batch(data: Path, n: int) -> np.ndarray:
    """``n`` images: the first ``n - n // 2`` MNIST test digits and ``n // 2`` seeded uniform
    noise images (the dense inputs searches score), float32 (n, 28, 28)."""
    x = np.load(data)["x_test"][: n - n // 2].astype(np.float32) / 255.0
    noise = np.random.default_rng(0).random((n // 2, 28, 28), dtype=np.float32)
    return np.concatenate([x, noise])


def _b64(array: np.ndarray) -> str:
    import base64

    return base64.b64encode(np.ascontiguousarray(array, "<f4").tobytes()).decode("ascii")


def page_speeds(page, names, images: np.ndarray, repeats: int) -> dict[str, float]:
    from .browser import evaluate_body

    body = (
        f"const X = lab.decode({json.dumps(_b64(images))}, 'float32'); const r = {{}};"
        f"for (const m of {json.dumps(list(names))})"
        f" r[m] = lab.speed(m, X, {len(images)}, {repeats}); return r;"
    )
    return evaluate_body(page, body)


def fool_time(page, model: str, method: str, target: int, budget_s: float) -> dict:
    """Run ``method`` against ``model`` for ``target`` (seed 0) in the page until it ends or
    ``budget_s`` seconds pass."""
    from .browser import evaluate_body

    body = f"""
    const $ = (id) => document.getElementById(id);
    $('smethod').value = {json.dumps(method)}; $('smodel').value = {json.dumps(model)};
    $('starget').value = '{target}'; $('seed').value = '0'; lab.newSearch();
    const t0 = performance.now(), budget = {1000 * budget_s};
    while (lab.search().status === 'running' && performance.now() - t0 < budget)
      lab.advance(Math.max(1, budget - (performance.now() - t0)), false);
    const s = lab.search();
    return {{seconds: (performance.now() - t0) / 1000, status: s.status,
             evaluations: s.evaluations, confidence: s.conf}};
    """
    got = evaluate_body(page, body)
    if got["status"] == "running":
        got["status"] = "not within budget"
    return got


def keras_speed(path: Path, images: np.ndarray, repeats: int) -> float:
    from ...core.models import load_model
    from ...search.engine import Scorer

    scorer = Scorer(load_model(path))
    scorer.forward(images)  # compiled
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        scorer.forward(images)
        best = min(best, time.perf_counter() - t)
    return len(images) / best


def not_measured(models, methods, why: str) -> list[dict]:
    rows = [dict(kind="forward", model=m, target=TARGETS.get(m, ""), status=why) for m in models]
    rows += [dict(kind="fool", model=m, method=k, status=why) for m in models for k in methods]
    return rows


def run_lab_speed(
    *,
    page_path: Path,
    models: dict[str, Path],
    data: Path,
    methods: list[str],
    n: int,
    repeats: int,
    budget_s: float,
    target: int,
    out: Path,
) -> list[dict]:
    """Measure and write ``out`` (CSV with FIELDS); see the module."""
    from . import browser

    if browser.find_chromium() is None:
        rows = not_measured(models, methods, "not measured: no Chromium on PATH")
    elif not browser.have_playwright():
        rows = not_measured(models, methods, "not measured: the playwright package is missing")
    else:
        images = batch(data, n)
        size = Path(page_path).stat().st_size
        rows = []
        with browser.open_page(page_path) as page:
            page_rate = page_speeds(page, list(models), images, repeats)
            for name, path in models.items():  # side by side: Keras right after the page
                keras_rate = keras_speed(path, images, repeats)
                ratio = page_rate[name] / keras_rate
                goal = TARGETS.get(name, "")
                rows.append(
                    dict(
                        kind="forward",
                        model=name,
                        page_per_s=round(page_rate[name], 1),
                        keras_per_s=round(keras_rate, 1),
                        ratio=round(ratio, 4),
                        target=goal,
                        met="" if goal == "" else ("yes" if ratio >= goal else "no"),
                        status="measured",
                        images=n,
                        page_bytes=size,
                    )
                )
            for name in models:
                for method in methods:
                    got = fool_time(page, name, method, target, budget_s)
                    rows.append(
                        dict(
                            kind="fool",
                            model=name,
                            method=method,
                            seconds=round(got["seconds"], 3),
                            status=got["status"],
                            evaluations=got["evaluations"],
                            confidence=round(got["confidence"], 4),
                            budget_s=budget_s,
                            page_bytes=size,
                        )
                    )
            if page.errors:
                raise RuntimeError(f"the lab page raised: {page.errors[0]}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    return rows
