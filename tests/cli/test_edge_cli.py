"""The edge command: the verdicts' conditions are required (no defaults), out-of-range values
give one line and exit 2; a good call writes the readings the claims use."""

import keras
import numpy as np
import pytest

from mnist_fooling.cli import main
from mnist_fooling.core.io import save_keras_model
from mnist_fooling.core.models import build_model
from tests.conftest import synthetic_arrays, train_config


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("models") / "mlp.keras"
    save_keras_model(build_model("mlp", train_config("mlp"), n_train=10), path)
    return path


@pytest.fixture
def workdir(tmp_path, monkeypatch, model_file):
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "mnist.npz", **synthetic_arrays())
    (tmp_path / "mlp.keras").write_bytes(model_file.read_bytes())
    return tmp_path


GOOD = dict(frame_size="28", bordered_size="20", scramble_box="20")


def edge(**over):
    args = ["edge", "--data", "mnist.npz", "--models", "mlp=mlp.keras", "--n-images", "20"]
    args += ["--sizes", "16", "28", "--shifts", "0", "--borders", "28", "20", "--seed", "0"]
    for key, value in (GOOD | over).items():
        if value is not None:
            args += [f"--{key.replace('_', '-')}", value]
    return args + ["--out-dir", "out"]


@pytest.mark.parametrize(
    ("over", "message"),
    [
        (dict(frame_size="29"), "must lie in 4..28"),
        (dict(bordered_size="3"), "must lie in 4..28"),
        (dict(scramble_box="28"), "must lie in 0..27"),  # 28 would scramble nothing
        (dict(scramble_box="-1"), "must lie in 0..27"),
    ],
)
def test_edge_bad_input_gives_one_line_exit_2_and_no_output(workdir, capsys, over, message):
    before = sorted(workdir.iterdir())
    assert main(edge(**over)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mnist-fooling: error:") and message in err, err
    assert len(err.splitlines()) == 1
    assert sorted(workdir.iterdir()) == before


@pytest.mark.parametrize("missing", ["frame_size", "bordered_size", "scramble_box"])
def test_edge_options_have_no_defaults(workdir, capsys, missing):
    # argparse's own error for a missing option: its usage text, then one line, exit 2.
    with pytest.raises(SystemExit) as exc:
        main(edge(**{missing: None}))
    flag = f"--{missing.replace('_', '-')}"
    assert exc.value.code == 2 and f"required: {flag}" in capsys.readouterr().err
    assert not (workdir / "out").exists()


def test_edge_writes_the_readings(workdir):
    assert main(edge(bordered_size="18")) in (0, None)
    with np.load(workdir / "out" / "outputs.npz") as npz:
        assert int(npz["bordered_size"]) == 18 and npz["scrambled_true"].shape == (1, 20)
