"""The image explorer: sprites, per-image metadata, the page, and the CLI on tiny saved models."""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from mnist_fooling.cli import main
from mnist_fooling.core.backend import predict_batched
from mnist_fooling.core.errors import UserInputError
from mnist_fooling.core.models import load_model
from mnist_fooling.report.explorer import (
    FIELDS,
    Run,
    image_records,
    pack_sprite,
    png_bytes,
    read_run,
    render_page,
    write_explorer,
)


def fake_run(n=12, *, seed=0, model="mlp", method="genetic", extras=False) -> dict:
    """The arrays of a fooling npz: noise images, targets cycling 0..9, softmax-like outputs."""
    rng = np.random.default_rng(seed)
    target = np.arange(n) % 10
    outputs = rng.dirichlet(np.ones(10), n).astype(np.float32)  # (n, 10)
    arrays = dict(
        images=rng.random((n, 28, 28), dtype=np.float32),
        target=target,
        outputs=outputs,
        converged=outputs[np.arange(n), target] > 0.1,
        evaluations=rng.integers(10, 1000, n),
        curve=np.zeros((n, 3), np.float32),  # other arrays are ignored
    )
    if extras:
        arrays.update(attempts=np.ones(n, np.int64), cost=rng.random(n))
    return arrays


def page_json(html: str) -> dict:
    """The page's embedded metadata."""
    found = re.search(r'<script id="meta" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


@pytest.fixture
def runs(tmp_path):
    """Three runs on disk as the workflow lays them out: fooling/<model>/<method>.npz."""
    paths = {}
    for seed, (model, method, n) in enumerate(
        [("softmax", "genetic", 12), ("mlp", "genetic", 40), ("mlp", "map_elites", 7)]
    ):
        path = tmp_path / "fooling" / model / f"{method}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **fake_run(n, seed=seed, extras=method == "map_elites"))
        paths[(model, method)] = path
    return paths


def test_sprite_tiles_are_one_minus_the_images_after_a_png_round_trip():
    images = np.random.default_rng(3).random((37, 28, 28), dtype=np.float32)
    sheet = pack_sprite(images, cols=8)
    assert sheet.shape == (5 * 28, 8 * 28) and sheet.dtype == np.uint8
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(sheet))))
    np.testing.assert_array_equal(decoded, sheet)
    for i in (0, 7, 8, 36):
        tile = decoded[i // 8 * 28 : (i // 8 + 1) * 28, i % 8 * 28 : (i % 8 + 1) * 28]
        np.testing.assert_allclose(tile / 255.0, 1.0 - images[i], atol=1 / 255)
    assert (decoded[4 * 28 :, 5 * 28 :] == 255).all()  # the unused tiles are white


def test_a_small_run_packs_into_one_row():
    assert pack_sprite(np.zeros((3, 28, 28), np.float32)).shape == (28, 3 * 28)


def test_records_have_one_entry_per_image_with_transfer_to_the_other_models():
    arrays = fake_run(15, extras=True)
    run = Run(
        "mlp",
        "map_elites",
        *(arrays[k] for k in ("images", "target", "outputs", "converged", "evaluations")),
        extras=dict(attempts=arrays["attempts"], cost=arrays["cost"]),
    )
    other = np.random.default_rng(1).dirichlet(np.ones(10), 15).astype(np.float32)
    records = image_records(run, {"mlp": arrays["outputs"], "cnn": other})
    assert len(records) == 15 and all(list(r) == list(FIELDS) for r in records)
    r = records[13]
    assert (r["model"], r["method"], r["tile"], r["target"]) == ("mlp", "map_elites", 13, 3)
    assert r["confidence"] == pytest.approx(arrays["outputs"][13, 3], rel=1e-6)
    assert len(r["outputs"]) == 10 and r["evaluations"] == arrays["evaluations"][13]
    assert list(r["transfer"]) == ["cnn"]  # not the model it was searched against
    assert r["transfer"]["cnn"][0] == pytest.approx(other[13, 3], rel=1e-6)
    assert r["transfer"]["cnn"][1] == int(other[13].argmax())
    assert r["attempts"] == 1 and r["cost"] == pytest.approx(arrays["cost"][13], rel=1e-5)


def test_odd_names_and_empty_runs_do_not_break_the_page():
    runs = []
    for method, n in (("x</script>y", 2), ("empty", 0)):
        arrays = {k: v[:n] for k, v in fake_run(2).items()}
        keys = ("images", "target", "outputs", "converged", "evaluations")
        runs.append(Run("mlp", method, *(arrays[k] for k in keys)))
    html = render_page(runs, [r for run in runs for r in image_records(run, {})])
    data = page_json(html)
    assert data["methods"] == ["x</script>y", "empty"] and len(data["rows"]) == 2
    assert html.count("data:image/png;base64,") == 1  # no sprite for the empty run


def test_write_explorer_scores_every_image_and_is_byte_identical(tmp_path, runs, models):
    n = write_explorer(runs=runs, models=models, out=tmp_path / "a" / "explorer.html")
    write_explorer(runs=runs, models=models, out=tmp_path / "b" / "explorer.html")
    first = (tmp_path / "a" / "explorer.html").read_bytes()
    assert n == 12 + 40 + 7
    assert first == (tmp_path / "b" / "explorer.html").read_bytes()
    assert not list((tmp_path / "a").glob(".*"))  # no temporary file left behind
    html = first.decode()
    assert html.count("data:image/png;base64,") == 3  # one sprite per (model, method)
    assert 'href="report.html"' in html
    data = page_json(html)
    assert data["models"] == ["softmax", "mlp"] and data["extras"] == ["attempts", "cost"]
    rows = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    assert len(rows) == n
    images = np.load(runs[("softmax", "genetic")])["images"]
    expected = predict_batched(load_model(models["mlp"]), images)  # softmax's images, mlp
    for i, row in enumerate(rows[:12]):
        assert row["model"] == "softmax" and list(row["transfer"]) == ["mlp"]
        assert row["transfer"]["mlp"][0] == pytest.approx(expected[i, i % 10], rel=1e-5)
    assert rows[12]["attempts"] is None and rows[-1]["attempts"] == 1


def test_cli_writes_the_page(tmp_path, runs, models, capsys):
    out = tmp_path / "report" / "explorer.html"
    args = ["explorer", "--runs", *map(str, runs.values()), "--out", str(out), "--models"]
    assert main([*args, *(f"{k}={v}" for k, v in models.items())]) == 0
    assert capsys.readouterr().out.strip() == f"{out}: 59 images"
    assert len(page_json(out.read_text())["rows"]) == 59


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "fooling" / "cnn" / "genetic.npz", "genetic.npz: no such file (--runs)"),
        (lambda d: _write(d / "mlp" / "missing.npz", b"x"), "not a fooling run file"),
        (lambda d: _write(d / "mlp" / "genetic.csv", b"x"), "expects <model>/<method>.npz"),
        (lambda d: _write(d / "mlp" / "hillclimb.npz", b"not a zip"), "not a readable .npz"),
        (lambda d: _savez(d / "mlp" / "gradient.npz", images=np.zeros((2, 28, 28))), "missing"),
        (
            lambda d: _savez(d / "mlp" / "genetic.npz", **fake_run(4) | {"target": np.arange(3)}),
            "target has shape (3,), expected (4,)",
        ),
    ],
)
def test_a_bad_runs_path_gives_one_line_and_no_page(tmp_path, models, capsys, make, message):
    out = tmp_path / "report" / "explorer.html"
    args = ["explorer", "--runs", str(make(tmp_path)), "--out", str(out), "--models"]
    assert main([*args, f"mlp={models['mlp']}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mnist-fooling: error:") and message in err
    assert len(err.splitlines()) == 1
    assert not out.parent.exists() or not list(out.parent.iterdir())


def test_read_run_refuses_pickled_arrays(tmp_path):
    path = tmp_path / "mlp" / "obj.npz"
    _savez(path, **fake_run(2) | {"target": np.array([0, "x"], dtype=object)})
    with pytest.raises(UserInputError, match="not a readable .npz"):
        read_run(path, "mlp", "obj")


def _write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _savez(path, **arrays):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path
