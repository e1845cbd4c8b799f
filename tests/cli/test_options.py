"""The shared typed options: each checks a value once, as argparse reads it, in one line."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_fooling.cli import build_parser
from mnist_fooling.cli.options import (
    Parser,
    at_least,
    between,
    json_grid,
    json_object,
    json_value,
    method_name,
    model_file,
    model_name,
    pair,
    run_file,
    runs_by_key,
)
from mnist_fooling.core.errors import UserInputError
from tests.conftest import ROOT


def test_good_values_are_converted(tmp_path):
    (tmp_path / "m.keras").write_text("x")
    assert model_name("cnn") == "cnn" and method_name("hillclimb") == "hillclimb"
    assert model_file(f"mlp={tmp_path / 'm.keras'}") == ("mlp", tmp_path / "m.keras")
    assert pair("KEY")("a=b/c.csv") == ("a", Path("b/c.csv"))
    assert run_file("results/fooling/cnn/genetic.npz").name == "genetic.npz"
    assert at_least(1)("3") == 3 and at_least(0)("0") == 0 and between(1, 784)("784") == 784
    assert json_value("[]") == [] and json_object('{"a": 1}') == {"a": 1}
    assert json_grid('{"density": [0.1, 0.2]}') == {"density": [0.1, 0.2]}


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (model_name, "svm", "must be one of ('softmax', 'mlp', 'cnn'), got 'svm'"),
        (method_name, "annealing", "must be one of ("),
        (model_file, "cnn", "expects NAME=PATH with NAME in ('softmax', 'mlp', 'cnn'), got 'cnn'"),
        (model_file, "svm=m.keras", "expects NAME=PATH"),
        (model_file, "cnn=gone.keras", "cnn=gone.keras: model file not found"),
        (pair("NAME"), "cnn", "expects NAME=PATH, got 'cnn'"),
        (pair("KEY"), "=a.csv", "expects KEY=PATH, got '=a.csv'"),
        (run_file, "fooling/svm/genetic.npz", "not a fooling run file <model>/<method>.npz"),
        (run_file, "fooling/cnn/annealing.npz", "not a fooling run file"),
        (run_file, "fooling/cnn/genetic.csv", "expects <model>/<method>.npz, got"),
        (at_least(1), "0", "must be at least 1"),
        (at_least(0), "-1", "must be at least 0"),
        (between(1, 784), "785", "must lie in 1..784"),
        (json_value, "{bad", "is not JSON: Expecting property name"),
        (json_object, "[1]", "must be a JSON object"),
        (json_grid, '{"density": []}', "must map each parameter to a non-empty list"),
        (json_grid, "[0.1]", "must map each parameter to a non-empty list"),
    ],
)
def test_bad_values_raise_one_argparse_type_error(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse(text)
    assert message in str(err.value) and len(str(err.value).splitlines()) == 1


def test_a_non_integer_count_keeps_argparse_s_own_message():
    with pytest.raises(ValueError):
        at_least(1)("two")
    assert at_least(1).__name__ == "int"  # argparse: "invalid int value: 'two'"


def test_a_typed_option_fails_as_one_user_error_line_with_its_flag():
    with pytest.raises(UserInputError, match=r"^--epochs must be at least 1$"):
        build_parser().parse_args(["train", "--model", "cnn", "--out", "m.keras", "--epochs", "0"])
    with pytest.raises(UserInputError, match=r"^--model must be one of .*got 'svm'$"):
        build_parser().parse_args(["train", "--model", "svm", "--out", "m.keras"])


def test_argparse_s_own_errors_keep_its_usage_and_exit_code(capsys):
    parser = Parser(prog="p")
    parser.add_argument("--n", type=at_least(1), required=True)
    for argv in ([], ["--n", "two"]):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("usage: p") and "p: error: " in err


def test_the_config_holds_the_defaults_not_the_parser():
    base = ["fool", "--model", "cnn", "--model-file", "m.keras", "--method", "hillclimb",
            "--out-npz", "a.npz", "--out-csv", "a.csv"]  # fmt: skip
    with pytest.raises(SystemExit):  # the method's parameters, counts and seed must be given
        build_parser().parse_args(base)
    given = ["--params-json", "{}", "--runs-per-digit", "2", "--seed", "0"]
    args = build_parser().parse_args(base + given)
    assert args.params_json == {} and args.runs_per_digit == 2
    assert args.runs_of_two == 0 and args.attempts_of_two is None  # no extra '2's: off


def test_runs_by_key_keeps_the_order_given_and_refuses_two_files_of_one_key():
    a, b = Path("x/mlp/genetic.npz"), Path("x/cnn/hillclimb.npz")
    assert list(runs_by_key([a, b])) == [("mlp", "genetic"), ("cnn", "hillclimb")]
    with pytest.raises(UserInputError, match="--runs: x/mlp/genetic.npz and y/mlp/genetic.npz"):
        runs_by_key([a, Path("y/mlp/genetic.npz")])


def test_help_and_bad_arguments_import_nothing_heavy():
    code = (
        "import sys\n"
        "from mnist_fooling.cli import main\n"
        "assert main(['fool', '--model', 'svm', '--model-file', 'm.keras', '--method', 'x',"
        " '--out-npz', 'a.npz', '--out-csv', 'a.csv']) == 2\n"
        "print([m for m in ('tensorflow', 'keras', 'jax', 'pandas') if m in sys.modules])\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert result.stderr.strip().startswith("mnist-fooling: error: --model must be one of")
