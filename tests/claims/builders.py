"""Small synthetic tables with exactly the columns the claim functions read, and the claim
ids in registry order."""

import numpy as np
import pandas as pd

from mnist_fooling.claims import NOT_MEASURED

R, P, N, M = "reproduced", "partly", "not reproduced", NOT_MEASURED
U = "undecided"
TOO_SMALL = "too small to decide"  # the note undecided rows replaced: no row says it now


def verdict(result: dict | None) -> str | None:
    return None if result is None else result["verdict"]


def runs(model, method, targets, **columns) -> pd.DataFrame:
    """Fooling runs as ``<model>/<method>.csv`` holds them; ``columns`` override the defaults
    (scalars or one value per run)."""
    targets = np.asarray(targets)
    extra = np.broadcast_to(np.asarray(columns.pop("extra", False)), targets.shape)
    replicate = np.full(len(targets), -1)
    for d in np.unique(targets[~extra]):
        pick = np.flatnonzero((targets == d) & ~extra)
        replicate[pick] = np.arange(len(pick))
    frame = pd.DataFrame(
        dict(
            model=model,
            method=method,
            extra=extra,
            target=targets,
            replicate=replicate,
            confidence=0.5,
            converged=False,
            steps=10,
            shared_evaluations=False,
        )
    )
    for key, value in columns.items():
        frame[key] = value
    if "top_output" not in columns:
        frame["top_output"] = frame.confidence
    if "outcome" not in columns:
        frame["outcome"] = np.where(frame.converged, "converged", "budget")
    if "evaluations" not in columns:
        frame["evaluations"] = frame.steps * 100
    return frame


def per_digit(values: dict, default, k: int) -> np.ndarray:
    """``(10 * k,)`` column for targets ``np.repeat(np.arange(10), k)``: per digit a scalar
    or ``k`` values, ``default`` for digits not named."""
    return np.concatenate([np.broadcast_to(values.get(d, default), (k,)) for d in range(10)])


def look(model, method, digit, **kw) -> dict:
    """One likeness.csv row (:func:`mnist_fooling.stages.fooling.likeness.likeness_table`)."""
    row = dict(
        model=model,
        method=method,
        floor=0.4,
        digit=digit,
        n=10,
        read=0,
        looks=0,
        median_corr=0.1,
        background=0.5,
        background_std=0.2,
        mean_n=10,
        mean_corr=0.3,
        mean_corr_low=0.1,
        mean_corr_high=0.5,
        mean_read_as=digit,
        mean_rank=1,
        mean_background=0.5,
        knn_looks=0,
        mean_knn_boot=0.6,
        mean_knn_sim=0.5,
        mean_knn_read_as=digit,
    )
    row.update(kw)
    return row


def references() -> list[dict]:
    digits = [
        look(
            "reference", "test digits", d, looks=9, knn_looks=9, background=0.0, background_std=0.02
        )
        for d in range(10)
    ]
    return digits + [look("reference", "uniform noise", d, looks=0) for d in range(10)]


def calibration(at_0: float = 0.0, at_02: float = 0.6, at_03: float = 0.92) -> pd.DataFrame:
    """A likeness_calibration.csv of both readers (the template reader never fit)."""
    shares = {0.0: at_0, 0.1: min(at_02, 0.2), 0.2: at_02, 0.3: at_03, 1.0: 0.97}
    rows = [dict(reader="k-NN", s=s, n=1000, k=round(v * 1000), share=v) for s, v in shares.items()]
    rows += [dict(reader="template", s=s, n=1000, k=0, share=0.01 * s) for s in shares]
    floor = dict(knn_floor=0.45, knn_floor_low=0.44, knn_floor_high=0.46, template_floor=0.4)
    return pd.DataFrame(rows).assign(**floor)


def pca_accuracy(ncm: dict[int, float], best: float = 0.97) -> pd.DataFrame:
    rows = [
        dict(rule="nearest class mean", k=k, accuracy=a, ci_low=a - 0.01, ci_high=a + 0.01)
        for k, a in ncm.items()
    ]
    rows.append(dict(rule="1-nearest neighbour", k=50, accuracy=best, ci_low=0.9, ci_high=0.99))
    return pd.DataFrame(rows)


TARGETS_10 = np.repeat(np.arange(10), 10)


def likeness(model, method, looks: list[int] | None = None, **kw) -> list[dict]:
    looks = looks or [0] * 10
    return [look(model, method, d, looks=looks[d], **kw) for d in range(10)]


def variogram(published: tuple, truth: tuple, p: float | None = None) -> pd.DataFrame:
    """Rows of :func:`mnist_fooling.search.methods.genetic.prior.variogram_check`: per direction
    (across, down), the published terms spanning ``published[i]`` and the true statistics
    ``truth[i]``."""
    rows = []
    for measure, spans in (
        ("published terms on training '2's", published),
        ("lag-k statistic of training '2's", truth),
        ("images as published", (0.3, 0.3)),
        ("images as intended", (0.3, 0.3)),
    ):
        for direction, span in zip(("across", "down"), spans, strict=True):
            values = 0.1 + np.concatenate([[0.0, span], np.full(12, span / 2)])
            rows += [
                dict(measure=measure, direction=direction, lag=k + 1, value=v)
                for k, v in enumerate(values)
            ]
    if p is not None:
        rows.append(
            dict(
                measure="mismatch test",
                direction="both",
                lag=0,
                value=p,
                published=0.05,
                intended=0.02,
            )
        )
    return pd.DataFrame(rows)


REGISTRY = [f"C{i}" for i in range(1, 16)] + [f"D{i}" for i in range(1, 9)] + ["N1", "N2"]


def own_row(claim_id: str, verdict: str = R, **kw) -> dict:
    row = dict(
        id=claim_id,
        source="ours",
        claim="our finding",
        short="ours",
        seed_value="—",
        section="sec-fooling",
        value="1",
        measured="measured",
        criterion="criterion",
        verdict=verdict,
    )
    row.update(kw)
    return row
