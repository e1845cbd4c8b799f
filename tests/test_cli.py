import subprocess
import sys

import pytest

from mnist_fooling.cli import main

from .conftest import ROOT


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "mnist_fooling", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--model", "svm", "--out", "x.keras"], "--model must be one of"),
        (
            [
                "train",
                "--model",
                "cnn",
                "--data",
                "missing.npz",
                "--out",
                "x.keras",
                "--epochs",
                "1",
            ],
            "MNIST file not found",
        ),
        (
            ["train", "--model", "cnn", "--out", "x.keras", "--epochs", "0"],
            "--epochs must be at least 1",
        ),
        (["evaluate", "--models", "cnn", "--out", "a.csv"], "--models expects NAME=PATH"),
        (["check-config", "missing.yaml"], "cannot read"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, message, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mnist-fooling: error:") and message in err
    assert len(err.splitlines()) == 1
    assert not any(p.suffix in {".keras", ".csv"} for p in tmp_path.iterdir())


def test_evaluate_with_a_non_keras_model_file(tmp_path, mnist_npz):
    bogus = tmp_path / "m.keras"
    bogus.write_text("hello")
    result = run_cli(
        "evaluate",
        "--data",
        str(mnist_npz),
        "--models",
        f"cnn={bogus}",
        "--out",
        str(tmp_path / "acc.csv"),
    )
    assert result.returncode == 2
    assert "not a Keras archive" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "acc.csv").exists()


def test_check_config_accepts_the_default_config():
    result = run_cli("check-config", str(ROOT / "config" / "config.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(": ok")


def test_train_with_config_file_and_overrides(tmp_path, mnist_npz, capsys):
    out = tmp_path / "softmax.keras"
    code = main(
        [
            "train",
            "--model",
            "softmax",
            "--data",
            str(mnist_npz),
            "--out",
            str(out),
            "--config",
            str(ROOT / "config" / "config.yaml"),
            "--epochs",
            "1",
        ]
    )
    assert code == 0 and out.is_file()
