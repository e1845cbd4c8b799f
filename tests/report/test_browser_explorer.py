"""The explorer page in headless Chromium: fragment filters, sorting, paging, fragment updates."""

import re

import numpy as np
import pytest

from mnist_fooling.report.explorer import Run, image_records, render_page
from tests.browser import chromium, dump_dom

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="needs headless Chromium (apt-get install chromium)"
)
MODELS = ("softmax", "mlp", "cnn")


def page(tmp_path, per_run: int = 20, *, script: str = "") -> tuple:
    """A page of 3 models × 2 methods × ``per_run`` images (targets cycle 0..9), its records."""
    rng = np.random.default_rng(0)
    runs, records = [], []
    for model in MODELS:
        for method in ("genetic", "map_elites"):
            target = np.arange(per_run) % 10
            outputs = rng.dirichlet(np.ones(10), per_run).astype(np.float32)  # (n, 10)
            run = Run(
                model,
                method,
                rng.random((per_run, 28, 28), dtype=np.float32),
                target,
                outputs,
                outputs[np.arange(per_run), target] > 0.1,
                rng.integers(1, 10_000, per_run),
            )
            scores = {m: rng.dirichlet(np.ones(10), per_run) for m in MODELS}
            runs.append(run)
            records += image_records(run, scores)
    html = render_page(runs, records).replace("</body>", f"<script>{script}</script></body>")
    path = tmp_path / "explorer.html"
    path.write_text(html)
    return path, records


def cards(dom: str) -> list[tuple[int, float]]:
    """``(index, confidence)`` of each card shown, in page order."""
    found = re.findall(r'<article class="card" data-i="(\d+)" data-confidence="([^"]+)"', dom)
    return [(int(i), float(c)) for i, c in found]


def count(dom: str) -> str:
    return re.search(r'<span id="count"[^>]*>([^<]*)</span>', dom).group(1)


def test_the_fragment_filters_and_sorts(tmp_path):
    path, records = page(tmp_path)
    dom = dump_dom(path, "model=cnn&digit=2&sort=confidence")
    expected = [r for r in records if r["model"] == "cnn" and r["target"] == 2]
    assert count(dom) == f"{len(expected)} of {len(records)} images" == "4 of 120 images"
    shown = cards(dom)
    assert len(shown) == 4
    assert [c for _, c in shown] == sorted((r["confidence"] for r in expected), reverse=True)
    assert all(records[i]["model"] == "cnn" and records[i]["target"] == 2 for i, _ in shown)


def test_converged_and_method_filters(tmp_path):
    path, records = page(tmp_path)
    dom = dump_dom(path, "method=map_elites&converged=0&sort=evaluations")
    expected = [r for r in records if r["method"] == "map_elites" and not r["converged"]]
    shown = cards(dom)
    assert count(dom).startswith(f"{len(expected)} of 120") and len(shown) == len(expected)
    evaluations = [records[i]["evaluations"] for i, _ in shown]
    assert evaluations == sorted(evaluations) and evaluations


def test_pages_of_200_and_unknown_fragment_values_are_ignored(tmp_path):
    path, records = page(tmp_path, per_run=50)
    dom = dump_dom(path, "model=svm&digit=11")
    assert count(dom) == "300 of 300 images (200 shown)"
    assert [i for i, _ in cards(dom)] == list(range(200))  # search order
    assert re.search(r'<button id="more"[^>]*>Show 100 more \(100 left\)</button>', dom)


def test_changing_a_filter_updates_the_fragment(tmp_path):
    script = (
        "const s = document.getElementById('f-digit'); s.value = '7';"
        "s.dispatchEvent(new Event('change'));"
        "document.body.dataset.hash = location.hash;"
    )
    path, _ = page(tmp_path, script=script)
    dom = dump_dom(path, "model=mlp")
    assert 'data-hash="#model=mlp&amp;digit=7"' in dom
    assert count(dom) == "4 of 120 images"
