"""The lab benchmark (``mnist-fooling lab-speed``): the page beside Keras, its CSV, its fragment."""

import csv

import numpy as np
import pytest

from mnist_fooling.stages.lab import speed
from mnist_fooling.stages.lab.fragment import fragment
from tests.browser import chromium

METHODS = ["hillclimb", "genetic", "gradient_sign", "square_search"]
TARGETS = {
    "ratio": {"softmax": 0.1, "mlp": 0.1, "cnn": 0.1},
    "fool": {"model": "cnn", "methods": ["hillclimb", "genetic"], "seconds": 30.0},
}


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), y_test=np.arange(10))
    return path


@pytest.mark.skipif(chromium() is None, reason="needs headless Chromium")
def test_measures_the_page_beside_keras(lab_page, lab_models, data, tmp_path):
    out = tmp_path / "lab.csv"
    rows = speed.run_lab_speed(
        page_path=lab_page,
        models=lab_models,
        data=data,
        methods=METHODS,
        n=8,
        repeats=1,
        budget_s=0.5,
        digits=[3, 7],
        targets=TARGETS,
        out=out,
    )
    with open(out) as f:
        assert list(csv.DictReader(f)) == [
            {k: str(r.get(k, "")) for k in speed.FIELDS} for r in rows
        ]
    forward = [r for r in rows if r["kind"] == "forward"]
    assert [r["model"] for r in forward] == list(lab_models)
    for r in forward:
        assert r["page_per_s"] > 0 and r["worker_per_s"] > 0 and r["workers_per_s"] > 0
        assert r["keras_per_s"] > 0 and r["workers"] >= 1 and r["path"] == "relaxed"
        # the CNN's candidates go to the workers, the small networks' stay on the page
        assert r["used"] == ("workers" if r["model"] == "cnn" else "page")
        used = r["workers_per_s"] if r["used"] == "workers" else r["page_per_s"]
        assert r["ratio"] == pytest.approx(used / r["keras_per_s"], rel=1e-2)
        assert r["met"] == ("yes" if r["ratio"] >= TARGETS["ratio"][r["model"]] else "no")
    kernel = [r for r in rows if r["kind"] == "kernel"]
    assert [r["path"] for r in kernel] == ["relaxed", "simd"]
    for r in kernel:
        assert r["macs_per_s"] > 0 and 0 < r["ratio"] == pytest.approx(
            r["macs_per_s"] / r["peak_per_s"], rel=1e-2
        )
    fool = [r for r in rows if r["kind"] == "fool"]
    assert len(fool) == len(lab_models) * len(METHODS) * 2
    assert {r["digit"] for r in fool} == {3, 7}
    for r in fool:
        target = 30.0 if r["model"] == "cnn" and r["method"] in ("hillclimb", "genetic") else ""
        assert r["target"] == target
        assert r["status"] in ("converged", "stuck", "out of budget", "not within budget")
        # a search that did not end by itself stops at the budget (one step may overrun it)
        assert r["seconds"] < 0.5 + 5
        if r["status"] == "not within budget":
            assert r["seconds"] >= 0.5
    f = fragment({"speed": out}, {})
    assert f["variables"]["note"] == "Measured in this run."
    assert f["variables"]["images"] == 8 and f["variables"]["digits"] == "digits 3, 7"
    assert "not measured" not in f["tables"]["speed"]
    assert all(m in f["tables"]["fool"] for m in METHODS)


def test_without_chromium_it_says_not_measured(lab_models, data, tmp_path, monkeypatch):
    from mnist_fooling.stages.lab import browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    out = tmp_path / "lab.csv"
    page = tmp_path / "lab.html"
    page.write_text("<html></html>")
    rows = speed.run_lab_speed(
        page_path=page,
        models=lab_models,
        data=data,
        methods=METHODS,
        n=4,
        repeats=1,
        budget_s=1,
        digits=[3],
        targets=TARGETS,
        out=out,
    )
    assert {r["status"] for r in rows} == {"not measured: no Chromium on PATH"}
    f = fragment({"speed": out}, {})
    assert f["variables"]["note"].startswith("Not measured in this run (no Chromium on PATH)")
    assert f["tables"]["speed"].count("not measured") == 4 * len(lab_models)
    assert f["tables"]["fool"].count("not measured") == len(lab_models) * len(METHODS)
    assert f["tables"]["kernel"] == "The kernel was not measured in this run."


def test_cli_bad_input_is_one_line(tmp_path, data, lab_models):
    import json
    import subprocess
    import sys

    models = [f"{k}={v}" for k, v in lab_models.items()]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mnist_fooling",
            "lab-speed",
            "--page",
            str(tmp_path / "no.html"),
            "--models",
            *models,
            "--data",
            str(data),
            "--methods",
            "hillclimb",
            "--images",
            "4",
            "--repeats",
            "1",
            "--budget",
            "1",
            "--digits",
            "3",
            "--targets-json",
            json.dumps(TARGETS),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and "no.html" in done.stderr
