"""The device search's host side: batches of the runs still searching, one compiled block of
generations at a time, progress lines and the :class:`SearchResult` of the final state."""

from __future__ import annotations

import math
import time

import numpy as np

from ..engine import ACTIVE, CURVE_EVALUATIONS, OUTCOMES, SearchResult
from ..engine import _progress as progress_line
from ..registry import has_device
from ._jax import jax
from .program import compiled


def device_supported(method) -> bool:
    """Whether :func:`run_search_device` runs ``method`` (a method object of
    :mod:`mnist_fooling.search`)."""
    return has_device(method)


def run_search_device(
    method,
    model,
    *,
    targets: np.ndarray,
    seed: int,
    max_batch: int = 65_536,
    generations_per_call: int = 32,
    min_units: int | None = None,
    label: str = "search",
    progress_seconds: float = 10.0,
) -> SearchResult:
    """Run ``method`` for every target at once on the JAX device until every run has ended.

    The numpy/numba path (:func:`~mnist_fooling.search.engine.run_search`) keeps the population
    on the host and sends only the forward pass to the device. Here the population never leaves
    it: variation, scoring, selection, each run's stop test and its bookkeeping (evaluations,
    steps, the convergence curve) run for a block of generations in one jitted
    ``lax.while_loop``. Both paths use the same method objects and parameters, with the same
    laws and stop rules; only the random streams differ (:mod:`.streams`).

    Runs stop on their own: a block of generations ends early once the runs still searching
    fit a smaller batch, into which they are then gathered (on the device) — sizes ``n, ⌈n/2⌉,
    ⌈n/4⌉, …`` down to ``min_units``, one compiled shape each (about 1 s to compile on the CPU).

    Args:
        method: a method object of :mod:`mnist_fooling.search` (see :func:`device_supported`).
        model: a Keras model (JAX backend) taking ``(n, 28, 28)`` images; its first ten
            outputs are the digits.
        targets: ``(n,)`` target digit of each run.
        seed: the search's seed (any integer; ``run_fooling`` can draw it from its generator).
        max_batch: most images one forward pass scores (more are scored in chunks).
        generations_per_call: generations per compiled call between status reads.
        min_units: smallest batch of runs (MAP-Elites: replicates) the search shrinks to as
            runs end; default ``⌈units / 16⌉`` (at most five compiled shapes).
        label: name in the progress lines logged every ``progress_seconds``.

    Returns:
        The :class:`SearchResult` of :func:`~mnist_fooling.search.engine.run_search`, field
        by field.
    """
    if jax is None:
        raise ValueError("the device search needs JAX (pip install -e '.[jax]')")
    targets = np.asarray(targets, dtype=np.int64)
    if targets.ndim != 1 or len(targets) == 0 or targets.min() < 0 or targets.max() > 9:
        raise ValueError("targets must be a non-empty 1-d array of digits 0-9")
    if max_batch < 1 or generations_per_call < 1:
        raise ValueError("max_batch and generations_per_call must be at least 1")
    program = compiled(method, model, max_batch=max_batch)
    data, slot_run = program.impl.setup(method, targets)
    units = len(slot_run)
    sizes = _bucket_sizes(units, min_units or math.ceil(units / 16))
    base = jax.random.key_data(jax.random.key(np.uint32(seed % 2**32)))
    params = program.impl.params
    start = last = time.monotonic()
    state = program.init(params, base, data)
    status = _host_status(state, units)
    generation = 0
    while (live := np.flatnonzero((status == ACTIVE).any(axis=1))).size:
        size = min(s for s in sizes if s >= live.size)
        smaller = [s for s in sizes if s < size]
        idx = np.full(size, units, np.int32)  # padding rows point past the end
        idx[: live.size] = live
        state, done = program.advance(
            params, base, state, idx, max(smaller, default=0), generations_per_call
        )
        generation += int(done)
        status = _host_status(state, units)
        if time.monotonic() - last >= progress_seconds:
            last = time.monotonic()
            _log_progress(label, generation, state, status, slot_run, last - start)
    _log_progress(label, generation, state, status, slot_run, time.monotonic() - start)
    return _assemble(program.impl, jax.device_get(state), slot_run, targets)


def _bucket_sizes(units: int, min_units: int) -> list[int]:
    """Batch sizes ``units, ⌈units/2⌉, …`` not below ``min_units`` (always ``units``)."""
    sizes = [units]
    while (half := math.ceil(sizes[-1] / 2)) >= max(1, min_units) and half < sizes[-1]:
        sizes.append(half)
    return sizes


def _host_status(state: dict, units: int) -> np.ndarray:
    """``(units, slots)`` the runs' status, read from the device."""
    return np.asarray(state["status"]).reshape(units, -1)


def _log_progress(label, generation, state, status, slot_run, seconds) -> None:
    valid = slot_run >= 0
    evaluations = np.asarray(state["evaluations"]).reshape(status.shape)[valid]
    progress_line(label, generation, status[valid], evaluations, seconds)


def _assemble(impl, state: dict, slot_run: np.ndarray, targets: np.ndarray) -> SearchResult:
    """The :class:`SearchResult` of the final host ``state``, run by run."""
    n = len(targets)
    valid = slot_run >= 0
    order = np.empty(n, np.int64)
    order[slot_run[valid]] = np.arange(valid.sum())

    def runs(a: np.ndarray, slotted: bool = True) -> np.ndarray:
        """``(units, slots, ...)`` (or ``(units, ...)`` when not ``slotted``) → ``(n, ...)``."""
        a = np.asarray(a)
        flat = a.reshape((-1,) + a.shape[2:]) if slotted else a
        return flat[valid.ravel()][order]

    found = {k: runs(v, impl.slotted) for k, v in impl.result(state).items()}
    status = runs(state["status"].reshape(valid.shape)).astype(np.int64)
    spent = runs(state["evaluations"]).astype(np.int64)
    values, best = runs(state["curve"]), runs(state["curve_best"])
    start = np.searchsorted(CURVE_EVALUATIONS, spent, side="left")
    after = np.arange(len(CURVE_EVALUATIONS))[None, :] >= start[:, None]
    return SearchResult(
        images=found["images"].reshape(n, 28, 28).astype(np.float32),
        target=targets,
        outputs=found["outputs"].astype(np.float32),
        outcome=np.array(OUTCOMES, dtype=object)[status].astype(str),
        cost=found["cost"].astype(np.float64),
        attempts=found["attempts"].astype(np.int64),
        evaluations=spent,
        steps=runs(state["steps"]).astype(np.int64),
        curve=np.where(after, best[:, None], values).astype(np.float32),
    )
