"""A stage's report parts, found one way: ``fragment <stage>`` and ``plot <stage>``."""

from __future__ import annotations

import re

import pytest

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.report.parts import build_figures, stage_function
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("nosuchstage", "plot: no stage module mnist_fooling.stages.nosuchstage.figures"),
        ("lab", "plot: no stage module mnist_fooling.stages.lab.figures"),
        ("fooling:runs", "plot: mnist_fooling.stages.fooling.runs has no figures() function"),
        ("data", "plot data: no input data (give --input data=PATH)"),
    ],
)
def test_a_stage_without_figures_or_inputs_is_one_clear_error(stage, message, tmp_path):
    with pytest.raises(UserInputError, match=re.escape(message)):
        build_figures(stage, {}, tmp_path)


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(UserInputError, match="plot data: input data=.*gone.npz not found"):
        build_figures("data", {"data": tmp_path / "gone.npz"}, tmp_path)


def test_every_plot_the_workflow_runs_finds_its_figures_function():
    rules = "".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    stages = set(re.findall(r"mnist_fooling plot ([\w:]+)", rules))
    assert stages == {
        "data", "evaluate", "pca", "edge", "fooling", "fooling:calibration_figures", "detectors"
    }  # fmt: skip
    for stage in stages:
        name, _, module = stage.partition(":")
        assert callable(stage_function("plot", name, module or "figures", "figures"))
