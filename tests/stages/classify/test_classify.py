"""`mnist-fooling classify`: output formats, and every bad input → one line, exit code 2."""

import json

import keras
import pytest

from mnist_fooling.cli import main
from mnist_fooling.core.io import save_keras_model
from mnist_fooling.core.models import build_model
from mnist_fooling.core.names import MODEL_NAMES
from tests.conftest import train_config
from tests.stages.classify.test_preprocess import (
    BAD,
    bar_digit,
    make_bad_input,
    save_black_on_white,
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """Untrained models are enough to test the command's plumbing."""
    d = tmp_path_factory.mktemp("models")
    for name in MODEL_NAMES:
        keras.utils.set_random_seed(0)
        save_keras_model(build_model(name, train_config(name), n_train=10), d / f"{name}.keras")
    return d


def test_classify_prints_top3_per_model_and_json(tmp_path, models_dir, capsys):
    save_black_on_white(bar_digit(), tmp_path / "one.png")
    assert main(["classify", str(tmp_path / "one.png"), "--models-dir", str(models_dir)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["image", "model", "1st", "2nd", "3rd"]
    assert len(table) == 1 + len(MODEL_NAMES)
    assert (
        main(
            [
                "classify",
                str(tmp_path / "one.png"),
                "--models-dir",
                str(models_dir),
                "--model",
                "cnn",
                "--json",
                "--raw",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in rows] == ["cnn"]
    assert len(rows[0]["outputs"]) == 10 and len(rows[0]["top"]) == 3
    assert rows[0]["top"][0][1] == max(rows[0]["outputs"])


def test_classify_without_trained_models(tmp_path, capsys):
    save_black_on_white(bar_digit(), tmp_path / "one.png")
    assert main(["classify", str(tmp_path / "one.png"), "--models-dir", str(tmp_path)]) == 2
    assert "run `make report` first" in capsys.readouterr().err


def test_classify_unknown_model(tmp_path, models_dir, capsys):
    save_black_on_white(bar_digit(), tmp_path / "one.png")
    code = main(
        ["classify", str(tmp_path / "one.png"), "--models-dir", str(models_dir), "--model", "svm"]
    )
    assert code == 2 and "--model must be one of" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_classify_bad_input_exits_2_with_one_line(
    tmp_path, models_dir, capsys, name, content, message
):
    path = make_bad_input(tmp_path, name, content)
    assert main(["classify", str(path), "--models-dir", str(models_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnist-fooling: error:")
    assert message in lines[0]
