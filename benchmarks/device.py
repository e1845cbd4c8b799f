"""Device search speed (JAX): the raw compiled forward pass and each device search loop, side by
side in one process, at the same batch (images scored per generation).

Usage:
    KERAS_BACKEND=jax python benchmarks/device.py \\
        --models cnn=results/default/models/cnn.keras --out results/default/benchmarks/device.csv

Runs unchanged on a GPU (``device`` is ``jax.devices()[0].platform``). Every search runs with
a stop rule that never fires, for exactly ``--steps`` generations after its first, so
``evaluations / seconds`` is the loop's speed, start to result (a gradient step counts a
forward and a backward pass); each is run once to compile and then timed ``--repeats``
times. ``ratio`` is that speed over the raw forward pass's images/s at the same batch, timed
just before and after it (the machine may be shared: best of each); the target is ≥ 0.5. The
raw input gradient's row bounds what the gradient methods can reach. With ``--host``, the
numpy/numba loops (``engine.run_search`` with the jitted forward) are timed too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

TARGET = 0.5  # a search loop's evaluations/s over the raw forward pass's images/s
NEVER = dict(threshold=2.0)  # a target output never reaches 2

# Timed on the numpy/numba path too with --host (the black-box searches with numba kernels).
HOST = ("genetic", "genetic_prior", "genetic_prior_intended", "hillclimb", "map_elites")


def never_stopping(name: str) -> dict:
    """Method ``name``'s config section with a stop rule that never fires: its registry
    entry's ``never_stop`` (or that of an entry of the same class), else a threshold of 2."""
    from mnist_fooling.search.registry import METHODS, spec

    cls = spec(name).cls
    stop = next((e.never_stop for e in METHODS if e.cls is cls and e.never_stop), NEVER)
    return {**config_methods()[name], **stop}


def per_run(name: str) -> int:
    """Images a run of ``name`` scores per generation (its registry entry's ``batch``)."""
    from mnist_fooling.search.registry import spec

    key = spec(name).batch
    return config_methods()[name][key] if key else 1


def synthetic_stats():
    """Per-digit prior statistics of uniform noise (the speed does not depend on them)."""
    from mnist_fooling.search.methods.genetic.prior import digit_stats

    rng = np.random.default_rng(0)
    return digit_stats(rng.random((200, 28, 28)), np.arange(200) % 10)


def make(name: str, steps: int):
    """Method ``name`` set up to run exactly ``steps`` generations after its first."""
    from mnist_fooling.search import make_method, spec

    entry = spec(name)
    params = never_stopping(name)
    stats = synthetic_stats() if entry.needs_stats else None
    cap = steps + 1 if entry.cap == "max_iter" else steps
    return make_method(name, {**params, entry.cap: cap}, stats=stats)


def config_methods() -> dict:
    """``fooling.methods`` of config/config.yaml: the parameters SEARCHES does not set."""
    import yaml

    path = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
    return yaml.safe_load(path.read_text())["fooling"]["methods"]


def runs_for(name: str, batch: int) -> np.ndarray:
    """Targets of as many runs as make one generation of ``batch`` images (MAP-Elites: ten
    runs per replicate share its offspring)."""
    each = per_run(name)
    if batch % each:
        raise ValueError(f"--batch {batch} is not a multiple of {name}'s {each} per run")
    units = batch // each
    return np.arange(units * (10 if name == "map_elites" else 1)) % 10


class Raw:
    """The model's jitted pure forward pass (and input gradient) on a device-resident batch."""

    def __init__(self, model, *, batch: int):
        import jax

        from mnist_fooling.search import make_method
        from mnist_fooling.search.device.forward import _forward_fn, _weights

        self.batch = batch
        self.forward = jax.jit(_forward_fn(model, batch))
        self.weights = _weights(model)
        sign = make_method("gradient_sign", {**config_methods()["gradient_sign"], "steps": 1})
        impl = _device_impl(sign, model, batch)
        self.gradient, self.split = jax.jit(impl.gradient), impl.params[1]
        rng = np.random.default_rng(0)
        self.x = jax.device_put(rng.random((batch, 28, 28), dtype=np.float32))
        self.targets = jax.device_put(np.arange(batch, dtype=np.int32) % 10)

    def speed(self, *, seconds: float, gradient: bool = False) -> float:
        """Images/s of the forward pass (or the input gradient), compiled outside the clock."""
        import jax

        run = (
            (lambda: self.gradient(self.split, self.x, self.targets))
            if gradient
            else (lambda: self.forward(self.weights, self.x))
        )
        jax.block_until_ready(run())
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds or n < 2 * self.batch:
            jax.block_until_ready(run())
            n += self.batch
        return n / (time.perf_counter() - start)


def _device_impl(method, model, batch: int):
    from mnist_fooling.search.registry import device_class

    return device_class(method)(method, model, max_batch=batch)


def evaluations(name: str, result, targets: np.ndarray) -> int:
    """Images the network scored (MAP-Elites: each replicate's offspring once)."""
    from mnist_fooling.search.engine import network_evaluations, replicate_index

    shared = name == "map_elites"
    return network_evaluations(result.evaluations, replicate_index(targets), shared=shared)


