"""tools/jax/compare.py on synthetic run folders: each kind of difference is caught, and only it."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tools.jax.compare import appendix_rows, file_rows, model_row, rule_for

VERSIONS = "| package | version |\n|---|---|\n| keras backend | jax |\n"
DEVICE = "| device | CPU, 2 cores (searches on the device path) |\n"


def write_run(root, *, seed: int = 0, pca_extra: float = 0.0, rows: int = 3):
    """A miniature results folder: data-only PCA files, model-dependent CSV/NPZ, a figure."""
    rng = np.random.default_rng(seed)
    (root / "pca").mkdir(parents=True)
    np.savez(root / "pca" / "pca.npz", components=np.arange(6.0) + pca_extra)
    (root / "fooling" / "mlp").mkdir(parents=True)
    table = pd.DataFrame(
        dict(model="mlp", method="genetic", run=range(rows), confidence=rng.random(rows))
    )
    table.to_csv(root / "fooling" / "mlp" / "genetic.csv", index=False)
    np.savez(root / "fooling" / "mlp" / "genetic.npz", images=rng.random((rows, 28, 28)))
    (root / "figures").mkdir()
    (root / "figures" / "a.png").write_bytes(rng.bytes(10))
    (root / "benchmarks").mkdir()
    (root / "benchmarks" / "search.csv").write_text(f"speed\n{rng.random()}\n")


def failures(rows):
    return {r["file"]: r["detail"] for r in rows if r["result"] == "FAIL"}


@pytest.fixture
def runs(tmp_path):
    tf, jx = tmp_path / "tf", tmp_path / "jax"
    write_run(tf, seed=0)
    write_run(jx, seed=1)  # other values everywhere a model or a search feeds
    return tf, jx


def test_runs_that_differ_only_in_model_values_pass(runs):
    rows = file_rows(*runs)
    assert failures(rows) == {}
    checks = {r["file"]: (r["check"], r["result"]) for r in rows}
    assert checks["pca/pca.npz"] == ("identical", "ok")
    assert checks["fooling/mlp/genetic.csv"] == ("structure", "ok")
    assert checks["benchmarks/search.csv"] == ("skip", "skipped")


def test_a_data_only_file_must_match_byte_for_byte(tmp_path):
    write_run(tmp_path / "tf")
    write_run(tmp_path / "jax", pca_extra=1e-7)
    assert failures(file_rows(tmp_path / "tf", tmp_path / "jax")) == {
        "pca/pca.npz": "differs byte for byte"
    }


def test_rows_columns_keys_arrays_and_missing_files_are_caught(runs):
    tf, jx = runs
    csv = jx / "fooling" / "mlp" / "genetic.csv"
    table = pd.read_csv(csv)
    table.assign(run=[0, 2, 1]).to_csv(csv, index=False)
    np.savez(jx / "fooling" / "mlp" / "genetic.npz", images=np.zeros((2, 28, 28)))
    (jx / "figures" / "a.png").unlink()
    (jx / "figures" / "b.png").write_bytes(b"x")
    got = failures(file_rows(tf, jx))
    assert got["fooling/mlp/genetic.csv"] == "key column 'run' differs from row 1"
    assert "images" in got["fooling/mlp/genetic.npz"]
    assert got["figures/a.png"] == "only in the TensorFlow run"
    assert got["figures/b.png"] == "only in the JAX run"
    table.drop(columns="confidence").to_csv(csv, index=False)
    assert "confidence" in failures(file_rows(tf, jx))["fooling/mlp/genetic.csv"]
    pd.concat([table, table]).to_csv(csv, index=False)
    assert failures(file_rows(tf, jx))["fooling/mlp/genetic.csv"] == "3 rows against 6"


def test_rules_put_model_dependent_pca_files_under_structure():
    assert rule_for("pca/explained_variance.csv")[0] == "identical"
    assert rule_for("pca/fooling_error.csv")[0] == "structure"
    assert rule_for("report/report.pdf")[0] == "skip"
    assert rule_for("models/cnn.keras")[0] == "structure"


def test_model_outputs_must_agree_within_the_tolerance_and_in_argmax():
    a = np.eye(10, dtype=np.float32)[[1, 2, 3]] * 0.9
    assert model_row("mlp", a, a + 1e-6)["result"] == "ok"
    assert model_row("mlp", a, a + 1e-3)["result"] == "FAIL"
    flipped = a.copy()
    flipped[0, 5] = 0.95
    assert "1 of 3 argmax differ" in model_row("mlp", a, flipped)["detail"]
    assert model_row("mlp", a, None)["result"] == "FAIL"


def test_the_appendix_must_name_jax_and_the_device_path(tmp_path):
    tables = tmp_path / "report" / "inputs" / "tables"
    tables.mkdir(parents=True)
    (tables / "versions.md").write_text(VERSIONS + DEVICE)
    assert appendix_rows(tmp_path)[0]["result"] == "ok"
    (tables / "versions.md").write_text(VERSIONS + DEVICE.replace("device path", "host path"))
    assert appendix_rows(tmp_path)[0]["result"] == "FAIL"
    shutil.rmtree(tables)
    assert appendix_rows(tmp_path)[0]["result"] == "FAIL"


def test_a_reference_that_is_not_a_finished_run_stops_the_script_with_one_line(tmp_path):
    import os
    import subprocess

    from tests.conftest import ROOT

    env = dict(os.environ, JAX_TEST_REFERENCE=str(tmp_path / "nothing"))
    done = subprocess.run(
        [str(ROOT / "tools" / "jax" / "jax-test.sh")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("jax-test: JAX_TEST_REFERENCE=")
