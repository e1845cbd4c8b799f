"""The shared claim helpers: the accuracy claims (C1, D1, D2), graded verdicts and rate strings."""

import ast

import pandas as pd
import pytest

from mnist_fooling.claims import seed000, seed003
from mnist_fooling.claims.common import graded, graded_rate, interval, pct, rate
from tests.claims.builders import N, P, R
from tests.conftest import ROOT


def accuracy(model: str, value: float, split: str = "test") -> pd.DataFrame:
    return pd.DataFrame(
        [dict(model=model, split=split, n=10000, accuracy=value, ci_low=value, ci_high=value)]
    )


ACCURACY = [(seed000.c1, "mlp", 0.98), (seed003.d1, "softmax", 0.92), (seed003.d2, "cnn", 0.99)]


@pytest.mark.parametrize(("fn", "model", "target"), ACCURACY)
@pytest.mark.parametrize(
    ("correct_minus_target", "expected"),
    [
        (0, R),
        (-100, R),  # exactly 1 point: 97.00% vs 98%
        (100, R),
        (-101, P),
        (-300, P),  # exactly 3 points
        (-301, N),
        (-2000, N),
    ],
)
def test_accuracy_within_one_point_reproduced_three_partly(
    fn, model, target, correct_minus_target, expected
):
    value = (round(target * 10000) + correct_minus_target) / 10000
    frame = pd.concat([accuracy(model, value), accuracy(model, target, split="val")])
    got = fn(frame)
    assert got["verdict"] == expected
    assert pct(value, 2) in got["measured"] and got["value"] == pct(value, 2)


@pytest.mark.parametrize(("fn", "model", "target"), ACCURACY)
def test_accuracy_without_the_models_test_row_is_not_measured(fn, model, target):
    assert fn(pd.DataFrame(columns=["model", "split"])) is None
    assert fn(accuracy(model, target, split="val")) is None
    other = "cnn" if model != "cnn" else "mlp"
    assert fn(accuracy(other, target)) is None


@pytest.mark.parametrize(
    ("value", "expected"), [(0.5, R), (0.25, R), (0.2499, P), (0.05, P), (0.0499, N)]
)
def test_graded_bounds_are_inclusive(value, expected):
    assert graded(value, 0.25, 0.05) == expected


@pytest.mark.parametrize(
    ("k", "n", "expected", "spans"),
    [
        (50, 100, R, None),
        (25, 100, R, "25%"),  # the interval reaches below the bound that decided it
        (24, 100, P, "25%"),
        (2, 100, N, "5%"),
        (0, 100, N, None),
        (0, 4, N, "25%"),  # [0%, 49%]: spans both bounds; the upper one is named
        (4, 4, R, None),  # [51%, 100%]
        (2, 4, R, "25%"),
    ],
)
def test_graded_rate_notes_when_n_is_too_small(k, n, expected, spans):
    got, note = graded_rate(k, n, yes=0.25, partly=0.05)
    assert got == expected
    if spans is None:
        assert note == ""
    else:
        assert note == f"; n = {n} too small to decide: the interval spans {spans}"


def test_rate_and_interval_strings():
    assert rate(3, 10) == "3/10 = 30% [11%, 60%]"
    assert rate(0, 0) == "0/0 = 0% [0%, 100%]"
    assert interval(0.1234, 0.5, 1) == "[12.3%, 50.0%]" and pct(0.98766, 2) == "98.77%"


def test_pct_names_nan_only_when_asked():
    assert pct(float("nan"), missing="—") == "—" and pct(0.5, 0, missing="—") == "50%"
    assert pct(float("nan")) == "nan%"  # the claims' texts as before


def test_no_claims_module_imports_a_private_name():
    package = ROOT / "src" / "mnist_fooling" / "claims"
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(package)} imports {private}"
