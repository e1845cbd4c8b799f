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
    search method ``gradient_sign``); ``weight`` is λ, ``threshold`` the target output. No
    defaults: the config holds them (``detectors.adaptive``)."""

    runs_per_digit: int
    steps: int
    step_size: float
    decay: float
    weight: float  # λ: weight of the standardised detector score
    threshold: float
    quantile: float  # pass: a score at most this quantile of the test digits' scores


@dataclass(frozen=True)
class DetectorConfig:
    """The ``detectors`` section of the workflow config (no defaults: the config holds them)."""

    n_negatives: int
    n_fit: int
    bootstrap: int
    pca_k: int
    ridge: float
    adaptive: AttackConfig

    @classmethod
    def from_dict(cls, params: dict) -> DetectorConfig:
        """Build from a config section; unknown keys or bad values raise ``UserInputError``."""
        params = dict(params)
        attack = _checked(AttackConfig, params.pop("adaptive", None), "detectors.adaptive")
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
    known = {f.name: f for f in fields(cls) if f.name not in fixed}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise UserInputError(f"{where}: unknown key {unknown[0]!r}; expected {sorted(known)}")
    missing = sorted(set(known) - set(params))
    if missing:
        raise UserInputError(f"{where}: missing key {missing[0]!r}")
    values = {}
    for key, value in params.items():
        want = {"int": int, "float": float}[known[key].type]
        ok = isinstance(value, int | float) if want is float else isinstance(value, want)
        if not ok or isinstance(value, bool):
            kind = "an integer" if want is int else "a number"
            raise UserInputError(f"{where}.{key} must be {kind}, got {value!r}")
        values[key] = want(value)
    return cls(**values, **fixed)


def _at_least(name: str, value: int, low: int) -> None:
    if value < low:
        raise UserInputError(f"{name} must be at least {low}, got {value}")
