"""Search speed, side by side on one model: raw forward pass, each search loop, a one-at-a-time GA.

Every number is a ratio of throughputs measured in the same process within seconds of each
other, so a noisy machine shifts them together.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from .io import write_csv
from .search import make_method, run_search
from .search.engine import Scorer, network_evaluations, replicate_index
from .search.kernels import aligned_empty

EVOLUTIONARY = {
    "genetic": dict(population=100, selected=5, mutate_factor=1.0, tol=0.0, max_attempts=1),
    "hillclimb": dict(candidates=500, density=0.02, amplitude=0.5, threshold=2.0, patience=10**6),
    "map_elites": dict(
        batch_size=200, mutation_rate=0.1, eta=15.0, halve_every=1000, threshold=2.0
    ),
}
LOOP_TARGET = 0.8  # a search loop's evaluations/s over the raw forward pass's images/s
STEPS_KEY = {"genetic": "max_iter"}  # the parameter that caps a run's generations


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


def _search(method: str, steps: int):
    """``method`` set up to run exactly ``steps`` steps (no run may stop early)."""
    return make_method(method, {**EVOLUTIONARY[method], STEPS_KEY.get(method, "steps"): steps})


def _runs(method: str, runs: int, *, batch: int) -> int:
    """Runs a loop is timed with: as many as make a step of about ``batch`` images (the raw
    pass's batch), at most ``runs``. Hill climbing scores 500 candidates a run, the genetic
    loop 100: equal runs would time them on batches of unequal size."""
    p = EVOLUTIONARY[method]
    per_run = p.get("population") or p.get("candidates") or p["batch_size"]  # images a step
    return max(1, min(runs, -(-batch // per_run)))


def raw_batch(scorer: Scorer, runs: int) -> int:
    """Images in a step of the timed loops: a genetic generation of ``runs`` runs, at most 8 of
    the model's compiled calls (2,048 images for the CNN, scored 256 at a time): larger steps
    repeat the same calls, and the CNN's loops took 100 of the benchmark's 130 seconds."""
    return min(100 * runs, 8 * scorer.batch_size)


def search_throughput(scorer: Scorer, method: str, *, runs: int, steps: int) -> float:
    """Network evaluations per second of a whole search loop (no run allowed to stop)."""
    targets = np.arange(runs) % 10
    quiet = dict(progress_seconds=1e9)
    run_search(_search(method, 2), scorer, targets=targets, rng=np.random.default_rng(0), **quiet)
    search = _search(method, steps)
    start = time.perf_counter()
    result = run_search(search, scorer, targets=targets, rng=np.random.default_rng(1), **quiet)
    seconds = time.perf_counter() - start
    shared = search.shared_evaluations
    return (
        network_evaluations(result.evaluations, replicate_index(targets), shared=shared) / seconds
    )


def one_at_a_time_throughput(
    scorer: Scorer, *, seconds: float, population: int = 100, selected: int = 5
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


def run_benchmark(
    *, models: dict[str, Path], runs_per_digit: int, steps: int, seconds: float, out: Path
) -> pd.DataFrame:
    """Measure every model; write ``model, measure, per_second, ratio, target, met``."""
    from .models import load_model

    rows = []
    for name, path in models.items():
        scorer = Scorer(load_model(path))
        runs = 10 * runs_per_digit
        batch = raw_batch(scorer, runs)
        raw = forward_throughput(scorer, batch=batch, seconds=seconds)
        rows.append(
            dict(
                model=name,
                measure="raw forward pass (images/s)",
                per_second=raw,
                ratio=1.0,
                target="",
                met="",
            )
        )
        for method in EVOLUTIONARY:
            rate = search_throughput(
                scorer, method, runs=_runs(method, runs, batch=batch), steps=steps
            )
            # Targets: every loop on the CNN; on the MLP the genetic loop (seed 000 at its scale).
            aimed = name == "cnn" or (name == "mlp" and method == "genetic")
            rows.append(
                dict(
                    model=name,
                    measure=f"{method} search (evaluations/s)",
                    per_second=rate,
                    ratio=rate / raw,
                    target=f"≥ {LOOP_TARGET} × forward" if aimed else "",
                    met=("yes" if rate / raw >= LOOP_TARGET else "no") if aimed else "",
                )
            )
        single = one_at_a_time_throughput(scorer, seconds=seconds)
        batched = next(
            r["per_second"]
            for r in rows
            if r["model"] == name and r["measure"].startswith("genetic")
        )
        goal = {"mlp": 100, "cnn": 10}.get(name)
        rows.append(
            dict(
                model=name,
                measure="one-at-a-time genetic (evaluations/s)",
                per_second=single,
                ratio=batched / single,
                target=f"batched ≥ {goal} × this" if goal else "",
                met=("yes" if batched / single >= goal else "no") if goal else "",
            )
        )
    table = pd.DataFrame(rows)
    write_csv(out, table)
    return table


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The appendix's search-speed table (ratios measured side by side)."""
    from .tables import markdown_table

    t = pd.read_csv(inputs["speed"]).fillna("")
    t["per_second"] = t.per_second.map(lambda v: f"{v:,.0f}")
    t["ratio"] = t.ratio.map(lambda v: f"{v:.2f}")
    table = markdown_table(
        t,
        dict(
            model="model",
            measure="measure",
            per_second="per second",
            ratio="ratio",
            target="target",
            met="met",
        ),
        widths=[5, 20, 8, 5, 12, 4],
    )
    return dict(tables=dict(speed=table))
