"""Can fooling images be caught? Six detectors, their ROC against every fooling set, and an
attacker who knows the detector.

Every detector scores an image ``(28, 28)`` in [0, 1]; a higher score is more suspicious:

- ``max_output``: the maximal output (Hendrycks & Gimpel 2017's maximum softmax probability;
  for Nielsen's sigmoid MLP its largest sigmoid activation, not a probability), scored as
  ``-logit(max output)`` from the logits: the same order as ``-max output`` (so the same ROC),
  but float32 does not round confident digits' outputs to exactly 1 (ties) and the attack's
  gradient does not vanish;
- ``energy``: minus ``logsumexp`` of the logits (Liu et al. 2020, T = 1; for the MLP the
  pre-sigmoid activations of its output layer);
- ``mahalanobis``: the Mahalanobis distance to the nearest class mean in the penultimate layer,
  one covariance shared by the ten classes (Lee et al. 2018), fitted on training images. For
  softmax regression the "penultimate layer" is the 784 pixels, whose always-black border makes
  the covariance singular: a ridge of ``ridge`` × the mean variance is added (for every model,
  so that they are treated alike);
- ``pca_error``: the root-mean-square error of the image's reconstruction from the first ``k``
  principal components of the training images (``pca.npz``);
- ``template``: the network-free template reader of ``likeness``: 1 − the best Pearson
  correlation with the ten mean training digits;
- ``eleventh``: the output for class 10 of the model retrained with its fooling images as an
  11th class (N2), for that model only.

All six are written once in ``keras.ops`` (:class:`ScoreHead`) inside one Keras model per
classifier (:func:`build_probe`): the evaluation scores images with it, and the adaptive attack
(:func:`sign_attack`) differentiates the very same scores.
"""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from keras import layers

from ...core.errors import UserInputError
from ...search.registry import METHODS

log = logging.getLogger(__name__)

DETECTORS = ("max_output", "energy", "mahalanobis", "pca_error", "template", "eleventh")
LABELS = {
    "max_output": "max output",
    "energy": "energy",
    "mahalanobis": "Mahalanobis",
    "pca_error": "PCA error",
    "template": "template reader",
    "eleventh": "11th class",
}
MODEL_LABELS = {"softmax": "softmax regression", "mlp": "MLP", "cnn": "CNN"}
NOISE_SET = "uniform_noise"
PLAIN_SET = "attack_plain"  # the sign-gradient attack that ignores the detector
ADAPTIVE_SET = "attack_adaptive"  # the same attack against the detector
HG_MNIST_AUROC = 0.979  # Hendrycks & Gimpel (2017), MNIST: max softmax vs uniform noise
HOLD_BAR = 0.95  # a detector holds when its AUROC's lower bound reaches this on every set
COLLAPSE_BAR = 0.75  # a detector collapses when its AUROC against adaptive images is below this
TPR = 0.95  # the false-positive rate is read at this true-positive rate
EPS = 1e-12
IN_SAMPLE = ("eleventh",)  # detectors trained on the fooling sets they are scored on


# ----------------------------------------------------------------------------- configuration


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


# ----------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class DetectorFit:
    """What the detectors learn from training digits, once per classifier.

    Attributes:
        names: the detectors in score order (:data:`DETECTORS`, ``eleventh`` only if given).
        output: ``"softmax"`` or ``"sigmoid"``: the classifier's output activation.
        whitening: ``(f, f)``: ``features @ whitening`` has the shared covariance's inverse as
            its metric (Euclidean distance there is the Mahalanobis distance).
        class_means: ``(10, f)`` the class means of the features, whitened.
        pca_mean: ``(784,)``; pca_components: ``(k, 784)``, one component per row.
        templates: ``(10, 784)`` the mean training digits, centred and of unit norm.
    """

    names: tuple[str, ...]
    output: str
    whitening: np.ndarray
    class_means: np.ndarray
    pca_mean: np.ndarray
    pca_components: np.ndarray
    templates: np.ndarray


def fit_mahalanobis(
    features: np.ndarray, labels: np.ndarray, *, ridge: float
) -> tuple[np.ndarray, np.ndarray]:
    """Class means and one shared covariance (Lee et al. 2018) of ``features`` ``(n, f)``.

    The covariance gets ``ridge`` × its mean variance added to the diagonal (needed where some
    features never vary, as the border pixels of MNIST).

    Returns:
        ``whitening (f, f)`` and whitened ``class_means (10, f)``, float32.
    """
    if not all((labels == c).any() for c in range(10)):
        raise ValueError("every digit 0-9 needs at least one fitting image")
    x = features.reshape(len(features), -1).astype(np.float64)
    means = np.stack([x[labels == c].mean(axis=0) for c in range(10)])  # (10, f)
    centred = x - means[labels]
    cov = centred.T @ centred / len(x)
    cov[np.diag_indices_from(cov)] += ridge * np.trace(cov) / len(cov) + EPS
    values, vectors = np.linalg.eigh(cov)
    whitening = vectors / np.sqrt(np.clip(values, EPS, None))  # (f, f)
    return whitening.astype(np.float32), (means @ whitening).astype(np.float32)


