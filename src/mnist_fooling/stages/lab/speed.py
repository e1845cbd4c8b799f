"""The lab page's speed in headless Chromium beside Keras', measured side by side in one job.

Per model: the page's forward passes per second on its own thread, on one Web Worker and on
all of them (the reader's cores), and Keras' (the workflow's compiled forward pass,
``search.engine.Scorer``, on the same batch); each the best of ``repeats``; the ratio of what
the page's searches use to Keras'. Per kernel build: the CNN's multiply-adds per second on one
worker against the build's peak loop. Per model, lab method and digit: the seconds the page
takes to fool the model (seed 0), within a budget. Without Chromium (or Playwright) on the
machine the CSV says "not measured".
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from pathlib import Path

import numpy as np

FIELDS = [
    "kind",  # forward | kernel | fool
    "model",
    "method",  # fool rows
    "digit",  # fool rows
    "path",  # the kernel build (relaxed | simd | js)
    "page_per_s",  # forward rows: the page's own thread
    "worker_per_s",  # one Web Worker
    "workers_per_s",  # all of them
    "workers",
    "used",  # page | workers: what the searches score with
    "keras_per_s",
    "ratio",  # the used rate over Keras'
    "target",
    "met",
    "macs_per_s",  # kernel rows: the CNN's multiply-adds per second on one worker
    "peak_per_s",  # the build's peak loop on the page's thread
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


def page_speeds(page, names, images: np.ndarray, repeats: int) -> dict[str, dict]:
    """Per model: images per second on the page's thread (``page``), on one worker
    (``worker``) and on all (``workers``); the worker count and what the searches use."""
    from .browser import evaluate_body

    x = json.dumps(_b64(images))
    run = (
        f"const X = lab.decode({x}, 'float32'), r = {{}};"
        f"for (const m of {json.dumps(list(names))})"
        f" r[m] = await lab.speed(m, X, {len(images)}, {repeats}, WORKERS); return r;"
    )
    info = evaluate_body(page, "await lab.workers(lab.paths().cores); return lab.paths();")
    rates = {"page": evaluate_body(page, run.replace("WORKERS", "false"))}
    rates["workers"] = evaluate_body(page, run.replace("WORKERS", "true"))
    evaluate_body(page, "return await lab.workers(1);")
    rates["worker"] = evaluate_body(page, run.replace("WORKERS", "true"))
    evaluate_body(page, f"return await lab.workers({info['workers']});")
    return {
        m: dict(
            page=rates["page"][m],
            worker=rates["worker"][m],
            workers=rates["workers"][m],
            count=info["workers"],
            used=info["engines"][m],
            path=info["path"],
        )
        for m in names
    }


def kernel_rows(page, name: str, images: np.ndarray, repeats: int) -> list[dict]:
    """For each kernel build this browser runs: ``name``'s multiply-adds per second on one
    worker, and the build's peak loop's on the page's thread (gemm.wat's ``peak``)."""
    from .browser import evaluate_body

    body = (
        f"const X = lab.decode({json.dumps(_b64(images))}, 'float32'), r = [];"
        f"const keep = lab.paths().path, k = lab.paths().workers;"
        f"for (const p of lab.paths().paths.filter((p) => p !== 'js')) {{"
        f" await lab.usePath(p, 1);"
        f" const rate = await lab.speed({json.dumps(name)}, X, {len(images)}, {repeats}, true);"
        f" r.push([p, rate * lab.nets[{json.dumps(name)}].macs, lab.peak(p)]); }}"
        f"await lab.usePath(keep, k); return r;"
    )
    return [
        dict(
            kind="kernel",
            model=name,
            path=p,
            macs_per_s=round(macs),
            peak_per_s=round(peak),
            ratio=round(macs / peak, 4),
            status="measured",
            images=len(images),
        )
        for p, macs, peak in evaluate_body(page, body)
    ]


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
      await lab.advance(Math.max(1, budget - (performance.now() - t0)), false);
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


def not_measured(models, methods, digits, targets: dict, why: str) -> list[dict]:
    ratio = targets["ratio"]
    rows = [dict(kind="forward", model=m, target=ratio.get(m, ""), status=why) for m in models]
    rows += [
        dict(kind="fool", model=m, method=k, digit=d, target=fool_target(targets, m, k), status=why)
        for m in models
        for k in methods
        for d in digits
    ]
    return rows


def fool_target(targets: dict, model: str, method: str) -> float | str:
    """The most seconds the median digit may take for ``model`` and ``method``, or ''."""
    fool = targets["fool"]
    return fool["seconds"] if model == fool["model"] and method in fool["methods"] else ""


def median_seconds(seconds: list[float], fooled: list[bool]) -> float:
    """The median time to fool, a digit not fooled counting as never (inf)."""
    return statistics.median(
        s if ok else float("inf") for s, ok in zip(seconds, fooled, strict=True)
    )


def run_lab_speed(
    *,
    page_path: Path,
    models: dict[str, Path],
    data: Path,
    methods: list[str],
    n: int,
    repeats: int,
    budget_s: float,
    digits: list[int],
    targets: dict,
    out: Path,
) -> list[dict]:
    """Measure and write ``out`` (CSV with FIELDS); see the module. ``targets``: ``ratio``
    (model -> the least page/Keras ratio) and ``fool`` (``model``, ``methods``, ``seconds``:
    the most seconds the median digit may take)."""
    from . import browser

    if browser.find_chromium() is None:
        rows = not_measured(models, methods, digits, targets, "not measured: no Chromium on PATH")
    elif not browser.have_playwright():
        why = "not measured: the playwright package is missing"
        rows = not_measured(models, methods, digits, targets, why)
    else:
        images = batch(data, n)
        size = Path(page_path).stat().st_size
        rows = []
        with browser.open_page(page_path) as page:
            page_rate = page_speeds(page, list(models), images, repeats)
            for name, path in models.items():  # side by side: Keras right after the page
                keras_rate = keras_speed(path, images, repeats)
                got = page_rate[name]
                ratio = got[got["used"]] / keras_rate
                goal = targets["ratio"].get(name, "")
                rows.append(
                    dict(
                        kind="forward",
                        model=name,
                        path=got["path"],
                        page_per_s=round(got["page"], 1),
                        worker_per_s=round(got["worker"], 1),
                        workers_per_s=round(got["workers"], 1),
                        workers=got["count"],
                        used=got["used"],
                        keras_per_s=round(keras_rate, 1),
                        ratio=round(ratio, 4),
                        target=goal,
                        met="" if goal == "" else ("yes" if ratio >= goal else "no"),
                        status="measured",
                        images=n,
                        page_bytes=size,
                    )
                )
            if "cnn" in models:
                rows += kernel_rows(page, "cnn", images, repeats)
            for name in models:
                for method in methods:
                    for digit in digits:
                        got = fool_time(page, name, method, digit, budget_s)
                        rows.append(
                            dict(
                                kind="fool",
                                model=name,
                                method=method,
                                digit=digit,
                                seconds=round(got["seconds"], 3),
                                status=got["status"],
                                evaluations=got["evaluations"],
                                confidence=round(got["confidence"], 4),
                                target=fool_target(targets, name, method),
                                budget_s=budget_s,
                                page_bytes=size,
                            )
                        )
                        print(
                            f"lab-speed: {name} {method} '{digit}': {got['status']}"
                            f" in {got['seconds']:.2f} s",
                            flush=True,
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
