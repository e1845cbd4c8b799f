"""The command line: bad input gives one line on stderr, exit code 2 and no output file."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import yaml

from mnist_fooling.cli import main
from mnist_fooling.core.io import save_keras_model
from mnist_fooling.core.models import build_model
from tests.conftest import ROOT, synthetic_arrays, train_config

HILL = dict(steps=1, threshold=0.99, candidates=5, density=0.1, amplitude=0.5, patience=1)
PLAN = dict(hillclimb=dict(params=HILL, runs_per_digit=1, runs_of_two=0, attempts_of_two=1))


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "mnist_fooling", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("models") / "softmax.keras"
    save_keras_model(build_model("softmax", train_config("softmax"), n_train=10), path)
    return path


@pytest.fixture
def workdir(tmp_path, monkeypatch, model_file):
    """A folder with MNIST, a model, a bogus model, an npz of images only and a CSV."""
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "mnist.npz", **synthetic_arrays())
    (tmp_path / "model.keras").write_bytes(model_file.read_bytes())
    (tmp_path / "bogus.keras").write_text("hello")
    np.savez(tmp_path / "images.npz", images=np.zeros((2, 28, 28)), target=np.array([2, 2]))
    (tmp_path / "acc.csv").write_text("model,split\n")
    return tmp_path


def fool(*extra, method="hillclimb", params=HILL):
    args = ["fool", "--model", "softmax", "--model-file", "model.keras", "--method", method]
    params = params if isinstance(params, str) else json.dumps(params)
    args += ["--data", "mnist.npz", "--params-json", params, "--runs-per-digit", "1", "--seed", "0"]
    return args + ["--out-npz", "out.npz", "--out-csv", "out.csv", *extra]


def retrain_eleventh(*fooling):
    args = ["retrain-eleventh", "--model-file", "model.keras", "--fooling", *fooling]
    args += ["--data", "mnist.npz", "--epochs", "1", "--batch-size", "5", "--learning-rate", "0.01"]
    return args + ["--seed", "0", "--out", "out.keras", "--summary", "out.csv"]


def eleventh_rounds(retrains, searches, before="acc.csv"):
    args = ["eleventh-rounds", "--before", before, "--retrains", *retrains]
    return args + ["--searches", *searches, "--out", "rounds.csv"]


def continue_eleventh(*extra, start="start.npz"):
    args = ["continue-eleventh", "--model", "cnn", "--model-file", "model.keras"]
    args += ["--start", start, "--params-json", "{}", "--steps", "5", "--after", "5"]
    return args + ["--seed", "0", "--out-csv", "out.csv", *extra]


def fool_model(plan, *extra):
    args = ["fool-model", "--model", "softmax", "--model-file", "model.keras"]
    return args + [
        "--data",
        "mnist.npz",
        "--plan-json",
        plan,
        "--seed",
        "0",
        "--out-dir",
        "out",
        *extra,
    ]


def sweep(grid, *extra, params=HILL, model="softmax", method="hillclimb"):
    args = ["sweep", "--model", model, "--model-file", "model.keras", "--method", method]
    params = params if isinstance(params, str) else json.dumps(params)
    args += ["--data", "mnist.npz", "--params-json", params, "--grid-json", grid]
    return args + ["--runs-per-digit", "1", "--seed", "0", "--out", "out.csv", *extra]


def variogram(published="images.npz", data="mnist.npz"):
    return ["variogram", "--data", data, "--published", published, "--intended", "images.npz",
            "--out", "out.csv"]  # fmt: skip


def fragment(stage, *inputs, config=None):
    config = config or json.dumps(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))
    return ["fragment", stage, "--input", *inputs, "--config-json", config, "--out", "out.json"]


def report_inputs(*fragments, config=None):
    config = json.dumps(config or yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))
    args = ["report-inputs", "--out-dir", "out", "--config-json", config]
    args += ["--lock", str(ROOT / "requirements" / "report.lock")]
    return args + ["--fragments", *fragments, "--sections", str(ROOT / "report" / "sections")]


BAD = [
    (["train", "--model", "svm", "--data", "mnist.npz", "--out", "x.keras"], "--model must be"),
    (["train", "--model", "cnn", "--data", "missing.npz", "--out", "x.keras"], "missing.npz: no"),
    (
        ["train", "--model", "cnn", "--data", "mnist.npz", "--out", "x.keras", "--epochs", "1"],
        "give --config, or --batch-size, --learning-rate, --optimizer, --seed",
    ),  # fmt: skip
    (
        ["train", "--model", "cnn", "--data", "mnist.npz", "--out", "x.keras", "--epochs", "0"],
        "--epochs must be at least",
    ),  # fmt: skip
    (["evaluate", "--data", "mnist.npz", "--models", "cnn", "--out", "a.csv"], "NAME=PATH"),
    (
        ["evaluate", "--data", "mnist.npz", "--models", "cnn=gone.keras", "--out", "a.csv"],
        "gone.keras: model file not found",
    ),  # fmt: skip
    (["check-config", "missing.yaml"], "cannot read missing.yaml"),
    # retrain-eleventh, eleventh-rounds
    (retrain_eleventh("gone.npz"), "gone.npz: no such file (--fooling)"),
    (eleventh_rounds(["acc.csv"], ["acc.csv", "acc.csv"]), "need one of each per round"),
    (eleventh_rounds(["acc.csv"], ["gone.csv"]), "gone.csv: no such file (--searches)"),
    (
        eleventh_rounds(["acc.csv"], ["acc.csv"]) + ["--continued", "gone.csv"],
        "gone.csv: no such file (--continued)",
    ),
    (continue_eleventh("--steps", "0"), "--steps must be at least 1"),
    (continue_eleventh("--after", "-1"), "--after must be at least 0"),
    (continue_eleventh(start="gone.npz"), "gone.npz: fooling results not found"),
    # fool
    (fool(method="annealing"), "--method must be one of"),
    (fool()[:2] + ["svm"] + fool()[3:], "--model must be one of"),
    (fool("--runs-per-digit", "0"), "--runs-per-digit must be at least 1"),
    (fool("--attempts-of-two", "0"), "--attempts-of-two must be at least 1"),
    (fool("--runs-of-two", "-1"), "--runs-of-two must be at least 0"),
    (fool(params="{bad"), "--params-json is not JSON"),
    (fool(params="[1]"), "--params-json must be a JSON object"),
    (fool(params=dict(HILL, masks=3)), "--params-json: HillClimb.__init__() got an unexpected"),
    (fool("--model-file", "gone.keras"), "gone.keras: no such file (--model-file)"),
    (fool("--model-file", "bogus.keras"), "bogus.keras: not a Keras archive"),
    (fool("--data", "gone.npz", method="genetic_prior"), "gone.npz: no such file (--data)"),
    # fool-model
    (fool_model("{bad"), "--plan-json is not JSON"),
    (fool_model("[]"), "the fooling plan must map at least one method"),
    (fool_model(json.dumps({"annealing": PLAN["hillclimb"]})), "plan.annealing: unknown method"),
    (fool_model(json.dumps({"hillclimb": HILL})), "plan.hillclimb: needs exactly the keys"),
    (
        fool_model(json.dumps({"hillclimb": dict(PLAN["hillclimb"], params=dict(HILL, masks=1))})),
        "plan.hillclimb.params: HillClimb.__init__() got an unexpected",
    ),
    (fool_model(json.dumps(PLAN), "--model", "svm"), "--model must be one of"),
    # sweep
    (sweep('{"density": [0.1]}', method="annealing"), "--method must be one of"),
    (sweep('{"density": []}'), "--grid-json must map each parameter to a non-empty list"),
    (sweep("[0.1]"), "--grid-json must map each parameter to a non-empty list"),
    (sweep('{"density": 0.1}'), "--grid-json must map each parameter to a non-empty list"),
    (sweep("{bad"), "--grid-json is not JSON"),
    (sweep('{"density": [0.1]}', params="{bad"), "--params-json is not JSON"),
    (sweep('{"density": [0.1]}', "--runs-per-digit", "0"), "--runs-per-digit must be at least"),
    (sweep('{"masks": [1]}'), "--grid-json/--params-json: HillClimb.__init__() got an unexpected"),
    # variogram
    (variogram(published="gone.npz"), "gone.npz: no such file (--published)"),
    (variogram(data="gone.npz"), "gone.npz: no such file (--data)"),
    # fragment
    (fragment("nostage"), "fragment: no stage module mnist_fooling.stages.nostage.fragment"),
    (fragment("classify"), "fragment: no stage module mnist_fooling.stages.classify.fragment"),
    (fragment("evaluate", "acc.csv"), "--input expects KEY=PATH, got 'acc.csv'"),
    (fragment("evaluate", "accuracy=gone.csv"), "fragment evaluate: input accuracy=gone.csv not"),
    (fragment("evaluate", "accuracy=acc.csv"), "fragment evaluate: no input confidence"),
    (fragment("evaluate", "accuracy=acc.csv", config="{bad"), "--config-json is not JSON"),
    # report-inputs
    (report_inputs("gone.json"), "gone.json: no such file (--fragments)"),
    (report_inputs(config={"profile": "x"}), "config error: top level: 'seed' is a required"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_gives_one_line_exit_2_and_no_output(workdir, capsys, args, message):
    before = sorted(workdir.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mnist-fooling: error:") and message in err, err
    assert len(err.splitlines()) == 1
    assert sorted(workdir.iterdir()) == before


ONCE_A_TRACEBACK = [
    (fool("--runs-of-two", "2"), "runs_of_two is for the genetic methods"),
    (fool(params=dict(HILL, density=3)), "density and amplitude must lie in"),
    (sweep('{"density": [0.1]}', model="svm"), "--model must be one of"),
    (variogram(), "converged"),  # an npz that is not a fooling run's
    (report_inputs()[:4] + ["{bad"] + report_inputs()[5:], "--config-json is not JSON"),
]


@pytest.mark.parametrize(("args", "message"), ONCE_A_TRACEBACK)
def test_bad_input_that_once_ended_in_a_traceback(workdir, capsys, args, message):
    before = sorted(workdir.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert sorted(workdir.iterdir()) == before


def test_fool_fragment_and_report_inputs_write_their_files(workdir, capsys):
    assert main(fool("--runs-per-digit", "1")) == 0
    assert np.load("out.npz")["images"].shape == (10, 28, 28)
    assert main(fool_model(json.dumps(PLAN))) == 0
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["hillclimb.csv", "hillclimb.npz"]
    (workdir / "acc.csv").write_text(
        "model,split,n,correct,accuracy,ci_low,ci_high\nmlp,test,10000,9800,0.98,0.977,0.983\n"
    )
    (workdir / "conf.csv").write_text("model,source,n,median,above_06,above_09\n")
    assert main(fragment("evaluate", "accuracy=acc.csv", "confidence=conf.csv")) == 0
    frag = json.loads((workdir / "out.json").read_text())
    assert frag["stage"] == "evaluate" and [c["id"] for c in frag["claims"]] == ["C1"]
    assert frag["variables"]["accuracy"]["mlp"]["test"] == "98.00%"
    assert main(report_inputs("out.json")) == 0
    variables = yaml.safe_load((workdir / "out" / "_variables.yml").read_text())
    assert variables["evaluate"]["accuracy"]["mlp"]["test_n"] == "10,000"
    assert variables["claims"]["reproduced"] == 1
    assert "C1" in capsys.readouterr().out


def test_evaluate_with_a_non_keras_model_file_in_a_fresh_process(tmp_path, mnist_npz):
    bogus = tmp_path / "m.keras"
    bogus.write_text("hello")
    result = run_cli(
        "evaluate", "--data", str(mnist_npz), "--models", f"cnn={bogus}", "--out", "acc.csv"
    )
    assert result.returncode == 2
    expected = (
        f"mnist-fooling: error: {bogus}: not a Keras archive (a .keras file is a zip archive)"
    )
    assert result.stderr.strip() == expected  # TensorFlow's start-up lines filtered off
    assert not (tmp_path / "acc.csv").exists()


def test_check_config_accepts_the_default_config():
    result = run_cli("check-config", str(ROOT / "config" / "config.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(": ok")


def test_train_with_config_file_and_overrides(tmp_path, mnist_npz, monkeypatch):
    """The config file gives every hyperparameter; a flag overrides just its own."""
    import yaml

    from mnist_fooling.stages.train import training

    seen = {}
    real = training.train_model
    monkeypatch.setattr(training, "train_model", lambda *a, **k: seen.update(k) or real(*a, **k))
    out = tmp_path / "softmax.keras"
    config = ROOT / "config" / "config.yaml"
    args = ["train", "--model", "softmax", "--data", str(mnist_npz), "--out", str(out)]
    assert main([*args, "--config", str(config), "--epochs", "1", "--learning-rate", "0.25"]) == 0
    assert out.is_file() and out.stat().st_size > 0
    base = yaml.safe_load(config.read_text())
    cfg = seen["cfg"]
    assert (cfg.epochs, cfg.learning_rate) == (1, 0.25)  # the overrides
    hp = base["train"]["softmax"]
    assert (cfg.batch_size, cfg.optimizer, cfg.seed) == (
        hp["batch_size"],
        hp["optimizer"],
        base["seed"],
    )
