"""Scoring images with the fitted detectors: one Keras probe per classifier, in ``keras.ops``,
which the evaluation runs and the adaptive attack differentiates."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from .config import EPS
from .fit import DetectorFit


class ScoreHead(layers.Layer):
    """``[features, logits, pixels(, eleventh)] -> (n, d + 20)``: the ``d`` detector scores,
    the ten outputs and the ten logits. The fitted statistics are frozen weights.

    Every detector scores an image ``(28, 28)`` in [0, 1]; a higher score is more suspicious:

    - ``max_output``: the maximal output (Hendrycks & Gimpel 2017's maximum softmax
      probability; for Nielsen's sigmoid MLP its largest sigmoid activation, not a
      probability), scored as ``-logit(max output)`` from the logits: the same order as
      ``-max output`` (so the same ROC), but float32 does not round confident digits' outputs
      to exactly 1 (ties) and the attack's gradient does not vanish;
    - ``energy``: minus ``logsumexp`` of the logits (Liu et al. 2020, T = 1; for the MLP the
      pre-sigmoid activations of its output layer);
    - ``mahalanobis``: the Mahalanobis distance to the nearest class mean in the penultimate
      layer, one covariance shared by the ten classes (Lee et al. 2018), fitted on training
      images. For softmax regression the "penultimate layer" is the 784 pixels, whose
      always-black border makes the covariance singular: a ridge of ``ridge`` × the mean
      variance is added (for every model, so that they are treated alike);
    - ``pca_error``: the root-mean-square error of the image's reconstruction from the first
      ``k`` principal components of the training images (``pca.npz``);
    - ``template``: the network-free template reader of ``likeness``: 1 − the best Pearson
      correlation with the ten mean training digits;
    - ``eleventh``: the output for class 10 of the model retrained with its fooling images as
      an 11th class (N2), for that model only.
    """

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