def device_speed(model, name: str, *, batch: int, steps: int, repeats: int) -> list[float]:
    """Evaluations/s of the device search loop ``name``, ``repeats`` times (compiled first)."""
    from mnist_fooling.search.device import run_search_device

    targets = runs_for(name, batch)
    quiet = dict(progress_seconds=1e9, max_batch=batch, min_units=len(targets))
    run_search_device(make(name, steps), model, targets=targets, seed=0, **quiet)
    speeds = []
    for seed in range(1, repeats + 1):
        start = time.perf_counter()
        result = run_search_device(make(name, steps), model, targets=targets, seed=seed, **quiet)
        speeds.append(evaluations(name, result, targets) / (time.perf_counter() - start))
    return speeds


def host_speed(model, name: str, *, batch: int, steps: int, repeats: int) -> list[float]:
    """Evaluations/s of the numpy/numba loop ``name`` with the jitted forward pass."""
    from mnist_fooling.search import run_search
    from mnist_fooling.search.engine import Scorer

    targets = runs_for(name, batch)
    scorer = Scorer(model, batch_size=batch)
    quiet = dict(progress_seconds=1e9)
    run_search(make(name, 1), scorer, targets=targets, rng=np.random.default_rng(0), **quiet)
    speeds = []
    for seed in range(1, repeats + 1):
        rng = np.random.default_rng(seed)
        start = time.perf_counter()
        result = run_search(make(name, steps), scorer, targets=targets, rng=rng, **quiet)
        speeds.append(evaluations(name, result, targets) / (time.perf_counter() - start))
    return speeds


def measure(name: str, path: Path, args) -> list[dict]:
    """Every row of one model: the raw forward pass and input gradient, then each search
    loop. The machine may be shared: each loop's ratio is its best of ``--repeats`` timed
    runs over the best of the forward passes timed just before them."""
    import jax
    import keras

    from mnist_fooling.core.models import load_model

    model = load_model(path)
    common = dict(model=name, backend=keras.backend.backend(), device=jax.devices()[0].platform)
    raw = Raw(model, batch=args.batch)
    forward = [raw.speed(seconds=args.seconds)]
    gradient = raw.speed(seconds=args.seconds, gradient=True)
    rows = []

    def row(measure: str, rate: float, ratio: float, target: bool) -> None:
        met = ("yes" if ratio >= TARGET else "no") if target else ""
        rows.append(
            dict(
                common,
                measure=measure,
                per_second=rate,
                ratio=ratio,
                target=f"≥ {TARGET} × forward" if target else "",
                met=met,
            )
        )
        print(f"{name}: {measure} {rate:,.0f}, ratio {ratio:.2f}", file=sys.stderr, flush=True)

    loops = [(m, "device", device_speed) for m in args.methods]
    loops += [(m, "host", host_speed) for m in HOST if args.host and m in args.methods]
    found = []
    for method, where, speed in loops:
        adjacent = raw.speed(seconds=args.seconds)
        rate = max(speed(model, method, batch=args.batch, steps=args.steps, repeats=args.repeats))
        adjacent = max(adjacent, raw.speed(seconds=args.seconds))
        forward.append(adjacent)
        found.append((f"{method} {where} loop (evaluations/s)", rate, rate / adjacent, where))
    best = max(forward)
    row(f"raw forward pass (images/s, batch {args.batch})", best, 1.0, False)
    row(f"raw input gradient (images/s, batch {args.batch})", gradient, gradient / best, False)
    for measure_name, rate, ratio, where in found:
        row(measure_name, rate, ratio, where == "device")
    return rows


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", required=True, help="name=path.keras ...")
    p.add_argument("--out", type=Path, required=True, help="CSV to write")
    p.add_argument("--batch", type=int, default=10_000, help="images per generation")
    p.add_argument("--steps", type=int, default=4, help="generations timed per search")
    p.add_argument("--seconds", type=float, default=2.0, help="time for a forward measure")
    p.add_argument("--repeats", type=int, default=2, help="timed runs per search loop")
    from mnist_fooling.search.registry import NAMES

    names = [n for n in NAMES if n in config_methods()]
    p.add_argument("--methods", nargs="+", default=names, choices=names)
    p.add_argument("--host", action="store_true", help="also time the numpy/numba loops")
    args = p.parse_args(argv)
    if min(args.batch, args.steps, args.repeats) < 1 or args.seconds <= 0:
        p.error("--batch, --steps and --repeats must be at least 1, --seconds positive")
    args.models = dict(m.split("=", 1) for m in args.models if "=" in m) or p.error(
        "--models takes name=path.keras"
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if os.environ.get("KERAS_BACKEND") != "jax":
        print("run with KERAS_BACKEND=jax (the device search is JAX's)", file=sys.stderr)
        return 2
    import pandas as pd

    from mnist_fooling.core.io import write_csv

    rows = [row for name, path in args.models.items() for row in measure(name, path, args)]
    table = pd.DataFrame(rows)
    write_csv(args.out, table)
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
