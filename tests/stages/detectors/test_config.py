"""The detectors section of the config: defaults, unknown keys and bad values."""

import pytest

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.detectors.config import DetectorConfig


def test_config_rejects_unknown_keys_and_bad_values():
    cfg = DetectorConfig.from_dict({"bootstrap": 5, "adaptive": {"steps": 3, "weight": 2}})
    assert cfg.bootstrap == 5 and cfg.adaptive.steps == 3 and cfg.adaptive.weight == 2.0
    for bad, message in [
        ({"boot": 5}, "unknown key 'boot'"),
        ({"bootstrap": 0}, "at least 1"),
        ({"bootstrap": 2.5}, "must be an integer"),
        ({"adaptive": {"decay": 1.5}}, "step_size and decay"),
        ({"pca_k": 785}, "1..784"),
    ]:
        with pytest.raises(UserInputError, match=message):
            DetectorConfig.from_dict(bad)
