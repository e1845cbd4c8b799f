"""One fooling search job: a method against a trained model, for every digit, written to npz/csv."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from ...search import METHODS, make_method, run_search, spec
from ...search.engine import CURVE_EVALUATIONS, Scorer, network_evaluations, replicate_index
from .runs import read_arrays, run_paths, write_run

log = logging.getLogger(__name__)


def method_seed(seed: int, model: str, method: str, *, purpose: int = 0) -> np.random.Generator:
    """An independent, reproducible stream per (model, method) and purpose (0: the fooling
    runs, 1: a parameter sweep), so a sweep never replays the main runs' randomness."""
    from ...core.names import MODEL_NAMES

    stream = spec(method).stream
    key = [seed, MODEL_NAMES.index(model), stream] + ([purpose] if purpose else [])
    return np.random.default_rng(key)


def _stats_for(entry, data: Path | None):
    if not entry.needs_stats:
        return None
    from ...search.methods.genetic.prior import digit_stats
    from ..data.mnist import load_mnist

    mnist = load_mnist(data)
    return digit_stats(mnist.x_train, mnist.y_train)


def _concat(results: list) -> dict:
    """The fields of several :class:`SearchResult` s, run after run."""
    fields = ("images", "target", "outputs", "outcome", "cost", "attempts", "evaluations")
    fields += ("steps", "curve")
    return {f: np.concatenate([getattr(r, f) for r in results]) for f in fields}


def converged_means(images: np.ndarray, target: np.ndarray, converged: np.ndarray):
    """``(means (10, 28, 28), n (10,))``: each digit's mean over its converged images (the
    posts average converged images only); a digit with none gets a blank mean and n = 0."""
    means = np.zeros((10, 28, 28), np.float32)
    n = np.bincount(target[converged], minlength=10)
    for d in np.flatnonzero(n):
        means[d] = images[converged & (target == d)].mean(axis=0)
    return means, n


def search_path() -> str:
    """``"device"`` (JAX, population kept on the accelerator) or ``"host"`` (numpy/numba).

    The device path runs where Keras runs on JAX with an accelerator; the host path stays
    the CPU default (TensorFlow, or JAX on a CPU). ``MNIST_FOOLING_SEARCH=device|host``
    overrides the choice (e.g. to try the device path on a CPU).
    """
    import os

    import keras

    forced = os.environ.get("MNIST_FOOLING_SEARCH", "").strip().lower()
    if forced not in ("", "device", "host"):
        raise ValueError(f"MNIST_FOOLING_SEARCH must be 'device' or 'host', not {forced!r}")
    if keras.backend.backend() != "jax":
        if forced == "device":
            raise ValueError("MNIST_FOOLING_SEARCH=device needs KERAS_BACKEND=jax")
        return "host"
    if forced:
        return forced
    import jax

    return "host" if jax.default_backend() == "cpu" else "device"


def search(method, scorer: Scorer, *, targets: np.ndarray, rng: np.random.Generator, label: str):
    """:func:`run_search` on the host, or the same search on the JAX device where
    :func:`search_path` says so and the method has a device version."""
    from ...search.device import device_supported, run_search_device

    if search_path() == "device" and device_supported(method):
        seed = int(rng.integers(2**32))
        return run_search_device(method, scorer.model, targets=targets, seed=seed, label=label)
    return run_search(method, scorer, targets=targets, rng=rng, label=label)


