"""The lab benchmark (``mnist-fooling lab-speed``): the page beside Keras, its CSV, its fragment."""

import csv

import numpy as np
import pytest

from mnist_fooling.stages.lab import speed
from mnist_fooling.stages.lab.fragment import fragment
from tests.browser import chromium

METHODS = ["hillclimb", "genetic", "gradient_sign", "square_search"]


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
        target=3,
        out=out,
    )
    with open(out) as f:
        assert list(csv.DictReader(f)) == [
            {k: str(r.get(k, "")) for k in speed.FIELDS} for r in rows
        ]
    forward = [r for r in rows if r["kind"] == "forward"]
    assert [r["model"] for r in forward] == list(lab_models)
    for r in forward:
        assert r["page_per_s"] > 0 and r["keras_per_s"] > 0
        assert r["ratio"] == pytest.approx(r["page_per_s"] / r["keras_per_s"], rel=1e-2)
        assert r["met"] == ("yes" if r["ratio"] >= speed.TARGETS[r["model"]] else "no")
    fool = [r for r in rows if r["kind"] == "fool"]
    assert len(fool) == len(lab_models) * len(METHODS)
    for r in fool:
        assert r["status"] in ("converged", "stuck", "out of budget", "not within budget")
        # a search that did not end by itself stops at the budget (one step may overrun it)
        assert r["seconds"] < 0.5 + 5
        if r["status"] == "not within budget":
            assert r["seconds"] >= 0.5
    f = fragment({"speed": out}, {})
    assert f["variables"]["note"] == "Measured in this run."
    assert f["variables"]["images"] == 8
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
        target=3,
        out=out,
    )
    assert {r["status"] for r in rows} == {"not measured: no Chromium on PATH"}
    f = fragment({"speed": out}, {})
    assert f["variables"]["note"].startswith("Not measured in this run (no Chromium on PATH)")
    assert f["tables"]["speed"].count("not measured") == 2 * len(lab_models)
    assert f["tables"]["fool"].count("not measured") == len(lab_models) * len(METHODS)


def test_cli_bad_input_is_one_line(tmp_path, data, lab_models):
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
            "--target",
            "3",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and "no.html" in done.stderr
