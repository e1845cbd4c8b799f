"""The detectors section of the config: unknown, missing and bad values."""

import pytest
import yaml

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.detectors.config import DetectorConfig
from tests.conftest import ROOT


def section(**changes) -> dict:
    """config/config.yaml's detectors section with ``changes`` (``adaptive`` merged)."""
    found = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["detectors"]
    adaptive = {**found["adaptive"], **changes.pop("adaptive", {})}
    return {**found, **changes, "adaptive": adaptive}


def test_config_rejects_unknown_missing_and_bad_values():
    cfg = DetectorConfig.from_dict(section(bootstrap=5, adaptive={"steps": 3, "weight": 2}))
    assert cfg.bootstrap == 5 and cfg.adaptive.steps == 3 and cfg.adaptive.weight == 2.0
    without_ridge = section()
    del without_ridge["ridge"]
    for bad, message in [
        (section(boot=5), "unknown key 'boot'"),
        (without_ridge, "missing key 'ridge'"),
        (section(bootstrap=0), "at least 1"),
        (section(bootstrap=2.5), "must be an integer"),
        (section(adaptive={"decay": 1.5}), "step_size and decay"),
        (section(pca_k=785), "1..784"),
    ]:
        with pytest.raises(UserInputError, match=message):
            DetectorConfig.from_dict(bad)