def run_fooling(
    *,
    model_name: str,
    model_path: Path,
    method: str,
    params: dict,
    runs_per_digit: int,
    runs_of_two: int = 0,
    attempts_of_two: int = 1,
    seed: int,
    data: Path | None,
    out_npz: Path,
    out_csv: Path,
    scorer: Scorer | None = None,
) -> pd.DataFrame:
    """Search ``runs_per_digit`` fooling images of each digit; write arrays and a summary CSV.

    ``params`` is the method's config section. Methods with a prior read the training set's
    digit statistics. ``runs_of_two`` (genetic methods only) adds that many '2's made by the
    post's driver, each retried up to ``attempts_of_two`` times until it converges, for the
    posts' means of 1000 '2's (C9, C14); they are flagged ``extra`` and count in no rate.
    """
    from ...core.models import load_model

    entry = spec(method)  # a ValueError for an unknown method
    if runs_per_digit < 1:
        raise ValueError("runs_per_digit must be at least 1")
    if runs_of_two < 0 or attempts_of_two < 1:
        raise ValueError("runs_of_two must be at least 0 and attempts_of_two at least 1")
    if runs_of_two and not entry.driver:
        drivers = tuple(s.name for s in METHODS if s.driver)
        raise ValueError(f"runs_of_two is for the genetic methods {drivers}, not {method!r}")
    stats = _stats_for(entry, data)
    scorer = scorer or Scorer(load_model(model_path))
    rng = method_seed(seed, model_name, method)
    targets = np.repeat(np.arange(10), runs_per_digit)
    log.info("%s on %s: %d runs, %s", method, model_name, len(targets), params)
    engine_method = make_method(method, params, stats=stats)
    label = f"{method} on {model_name}"
    results = [search(engine_method, scorer, targets=targets, rng=rng, label=label)]
    if runs_of_two:
        driver = make_method(method, {**params, "max_attempts": attempts_of_two}, stats=stats)
        twos = np.full(runs_of_two, 2)
        results.append(search(driver, scorer, targets=twos, rng=rng, label=f"{label}, extra '2's"))
    found = _concat(results)
    n = len(found["target"])
    extra = np.arange(n) >= len(targets)
    replicate = np.where(extra, -1, replicate_index(found["target"]))
    converged = found["outcome"] == "converged"
    means, mean_n = converged_means(found["images"], found["target"], converged)
    arrays = dict(
        **{k: v for k, v in found.items() if k != "outcome"},
        outcome=found["outcome"].astype("U9"),
        converged=converged,
        replicate=replicate,
        extra=extra,
        curve_evaluations=CURVE_EVALUATIONS,
        means=means,
        mean_n=mean_n,
    )
    rows = np.arange(n)
    shared = engine_method.shared_evaluations
    table = pd.DataFrame(
        dict(
            model=model_name,
            method=method,
            run=rows,
            replicate=replicate,
            extra=extra,
            target=found["target"],
            confidence=found["outputs"][rows, found["target"]],
            top=found["outputs"].argmax(axis=1),
            top_output=found["outputs"].max(axis=1),
            outcome=found["outcome"],
            converged=converged,
            cost=found["cost"],
            attempts=found["attempts"],
            evaluations=found["evaluations"],
            steps=found["steps"],
            shared_evaluations=shared,
        )
    )
    write_run(out_npz, out_csv, arrays=arrays, table=table)
    log.info(
        "%s on %s: %d/%d converged, %d network evaluations",
        method,
        model_name,
        int(converged.sum()),
        n,
        network_evaluations(found["evaluations"][~extra], replicate[~extra], shared=shared)
        + int(found["evaluations"][extra].sum()),
    )
    return table


def transfer_table(runs: dict[tuple[str, str], Path], models: dict[str, Path]) -> pd.DataFrame:
    """Score every model's fooling images with every model (the 3 × 3 transfer matrix).

    Args:
        runs: ``(source model, method) -> npz`` of :func:`run_fooling`.
        models: ``name -> .keras`` of the scoring models.

    Returns:
        One row per (method, source, scorer): n, mean target output, share whose target
        output exceeds 0.5, share called the target (argmax).
    """
    from ...core.backend import predict_batched
    from ...core.models import load_model

    loaded = {name: load_model(path) for name, path in models.items()}
    rows = []
    for (source, method), path in sorted(runs.items()):
        run = read_arrays(path, ("images", "target"))
        images, target = run["images"], run["target"]
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


