"""Search speed, side by side on one model: raw forward pass, each search loop, a one-at-a-time GA.

Every number is a ratio of throughputs measured in the same process within seconds of each
other, so a noisy machine shifts them together.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from ...search import METHODS, make_method, run_search, spec
from ...search.engine import Scorer, network_evaluations, replicate_index
from ...search.kernels import aligned_empty

LOOP_TARGET = 0.8  # a search loop's evaluations/s over the raw forward pass's images/s
TIMED = tuple(s.name for s in METHODS if s.never_stop is not None)  # the loops timed


def timed_params(methods: dict) -> dict[str, dict]:
    """Each timed loop's parameters: its config section (``methods``: ``fooling.methods``)
    with the overrides that keep every run going."""
    missing = [m for m in TIMED if m not in methods]
    if missing:
        raise ValueError(f"the benchmark times {TIMED}; the config lacks {missing}")
    return {m: {**methods[m], **spec(m).never_stop} for m in TIMED}


def forward_throughput(scorer: Scorer, *, batch: int, seconds: float) -> float:
    """Images per second of the compiled forward pass on batches of ``batch`` images."""
    # On a 64-byte boundary, as the searches' own buffers: the pass then reads it in place.
    x = aligned_empty((batch, 28, 28))
    x[:] = np.random.default_rng(0).random((batch, 28, 28), dtype=np.float32)
    scorer.forward(x)  # compile outside the clock
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        scorer.forward(x)
        n += batch
    return n / (time.perf_counter() - start)


def _search(method: str, params: dict, steps: int):
    """``method`` set up to run exactly ``steps`` steps (no run may stop early)."""
    return make_method(method, {**params, spec(method).cap: steps})


def _runs(params: dict, runs: int, *, batch: int) -> int:
    """Runs a loop is timed with: as many as make a step of about ``batch`` images (the raw
    pass's batch), at most ``runs``. Hill climbing scores 500 candidates a run, the genetic
    loop 100: equal runs would time them on batches of unequal size."""
    p = params
    per_run = p.get("population") or p.get("candidates") or p["batch_size"]  # images a step
    return max(1, min(runs, -(-batch // per_run)))


def raw_batch(scorer: Scorer, runs: int) -> int:
    """Images in a step of the timed loops: a genetic generation of ``runs`` runs, at most 8 of
    the model's compiled calls (4,096 images for the CNN, scored 512 at a time): larger steps
    repeat the same calls, and the CNN's loops took 100 of the benchmark's 130 seconds."""
    return min(100 * runs, 8 * scorer.batch_size)


def loop_steps(*, steps: int, seconds: float, raw: float, batch: int) -> int:
    """Generations a loop is timed for: about ``seconds`` of the raw pass, at most ``steps``,
    at least 3 (fewer than ``steps`` only where a step takes long: the CNN's loops, whose
    forward pass is all their time, took 100 of the benchmark's 130 seconds)."""
    return min(steps, max(3, round(seconds * raw / batch)))


def search_throughput(
    scorer: Scorer, method: str, params: dict, *, runs: int, steps: int, warm_up: bool = True
) -> float:
    """Network evaluations per second of a whole search loop (``params``: its
    :func:`timed_params`, so that no run stops)."""
    targets = np.arange(runs) % 10
    quiet = dict(progress_seconds=1e9)
    if warm_up:  # compile both kinds of generation (a fresh one, then a bred one) off the clock
        warm = _search(method, params, 2)
        run_search(warm, scorer, targets=targets, rng=np.random.default_rng(0), **quiet)
    search = _search(method, params, steps)
    start = time.perf_counter()
    result = run_search(search, scorer, targets=targets, rng=np.random.default_rng(1), **quiet)
    seconds = time.perf_counter() - start
    shared = search.shared_evaluations
    return (
        network_evaluations(result.evaluations, replicate_index(targets), shared=shared) / seconds
    )


def one_at_a_time_throughput(
    scorer: Scorer, *, seconds: float, population: int, selected: int
) -> float:
    """The seed's genetic loop as its Rcpp runs it: each child built and scored on its own."""
    rng = np.random.default_rng(2)
    onehot = np.eye(10, dtype=np.float32)[2]
    pop = rng.random((population, 28, 28), dtype=np.float32)
    cost = np.array([np.abs(scorer.forward(p[None])[0] - onehot).sum() for p in pop])
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        parents = pop[np.argsort(cost)[:selected]]
        rate = min(0.5, 0.01 * cost.min())
        for j in range(population):  # one image at a time, as in kinda_genetic_digit()
            i1 = rng.integers(selected)
            i2 = (i1 + rng.integers(1, selected)) % selected
            child = np.where(rng.random((28, 28)) > 0.5, parents[i1], parents[i2])
            child = np.where(rng.random((28, 28)) < rate, rng.random((28, 28)), child)
            pop[j] = child
            cost[j] = np.abs(scorer.forward(child[None])[0] - onehot).sum()
            n += 1
    return n / (time.perf_counter() - start)


def paired_rates(
    scorer: Scorer, *, params: dict, runs: int, steps: int, seconds: float, repeats: int
) -> pd.DataFrame:
    """``repeats`` rounds of the raw pass, each followed by every loop: rows ``repeat, measure,
    per_second, ratio`` where a loop's ratio is to the raw pass of its own round (a slow spell
    of the machine then shifts both sides of a ratio, and rounds show the spread)."""
    batch = raw_batch(scorer, runs)
    rows = []
    for repeat in range(repeats):
        raw = forward_throughput(scorer, batch=batch, seconds=seconds)
        rows.append(dict(repeat=repeat, measure="raw", per_second=raw, ratio=1.0))
        n = loop_steps(steps=steps, seconds=seconds, raw=raw, batch=batch)
        for method, p in params.items():
            m_runs = _runs(p, runs, batch=batch)
            rate = search_throughput(scorer, method, p, runs=m_runs, steps=n, warm_up=repeat == 0)
            rows.append(dict(repeat=repeat, measure=method, per_second=rate, ratio=rate / raw))
    return pd.DataFrame(rows)


def _row(model: str, measure: str, rounds: pd.DataFrame, goal: float | None, what: str) -> dict:
    """One CSV row: the median rate and ratio over the rounds, the ratio's range, the target."""
    ratio = float(rounds.ratio.median())
    return dict(
        model=model,
        measure=measure,
        per_second=float(rounds.per_second.median()),
        ratio=ratio,
        ratio_min=float(rounds.ratio.min()),
        ratio_max=float(rounds.ratio.max()),
        rounds=len(rounds),
        target=what.format(goal=goal) if goal else "",
        met=("yes" if ratio >= goal else "no") if goal else "",
    )


def run_benchmark(
    *,
    models: dict[str, Path],
    methods: dict,
    runs_per_digit: int,
    steps: int,
    seconds: float,
    repeats: int,
    out: Path,
) -> pd.DataFrame:
    """Measure every model; write ``model, measure, per_second, ratio, ratio_min, ratio_max,
    rounds, target, met`` (medians over ``repeats`` rounds of raw pass and loops).
    ``methods``: the config's ``fooling.methods`` (the timed loops' parameters)."""
    from ...core.models import load_model

    params = timed_params(methods)
    rows = []
    for name, path in models.items():
        scorer = Scorer(load_model(path))
        rounds = paired_rates(
            scorer,
            params=params,
            runs=10 * runs_per_digit,
            steps=steps,
            seconds=seconds,
            repeats=repeats,
        )
        raw = rounds[rounds.measure == "raw"]
        rows.append(_row(name, "raw forward pass (images/s)", raw, None, ""))
        for method in params:
            # Targets: every loop on the CNN; on the MLP the genetic loop (seed 000 at its scale).
            aimed = name == "cnn" or (name == "mlp" and method == "genetic")
            rows.append(
                _row(
                    name,
                    f"{method} search (evaluations/s)",
                    rounds[rounds.measure == method],
                    LOOP_TARGET if aimed else None,
                    "≥ {goal} × forward",
                )
            )
        # The batched loop against the Rcpp's one-image-at-a-time loop, measured once.
        genetic = params["genetic"]
        single = one_at_a_time_throughput(
            scorer, seconds=seconds, population=genetic["population"], selected=genetic["selected"]
        )
        batched = rounds[rounds.measure == "genetic"].per_second
        versus = pd.DataFrame(dict(per_second=[single] * len(batched), ratio=batched / single))
        row = _row(
            name,
            "one-at-a-time genetic (evaluations/s)",
            versus,
            {"mlp": 100, "cnn": 10}.get(name),
            "batched ≥ {goal} × this",
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    write_csv(out, table)
    return table
