import copy
from pathlib import Path

import pytest
import yaml

from mnist_fooling.config import load_config, validate_config
from mnist_fooling.errors import UserInputError

from .conftest import ROOT


def base_config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def merged(profile: str) -> dict:
    """config/config.yaml overlaid with a profile's workflow-config.yaml, as Snakemake merges."""
    config = base_config()

    def update(dst, src):
        for key, value in src.items():
            if isinstance(value, dict) and isinstance(dst.get(key), dict):
                update(dst[key], value)
            else:
                dst[key] = value

    update(
        config, yaml.safe_load((ROOT / "profiles" / profile / "workflow-config.yaml").read_text())
    )
    return config


@pytest.mark.parametrize("profile", ["test", "quick", "paper"])
def test_profiles_give_valid_configs_named_after_themselves(profile):
    config = merged(profile)
    validate_config(config)
    assert config["profile"] == profile


def test_default_config_is_valid():
    validate_config(base_config())
    assert base_config()["profile"] == "default"


def test_every_profile_directory_has_a_snakemake_config():
    names = {p.name for p in (ROOT / "profiles").iterdir() if p.is_dir()}
    assert names == {"test", "quick", "default", "paper", "slurm"}
    for name in names:
        assert (ROOT / "profiles" / name / "config.yaml").is_file()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.update(colour="red"), "unknown key 'colour' in top level"),
        (lambda c: c["train"]["cnn"].update(epochz=3), "unknown key 'epochz' in train.cnn"),
        (
            lambda c: c["train"]["cnn"].update(epochs="ten"),
            "train.cnn.epochs: 'ten' is not of type",
        ),
        (lambda c: c["train"]["mlp"].update(epochs=-1), "train.mlp.epochs: -1 is less than"),
        (lambda c: c["confidence"].update(n_noise=0), "confidence.n_noise: 0 is less than"),
        (lambda c: c.update(models=[]), "models: \\[\\] should be non-empty"),
        (lambda c: c.update(models=["svm"]), "models.0: 'svm' is not one of"),
        (lambda c: c["train"]["cnn"].update(optimizer="rmsprop"), "train.cnn.optimizer"),
        (lambda c: c["data"].update(n_train=5), "data.n_train: 5 is less than"),
        (lambda c: c.update(profile="../escape"), "profile: '../escape' does not match"),
        (lambda c: c.pop("seed"), "'seed' is a required property"),
    ],
)
def test_bad_configs_get_one_line_naming_the_key(edit, message):
    config = copy.deepcopy(base_config())
    edit(config)
    with pytest.raises(UserInputError, match=message) as info:
        validate_config(config)
    assert "\n" not in str(info.value)


def test_load_config_reports_unreadable_files(tmp_path):
    with pytest.raises(UserInputError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "list.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(UserInputError, match="does not hold a mapping"):
        load_config(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("seed: [unclosed\n")
    with pytest.raises(UserInputError, match="cannot read"):
        load_config(Path(broken))
