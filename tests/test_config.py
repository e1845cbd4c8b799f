import copy
from pathlib import Path

import pytest
import yaml

from mnist_fooling.config import load_config, validate_config
from mnist_fooling.core.errors import UserInputError
from tests.conftest import ROOT


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
        # fooling: per-model and per-method counts, sweeps, method sections
        (
            lambda c: c["fooling"]["counts"].update(svm={}),
            "unknown key 'svm' in fooling.counts \\(allowed: cnn, mlp, softmax\\)",
        ),
        (
            lambda c: c["fooling"]["counts"]["mlp"]["genetic"].update(runs_per_digt=3),
            "unknown key 'runs_per_digt' in fooling.counts.mlp.genetic",
        ),
        (
            lambda c: c["fooling"]["counts"]["mlp"].update(annealing={}),
            "unknown key 'annealing' in fooling.counts.mlp",
        ),
        (
            lambda c: c["fooling"]["counts"]["mlp"]["genetic"].update(runs_of_two=-1),
            "fooling.counts.mlp.genetic.runs_of_two: -1 is less than the minimum of 0",
        ),
        (
            lambda c: c["fooling"]["counts"]["mlp"]["genetic"].update(attempts_of_two=0),
            "fooling.counts.mlp.genetic.attempts_of_two: 0 is less than the minimum of 1",
        ),
        (
            lambda c: c["fooling"]["methods"].pop("genetic"),
            "fooling.counts.[a-z]+.genetic: 'genetic' is not in fooling.methods",
        ),
        (lambda c: c["fooling"].pop("attempts_of_two"), "'attempts_of_two' is a required"),
        (lambda c: c["fooling"].update(runs_of_two=-2), "fooling.runs_of_two: -2 is less than"),
        (
            lambda c: c["fooling"]["sweeps"]["hillclimb"].update(model="svm"),
            "fooling.sweeps.hillclimb.model: 'svm' is not one of",
        ),
        (
            lambda c: c["fooling"]["sweeps"]["hillclimb"]["grid"].update(density=[]),
            "fooling.sweeps.hillclimb.grid.density: \\[\\] should be non-empty",
        ),
        (
            lambda c: c["fooling"]["sweeps"]["hillclimb"].update(grid={}),
            "fooling.sweeps.hillclimb.grid: {} should be non-empty",
        ),
        (
            lambda c: c["fooling"]["sweeps"].update(genetic={}),
            "unknown key 'genetic' in fooling.sweeps",
        ),
        (
            lambda c: (
                c["fooling"]["methods"].pop("gradient_prior"),
                [m.pop("gradient_prior", None) for m in c["fooling"]["counts"].values()],
            ),
            "fooling.sweeps.gradient_prior: 'gradient_prior' is not in fooling.methods",
        ),
        (
            lambda c: c.update(models=["softmax", "mlp"]),
            "fooling.sweeps.hillclimb.model 'cnn' is not in models",
        ),
        (
            lambda c: c["fooling"]["methods"]["genetic"].update(tol=[0.1] * 9),
            "fooling.methods.genetic.tol: .* is too short",
        ),
        (
            lambda c: c["fooling"]["methods"]["hillclimb"].pop("patience"),
            "fooling.methods.hillclimb: 'patience' is a required property",
        ),
        (
            lambda c: c["fooling"]["methods"]["hillclimb"].update(masks=3),
            "fooling.methods.hillclimb: Unevaluated properties .*'masks' was unexpected",
        ),
        (
            lambda c: c["fooling"]["methods"]["map_elites"].update(mutation_rate=1.5),
            "fooling.methods.map_elites.mutation_rate: 1.5 is greater than the maximum of 1",
        ),
        # eleventh (N2)
        (lambda c: c["eleventh"].update(model="mlp"), "eleventh.model: 'mlp' is not one of"),
        (
            lambda c: (c.update(models=["mlp", "cnn"]), c["eleventh"].update(model="softmax")),
            "eleventh.model 'softmax' is not in models",
        ),
        (
            lambda c: (
                c["fooling"]["methods"].pop("genetic"),
                [m.pop("genetic", None) for m in c["fooling"]["counts"].values()],
                c["eleventh"].update(method="genetic"),
            ),
            "eleventh.method 'genetic' is not in fooling.methods",
        ),
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


def test_a_tol_per_digit_is_valid():
    config = copy.deepcopy(base_config())
    config["fooling"]["methods"]["genetic"]["tol"] = [0.1] * 10
    validate_config(config)


def _repeated(base, over, path=()) -> list[str]:
    """The keys of ``over`` whose values equal ``base``'s (leaves; dicts are walked)."""
    found = []
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            found += _repeated(base[key], value, (*path, key))
        elif key in base and base[key] == value and key != "profile":
            found.append(".".join((*path, key)))
    return found


@pytest.mark.parametrize("profile", ["test", "quick", "paper"])
def test_profiles_override_only_what_they_change(profile):
    """A profile repeats no value of config/config.yaml (a default has one place)."""
    over = yaml.safe_load((ROOT / "profiles" / profile / "workflow-config.yaml").read_text())
    assert _repeated(base_config(), over) == []


def _default(node: dict, path: tuple, schema: dict):
    """The schema's default for the config key at ``path`` below ``node``: a default of the
    node itself or of an ancestor (a section whose keys share one ``$ref``); KeyError: none."""
    if "default" in node:
        found = node["default"]
        for key in path:
            found = found[key]
        return found
    if path and path[0] in node.get("properties", {}):
        try:
            return _default(node["properties"][path[0]], path[1:], schema)
        except KeyError:
            pass
    if "$ref" in node:
        target = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        try:
            return _default(target, path, schema)
        except KeyError:
            pass
    for sub in node.get("allOf", []):
        try:
            return _default(sub, path, schema)
        except KeyError:
            continue
    raise KeyError(f"no default for {'.'.join(path)}")


def _leaves(config: dict, path=()):
    for key, value in config.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key), value


def test_every_configured_value_is_its_schemas_default():
    """The schema documents each key's default (the method's in its folder's params.yaml), and
    it is the value config/config.yaml sets: the two cannot drift apart."""
    from mnist_fooling.config import config_schema

    schema = config_schema()
    wrong = []
    for path, value in _leaves(base_config()):
        try:
            default = _default(schema, path, schema)
        except (KeyError, TypeError):
            wrong.append(f"{'.'.join(path)}: no default")
            continue
        if default != value:
            wrong.append(f"{'.'.join(path)}: default {default!r}, config {value!r}")
    assert wrong == []


@pytest.mark.parametrize("profile", ["test", "quick", "paper"])
def test_the_merged_config_keeps_the_base_files_order(profile):
    """Snakemake starts from the profile's file and merges config/config.yaml under it (its keys
    first); in_base_order gives back the base's order, the profile's values kept."""
    from mnist_fooling.config import in_base_order

    over = yaml.safe_load((ROOT / "profiles" / profile / "workflow-config.yaml").read_text())
    snakemake_order = copy.deepcopy(over)

    def update(dst, src):
        for key, value in src.items():
            if isinstance(value, dict) and isinstance(dst.get(key), dict):
                update(dst[key], value)
            else:
                dst[key] = value

    update(snakemake_order, base_config())
    update(snakemake_order, over)
    ordered = in_base_order(snakemake_order, base_config())
    assert ordered == merged(profile)
    assert list(ordered["fooling"]["methods"]) == list(base_config()["fooling"]["methods"])
    hill = ordered["fooling"]["methods"]["hillclimb"]
    assert list(hill) == list(base_config()["fooling"]["methods"]["hillclimb"])
