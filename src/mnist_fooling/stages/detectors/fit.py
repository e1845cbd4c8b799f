"""Fitting the detectors of one classifier on training digits: Mahalanobis statistics of its
penultimate layer, the PCA basis and the template reader's digits."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .config import DETECTORS, EPS


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
