"""The shared claim helpers: the accuracy claims (C1, D1, D2), decided and undecided verdicts,
rate strings."""

import ast

import pandas as pd
import pytest

from mnist_fooling.claims import seed000, seed003
from mnist_fooling.claims.common import (
    Decision,
    between,
    decide,
    decide_rate,
    distance_interval,
    found,
    grade,
    interval,
    pct,
    rate,
    share,
    verdict_span,
)
from tests.claims.builders import N, P, R, U
from tests.conftest import ROOT


def accuracy(model: str, value: float, split: str = "test", spread: float = 0.0) -> pd.DataFrame:
    low, high = value - spread, value + spread
    return pd.DataFrame(
        [dict(model=model, split=split, n=10000, accuracy=value, ci_low=low, ci_high=high)]
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
    assert pct(value, 2) in got["measured"] and got["value"].startswith(pct(value))


@pytest.mark.parametrize(("fn", "model", "target"), ACCURACY)
@pytest.mark.parametrize(
    ("offset", "spread", "expected", "between"),
    [
        (0.0, 0.003, R, ""),
        (-0.01, 0.003, U, "partly or reproduced"),  # 1 point off, the interval reaches across
        (-0.02, 0.003, P, ""),
        (-0.03, 0.003, U, "not reproduced or partly"),
        (-0.05, 0.003, N, ""),
        (0.02, 0.03, U, "not reproduced or reproduced"),  # [−1, +5]: across both bounds
    ],
)
def test_accuracy_on_its_interval(fn, model, target, offset, spread, expected, between):
    got = fn(accuracy(model, target + offset, spread=spread))
    assert (got["verdict"], got["between"]) == (expected, between)


@pytest.mark.parametrize(("fn", "model", "target"), ACCURACY)
def test_accuracy_without_the_models_test_row_is_not_measured(fn, model, target):
    assert fn(pd.DataFrame(columns=["model", "split"])) is None
    assert fn(accuracy(model, target, split="val")) is None
    other = "cnn" if model != "cnn" else "mlp"
    assert fn(accuracy(other, target)) is None


@pytest.mark.parametrize(
    ("value", "expected"), [(0.5, R), (0.25, R), (0.2499, P), (0.05, P), (0.0499, N)]
)
def test_grade_bounds_are_inclusive(value, expected):
    assert grade(value, yes=0.25, partly=0.05) == expected
    # Lower is better when yes < partly: the mirror image, bounds inclusive too.
    assert grade(-value, yes=-0.25, partly=-0.05) == expected
    assert grade(1 - value, yes=0.75, partly=0.95) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected", "pair"),
    [
        (0.3, 0.6, R, None),
        (0.25, 0.6, R, None),  # at the bound: decided
        (0.2499, 0.26, U, (P, R)),  # straddles 25%
        (0.06, 0.2, P, None),
        (0.01, 0.2, U, (N, P)),
        (0.0, 0.04, N, None),
        (0.0, 0.49, U, (N, R)),  # across both bounds
        (0.3, 0.3, R, None),  # a point value
    ],
)
def test_decide_is_undecided_exactly_when_the_interval_straddles_a_bound(low, high, expected, pair):
    assert decide(low, high, yes=0.25, partly=0.05) == Decision(expected, pair)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (50, 100, R),  # [40%, 60%]
        (25, 100, U),  # [17.6%, 34.1%]: reaches below the bound it sits on
        (24, 100, U),
        (15, 100, P),  # [9.3%, 23.3%]
        (2, 100, U),  # [0.6%, 7.0%]
        (0, 100, N),  # [0%, 3.7%]
        (0, 4, U),  # [0%, 49%]: across both bounds
        (4, 4, R),  # [51%, 100%]
        (250, 1000, U),
        (300, 1000, R),
    ],
)
def test_decide_rate_uses_the_wilson_interval(k, n, expected):
    assert decide_rate(k, n, yes=0.25, partly=0.05).verdict == expected


def test_between_orders_the_two_outcomes_worst_first():
    assert between(R, N) == Decision(U, (N, R)) == between(N, R)
    assert between(P, P) == Decision(P)


def test_decisions_and_rows_name_the_two_outcomes_of_an_undecided_verdict():
    with pytest.raises(ValueError, match="names the two outcomes"):
        Decision(U)
    with pytest.raises(ValueError, match="names the two outcomes"):
        Decision(R, (P, R))
    with pytest.raises(ValueError, match="unknown verdict"):
        Decision("maybe")
    row = found(value="v", measured="m", criterion="c", verdict=Decision(U, (P, R)))
    assert (row["verdict"], row["between"]) == (U, "partly or reproduced")
    assert found(value="v", measured="m", criterion="c", verdict=R)["between"] == ""
    assert verdict_span(U, "partly or reproduced") == (
        "[undecided: partly or reproduced]{.verdict .v-undecided}"
    )


def test_distance_interval():
    assert distance_interval(0.97, 0.99, 0.98) == (0.0, 0.01)
    assert distance_interval(0.95, 0.96, 0.98) == (0.02, 0.03)
    assert distance_interval(0.99, 1.0, 0.98) == (0.01, 0.02)


def test_rate_and_interval_strings():
    assert rate(3, 10) == "3/10 = 30% [11%, 60%]"
    assert rate(0, 0) == "0/0 = 0% [0%, 100%]"
    assert share(3, 10) == "30% [11%, 60%]" and share(20, 194, 1) == "10.3% [6.8%, 15.4%]"
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
