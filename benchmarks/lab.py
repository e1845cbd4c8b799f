"""The lab page's exactness against Keras on trained models, in headless Chromium, on every path.

The workflow measures the speed, beside Keras in one job (rule ``benchmark_lab``,
``mnist-fooling lab-speed``, ``stages/lab/speed.py``); this script gives the exactness and
gradient columns on trained models, for each kernel build the browser runs (relaxed SIMD, plain
SIMD) and the JavaScript fallback, on the page's thread and in the Web Workers.

Usage:
    python benchmarks/lab.py --page results/default/report/lab.html \\
        --models softmax=results/default/models/softmax.keras mlp=... cnn=... \\
        --data resources/mnist.npz --runs results/default/fooling/*/*.npz \\
        --out results/default/benchmarks/lab.csv

For each model and path: the largest output difference from Keras (the workflow's compiled
forward pass, ``search.engine.Scorer``), the argmax agreement, whether the workers' outputs are
the page's bit for bit, and (on the default path) the input gradients' smallest cosine, on the
first ``--n`` test digits plus ``--n`` fooling images. Needs chromium on PATH; run from the
repository root (it imports ``tests.browser``).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--page", type=Path, required=True)
    p.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--runs", type=Path, nargs="*", default=[])
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)

    from mnist_fooling.core.models import load_model
    from mnist_fooling.search.engine import Scorer
    from tests.browser import evaluate
    from tests.stages.lab.inpage import HELPERS, b64, outputs_and_gradients, unb64

    models = dict(item.split("=", 1) for item in args.models)
    data = np.load(args.data)
    digits = data["x_test"][: args.n].astype(np.float32) / 255.0
    fooling = [np.load(r)["images"].astype(np.float32) for r in sorted(args.runs)]
    per_run = -(-args.n // max(1, len(fooling)))
    fooling = np.concatenate([f[:per_run] for f in fooling])[: args.n] if fooling else digits[:0]
    images = np.concatenate([digits, fooling])
    targets = np.concatenate([data["y_test"][: args.n], np.arange(len(fooling)) % 10])
    got = outputs_and_gradients(args.page, images, targets, list(models))

    n = len(images)
    body = (
        HELPERS + f"const X = f32('{b64(images)}'), r = {{}};"
        "for (const p of lab.paths().paths) { await lab.usePath(p); r[p] = {};"
        f" for (const m of {list(models)!r}) r[p][m] = [enc(lab.forward(m, X, {n})),"
        f" enc(await lab.forward(m, X, {n}, true))]; }}"
        "return r;"
    )
    paths = evaluate(args.page, body)
    rows = []
    for name, path in models.items():
        scorer = Scorer(load_model(path))
        want = scorer.forward(images)
        _, want_grad = scorer.target_gradient(images, targets)
        grad = got[name][1]
        a, b = grad.reshape(len(grad), -1), want_grad.reshape(len(grad), -1)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cos = (a * b).sum(1) / np.maximum(norms, 1e-30)
        # the gradients were taken on the page's default path: the first it lists
        gradient = dict(
            grad_cos_min=float(cos.min()), grad_cos_ge_0999=float((cos >= 0.999).mean())
        )
        default = next(iter(paths))
        for kernel, outs in paths.items():
            page, workers = (unb64(v, (n, 10)) for v in outs[name])
            rows.append(
                dict(
                    model=name,
                    path=kernel,
                    max_abs_diff=float(np.abs(page - want).max()),
                    argmax_agree=float((page.argmax(1) == want.argmax(1)).mean()),
                    workers_identical=bool(np.array_equal(page, workers)),
                    **(gradient if kernel == default else dict.fromkeys(gradient, "")),
                    images=n,
                    page_bytes=args.page.stat().st_size,
                )
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
