"""One fooling search job: a method against a trained model, for every digit, written to npz/csv."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .io import write_csv, write_npz
from .search import METHODS, make_method, run_search
from .search.engine import Scorer, network_evaluations, replicate_index

log = logging.getLogger(__name__)
SEARCH_KEYS = ("steps", "threshold")


def method_seed(seed: int, model: str, method: str) -> np.random.Generator:
    """An independent, reproducible stream per (model, method)."""
    from .models import MODEL_NAMES

    return np.random.default_rng([seed, MODEL_NAMES.index(model), METHODS.index(method)])


def run_fooling(
    *,
    model_name: str,
    model_path: Path,
    method: str,
    params: dict,
    runs_per_digit: int,
    runs_of_two: int | None = None,
    seed: int,
    data: Path | None,
    out_npz: Path,
    out_csv: Path,
) -> pd.DataFrame:
    """Search ``runs_per_digit`` fooling images of each digit; write arrays and a summary CSV.

    ``params`` is the method's config section: ``steps`` and ``threshold`` for the search, the
    rest for the method. Methods with a prior read the training set's digit statistics.
    ``runs_of_two`` (genetic methods only) raises the number of '2's, for the posts' means of
    1000 '2's (C9, C14).
    """
    from .models import load_model

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    if runs_per_digit < 1:
        raise ValueError("runs_per_digit must be at least 1")
    if runs_of_two is not None and runs_of_two < runs_per_digit:
        raise ValueError("runs_of_two must be at least runs_per_digit")
    search = {k: params[k] for k in SEARCH_KEYS}
    rest = {k: v for k, v in params.items() if k not in SEARCH_KEYS}
    stats = None
    if method.startswith("genetic_prior"):
        from .data import load_mnist
        from .search.prior import digit_stats

        mnist = load_mnist(data)
        stats = digit_stats(mnist.x_train, mnist.y_train)
    engine_method = make_method(method, rest, stats=stats)
    targets = np.repeat(np.arange(10), runs_per_digit)
    if runs_of_two and method.startswith("genetic"):
        targets = np.concatenate([targets, np.full(runs_of_two - runs_per_digit, 2)])
    replicate = replicate_index(targets)
    shared = engine_method.shared_evaluations
    log.info("%s on %s: %d runs, %s", method, model_name, len(targets), params)
    result = run_search(
        engine_method,
        Scorer(load_model(model_path)),
        targets=targets,
        steps=int(search["steps"]),
        threshold=float(search["threshold"]),
        rng=method_seed(seed, model_name, method),
    )
    means = np.stack([result.images[result.target == d].mean(axis=0) for d in range(10)])
    write_npz(
        out_npz,
        images=result.images,
        target=result.target,
        outputs=result.outputs,
        converged=result.converged,
        evaluations=result.evaluations,
        replicate=replicate,
        curve=result.curve,
        means=means.astype(np.float32),
    )
    rows = np.arange(len(targets))
    table = pd.DataFrame(
        dict(
            model=model_name,
            method=method,
            run=rows,
            replicate=replicate,
            target=result.target,
            confidence=result.outputs[rows, result.target],
            top=result.outputs.argmax(axis=1),
            converged=result.converged,
            evaluations=result.evaluations,
            steps=np.sum(~np.isnan(result.curve), axis=1) - 1,  # steps after the start
            shared_evaluations=shared,
        )
    )
    write_csv(out_csv, table)
    log.info(
        "%s on %s: %d/%d converged, %d network evaluations",
        method,
        model_name,
        int(result.converged.sum()),
        len(targets),
        network_evaluations(result.evaluations, replicate, shared=shared),
    )
    return table


GRADIENT_FREE = ("genetic", "genetic_prior", "genetic_prior_intended", "hillclimb", "map_elites")
BUDGET = 90_000  # network evaluations for all ten digits (pyribs' fooling tutorial: 900,000)
BUDGET_LEVEL = 0.9999  # the posts' "fooled": a digit's output at 99.99% or more


def budget_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Network evaluations to fool all ten digits at 99.99%, per replicate, gradient-free methods.

    A replicate is the k-th run of every digit; its total is the sum over its ten runs (their
    maximum where runs share evaluations, as in MAP-Elites). A replicate is complete when all
    ten runs reached :data:`BUDGET_LEVEL` (hill climbing stops at 0.99, so it rarely is); an
    incomplete one counts as infinitely many evaluations.

    Returns:
        One row per (model, method): replicates, complete, median total over all replicates
        (inf when half or more are incomplete), share of replicates within :data:`BUDGET`.
    """
    rows = []
    first = runs[runs.method.isin(GRADIENT_FREE)]
    for (model, method), g in first.groupby(["model", "method"], sort=False):
        shared = bool(g.shared_evaluations.iloc[0])
        g = g.assign(fooled=g.confidence >= BUDGET_LEVEL)
        per = g.groupby("replicate").agg(
            digits=("target", "nunique"),
            complete=("fooled", "all"),
            total=("evaluations", "max" if shared else "sum"),
        )
        per = per[per.digits == 10]
        if per.empty:
            continue
        total = per.total.where(per.complete, np.inf)
        rows.append(
            dict(
                model=model,
                method=method,
                replicates=len(per),
                complete=int(per.complete.sum()),
                median_total=float(np.median(total)),
                within_budget=float((total <= BUDGET).mean()),
            )
        )
    return pd.DataFrame(rows)


def transfer_table(runs: dict[tuple[str, str], Path], models: dict[str, Path]) -> pd.DataFrame:
    """Score every model's fooling images with every model (the 3 × 3 transfer matrix).

    Args:
        runs: ``(source model, method) -> npz`` of :func:`run_fooling`.
        models: ``name -> .keras`` of the scoring models.

    Returns:
        One row per (method, source, scorer): n, mean target output, share whose target
        output exceeds 0.5, share called the target (argmax).
    """
    from .backend import predict_batched
    from .models import load_model

    loaded = {name: load_model(path) for name, path in models.items()}
    rows = []
    for (source, method), path in sorted(runs.items()):
        with np.load(path, allow_pickle=False) as npz:
            images, target = npz["images"], npz["target"]
        for scorer, model in loaded.items():
            out = predict_batched(model, images)
            p = out[np.arange(len(target)), target]
            rows.append(
                dict(
                    method=method,
                    source=source,
                    scorer=scorer,
                    n=len(target),
                    mean_target_output=float(p.mean()),
                    above_half=float((p > 0.5).mean()),
                    called_target=float((out.argmax(axis=1) == target).mean()),
                )
            )
    return pd.DataFrame(rows)