def run_model(
    *,
    model_name: str,
    model_path: Path,
    plan: dict[str, dict],
    seed: int,
    data: Path,
    out_dir: Path,
) -> None:
    """Every method of ``plan`` against one model, in one process (the model is loaded and
    compiled once); writes ``<out_dir>/<method>.npz`` and ``.csv``. A method's results do not
    depend on which others share its process: each draws from its own :func:`method_seed`.

    Args:
        plan: ``{method: {params, runs_per_digit, runs_of_two, attempts_of_two}}``, the
            config resolved for this model (:func:`mnist_fooling.stages.fooling.plan.plan_for`).
    """
    from ...core.models import load_model

    check_plan(plan)  # before the model loads: a bad plan leaves no output behind
    scorer = Scorer(load_model(model_path))
    for method, job in plan.items():
        out_npz, out_csv = run_paths(out_dir, method)
        run_fooling(
            model_name=model_name,
            model_path=model_path,
            method=method,
            seed=seed,
            data=data,
            out_npz=out_npz,
            out_csv=out_csv,
            scorer=scorer,
            **job,
        )


PLAN_KEYS = {"params", "runs_per_digit", "runs_of_two", "attempts_of_two"}


def check_plan(plan: dict) -> None:
    """A :class:`UserInputError` naming the first problem of a fooling plan: an unknown method,
    missing or unknown keys, or parameters its method does not take."""
    from ...core.errors import UserInputError

    if not isinstance(plan, dict) or not plan:
        raise UserInputError("the fooling plan must map at least one method to its settings")
    for method, job in plan.items():
        where = f"plan.{method}"
        try:
            entry = spec(method)
        except ValueError as exc:
            raise UserInputError(f"{where}: {exc}") from None
        if not isinstance(job, dict) or set(job) != PLAN_KEYS:
            raise UserInputError(f"{where}: needs exactly the keys {sorted(PLAN_KEYS)}")
        try:  # the statistics come later; an empty stand-in lets the parameters be checked
            entry.build(job["params"], stats=())
        except (TypeError, ValueError) as exc:
            raise UserInputError(f"{where}.params: {exc}") from None


def grid_points(grid: dict[str, list]) -> list[dict]:
    """Every combination of a parameter grid ``{name: [values]}``, in order."""
    import itertools

    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def run_sweep(
    *,
    model_name: str,
    model_path: Path,
    method: str,
    params: dict,
    grid: dict[str, list],
    runs_per_digit: int,
    seed: int,
    data: Path,
    out: Path,
) -> pd.DataFrame:
    """Run ``method`` at every point of ``grid`` (overriding ``params``); one row per run.

    The rows carry the grid's values, the run's outcome, steps and evaluations, the rise of
    its best target output over its last ``late_window`` iterations (:func:`.stall.late_gain`,
    the stall rule of D7), and how the network-free template reader sees its image
    (correlation with the target's mean training digit; whether it looks like it), for
    sensitivity tables and trade-off curves.
    """
    from ...core.models import load_model
    from ..data.mnist import load_mnist
    from .likeness import correlations, floor_of_real_digits, templates
    from .stall import STALL_WINDOW, late_gain

    if not grid or any(len(v) == 0 for v in grid.values()):
        raise ValueError("a sweep needs at least one value per parameter")
    mnist = load_mnist(data)
    template = templates(mnist.x_train, mnist.y_train)
    floor = floor_of_real_digits(mnist.x_test, mnist.y_test, template)
    scorer = Scorer(load_model(model_path))
    rng = method_seed(seed, model_name, method, purpose=1)
    targets = np.repeat(np.arange(10), runs_per_digit)
    frames = []
    for point in grid_points(grid):
        label = f"{method} on {model_name} at {point}"
        result = search(
            make_method(method, {**params, **point}), scorer, targets=targets, rng=rng, label=label
        )
        corr = correlations(result.images, template)
        own = corr[np.arange(len(targets)), targets]
        frames.append(
            pd.DataFrame(
                dict(
                    model=model_name,
                    method=method,
                    **{k: v for k, v in point.items()},
                    target=targets,
                    confidence=result.outputs[np.arange(len(targets)), targets],
                    outcome=result.outcome,
                    converged=result.converged,
                    steps=result.steps,
                    evaluations=result.evaluations,
                    late_gain=late_gain(
                        result.curve, CURVE_EVALUATIONS, result.evaluations, result.steps
                    ),
                    late_window=STALL_WINDOW,
                    own_corr=own,
                    looks=(corr.argmax(axis=1) == targets) & (own >= floor),
                )
            )
        )
    table = pd.concat(frames, ignore_index=True)
    write_csv(out, table)
    return table
