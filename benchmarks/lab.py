"""The lab page's exactness (and speed) against Keras, in headless Chromium.

The workflow measures the speed itself, beside Keras in one job (rule ``benchmark_lab``,
``mnist-fooling lab-speed``, ``stages/lab/speed.py``); this script adds the exactness and
gradient columns on trained models.

Usage:
    python benchmarks/lab.py --page results/default/report/lab.html \\
        --models softmax=results/default/models/softmax.keras mlp=... cnn=... \\
        --data resources/mnist.npz --runs results/default/fooling/*/*.npz \\
        --out results/default/benchmarks/lab.csv

For each model: the page's forward passes per second (one image after another, as the page
scores a search's candidates; best of ``--repeats``), Keras' (the workflow's compiled forward
pass, ``search.engine.Scorer``, on the same batch, best of ``--repeats``), their ratio, and the
largest output difference, the argmax agreement and the input gradients' smallest cosine on
the first ``--n`` test digits plus ``--n`` fooling images. Needs chromium on PATH; run from
the repository root (it imports ``tests.browser``).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
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
    p.add_argument("--batch", type=int, default=200, help="images per timed batch")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)

    from mnist_fooling.core.models import load_model
    from mnist_fooling.search.engine import Scorer
    from tests.browser import evaluate
    from tests.stages.lab.inpage import HELPERS, b64, outputs_and_gradients

    models = dict(item.split("=", 1) for item in args.models)
    data = np.load(args.data)
    digits = data["x_test"][: args.n].astype(np.float32) / 255.0
    fooling = [np.load(r)["images"].astype(np.float32) for r in sorted(args.runs)]
    per_run = -(-args.n // max(1, len(fooling)))
    fooling = np.concatenate([f[:per_run] for f in fooling])[: args.n] if fooling else digits[:0]
    images = np.concatenate([digits, fooling])
    targets = np.concatenate([data["y_test"][: args.n], np.arange(len(fooling)) % 10])
    got = outputs_and_gradients(args.page, images, targets, list(models))

    batch = np.resize(images, (args.batch, 28, 28)).astype(np.float32)
    body = (
        HELPERS + f"const X = f32('{b64(batch)}'); const r = {{}};"
        f"for (const m of {list(models)!r}) r[m] = lab.speed(m, X, {args.batch}, {args.repeats});"
        "return r;"
    )
    page_speed = evaluate(args.page, body)
    rows = []
    for name, path in models.items():
        scorer = Scorer(load_model(path))
        want = scorer.forward(images)
        _, want_grad = scorer.target_gradient(images, targets)
        out, grad = got[name]
        a, b = grad.reshape(len(grad), -1), want_grad.reshape(len(grad), -1)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cos = (a * b).sum(1) / np.maximum(norms, 1e-30)
        scorer.forward(batch)  # compiled
        best = min(_timed(scorer.forward, batch) for _ in range(args.repeats))
        keras_speed = args.batch / best
        rows.append(
            dict(
                model=name,
                page_images_per_s=round(page_speed[name]),
                keras_images_per_s=round(keras_speed),
                ratio=round(page_speed[name] / keras_speed, 4),
                max_abs_diff=float(np.abs(out - want).max()),
                argmax_agree=float((out.argmax(1) == want.argmax(1)).mean()),
                grad_cos_min=float(cos.min()),
                grad_cos_ge_0999=float((cos >= 0.999).mean()),
                images=len(images),
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


def _timed(f, x) -> float:
    t = time.perf_counter()
    f(x)
    return time.perf_counter() - t


if __name__ == "__main__":
    raise SystemExit(main())
