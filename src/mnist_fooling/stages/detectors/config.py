"""The detectors stage's settings: its ``detectors`` config section, detector and set names."""

from __future__ import annotations

from dataclasses import dataclass, fields

from ...core.errors import UserInputError

DETECTORS = ("max_output", "energy", "mahalanobis", "pca_error", "template", "eleventh")
NOISE_SET = "uniform_noise"
PLAIN_SET = "attack_plain"  # the sign-gradient attack that ignores the detector
ADAPTIVE_SET = "attack_adaptive"  # the same attack against the detector
ATTACK_SETS = (PLAIN_SET, ADAPTIVE_SET)
TPR = 0.95  # the false-positive rate is read at this true-positive rate
EPS = 1e-12
AUROC_COLUMNS = [
    "model", "detector", "set", "n", "n_converged", "n_negatives",
    "auroc", "auroc_low", "auroc_high", "fpr95", "fpr95_low", "fpr95_high",
]  # fmt: skip


@dataclass(frozen=True)
class AttackConfig:
    """The signed-gradient attack: step t moves pixels by ``step_size · decay^t`` (as the
    search method ``gradient_sign``); ``weight`` is λ, ``threshold`` the target output."""

    runs_per_digit: int = 5
    steps: int = 100
    step_size: float = 0.1
    decay: float = 0.95
    weight: float = 1.0  # λ: weight of the standardised detector score
    threshold: float = 0.9999
    quantile: float = 0.5  # pass: a score at most this quantile of the test digits' scores


@dataclass(frozen=True)
class DetectorConfig:
    """The ``detectors`` section of the workflow config."""

    n_negatives: int = 2000
    n_fit: int = 10000
    bootstrap: int = 200
    pca_k: int = 50
    ridge: float = 0.01
    adaptive: AttackConfig = AttackConfig()

    @classmethod
    def from_dict(cls, params: dict) -> DetectorConfig:
        """Build from a config section; unknown keys or bad values raise ``UserInputError``."""
        params = dict(params)
        attack = _checked(AttackConfig, params.pop("adaptive", {}), "detectors.adaptive")
        cfg = _checked(cls, params, "detectors", adaptive=attack)
        for name in ("n_negatives", "n_fit", "bootstrap", "pca_k"):
            _at_least(f"detectors.{name}", getattr(cfg, name), 1)
        _at_least("detectors.adaptive.runs_per_digit", attack.runs_per_digit, 1)
        _at_least("detectors.adaptive.steps", attack.steps, 1)
        if cfg.pca_k > 784:
            raise UserInputError(f"detectors.pca_k must lie in 1..784, got {cfg.pca_k}")
        if cfg.ridge < 0 or attack.weight < 0:
            raise UserInputError("detectors.ridge and detectors.adaptive.weight must be ≥ 0")
        if not (0 < attack.step_size <= 1 and 0 < attack.decay <= 1):
            raise UserInputError("detectors.adaptive.step_size and decay must lie in (0, 1]")
        if not (0 < attack.threshold < 1 and 0 < attack.quantile < 1):
            raise UserInputError("detectors.adaptive.threshold and quantile must lie in (0, 1)")
        return cfg


def _checked(cls, params: dict, where: str, **fixed):
    """``cls(**params, **fixed)`` with unknown keys and wrong types as ``UserInputError``."""
    if not isinstance(params, dict):
        raise UserInputError(f"{where} must be a mapping, got {params!r}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise UserInputError(f"{where}: unknown key {unknown[0]!r}; expected {sorted(known)}")
    values = {}
    for key, value in params.items():
        want = type(getattr(cls(), key))
        ok = isinstance(value, int | float) if want is float else isinstance(value, want)
        if not ok or isinstance(value, bool):
            kind = "an integer" if want is int else "a number"
            raise UserInputError(f"{where}.{key} must be {kind}, got {value!r}")
        values[key] = want(value)
    return cls(**values, **fixed)


def _at_least(name: str, value: int, low: int) -> None:
    if value < low:
        raise UserInputError(f"{name} must be at least {low}, got {value}")
