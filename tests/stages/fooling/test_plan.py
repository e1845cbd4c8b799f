"""A fooling job's plan: the config resolved for one model, and only that."""

import copy

import pytest

from mnist_fooling.stages.fooling.plan import counts_for, plan_for
from tests.test_config import base_config

FOOLING = dict(
    runs_per_digit=3,
    runs_of_two=7,
    attempts_of_two=50,
    counts=dict(
        mlp=dict(genetic=dict(runs_per_digit=100, runs_of_two=1000), hillclimb=dict(runs_of_two=9)),
        cnn=dict(genetic_prior=dict(attempts_of_two=2)),
    ),
    methods={},
)


@pytest.mark.parametrize(
    ("model", "method", "expected"),
    [
        ("mlp", "genetic", (100, 1000, 50)),  # overrides
        ("cnn", "genetic", (3, 7, 50)),  # the defaults
        ("cnn", "genetic_prior", (3, 7, 2)),  # one key overridden, the others default
        ("softmax", "genetic_prior_intended", (3, 7, 50)),  # no counts for the model at all
        ("cnn", "hillclimb", (3, 0, 50)),  # extra '2's are the genetic driver's only
        ("mlp", "hillclimb", (3, 0, 50)),  # even when the counts ask for them
    ],
)
def test_counts_for(model, method, expected):
    got = counts_for(FOOLING, model, method)
    assert (got["runs_per_digit"], got["runs_of_two"], got["attempts_of_two"]) == expected
    assert set(got) == {"runs_per_digit", "runs_of_two", "attempts_of_two"}
    assert FOOLING["counts"]["mlp"]["hillclimb"] == dict(runs_of_two=9)  # not modified
    no_counts = {k: v for k, v in FOOLING.items() if k != "counts"}
    assert counts_for(no_counts, model, method)["runs_per_digit"] == 3


def test_plan_for_holds_only_the_models_resolved_settings():
    fooling = base_config()["fooling"]
    plan = plan_for(fooling, "cnn", ["genetic", "hillclimb"])
    assert list(plan) == ["genetic", "hillclimb"]
    assert plan["genetic"] == dict(
        params={**fooling["methods"]["genetic"], "max_iter": 300},  # the CNN's cap
        runs_per_digit=1,
        runs_of_two=0,
        attempts_of_two=fooling["attempts_of_two"],
    )
    assert plan["hillclimb"]["runs_per_digit"] == 20 and plan["hillclimb"]["runs_of_two"] == 0
    # Nothing of the sweeps or of other models reaches a job's plan.
    edited = copy.deepcopy(fooling)
    edited["sweeps"]["hillclimb"]["grid"]["density"] = [0.5]
    edited["counts"]["mlp"]["genetic"]["runs_per_digit"] = 7
    assert plan_for(edited, "cnn", ["genetic", "hillclimb"]) == plan
