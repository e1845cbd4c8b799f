"""The stage's entry point: fit, score and attack every classifier, write the three CSVs."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from ...core.errors import UserInputError
from ..fooling.runs import key_of, read_arrays
from .attack import attack_groups, attack_row, sign_attack
from .config import ADAPTIVE_SET, AUROC_COLUMNS, NOISE_SET, PLAIN_SET, DetectorConfig
from .fit import fit_detectors, standardised_templates
from .roc import roc_rows
from .score import Calibration, build_probe, score_images

log = logging.getLogger(__name__)


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
    """``{model: {method: {images (n, 28, 28), converged (n,)}}}`` of ``<model>/<method>.npz``
    run files (:mod:`..fooling.runs`); every path is checked before any file is read."""
    keys = [(key_of(path), path) for path in sorted(runs)]
    sets: dict = {}
    for (model, method), path in keys:
        sets.setdefault(model, {})[method] = read_arrays(path, ("images", "converged"))
    return sets


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
        found, roc = roc_rows(
            name, det, negatives[:, j], positives, resamples=cfg.bootstrap, seed=seed
        )
        rows, curves = rows + found, curves + roc
        attack.append(
            attack_row(
                result, groups=groups, j=j, model=name, detector=det, limit=calibration.limit[j]
            )
        )
    return rows, attack, curves


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