def standardised_templates(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(10, 784)``: each digit's mean training image ``likeness.templates``, centred, norm 1."""
    from ..fooling.likeness import templates

    t = templates(x, y).reshape(10, -1).astype(np.float64)
    t -= t.mean(axis=1, keepdims=True)
    return (t / np.linalg.norm(t, axis=1, keepdims=True)).astype(np.float32)


def output_kind(model: keras.Model) -> str:
    """``"softmax"`` or ``"sigmoid"``: the activation of the model's ``out`` layer."""
    activation = model.get_layer("out").activation
    for name in ("softmax", "sigmoid"):
        if activation is getattr(keras.activations, name):
            return name
    raise ValueError(f"{model.name}: output layer must be softmax or sigmoid, got {activation}")


def fit_detectors(
    model: keras.Model,
    *,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    pca: dict[str, np.ndarray],
    pca_k: int,
    ridge: float,
    eleventh: bool = False,
    templates: np.ndarray | None = None,
) -> DetectorFit:
    """Fit the detectors of ``model`` on training images ``x_fit (n, 28, 28)``, ``y_fit (n,)``.

    Args:
        pca: ``mean (784,)`` and ``components (784, 784)`` of ``pca.npz``.
        eleventh: whether a retrained 11-class model comes with it (adds ``eleventh``).
        templates: ``(10, 784)`` of :func:`standardised_templates` (default: from ``x_fit``).
    """
    from ...core.backend import predict_batched

    features = keras.Model(model.inputs, model.get_layer("out").input)
    whitening, means = fit_mahalanobis(predict_batched(features, x_fit), y_fit, ridge=ridge)
    names = DETECTORS if eleventh else DETECTORS[:-1]
    return DetectorFit(
        names=names,
        output=output_kind(model),
        whitening=whitening,
        class_means=means,
        pca_mean=np.asarray(pca["mean"], np.float32),
        pca_components=np.asarray(pca["components"][:pca_k], np.float32),
        templates=standardised_templates(x_fit, y_fit) if templates is None else templates,
    )


# ----------------------------------------------------------------------------- scores


class ScoreHead(layers.Layer):
    """``[features, logits, pixels(, eleventh)] -> (n, d + 20)``: the ``d`` detector scores,
    the ten outputs and the ten logits. The fitted statistics are frozen weights."""

    def __init__(self, fit: DetectorFit, **kwargs):
        super().__init__(**kwargs)
        self.names, self.output_kind = fit.names, fit.output
        constant = dict(trainable=False, dtype="float32")
        for name in ("whitening", "class_means", "pca_mean", "pca_components", "templates"):
            value = getattr(fit, name)
            init = keras.initializers.Constant(value)
            setattr(
                self,
                name,
                self.add_weight(shape=value.shape, initializer=init, name=name, **constant),
            )

    def neg_log_odds(self, logits):
        """``-logit(max output)`` ``(n,)``: ordered as ``-max output``, but from the logits, so
        that it neither saturates at 1 in float32 nor flattens the attack's gradient."""
        ops = keras.ops
        top = ops.max(logits, axis=1)
        if self.output_kind == "sigmoid":
            return -top
        mask = ops.one_hot(ops.argmax(logits, axis=1), ops.shape(logits)[1], dtype=logits.dtype)
        return ops.logsumexp(logits - 1e9 * mask, axis=1) - top

    def call(self, inputs):
        features, logits, pixels, *rest = inputs
        ops = keras.ops
        act = ops.softmax if self.output_kind == "softmax" else ops.sigmoid
        outputs = act(logits)
        z = ops.matmul(features, self.whitening)  # (n, f)
        d2 = ops.sum(ops.square(z[:, None, :] - self.class_means[None]), axis=2)  # (n, 10)
        centred = pixels - self.pca_mean
        resid = centred - ops.matmul(
            ops.matmul(centred, ops.transpose(self.pca_components)), self.pca_components
        )
        xc = pixels - ops.mean(pixels, axis=1, keepdims=True)
        xn = xc / ops.sqrt(ops.sum(ops.square(xc), axis=1, keepdims=True) + EPS)
        scores = {
            "max_output": self.neg_log_odds(logits),
            "energy": -ops.logsumexp(logits, axis=1),
            "mahalanobis": ops.sqrt(ops.min(d2, axis=1) + EPS),
            "pca_error": ops.sqrt(ops.mean(ops.square(resid), axis=1) + EPS),
            "template": 1.0 - ops.max(ops.matmul(xn, ops.transpose(self.templates)), axis=1),
        }
        if rest:
            scores["eleventh"] = rest[0][:, 10]
        stacked = ops.stack([scores[name] for name in self.names], axis=1)
        return ops.concatenate([stacked, outputs, logits], axis=1)


def build_probe(
    model: keras.Model, fit: DetectorFit, *, eleventh: keras.Model | None = None
) -> keras.Model:
    """``(n, 28, 28) -> (n, d + 20)``: detector scores, outputs and logits of ``model`` (frozen).

    Args:
        eleventh: the model retrained with an 11th class, when ``fit`` has that detector.
    """
    from ...core.models import with_logits

    if (eleventh is not None) != ("eleventh" in fit.names):
        raise ValueError("give the eleventh model exactly when the fit has that detector")
    image = keras.Input((28, 28), name="image")
    features, logits = with_logits(model)(image)
    pixels = layers.Flatten()(image)
    extra = [eleventh(image)] if eleventh is not None else []
    head = ScoreHead(fit, name="scores")([features, logits, pixels, *extra])
    return keras.Model(image, head, name=f"{model.name}_probe")


@dataclass(frozen=True)
class Scored:
    """A probe's view of images ``(n, 28, 28)``: scores ``(n, d)``, outputs, logits ``(n, 10)``."""

    scores: np.ndarray
    outputs: np.ndarray
    logits: np.ndarray


def split_probe(raw: np.ndarray, n_detectors: int) -> Scored:
    """Cut a probe's ``(n, d + 20)`` output into its parts."""
    d = n_detectors
    return Scored(raw[:, :d], raw[:, d : d + 10], raw[:, d + 10 :])


def score_images(probe: keras.Model, images: np.ndarray, n_detectors: int) -> Scored:
    """Scores, outputs and logits of images ``(n, 28, 28)``, in compiled batches."""
    from ...core.backend import predict_batched

    return split_probe(predict_batched(probe, np.asarray(images, np.float32)), n_detectors)


@dataclass(frozen=True)
class Calibration:
    """Each detector's scores on real test digits: their standard deviation and a quantile
    (``(d,)`` each); an image scoring at most ``limit`` passes as a digit."""

    scale: np.ndarray
    limit: np.ndarray

    @classmethod
    def from_scores(cls, scores: np.ndarray, *, quantile: float) -> Calibration:
        """From negatives' scores ``(n, d)``; ``limit`` is their ``quantile``."""
        scale = scores.std(axis=0)
        return cls(
            scale=np.where(scale > 0, scale, 1.0).astype(np.float32),
            limit=np.quantile(scores, quantile, axis=0).astype(np.float32),
        )


# ----------------------------------------------------------------------------- ROC


def roc_summary(negatives: np.ndarray, positives: np.ndarray) -> tuple[float, float]:
    """AUROC and the false-positive rate at 95% true-positive rate (positives score higher).

    ``sklearn.metrics.roc_curve`` and ``auc`` (the same area as ``roc_auc_score``, from one
    curve). Both arrays need at least one element.
    """
    from sklearn.metrics import auc

    fpr, tpr = roc_points(negatives, positives)
    return float(auc(fpr, tpr)), float(fpr[np.argmax(tpr >= TPR)])


def roc_points(negatives: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve's corners ``(fpr, tpr)`` (``sklearn.metrics.roc_curve``)."""
    from sklearn.metrics import roc_curve

    if len(negatives) == 0 or len(positives) == 0:
        raise ValueError("ROC needs at least one negative and one positive score")
    labels = np.r_[np.zeros(len(negatives)), np.ones(len(positives))]
    fpr, tpr, _ = roc_curve(labels, np.r_[negatives, positives])
    return fpr, tpr


def bootstrap_roc(
    negatives: np.ndarray, positives: np.ndarray, *, resamples: int, rng: np.random.Generator
) -> dict[str, float]:
    """:func:`roc_summary` with 95% percentile bootstrap intervals.

    Positives and negatives are resampled separately (each keeps its size), so every
    resample has both classes.

    Returns:
        ``auroc, auroc_low, auroc_high, fpr95, fpr95_low, fpr95_high``.
    """
    if resamples < 1:
        raise ValueError(f"need at least one bootstrap resample, got {resamples}")
    auroc, fpr95 = roc_summary(negatives, positives)
    neg_idx = rng.integers(0, len(negatives), (resamples, len(negatives)))
    pos_idx = rng.integers(0, len(positives), (resamples, len(positives)))
    boot = np.array(
        [roc_summary(negatives[n], positives[p]) for n, p in zip(neg_idx, pos_idx, strict=True)]
    )  # (resamples, 2)
    low, high = np.quantile(boot, [0.025, 0.975], axis=0)
    return dict(
        auroc=auroc,
        auroc_low=float(low[0]),
        auroc_high=float(high[0]),
        fpr95=fpr95,
        fpr95_low=float(low[1]),
        fpr95_high=float(high[1]),
    )


def keyed_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one (model, detector, set): independent of the order of the others."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


# ----------------------------------------------------------------------------- attack


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


# ----------------------------------------------------------------------------- evaluation


def load_pca(path: Path) -> dict[str, np.ndarray]:
    """``mean (784,)`` and ``components (784, 784)`` of ``mnist-fooling pca``'s ``pca.npz``."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            stats = dict(mean=npz["mean"], components=npz["components"])
    except (OSError, KeyError, ValueError) as exc:
        raise UserInputError(f"{path}: not a pca.npz with mean and components") from exc
    if stats["mean"].shape != (784,) or stats["components"].shape[1:] != (784,):
        raise UserInputError(f"{path}: mean and components must have 784 pixels")
    return stats


def load_fooling_sets(runs: list[Path]) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """``{model: {method: {images, converged}}}`` from ``.../<model>/<method>.npz`` files."""
    sets: dict = {}
    for path in sorted(runs):
        try:
            with np.load(path, allow_pickle=False) as npz:
                found = dict(images=npz["images"], converged=npz["converged"])
        except (OSError, KeyError, ValueError) as exc:
            raise UserInputError(f"{path}: not a fooling .npz with images and converged") from exc
        sets.setdefault(path.parent.name, {})[path.stem] = found
    return sets


def _roc_rows(
    model: str,
    detector: str,
    negatives: np.ndarray,
    positives: dict[str, tuple[np.ndarray, int]],
    *,
    resamples: int,
    seed: int,
) -> tuple[list[dict], list[pd.DataFrame]]:
    """AUROC/FPR rows and ROC corners of one detector against every positive set.

    Args:
        negatives: ``(m,)`` test digits' scores.
        positives: ``{set: (scores (n,), converged runs among them)}``; an empty set gets a
            row with ``n = 0`` and no AUROC.
    """
    rows, curves = [], []
    for name, (scores, n_conv) in positives.items():
        row = dict(model=model, detector=detector, set=name, n=len(scores), n_converged=n_conv)
        row["n_negatives"] = len(negatives)
        if len(scores):
            rng = keyed_rng(seed, model, detector, name)
            row |= bootstrap_roc(negatives, scores, resamples=resamples, rng=rng)
            fpr, tpr = roc_points(negatives, scores)
            curves.append(
                pd.DataFrame(dict(model=model, detector=detector, set=name, fpr=fpr, tpr=tpr))
            )
        rows.append(row)
    return rows, curves


def _attack_row(
    model: str, j: int, detector: str, result: AttackResult, groups: np.ndarray, limit: float
) -> dict:
    """Success and evaluations of the plain attack and of the adaptive attack on detector j."""
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


@dataclass(frozen=True)
class Negatives:
    """The reference images: a sample of test digits and as many uniform-noise images."""

    digits: np.ndarray
    noise: np.ndarray

    @classmethod
    def draw(cls, x_test: np.ndarray, n: int, *, seed: int) -> Negatives:
        """``n`` test digits (sorted indices) and ``n`` noise images ``(n, 28, 28)``."""
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(x_test), min(n, len(x_test)), replace=False))
        return cls(x_test[pick], rng.random((len(pick), 28, 28), dtype=np.float32))


def evaluate_model(
    name: str,
    model: keras.Model,
    *,
    mnist,
    fooling: dict[str, dict[str, np.ndarray]],
    pca: dict[str, np.ndarray],
    cfg: DetectorConfig,
    seed: int,
    templates: np.ndarray,
    eleventh: keras.Model | None = None,
) -> tuple[list[dict], list[dict], list[pd.DataFrame]]:
    """Fit, score and attack one classifier.

    Args:
        mnist: an :class:`~mnist_fooling.stages.data.mnist.Mnist`;
            fooling: ``{method: {images, converged}}``;
            templates: the template reader's digits, from all training images (as ``likeness``).

    Returns:
        The rows of ``auroc.csv`` and ``adaptive.csv`` and the ROC corners of this model.
    """
    n_fit = min(cfg.n_fit, len(mnist.x_train))
    fit = fit_detectors(
        model,
        x_fit=mnist.x_train[:n_fit],
        y_fit=mnist.y_train[:n_fit],
        pca=pca,
        pca_k=cfg.pca_k,
        ridge=cfg.ridge,
        eleventh=eleventh is not None,
        templates=templates,
    )
    probe, d = build_probe(model, fit, eleventh=eleventh), len(fit.names)
    refs = Negatives.draw(mnist.x_test, cfg.n_negatives, seed=seed)
    negatives = score_images(probe, refs.digits, d).scores
    shared = {
        m: (score_images(probe, s["images"], d).scores, int(s["converged"].sum()))
        for m, s in fooling.items()
    }
    shared[NOISE_SET] = (score_images(probe, refs.noise, d).scores, 0)
    calibration = Calibration.from_scores(negatives, quantile=cfg.adaptive.quantile)
    start, targets, weights, groups = attack_groups(fit.names, cfg.adaptive, seed=seed)
    started = time.monotonic()
    result = sign_attack(
        probe,
        start=start,
        targets=targets,
        weights=weights,
        calibration=calibration,
        output=fit.output,
        cfg=cfg.adaptive,
    )
    log.info(
        "%s: %d attack runs (plain + %d detectors), %d passes, %.1f s",
        *(name, len(targets), d, result.evaluations.sum(), time.monotonic() - started),
    )
    rows, attack, curves = [], [], []
    for j, det in enumerate(fit.names):
        positives = {s: (scores[:, j], n_conv) for s, (scores, n_conv) in shared.items()}
        for set_name, group in ((PLAIN_SET, -1), (ADAPTIVE_SET, j)):
            hit = (groups == group) & result.reached
            positives[set_name] = (result.scores[hit, j], int(hit.sum()))
        found, roc = _roc_rows(
            name, det, negatives[:, j], positives, resamples=cfg.bootstrap, seed=seed
        )
        rows, curves = rows + found, curves + roc
        attack.append(_attack_row(name, j, det, result, groups, calibration.limit[j]))
    return rows, attack, curves


AUROC_COLUMNS = [
    "model", "detector", "set", "n", "n_converged", "n_negatives",
    "auroc", "auroc_low", "auroc_high", "fpr95", "fpr95_low", "fpr95_high",
]  # fmt: skip


def run_detectors(
    *,
    models: dict[str, Path],
    data: Path,
    runs: list[Path],
    pca: Path,
    params: dict,
    seed: int,
    out_dir: Path,
    eleventh: tuple[str, Path] | None = None,
) -> pd.DataFrame:
    """Evaluate every detector of every model; write ``auroc.csv``, ``adaptive.csv``, ``roc.csv``.

    Args:
        models: ``name -> .keras``; runs: ``<model>/<method>.npz`` of the fooling searches;
        pca: ``pca.npz``; params: the config's ``detectors`` section;
        eleventh: ``(model name, retrained .keras)`` of N2, or None.
    """
    from ...core.backend import seed_everything
    from ...core.io import write_csv
    from ...core.models import load_model
    from ..data.mnist import load_mnist

    cfg = DetectorConfig.from_dict(params)
    if eleventh is not None and eleventh[0] not in models:
        raise UserInputError(f"--eleventh names {eleventh[0]!r}, which is not among --models")
    seed_everything(seed)
    mnist = load_mnist(data)
    fooling = load_fooling_sets(runs)
    stats = load_pca(pca)
    templates = standardised_templates(mnist.x_train, mnist.y_train)
    rows, attack, curves = [], [], []
    for name, path in models.items():
        extra = load_model(eleventh[1]) if eleventh and eleventh[0] == name else None
        found = evaluate_model(
            name,
            load_model(path),
            mnist=mnist,
            fooling=fooling.get(name, {}),
            pca=stats,
            cfg=cfg,
            seed=seed,
            templates=templates,
            eleventh=extra,
        )
        rows, attack, curves = rows + found[0], attack + found[1], curves + found[2]
    table = pd.DataFrame(rows).reindex(columns=AUROC_COLUMNS)
    write_csv(out_dir / "auroc.csv", table)
    write_csv(out_dir / "adaptive.csv", pd.DataFrame(attack))
    write_csv(out_dir / "roc.csv", pd.concat(curves, ignore_index=True))
    return table


# ----------------------------------------------------------------------------- report


SET_LABELS = {
    **{entry.name: entry.label for entry in METHODS},
    NOISE_SET: "uniform noise",
    PLAIN_SET: "plain attack",
    ADAPTIVE_SET: "adaptive attack",
}
ATTACK_SETS = (PLAIN_SET, ADAPTIVE_SET)
NOT_MEASURED = "*Not measured in this run.*\n"


def _num(x: float, digits: int = 3) -> str:
    return "—" if pd.isna(x) else f"{x:.{digits}f}"


def _cell(row, key: str) -> str:
    """``"0.981 [0.975, 0.987]"``, or "—" for a set without images."""
    if pd.isna(row[key]):
        return "—"
    return f"{_num(row[key])} [{_num(row[key + '_low'])}, {_num(row[key + '_high'])}]"


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{100 * x:.1f}%"


def model_order(frame: pd.DataFrame) -> list[str]:
    """Models in the usual order (softmax, mlp, cnn), then any other in order of appearance."""
    seen = list(dict.fromkeys(frame.model))
    return [m for m in MODEL_LABELS if m in seen] + [m for m in seen if m not in MODEL_LABELS]


def fooling_sets(auroc: pd.DataFrame) -> pd.DataFrame:
    """The rows of real fooling sets (every method and uniform noise), not the attacks'."""
    return auroc[~auroc.set.isin(ATTACK_SETS)]


def mean_auroc(auroc: pd.DataFrame) -> pd.DataFrame:
    """Per model and detector: mean AUROC over the fooling sets and the lowest lower bound.

    An adaptive attack that produced no image at the threshold (n = 0) counts as held
    (``attack_low`` = 1).
    """
    found = fooling_sets(auroc).dropna(subset=["auroc"])
    out = found.groupby(["model", "detector"], sort=False).agg(
        mean=("auroc", "mean"), low=("auroc_low", "min")
    )
    adaptive = auroc[auroc.set == ADAPTIVE_SET].set_index(["model", "detector"])
    attack_low = adaptive.auroc_low.where(adaptive.n > 0, 1.0)
    out["attack_low"] = np.minimum(out["low"], attack_low.reindex(out.index))  # NaN: no attack
    out["attack_auroc"] = adaptive.auroc.reindex(out.index)
    return out.reset_index()


def ranked(means: pd.DataFrame) -> pd.DataFrame:
    """:func:`mean_auroc`'s rows that may be ranked: without the in-sample 11th class (it was
    trained on the fooling images it is scored on), unless nothing else is left."""
    fair = means[~means.detector.isin(IN_SAMPLE)]
    return fair if len(fair) else means


def best_and_worst(auroc: pd.DataFrame, model: str) -> tuple[str, str]:
    """The detectors of ``model`` with the highest and the lowest mean AUROC (of :func:`ranked`)."""
    means = ranked(mean_auroc(auroc))
    means = means[means.model == model].sort_values("mean", kind="stable")
    if means.empty:
        raise ValueError(f"no AUROC rows for model {model!r}")
    return str(means.detector.iloc[-1]), str(means.detector.iloc[0])


def roc_model(auroc: pd.DataFrame) -> str:
    """The model whose ROC curves the report shows: the CNN, else the last model."""
    models = model_order(auroc)
    return "cnn" if "cnn" in models else models[-1]


CRITERION = (
    f"reproduced if every model has a detector whose AUROC 95% lower bound is ≥ {HOLD_BAR} on "
    "every fooling set (each method, uniform noise) and on the adaptive attack's images against "
    "it (none at the threshold counts as held); partly if that holds without the adaptive "
    "attack only; else not reproduced (the 11th class, trained on these fooling images, does "
    "not count)"
)


def claim_verdict(auroc: pd.DataFrame) -> tuple[str, str, str]:
    """Verdict, short value and measured text of claim X1 ("standard detectors flag fooling
    images")."""
    if auroc.empty or fooling_sets(auroc).auroc.isna().all():
        return "not yet measured", "—", "—"
    means = ranked(mean_auroc(auroc))
    parts, plain_ok, attack_ok, lows = [], True, True, []
    for model in model_order(auroc):
        rows = means[means.model == model]
        best = rows.loc[rows["low"].idxmax()]
        best_attack = rows.loc[rows["attack_low"].fillna(-1).idxmax()]
        lows.append((best["low"], best_attack["attack_low"]))
        plain_ok &= bool(best["low"] >= HOLD_BAR)
        attack_ok &= bool(best_attack["attack_low"] >= HOLD_BAR)
        parts.append(
            f"{MODEL_LABELS.get(model, model)}: {LABELS[best.detector]} {_num(best['low'])}, "
            f"with the adaptive attack {LABELS[best_attack.detector]} "
            f"{_num(best_attack['attack_low'])}"
        )
    verdict = "reproduced" if attack_ok else "partly" if plain_ok else "not reproduced"
    measured = "best detector's lowest AUROC lower bound over the sets: " + "; ".join(parts)
    worst = np.array(lows, float).min(axis=0)
    value = f"AUROC ≥ {_num(worst[0])} ({_num(worst[1])} under attack)"
    return verdict, value, measured


def _listing(items: list[str], empty: str) -> str:
    if not items:
        return empty
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _on(model: str, detector: str) -> str:
    note = " (in-sample)" if detector in IN_SAMPLE else ""
    return f"{LABELS.get(detector, detector)} on the {MODEL_LABELS.get(model, model)}{note}"


def _hg_relation(row) -> str:
    if row.auroc_low > HG_MNIST_AUROC:
        return "above the reference"
    if row.auroc_high < HG_MNIST_AUROC:
        return "below the reference"
    return "consistent with the reference"


def _judgements(auroc: pd.DataFrame) -> dict[str, str]:
    """The section's computed judgements: best/worst, holding and collapsing detectors."""
    means = mean_auroc(auroc)
    models = model_order(auroc)
    best, worst = [], []
    for model in models:
        b, w = best_and_worst(auroc, model)
        mean = means[means.model == model].set_index("detector")["mean"]
        best.append(f"{_on(model, b)} (mean AUROC {_num(mean[b])})")
        worst.append(f"{_on(model, w)} ({_num(mean[w])})")
    holds = means[means["low"] >= HOLD_BAR]
    holds_attack = means[means["attack_low"] >= HOLD_BAR]
    collapsed = holds[holds.attack_auroc < COLLAPSE_BAR]
    inverted = means[means["mean"] < 0.5]
    noise = auroc[(auroc.set == NOISE_SET) & (auroc.detector == "max_output")]
    noise = noise.set_index("model").reindex(models).dropna(subset=["auroc"])
    return dict(
        best_list=_listing(best, "none"),
        worst_list=_listing(worst, "none"),
        holding=_listing([_on(r.model, r.detector) for r in holds.itertuples()], "none"),
        holding_attack=_listing(
            [_on(r.model, r.detector) for r in holds_attack.itertuples()], "none"
        ),
        collapsed=_listing([_on(r.model, r.detector) for r in collapsed.itertuples()], "none"),
        inverted=_listing([_on(r.model, r.detector) for r in inverted.itertuples()], "none"),
        msp_noise=_listing(
            [
                f"{_cell(r, 'auroc')} on the {MODEL_LABELS.get(m, m)} ({_hg_relation(r)})"
                for m, r in noise.iterrows()
            ],
            "not measured",
        ),
    )


def _attack_judgements(adaptive: pd.DataFrame) -> dict[str, str]:
    """Success shares of the adaptive attack and its price in evaluations, summarised."""
    if adaptive.empty:
        return dict(success_range="not measured", plain_range="not measured", price="—")
    share = adaptive.adaptive_success / adaptive.runs
    plain = adaptive.plain_passes / adaptive.runs
    per_plain = adaptive.plain_evaluations / adaptive.plain_reached.where(
        adaptive.plain_reached > 0
    )
    per_adaptive = adaptive.adaptive_evaluations / adaptive.adaptive_success.where(
        adaptive.adaptive_success > 0
    )
    ratio = (per_adaptive / per_plain).dropna()
    lo, hi = share.idxmin(), share.idxmax()

    def where(i) -> str:
        return _on(adaptive.model[i], adaptive.detector[i])

    price = (
        f"{ratio.median():.1f} times (the median over {len(ratio)} model–detector pairs; from "
        f"{ratio.min():.1f} to {ratio.max():.1f} times)"
        if len(ratio)
        else "an unknown number of times (no run of one of the attacks succeeded)"
    )
    return dict(
        success_range=f"from {_pct(share[lo])} ({where(lo)}) to {_pct(share[hi])} ({where(hi)})",
        plain_range=f"from {_pct(plain.min())} to {_pct(plain.max())}",
        price=price,
    )


def _config_variables(cfg: DetectorConfig, auroc: pd.DataFrame) -> dict[str, str]:
    a = cfg.adaptive
    with_eleventh = auroc[auroc.detector == "eleventh"].model
    n_runs = 10 * a.runs_per_digit
    return dict(
        hg_auroc=f"{HG_MNIST_AUROC:.3f}",
        hold_bar=f"{HOLD_BAR:.2f}",
        tpr=f"{100 * TPR:g}%",
        collapse_bar=f"{COLLAPSE_BAR:.2f}",
        n_negatives=f"{int(auroc.n_negatives.max()) if len(auroc) else cfg.n_negatives:,}",
        n_fit=f"{cfg.n_fit:,}",
        bootstrap=f"{cfg.bootstrap:,}",
        pca_k=str(cfg.pca_k),
        ridge=f"{cfg.ridge:g}",
        runs=f"{n_runs:,}",
        steps=str(a.steps),
        step_size=f"{a.step_size:g}",
        decay=f"{a.decay:g}",
        weight=f"{a.weight:g}",
        threshold=f"{100 * a.threshold:g}%",
        quantile=f"{100 * a.quantile:g}%",
        eleventh_model=(
            MODEL_LABELS.get(with_eleventh.iloc[0], with_eleventh.iloc[0])
            if len(with_eleventh)
            else "none"
        ),
    )


def set_order(auroc: pd.DataFrame) -> list[str]:
    """The sets of ``auroc`` as the report shows them: the methods (in :data:`SET_LABELS`
    order, then any other by name), uniform noise, the adaptive attack (not the plain one)."""
    present = set(auroc.set)
    last = (NOISE_SET, ADAPTIVE_SET)
    known = [s for s in SET_LABELS if s in present and s not in (*last, PLAIN_SET)]
    other = sorted(present - set(SET_LABELS))
    return known + other + [s for s in last if s in present]


def table_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by model, then detector (:data:`DETECTORS` order)."""
    order = {m: i for i, m in enumerate(model_order(frame))}
    rank = {d: i for i, d in enumerate(DETECTORS)}
    return frame.assign(
        _m=frame.model.map(order), _d=frame.detector.map(lambda d: rank.get(d, len(rank)))
    ).sort_values(["_m", "_d"], kind="stable")


def grid_table(auroc: pd.DataFrame, key: str) -> str:
    """Markdown: rows model × detector, columns fooling sets, cells ``key`` with its interval."""
    from ...core.tables import markdown_table

    if auroc.empty:
        return NOT_MEASURED
    sets = set_order(auroc)
    rows = []
    for (model, det), group in auroc.groupby(["model", "detector"], sort=False):
        cells = {r.set: _cell(r._asdict(), key) for r in group.itertuples()}
        rows.append(dict(model=model, detector=det, **{s: cells.get(s, "—") for s in sets}))
    frame = table_rows(pd.DataFrame(rows))
    frame["model"] = frame.model.map(lambda m: MODEL_LABELS.get(m, m))
    frame["detector"] = frame.detector.map(LABELS)
    headers = dict(model="model", detector="detector") | {s: SET_LABELS.get(s, s) for s in sets}
    return markdown_table(frame, headers, widths=[3, 3] + [4] * len(sets))


def sizes_table(auroc: pd.DataFrame) -> str:
    """Markdown: images per fooling set and model (converged ones in brackets)."""
    from ...core.tables import markdown_table

    if auroc.empty:
        return NOT_MEASURED
    sets = [s for s in set_order(auroc) if s != ADAPTIVE_SET]
    first = auroc.drop_duplicates(["model", "set"]).set_index(["model", "set"])
    rows = []
    for model in model_order(auroc):
        row = dict(model=MODEL_LABELS.get(model, model))
        for s in sets:
            if (model, s) not in first.index:
                row[s] = "—"
                continue
            r = first.loc[(model, s)]
            row[s] = f"{int(r.n):,}" + ("" if s == NOISE_SET else f" ({int(r.n_converged):,})")
        rows.append(row)
    headers = dict(model="model") | {s: SET_LABELS.get(s, s) for s in sets}
    return markdown_table(pd.DataFrame(rows), headers)


def adaptive_table(auroc: pd.DataFrame, adaptive: pd.DataFrame) -> str:
    """Markdown: per model × detector, the plain and the adaptive attack side by side."""
    from ...core.stats import wilson_interval
    from ...core.tables import markdown_table

    if adaptive.empty:
        return NOT_MEASURED
    keyed = auroc.set_index(["model", "detector", "set"])
    rows = []
    for r in table_rows(adaptive).itertuples():
        low, high = wilson_interval(r.adaptive_success, r.runs)

        def roc(which: str, r=r) -> str:
            key = (r.model, r.detector, which)
            if key not in keyed.index:
                return "—"
            found = keyed.loc[key]
            return f"{_cell(found, 'auroc')} (n={int(found.n)})"

        plain = r.plain_evaluations / r.plain_reached if r.plain_reached else np.nan
        adapt = r.adaptive_evaluations / r.adaptive_success if r.adaptive_success else np.nan
        rows.append(
            dict(
                model=MODEL_LABELS.get(r.model, r.model),
                detector=LABELS.get(r.detector, r.detector),
                plain=f"{r.plain_passes}/{r.runs}",
                success=f"{r.adaptive_success}/{r.runs} [{_pct(low)}, {_pct(high)}]",
                auroc_plain=roc(PLAIN_SET),
                auroc_adaptive=roc(ADAPTIVE_SET),
                evals=f"{_num(plain, 0)} → {_num(adapt, 0)}",
                price="—" if np.isnan(plain * adapt) else f"×{adapt / plain:.1f}",
            )
        )
    headers = dict(
        model="model",
        detector="detector",
        plain="plain attack: at threshold and passed",
        success="adaptive attack: success [95% CI]",
        auroc_plain="AUROC, plain attack's images",
        auroc_adaptive="AUROC, adaptive attack's images",
        evals="evaluations per success, plain → adaptive",
        price="price",
    )
    return markdown_table(pd.DataFrame(rows), headers, widths=[3, 3, 3, 4, 5, 5, 4, 2])


MEASURED_KEYS = (
    "best_list", "worst_list", "holding", "holding_attack", "collapsed", "inverted", "msp_noise",
    "success_range", "plain_range", "price", "roc_model", "roc_best", "roc_worst",
)  # fmt: skip
