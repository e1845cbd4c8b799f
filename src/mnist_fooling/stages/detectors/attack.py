"""The adaptive attack: signed-gradient ascent on the target output that knows the detector."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .config import AttackConfig
from .score import Calibration, split_probe


@dataclass(frozen=True)
class AttackResult:
    """Per run: the image the attack stopped at and what the probe said of it.

    Attributes:
        images: ``(n, 28, 28)``; scores: ``(n, d)``; outputs: ``(n, 10)``.
        reached: ``(n,)`` the target output reached the threshold.
        success: ``(n,)`` reached, and (runs with a detector weight) the detector passes it.
        evaluations: ``(n,)`` forward + backward passes spent.
    """

    images: np.ndarray
    scores: np.ndarray
    outputs: np.ndarray
    reached: np.ndarray
    success: np.ndarray
    evaluations: np.ndarray


def step_sizes(cfg: AttackConfig) -> np.ndarray:
    """``(steps,)`` step sizes ``step_size · decay^t``."""
    return cfg.step_size * cfg.decay ** np.arange(cfg.steps)


def attack_objective(n_detectors: int, output: str):
    """``objective(out, onehot, weights, scale, limit) -> (n,)`` in ``keras.ops``.

    ``log p(target)`` (softmax outputs) or the target's logit (sigmoid outputs), minus each
    run's ``weights (n, d)`` times ``log(1 + e)``, ``e`` the detector's score above the
    in-distribution ``limit`` in standard deviations of real digits' scores. The logarithm keeps
    a score far above the limit (noise, at the start) from drowning the target's gradient: with
    ``e`` itself the attack climbs whichever class the detector likes (tried: most runs then
    never reach their target).
    """
    d = n_detectors
    ops = keras.ops

    def objective(out, onehot, weights, scale, limit):
        logits = out[:, d + 10 :]
        gain = ops.log_softmax(logits, axis=1) if output == "softmax" else logits
        excess = ops.log1p(ops.relu((out[:, :d] - limit) / scale))
        return ops.sum(onehot * gain, axis=1) - ops.sum(weights * excess, axis=1)

    return objective


def _padded(idx: np.ndarray, n: int) -> np.ndarray:
    """``idx`` padded (repeating its first entry) to a multiple of n/8: few distinct shapes to
    compile (JAX compiles each shape) and little wasted work."""
    quantum = max(1, -(-n // 8))
    size = min(n, -(-len(idx) // quantum) * quantum)
    return np.concatenate([idx, np.full(size - len(idx), idx[0], idx.dtype)])


def sign_attack(
    probe: keras.Model,
    *,
    start: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    calibration: Calibration,
    output: str,
    cfg: AttackConfig,
) -> AttackResult:
    """Signed-gradient ascent from ``start``, every run in one batch per step.

    ``x ← clip(x + α_t·sign(∇ objective), 0, 1)`` (:func:`attack_objective`). A run stops when
    its target output reaches ``cfg.threshold`` and, where it has a detector weight, that
    detector's score is at most ``calibration.limit`` (the image passes as a real digit).

    Args:
        start: ``(n, 28, 28)`` starting images; targets: ``(n,)`` digits.
        weights: ``(n, d)`` each run's weight on each detector (zero rows: the plain attack).
    """
    from ...core.backend import compiled_gradient

    n, d = weights.shape
    run = compiled_gradient(probe, attack_objective(d, output))
    x = np.array(start, np.float32)
    onehot = np.eye(10, dtype=np.float32)[targets]
    weights = np.asarray(weights, np.float32)
    watched = weights > 0  # (n, d): the detectors a run must pass
    consts = (calibration.scale, calibration.limit)
    record = dict(
        images=x.copy(),
        scores=np.zeros((n, d), np.float32),
        outputs=np.zeros((n, 10), np.float32),
        reached=np.zeros(n, bool),
        success=np.zeros(n, bool),
        evaluations=np.zeros(n, np.int64),
    )
    alphas = step_sizes(cfg)
    active = np.ones(n, bool)
    for step in range(cfg.steps + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        pad = _padded(idx, n)
        _, grad, raw = run(x[pad], onehot[pad], weights[pad], *consts)
        seen = split_probe(raw[: len(idx)], d)
        reached = seen.outputs[np.arange(len(idx)), targets[idx]] >= cfg.threshold
        passes = ~((seen.scores > calibration.limit) & watched[idx]).any(axis=1)
        for key, value in (("images", x[idx]), ("scores", seen.scores), ("outputs", seen.outputs)):
            record[key][idx] = value
        record["reached"][idx], record["success"][idx] = reached, reached & passes
        record["evaluations"][idx] += 1
        active[idx[reached & passes]] = False
        if step < cfg.steps:
            go = idx[~(reached & passes)]
            g = grad[: len(idx)][~(reached & passes)]
            x[go] = np.clip(x[go] + alphas[step] * np.sign(g), 0.0, 1.0)
    return AttackResult(**record)


def attack_groups(
    names: tuple[str, ...], cfg: AttackConfig, *, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of the plain attack and of one adaptive attack per detector, in one batch.

    Every group starts from the same uniform noise (paired comparisons).

    Returns:
        ``start (n, 28, 28)``, ``targets (n,)``, ``weights (n, d)`` and ``group (n,)``
        (-1 for the plain attack, else the detector's index).
    """
    per_group = 10 * cfg.runs_per_digit
    noise = np.random.default_rng(seed).random((per_group, 28, 28), dtype=np.float32)
    digits = np.tile(np.arange(10), cfg.runs_per_digit)
    groups = np.repeat(np.arange(-1, len(names)), per_group)
    weights = np.zeros((len(groups), len(names)), np.float32)
    own = groups >= 0
    weights[np.flatnonzero(own), groups[own]] = cfg.weight
    start = np.tile(noise, (len(names) + 1, 1, 1))
    return start, np.tile(digits, len(names) + 1), weights, groups


def attack_row(
    result: AttackResult, *, groups: np.ndarray, j: int, model: str, detector: str, limit: float
) -> dict:
    """One row of ``adaptive.csv``: success and evaluations of the plain attack and of the
    adaptive attack on detector ``j`` (``groups (n,)`` of :func:`attack_groups`)."""
    plain, own = groups == -1, groups == j
    passes = result.reached[plain] & (result.scores[plain, j] <= limit)
    return dict(
        model=model,
        detector=detector,
        limit=float(limit),
        runs=int(own.sum()),
        plain_reached=int(result.reached[plain].sum()),
        plain_passes=int(passes.sum()),
        plain_evaluations=int(result.evaluations[plain].sum()),
        adaptive_reached=int(result.reached[own].sum()),
        adaptive_success=int(result.success[own].sum()),
        adaptive_evaluations=int(result.evaluations[own].sum()),
    )
