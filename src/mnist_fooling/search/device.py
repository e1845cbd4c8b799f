"""The search loop on the device (JAX): whole generations in one compiled call.

The numpy/numba path (:func:`engine.run_search`) keeps the population on the host and sends
only the forward pass to the device. Here the population never leaves it: variation,
scoring, selection, each run's stop test and its bookkeeping (evaluations, steps, the
convergence curve) run for a block of generations in one jitted ``lax.while_loop``; the host
only reads the runs' status (a few bytes per run) between blocks.

Both paths use the same method objects (:mod:`methods`, :mod:`map_elites`) and their
parameters, with the same laws and stop rules; only the random streams differ. Randomness:
every run (a MAP-Elites replicate) has its own ``jax.random`` key, ``fold_in(key, run)``,
and from it one counter-based stream per generation (:func:`_words`), so a run's search does
not depend on which other runs share its batch (up to the rounding of a forward pass at
another batch size). Draws that the numpy path shares across runs (``gradient_prior``'s
jitter shift of step t) are shared here too. One 32-bit word per pixel gives both a fair
coin (its top bit, the genetic crossover) and a uniform ``u`` (its other 31 bits); a pixel
mutates when ``u < rate``, and then ``u / rate`` is a fresh uniform, independent of that
decision, for its new value (the law of the kernels' separate draws, in one word).

Runs stop on their own: a block of generations ends early once the runs still searching fit
a smaller batch, into which they are then gathered (on the device) — sizes ``n, ⌈n/2⌉,
⌈n/4⌉, …`` down to ``min_units``, one compiled shape each (about 1 s to compile on the CPU).
Forward passes larger than ``max_batch`` images are scored in chunks (``lax.map``).
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections.abc import Callable

import numpy as np

from .base import _per_digit
from .engine import (
    ACTIVE,
    BUDGET,
    CONVERGED,
    CURVE_EVALUATIONS,
    OUTCOMES,
    STUCK,
    SearchResult,
    replicate_index,
)
from .engine import _progress as progress_line
from .prior import N_LAGS, cost_stats
from .registry import device_name

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # a TensorFlow-only install: device_supported() still answers
    jax = jnp = None

log = logging.getLogger(__name__)

PIXELS = 784
_BELOW_ONE = float(np.nextafter(np.float32(1), np.float32(0)))  # largest float32 < 1
_CURVE = CURVE_EVALUATIONS.astype(np.int32)  # 1 .. 10^8 fits int32


# --------------------------------------------------------------------------- public


def device_supported(method) -> bool:
    """Whether :func:`run_search_device` runs ``method`` (a :mod:`methods` object)."""
    return device_name(method) is not None


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

    Args:
        method: a method object of :mod:`methods` (see :func:`device_supported`).
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
        The :class:`SearchResult` of :func:`engine.run_search`, field by field.
    """
    if jax is None:
        raise ValueError("the device search needs JAX (pip install -e '.[jax]')")
    targets = np.asarray(targets, dtype=np.int64)
    if targets.ndim != 1 or len(targets) == 0 or targets.min() < 0 or targets.max() > 9:
        raise ValueError("targets must be a non-empty 1-d array of digits 0-9")
    if max_batch < 1 or generations_per_call < 1:
        raise ValueError("max_batch and generations_per_call must be at least 1")
    program = _program(method, model, max_batch=max_batch)
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


# --------------------------------------------------------------------------- driver


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


class _Program:
    """A method's compiled ``init`` and ``advance`` for one model (cached, see :func:`_program`).

    ``init(params, key, data) -> state`` and ``advance(params, key, state, idx, stop_below,
    generations) -> (state, generations run)``; ``state`` is a dict of device arrays with a
    leading unit axis, ``data`` its constant fields (targets, per-run statistics).
    """

    def __init__(self, impl):
        self.impl = impl
        self.init = jax.jit(lambda params, key, data: _init(impl, params, key, data))
        self.advance = jax.jit(
            lambda params, key, state, idx, stop_below, generations: _advance(
                impl, params, key, state, idx, stop_below, generations
            ),
            donate_argnums=(2,) if jax.default_backend() != "cpu" else (),
        )


_PROGRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _program(method, model, *, max_batch: int) -> _Program:
    """The compiled program of ``method`` on ``model``: built once per static configuration."""
    impl_class = _impl_class(method)
    if impl_class is None:
        raise ValueError(f"no device search for {type(method).__name__}; see device_supported()")
    key = (impl_class.__name__, impl_class.static_key(method), max_batch)
    cache = _PROGRAMS.setdefault(model, {})
    if key not in cache:
        cache[key] = _Program(impl_class(method, model, max_batch=max_batch))
    return cache[key]


def _init(impl, params, key, data):
    """The first generation of every unit, with the engine's bookkeeping started."""
    units = data["uid"].shape[0]
    data = dict(data, key=_run_keys(key, data["uid"]))
    state, spent = impl.init(params, _seeds(data["key"], 0), data)
    state["tick"] = jnp.ones(units, jnp.int32)
    shape = state["status"].reshape(units, -1).shape
    state["evaluations"] = jnp.broadcast_to(jnp.asarray(spent, jnp.int32), shape)
    state["steps"] = jnp.zeros(shape, jnp.int32)
    state["curve"] = jnp.full((*shape, len(_CURVE)), jnp.nan, jnp.float32)
    state["curve_best"] = state["best_conf"].reshape(shape)
    return state


def _advance(impl, params, key, full, idx, stop_below, generations):
    """Up to ``generations`` generations of the units ``idx`` ``(b,)`` (``idx >= units``:
    padding), stopping early once at most ``stop_below`` of them still search."""
    units = full["uid"].shape[0]
    work = jax.tree.map(lambda a: jnp.take(a, idx, axis=0, mode="clip"), full)
    pad = (idx >= units).reshape((-1,) + (1,) * (work["status"].ndim - 1))
    work["status"] = jnp.where(pad, BUDGET, work["status"])

    def live(w):
        return (w["status"].reshape(len(idx), -1) == ACTIVE).any(axis=1).sum()

    def cond(carry):
        g, w = carry
        return (g < generations) & (live(w) > stop_below)

    def body(carry):
        g, w = carry
        return g + 1, _generation(impl, params, key, w)

    done, work = jax.lax.while_loop(cond, body, (jnp.int32(0), work))
    return jax.tree.map(lambda a, b: a.at[idx].set(b, mode="drop"), full, work), done


def _generation(impl, params, key, state):
    """One generation of every unit in ``state``; ended units stay as they were."""
    units = state["uid"].shape[0]
    active = state["status"].reshape(units, -1) == ACTIVE  # (U, S) before the step
    keys = _seeds(state["key"], state["tick"])
    new, spent = impl.step(params, keys, key, dict(state))
    new["tick"] = state["tick"] + 1
    live = active.any(axis=1)
    new = {
        k: jnp.where(live.reshape((-1,) + (1,) * (v.ndim - 1)), v, state[k]) for k, v in new.items()
    }
    return _book(new, state, active, spent)


def _book(new, old, active, spent):
    """The engine's bookkeeping: evaluations, steps and the curve of the runs ``active``
    ``(U, S)`` that spent ``spent`` (a number, ``(U,)`` or ``(U, S)``) evaluations."""
    units, slots = active.shape
    spent = jnp.asarray(spent, jnp.int32)
    spent = spent.reshape(spent.shape + (1,) * (2 - spent.ndim)) if spent.ndim == 1 else spent
    before = old["evaluations"]
    after = before + jnp.broadcast_to(spent, (units, slots)) * active
    passed = (before[..., None] <= _CURVE) & (after[..., None] > _CURVE) & active[..., None]
    new["curve"] = jnp.where(passed, old["curve_best"][..., None], old["curve"])
    best = new["best_conf"].reshape(units, slots)
    new["curve_best"] = jnp.where(active, best, old["curve_best"])
    new["evaluations"] = after
    new["steps"] = old["steps"] + active
    return new


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


# --------------------------------------------------------------------------- shared parts


def _triple32(x):
    """Wellons' ``triple32`` hash of uint32 ``x``: a bijection with near-ideal avalanche."""
    for shift, mult in ((17, 0xED5AD4BB), (11, 0xAC4C1B51), (15, 0x31848BAB)):
        x = (x ^ (x >> shift)) * np.uint32(mult)
    return x ^ (x >> 14)


def _run_keys(key, uid):
    """``(U, 2)`` uint32: the ``jax.random`` key of each run (unit) ``uid`` ``(U,)``, folded
    from the search's key data ``key`` ``(2,)``."""
    base = jax.random.wrap_key_data(key)
    return jax.vmap(lambda u: jax.random.key_data(jax.random.fold_in(base, u)))(uid)


def _seeds(run_key, tick):
    """``(..., 2)`` uint32: the seed of generation ``tick`` ``(...)`` of runs ``run_key``
    ``(..., 2)``: one stream per run and generation, whatever batch the run is in."""
    tick = jnp.asarray(tick, jnp.uint32)
    s0 = _triple32(run_key[..., 0] ^ _triple32(tick))
    s1 = _triple32(run_key[..., 1] + tick * np.uint32(0x9E3779B9) + np.uint32(1))
    return jnp.stack([s0, s1], axis=-1)


def _words(seed, shape, stream: int = 0):
    """Random uint32 words ``shape`` of one run's generation ``seed`` ``(2,)``.

    Counter-based: word ``c`` of ``stream`` is ``triple32(triple32(c' ^ s0) + s1)`` with
    ``c' = c + stream · 2^28``, a bijection of the counter (no word repeats within a run's
    generation); about 5x the speed of ``jax.random.bits`` on the CPU, and quick to compile.
    """
    size = math.prod(shape)
    if size >= 2**28 or not 0 <= stream < 16:
        raise ValueError(f"a random stream holds < 2^28 words in streams 0-15, not {shape}")
    counter = jnp.arange(size, dtype=jnp.uint32).reshape(shape) + np.uint32(stream << 28)
    return _triple32(_triple32(counter ^ seed[0]) + seed[1])


def _uniform(words):
    """Uniform float32 in [0, 1) from the low 31 bits of ``words`` (resolution 2^-31 near 0)."""
    u = (words & np.uint32(0x7FFFFFFF)).astype(jnp.float32) * np.float32(2.0**-31)
    return jnp.minimum(u, _BELOW_ONE)


def _coin(words):
    """A fair coin from the top bit of ``words`` (independent of :func:`_uniform`)."""
    return (words >> 31).astype(bool)


def _below(words, k):
    """Integers uniform in ``[0, k)`` (``k`` a number or broadcastable array)."""
    return jnp.minimum(jnp.floor(_uniform(words) * k), k - 1).astype(jnp.int32)


def _rescaled(u, rate):
    """``u / rate`` in [0, 1): where ``u < rate``, a uniform independent of that event."""
    return jnp.minimum(u / jnp.maximum(rate, 1e-30), _BELOW_ONE)


def _histogram_pixels(w, cum):
    """Pixels from a digit's 10-bin histogram (the post's ``histo_rand``) by its inverse CDF.

    Args:
        w: ``(...)`` uniforms in [0, 1); cum: ``(bins,)`` cumulative histogram.

    Returns:
        ``(...)`` values ``(bin + v) / bins``, the bin with probability its mass and ``v``
        uniform in [0, 1) (the within-bin position of ``w``): the inverse CDF
        ``Σ_i clip((w - lo_i) / mass_i, 0, 1) / bins``, unrolled over the bins (no gather, no
        reduction over a short axis: 20x the speed of either with XLA on the CPU).
    """
    bins = cum.shape[-1]
    lo = jnp.concatenate([jnp.zeros(1, cum.dtype), cum[:-1]])
    inverse = 1.0 / jnp.maximum(cum - lo, 1e-30)  # an empty bin is a step
    filled = jnp.zeros_like(w)
    for i in range(bins):
        filled = filled + jnp.clip((w - lo[i]) * inverse[i], 0.0, 1.0)
    return jnp.minimum(filled / bins, _BELOW_ONE)


def _in_chunks(fn, arrays, max_batch: int):
    """``fn(*arrays)`` over the leading axis in chunks of at most ``max_batch`` (``lax.map``)."""
    n = arrays[0].shape[0]
    if n <= max_batch:
        return fn(*arrays)
    k = math.ceil(n / max_batch)
    size = math.ceil(n / k)
    padded = [jnp.pad(a, [(0, k * size - n)] + [(0, 0)] * (a.ndim - 1)) for a in arrays]
    stacked = [a.reshape((k, size) + a.shape[1:]) for a in padded]
    out = jax.lax.map(lambda xs: fn(*xs), stacked)
    return jax.tree.map(lambda a: a.reshape((k * size,) + a.shape[2:])[:n], out)


def _weights(model):
    """``(trainable, non_trainable)`` values of ``model`` (jit arguments, not constants)."""
    return (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
    )


def _forward_fn(model, max_batch: int) -> Callable:
    """``f(weights, images (N, 28, 28)) -> outputs (N, 10)``: the model's pure forward."""

    def once(weights, x):
        out, _ = model.stateless_call(weights[0], weights[1], x, training=False)
        return out[:, :10]

    return lambda weights, x: _in_chunks(lambda c: once(weights, c), [x], max_batch)


def _offer(state, images, outputs, rank, targets, active):
    """Keep each unit's candidate of highest ``rank`` if it raises the target output.

    Args:
        images: ``(U, p, 784)``; outputs: ``(U, p, 10)``; rank: ``(U, p)``; targets,
            active: ``(U,)``.

    Returns:
        ``(U,)`` bool: units whose best improved (state's ``best_*`` updated in place).
    """
    pick = jnp.argmax(rank, axis=1)
    out = jnp.take_along_axis(outputs, pick[:, None, None], axis=1)[:, 0]
    image = jnp.take_along_axis(images, pick[:, None, None], axis=1)[:, 0]
    conf = jnp.take_along_axis(out, targets[:, None], axis=1)[:, 0]
    better = (conf > state["best_conf"]) & active
    state["best_conf"] = jnp.where(better, conf, state["best_conf"])
    state["best_out"] = jnp.where(better[:, None], out, state["best_out"])
    state["best_image"] = jnp.where(better[:, None], image, state["best_image"])
    return better


def _offer_start(state, images, outputs, targets, threshold: float) -> None:
    """Record each run's starting image ``(U, 784)`` with its outputs ``(U, 10)`` as its best
    (its first evaluation) and end the runs it already takes to ``threshold``."""
    n = len(targets)
    _offer(state, images[:, None], outputs[:, None], jnp.zeros((n, 1)), targets, jnp.ones(n, bool))
    converged = state["best_conf"] >= threshold
    state["status"] = jnp.where(converged, CONVERGED, state["status"])


def _end_by_threshold(state, threshold: float, steps: int, active):
    """``Method._end_by_threshold``: converged at ``threshold``, out of budget after
    ``steps`` steps (``state``'s ``iteration`` and ``status`` updated in place)."""
    state["iteration"] = state["iteration"] + active
    done = state["best_conf"] >= threshold
    spent = ~done & (state["iteration"] >= steps)
    status = jnp.where(active & done, CONVERGED, state["status"])
    state["status"] = jnp.where(active & spent, BUDGET, status)


def _start_best(n: int) -> dict:
    """The per-run best-so-far fields of ``Method._start``, for ``n`` runs."""
    return dict(
        best_image=jnp.zeros((n, PIXELS), jnp.float32),
        best_out=jnp.zeros((n, 10), jnp.float32),
        best_conf=jnp.full(n, -jnp.inf, jnp.float32),
        status=jnp.full(n, ACTIVE, jnp.int32),
        iteration=jnp.zeros(n, jnp.int32),
    )


def _run_data(targets: np.ndarray) -> tuple[dict, np.ndarray]:
    """One unit per run: ``(data, slot_run (n, 1))``."""
    n = len(targets)
    data = dict(uid=np.arange(n, dtype=np.uint32), target=targets.astype(np.int32))
    return data, np.arange(n)[:, None]


def _best_result(state: dict) -> dict:
    """What a run returns by default (``Method.result``): its best image."""
    n = len(state["best_conf"])
    return dict(
        images=state["best_image"],
        outputs=state["best_out"],
        cost=np.full(n, np.nan),
        attempts=np.ones(n, np.int64),
    )


class _Impl:
    """A method on the device. Subclasses define ``setup``, ``init``, ``step``, ``result``.

    ``init(params, seeds, data) -> (state, spent)`` and ``step(params, seeds, key, state) ->
    (state, spent)`` get each unit's generation seed ``(U, 2)`` (see :func:`_words`) and the
    search's key data ``(2,)``; they keep ``status`` and ``best_conf`` (``(U,)``, or
    ``(U, S)`` for S runs per unit) and spend ``spent`` evaluations per active run (a number
    or ``(U,)``). ``setup(method, targets) -> (data, slot_run (U, S))`` gives the constant
    per-unit fields and the run in each slot (-1: none); ``result(host state)`` what each
    run returns. Only the parameters in ``fields`` shape the compiled program.
    """

    fields: tuple[str, ...] = ()  # the method's parameters that shape the compiled program
    slotted = False  # True where a unit holds several runs (arrays ``(U, S, ...)``)

    def __init__(self, method, model, *, max_batch: int):
        self.method = method
        self.forward = _forward_fn(model, max_batch)
        self.params = _weights(model)

    @classmethod
    def static_key(cls, method) -> tuple:
        return tuple(getattr(method, f) for f in cls.fields)

    def setup(self, method, targets):
        return _run_data(targets)

    def result(self, state: dict) -> dict:
        return _best_result(state)


# --------------------------------------------------------------------------- genetic


class _Genetic(_Impl):
    """:class:`~.genetic.Genetic` (``genetic``, ``genetic_prior``, ``genetic_prior_intended``)."""

    fields = ("population", "selected", "mutate_factor", "max_iter", "max_attempts", "prior")

    def setup(self, method, targets):
        data, slot_run = _run_data(targets)
        data["tol"] = _per_digit(method.tol, targets).astype(np.float32)
        if method.prior is not None:
            hist = np.stack([method.stats[t].histogram for t in targets])
            data["cum"] = np.cumsum(hist, axis=1).astype(np.float32)
            sx, sy = cost_stats(method.stats, targets, variant=method.prior)
            data["stats_x"], data["stats_y"] = sx.astype(np.float32), sy.astype(np.float32)
        return data, slot_run

    def init(self, params, keys, data):
        m, n = self.method, len(data["uid"])
        state = dict(
            data,
            parents=jnp.zeros((n, m.selected, PIXELS), jnp.float32),
            parent_cost=jnp.zeros((n, m.selected), jnp.float32),
            parent_out=jnp.zeros((n, m.selected, 10), jnp.float32),
            generation=jnp.zeros(n, jnp.int32),
            attempts=jnp.ones(n, jnp.int32),
            fresh=jnp.ones(n, bool),
            best_conf=jnp.full(n, -jnp.inf, jnp.float32),
            status=jnp.full(n, ACTIVE, jnp.int32),
        )
        return self.step(params, keys, None, state)

    def step(self, params, keys, key, state):
        m = self.method
        n, p, s = len(keys), m.population, m.selected
        rate = jnp.minimum(0.5, 0.01 * state["parent_cost"][:, 0] * m.mutate_factor)
        cum = state.get("cum", jnp.zeros((n, 0), jnp.float32))
        children = jax.vmap(self._breed)(keys, state["parents"], rate, state["fresh"], cum)
        outputs = self.forward(params, children.reshape(n * p, 28, 28)).reshape(n, p, 10)
        cost = self._cost(state, children, outputs)
        keep = jax.lax.top_k(-cost, s)[1]  # (n, s) lowest cost first
        state["parents"] = jnp.take_along_axis(children, keep[..., None], axis=1)
        state["parent_cost"] = jnp.take_along_axis(cost, keep, axis=1)
        state["parent_out"] = jnp.take_along_axis(outputs, keep[..., None], axis=1)
        state["generation"] = jnp.where(state["fresh"], 0, state["generation"] + 1)
        state["fresh"] = jnp.zeros_like(state["fresh"])
        conf = jnp.take_along_axis(state["parent_out"][:, 0], state["target"][:, None], 1)
        state["best_conf"] = jnp.maximum(state["best_conf"], conf[:, 0])
        self._settle(state)
        return state, p

    def _breed(self, key, parents, rate, fresh, cum):
        """One run's ``(population, 784)`` children of its ``parents`` ``(selected, 784)``:
        uniform crossover of two distinct parents, each pixel redrawn with probability
        ``rate`` (every pixel when ``fresh``) from the histogram ``cum`` ``(bins,)`` (uniform
        when ``bins == 0``)."""
        p, s = self.method.population, self.method.selected
        i1 = _below(_words(key, (p,), 1), s)
        i2 = (i1 + 1 + _below(_words(key, (p,), 2), s - 1)) % s
        bits = _words(key, (p, PIXELS))
        coin, u = _coin(bits), _uniform(bits)
        cross = jnp.where(coin, parents[i1], parents[i2])
        rate = jnp.where(fresh, 1.0, rate)
        w = _rescaled(u, rate)
        new = w if cum.shape[-1] == 0 else _histogram_pixels(w, cum)
        return jnp.where(fresh | (u < rate), new, cross)

    def _cost(self, state, children, outputs):
        """The post's cost ``(U, p)``: L1 to the one-hot target, + the variogram term."""
        onehot = jax.nn.one_hot(state["target"], 10, dtype=jnp.float32)
        cost = jnp.abs(outputs - onehot[:, None, :]).sum(axis=2)
        if self.method.prior is None:
            return cost
        this_x, this_y = variogram_terms(children, published=self.method.prior == "published")
        gap = jnp.abs(state["stats_x"][:, None] - this_x) + jnp.abs(
            state["stats_y"][:, None] - this_y
        )
        return cost + gap.sum(axis=2) / N_LAGS

    def _settle(self, state) -> None:
        """The Rcpp's stop test and the driver's retry loop (``Genetic._settle``)."""
        m = self.method
        active = state["status"] == ACTIVE
        converged = active & (state["parent_cost"][:, 0] < state["tol"])
        timed_out = active & ~converged & (state["generation"] >= m.max_iter - 1)
        last = timed_out & (state["attempts"] >= m.max_attempts)
        again = timed_out & ~last
        status = jnp.where(converged, CONVERGED, state["status"])
        state["status"] = jnp.where(last, BUDGET, status)
        state["attempts"] = state["attempts"] + again
        state["fresh"] = again

    def result(self, state):
        n = len(state["status"])
        pick = np.where(state["status"] == CONVERGED, 0, self.method.selected - 1)
        rows = np.arange(n)
        return dict(
            images=state["parents"][rows, pick],
            outputs=state["parent_out"][rows, pick],
            cost=state["parent_cost"][rows, pick],
            attempts=state["attempts"],
        )


def variogram_terms(images, *, published: bool):
    """Seed 000's ``this_g_x``, ``this_g_y`` of images ``(..., 784)``: ``(..., 14)`` each.

    ``published``: lag-1 differences over the first ``27 - k`` columns (rows) for every lag k,
    as the Rcpp does; else lag-k differences (intended). ``x`` runs across the image.
    """
    x = images.reshape(images.shape[:-1] + (28, 28))
    if published:
        # Column (row) sums of the lag-1 differences, added up line by line: elementwise adds
        # run 6x faster than a reduction over the short axis with XLA on the CPU.
        across = sum(jnp.abs(x[..., r, 1:] - x[..., r, :-1]) for r in range(28))  # (..., 27)
        step = jnp.abs(jnp.diff(x, axis=-2))  # (..., 27, 28)
        down = sum(step[..., :, c] for c in range(28))
        across, down = jnp.cumsum(across, axis=-1), jnp.cumsum(down, axis=-1)
        k = np.arange(N_LAGS)
        scale = (28.0 * (27 - k)).astype(np.float32)
        return across[..., 26 - k] / scale, down[..., 26 - k] / scale
    return _lag_means(x), _lag_means(jnp.swapaxes(x, -1, -2))


def _lag_means(x):
    """``(..., 14)`` mean |x[r, c + k] - x[r, c]| of images ``x`` ``(..., 28, 28)``, k = 1..14
    (one gather of the 14 shifted copies: quick to compile)."""
    k = np.arange(1, N_LAGS + 1)[:, None]
    j = np.arange(28)[None, :]
    shifted = x[..., np.minimum(k + j, 27)]  # (..., 28, 14, 28)
    weight = ((k + j < 28) / (28.0 * (28 - k))).astype(np.float32)  # (14, 28)
    return (jnp.abs(shifted - x[..., None, :]).sum(axis=-3) * weight).sum(axis=-1)


# --------------------------------------------------------------------------- hill climbing


class _HillClimb(_Impl):
    """:class:`~.hillclimb.HillClimb`: candidates ``clip(base + mask)``; the best replaces the base
    when it raises the target output; stuck after ``patience`` iterations without."""

    fields = ("candidates", "density", "amplitude", "steps", "threshold", "patience")

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n), stalled=jnp.zeros(n, jnp.int32))
        state["base"] = jnp.zeros((n, PIXELS), jnp.float32)  # the blank base image
        out = jnp.broadcast_to(self.forward(params, jnp.zeros((1, 28, 28))), (n, 10))
        _offer_start(state, state["base"], out, data["target"], self.method.threshold)
        return state, 1

    def step(self, params, keys, key, state):
        m = self.method
        n, c = len(keys), m.candidates
        active = state["status"] == ACTIVE
        cand = jax.vmap(self._perturb)(keys, state["base"])  # (n, c, 784)
        outputs = self.forward(params, cand.reshape(n * c, 28, 28)).reshape(n, c, 10)
        conf = jnp.take_along_axis(outputs, state["target"][:, None, None], axis=2)[..., 0]
        better = _offer(state, cand, outputs, conf, state["target"], active)
        state["base"] = jnp.where(better[:, None], state["best_image"], state["base"])
        state["stalled"] = jnp.where(better, 0, state["stalled"] + 1)
        _end_by_threshold(state, m.threshold, m.steps, active)
        stuck = (state["status"] == ACTIVE) & (state["stalled"] >= m.patience)
        state["status"] = jnp.where(stuck, STUCK, state["status"])
        return state, c

    def _perturb(self, key, base):
        """One run's ``(candidates, 784)``: each pixel moved with probability ``density`` by
        a value uniform in ``[-amplitude, amplitude]``, clipped to [0, 1]."""
        m = self.method
        u = _uniform(_words(key, (m.candidates, PIXELS)))
        delta = m.amplitude * (2.0 * _rescaled(u, m.density) - 1.0)
        moved = jnp.clip(base + delta, 0.0, 1.0)
        return jnp.where(u < m.density, moved, base)


# --------------------------------------------------------------------------- square search


def log_odds(outputs, targets):
    """``(...)`` log(p / (1 − p)) of each target output; ``outputs`` ``(..., 10)``, ``targets``
    broadcastable to ``(...)``."""
    p = jnp.take_along_axis(outputs, targets[..., None], axis=-1)[..., 0]
    tiny = np.finfo(np.float32).tiny
    return jnp.log(jnp.maximum(p, tiny)) - jnp.log(jnp.maximum(1.0 - p, tiny))


class _SquareSearch(_Impl):
    """:class:`~.square_search.SquareSearch`: one random black or white square per candidate; the
    best candidate is kept when it raises the target's log-odds."""

    fields = ("candidates", "square", "min_square", "shrink_over", "steps", "threshold")

    def __init__(self, method, model, *, max_batch: int):
        super().__init__(method, model, max_batch=max_batch)
        m = method
        t = np.arange(m.steps + 1)
        side = np.round(m.square * np.sqrt(np.maximum(0.0, 1 - t / m.shrink_over)))
        self.side = np.maximum(m.min_square, side).astype(np.int32)  # the numpy path's schedule

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n))
        state["x"] = jax.vmap(lambda k: _uniform(_words(k, (PIXELS,))))(keys)  # uniform noise
        out = self.forward(params, state["x"].reshape(n, 28, 28))
        _offer_start(state, state["x"], out, data["target"], self.method.threshold)
        state["score"] = log_odds(out, data["target"])
        return state, 1

    def step(self, params, keys, key, state):
        m = self.method
        n, c = len(keys), m.candidates
        active = state["status"] == ACTIVE
        side = jnp.asarray(self.side)[jnp.minimum(state["iteration"], m.steps)]
        cand = jax.vmap(self._squares)(keys, state["x"], side)  # (n, c, 784)
        out = self.forward(params, cand.reshape(n * c, 28, 28)).reshape(n, c, 10)
        score = log_odds(out, state["target"][:, None])  # (n, c)
        best = jnp.argmax(score, axis=1)
        top = jnp.take_along_axis(score, best[:, None], axis=1)[:, 0]
        better = active & (top > state["score"])
        chosen = jnp.take_along_axis(cand, best[:, None, None], axis=1)[:, 0]
        state["x"] = jnp.where(better[:, None], chosen, state["x"])
        state["score"] = jnp.where(better, top, state["score"])
        _offer(state, cand, out, score, state["target"], active)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, c

    def _squares(self, key, x, side):
        """One run's ``(candidates, 784)``: ``x`` with a ``side``-pixel square set to 0 or 1
        at a uniform position."""
        c = self.method.candidates
        top = _below(_words(key, (c, 2), 1), 29 - side)
        value = _coin(_words(key, (c,), 2)).astype(jnp.float32)
        r = jnp.arange(28)
        rows = (r >= top[:, :1]) & (r < top[:, :1] + side)  # (c, 28)
        cols = (r >= top[:, 1:]) & (r < top[:, 1:] + side)
        inside = (rows[:, :, None] & cols[:, None, :]).reshape(c, PIXELS)
        return jnp.where(inside, value[:, None], x)


# --------------------------------------------------------------------------- gradients


def _gaussian_kernel(sigma: float, radius: int) -> np.ndarray:
    """scipy's ``gaussian_filter1d`` kernel ``(2 radius + 1,)`` (truncate 4), zero-padded."""
    own = int(4.0 * sigma + 0.5)
    x = np.arange(-own, own + 1)
    phi = np.exp(-0.5 / sigma**2 * x**2)
    out = np.zeros(2 * radius + 1)
    out[radius - own : radius + own + 1] = phi / phi.sum()
    return out


def _blur(x, kernel):
    """Images ``x`` ``(U, 28, 28)`` filtered by the separable ``kernel`` ``(2R + 1,)`` along
    both image axes, with scipy's "reflect" border (``jnp.pad`` "symmetric")."""
    radius = (kernel.shape[0] - 1) // 2
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = jnp.pad(x, pad, mode="symmetric")
        parts = [
            jax.lax.slice_in_dim(padded, j, j + 28, axis=axis) * kernel[j]
            for j in range(2 * radius + 1)
        ]
        x = sum(parts[1:], parts[0])
    return x


class _GradientStart(_Impl):
    """Gradient methods: from uniform noise, score it, converge at once at ``threshold``."""

    def init(self, params, keys, data):
        n = len(data["uid"])
        state = dict(data, **_start_best(n))
        state["x"] = jax.vmap(lambda k: _uniform(_words(k, (PIXELS,))))(keys)
        out = self.forward(params, state["x"].reshape(n, 28, 28))
        _offer_start(state, state["x"], out, data["target"], self.method.threshold)
        return state, 1


class _Gradient(_GradientStart):
    """:class:`~.gradient.Gradient`: seed 000's descent on Nielsen's cross-entropy, fixed step."""

    fields = ("learning_rate", "steps", "threshold")

    def __init__(self, method, model, *, max_batch: int):
        super().__init__(method, model, max_batch=max_batch)
        eps = 1e-7

        def total(x, onehot, weights):
            out, _ = model.stateless_call(weights[0], weights[1], x, training=False)
            p = jnp.clip(out[:, :10], eps, 1 - eps)
            loss = -(onehot * jnp.log(p) + (1 - onehot) * jnp.log(1 - p)).sum()
            return loss, out[:, :10]

        grad = jax.value_and_grad(total, has_aux=True)

        def run(weights, x, onehot):
            (_, out), g = grad(x, onehot, weights)
            return out, g

        self.gradient = lambda w, x, onehot: _in_chunks(
            lambda a, b: run(w, a, b), [x, onehot], max_batch
        )

    def step(self, params, keys, key, state):
        m = self.method
        n = len(keys)
        active = state["status"] == ACTIVE
        onehot = jax.nn.one_hot(state["target"], 10, dtype=jnp.float32)
        out, grad = self.gradient(params, state["x"].reshape(n, 28, 28), onehot)
        _offer(state, state["x"][:, None], out[:, None], jnp.zeros((n, 1)), state["target"], active)
        x = jnp.clip(state["x"] - m.learning_rate * grad.reshape(n, PIXELS), 0.0, 1.0)
        state["x"] = x
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, 2


class _GradientSign(_GradientStart):
    """:class:`~.gradient_sign.GradientSign` (``gradient_sign``, ``gradient_prior``): signed
    ascent on log p(target) (the logit for sigmoid outputs), then L2 decay, blur and jitter.

    The step size, the regularisers' weight and the blur kernel at step t are tables computed
    on the host in float64, as the numpy path computes them; the jitter shift of step t is
    one draw shared by all runs (as there).
    """

    fields = (
        "step_size",
        "decay",
        "steps",
        "threshold",
        "l2",
        "blur_every",
        "blur_sigma",
        "jitter",
        "reg_decay",
    )

    def __init__(self, method, model, *, max_batch: int):
        import keras

        from ..core.models import with_logits

        super().__init__(method, model, max_batch=max_batch)
        split = with_logits(model)
        activation = model.get_layer("out").activation
        softmax = activation is keras.activations.softmax

        def total(x, targets, weights):
            (_, logits), _ = split.stateless_call(weights[0], weights[1], x, training=False)
            picked = jnp.take_along_axis(logits, targets[:, None], axis=1)[:, 0]
            value = picked - jax.nn.logsumexp(logits, axis=1) if softmax else picked
            return value.sum(), logits

        grad = jax.value_and_grad(total, has_aux=True)

        def run(weights, x, targets):
            (_, logits), g = grad(x, targets, weights)
            return jnp.asarray(activation(logits))[:, :10], g

        self.gradient = lambda w, x, t: _in_chunks(lambda a, b: run(w, a, b), [x, t], max_batch)
        self.params = (self.params, _weights(split))
        self._tables()

    def _tables(self) -> None:
        """Per step t: step length, L2 factor, blur on/off and kernel (float64 on the host)."""
        m = self.method
        t = np.arange(m.steps + 1)
        weight = m.reg_decay**t
        self.step_len = (m.step_size * m.decay**t).astype(np.float32)
        self.l2_factor = (1 - m.l2 * weight).astype(np.float32)
        self.radius = int(4.0 * m.blur_sigma + 0.5) if m.blur_every else 0
        on = np.zeros(len(t), bool)
        if m.blur_every:
            on = (t % m.blur_every == 0) & (weight > 1e-3)
        self.blur_on = on
        kernels = np.zeros((len(t), 2 * self.radius + 1))
        kernels[:, self.radius] = 1.0
        for i in np.flatnonzero(on):
            kernels[i] = _gaussian_kernel(m.blur_sigma * weight[i], self.radius)
        self.kernels = kernels.astype(np.float32)

    def init(self, params, keys, data):
        return super().init(params[0], keys, data)

    def step(self, params, keys, key, state):
        m = self.method
        n = len(keys)
        active = state["status"] == ACTIVE
        # Active runs share their step count t (as on the numpy path): one scalar.
        t = jnp.minimum(jnp.max(jnp.where(active, state["iteration"], 0)), m.steps)
        x = state["x"].reshape(n, 28, 28)
        dy = dx = jnp.int32(0)
        if m.jitter:  # one shift per step for every run, as on the numpy path
            words = _words(_seeds(key ^ np.uint32(0xFFFFFFFF), t), (2,))
            dy, dx = _below(words, 2 * m.jitter + 1) - m.jitter
        still = (dy == 0) & (dx == 0)
        seen = jnp.roll(x, (dy, dx), axis=(1, 2)) if m.jitter else x
        out, grad = self.gradient(params[1], seen, state["target"])
        rank = jnp.zeros((n, 1))
        _offer(state, state["x"][:, None], out[:, None], rank, state["target"], active & still)
        grad = jnp.roll(grad, (-dy, -dx), axis=(1, 2)) if m.jitter else grad
        x = jnp.clip(x + jnp.asarray(self.step_len)[t] * jnp.sign(grad), 0.0, 1.0)
        x = self._regularise(x, t)
        state["x"] = x.reshape(n, PIXELS)
        if m.jitter:  # jittered outputs are not x's own: score the new image
            out = jax.lax.cond(
                still,
                lambda: jnp.zeros((n, 10), jnp.float32),
                lambda: self.forward(params[0], x),
            )
            moved = active & ~still
            _offer(state, state["x"][:, None], out[:, None], rank, state["target"], moved)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, 2 + (~still).astype(jnp.int32)

    def _regularise(self, x, t):
        """``GradientSign._regularise`` at step ``t`` of images ``x`` ``(U, 28, 28)``."""
        if self.method.l2:
            x = x * jnp.asarray(self.l2_factor)[t]
        if self.method.blur_every:
            kernel = jnp.asarray(self.kernels)[t]
            x = jax.lax.cond(jnp.asarray(self.blur_on)[t], lambda: _blur(x, kernel), lambda: x)
        return jnp.clip(x, 0.0, 1.0)


# --------------------------------------------------------------------------- MAP-Elites


class _MapElites(_Impl):
    """:class:`map_elites.MapElites`: a unit is a replicate, its ten slots the runs of its
    classes (cell ``(replicate, class)``); the archive row lives on the device.

    Each generation every searching replicate mutates ``batch_size`` elites chosen uniformly
    among its (after the random start, always ten) cells; each class's best offspring
    replaces that cell's elite when its output is strictly higher (pyribs' rule).
    """

    fields = ("batch_size", "mutation_rate", "eta", "halve_every", "steps", "threshold")
    slotted = True

    def setup(self, method, targets):
        rep = replicate_index(targets)
        units = int(rep.max()) + 1
        slot_run = np.full((units, 10), -1, np.int64)
        slot_run[rep, targets] = np.arange(len(targets))
        data = dict(uid=np.arange(units, dtype=np.uint32), valid=slot_run >= 0)
        return data, slot_run

    def init(self, params, keys, data):
        m = self.method
        r, b = len(keys), m.batch_size
        children = jax.vmap(lambda k: _uniform(_words(k, (b, PIXELS))))(keys)  # (r, b, 784)
        outputs = self.forward(params, children.reshape(r * b, 28, 28)).reshape(r, b, 10)
        state = dict(
            data,
            elites=jnp.zeros((r, 10, PIXELS), jnp.float32),
            elite_obj=jnp.full((r, 10), -jnp.inf, jnp.float32),
            elite_out=jnp.zeros((r, 10, 10), jnp.float32),
            asked=jnp.ones(r, jnp.int32),  # the emitter's generation counter
            best_image=jnp.zeros((r, 10, PIXELS), jnp.float32),
            best_out=jnp.zeros((r, 10, 10), jnp.float32),
            best_conf=jnp.full((r, 10), -jnp.inf, jnp.float32),
            iteration=jnp.zeros((r, 10), jnp.int32),
        )
        self._tell(state, children, outputs)
        valid = data["valid"]
        self._read(state, valid)
        converged = state["best_conf"] >= m.threshold
        state["status"] = jnp.where(valid, jnp.where(converged, CONVERGED, ACTIVE), BUDGET)
        return state, b

    def step(self, params, keys, key, state):
        m = self.method
        r, b = len(keys), m.batch_size
        active = state["status"] == ACTIVE  # (r, 10)
        state["asked"] = state["asked"] + 1
        rate = m.mutation_rate * 0.5 ** (state["asked"] // m.halve_every).astype(jnp.float32)
        children = jax.vmap(self._mutate)(keys, state["elites"], rate)
        outputs = self.forward(params, children.reshape(r * b, 28, 28)).reshape(r, b, 10)
        self._tell(state, children, outputs)
        self._read(state, active)
        _end_by_threshold(state, m.threshold, m.steps, active)
        return state, b

    def _mutate(self, key, elites, rate):
        """One replicate's ``(batch_size, 784)`` offspring: uniformly chosen elites of its
        ``(10, 784)`` cells, each pixel mutated with probability ``rate`` by Deb's polynomial
        mutation (as :func:`map_elites.polynomial_mutation`)."""
        m = self.method
        parents = elites[_below(_words(key, (m.batch_size,), 1), 10)]
        u = _uniform(_words(key, (m.batch_size, PIXELS)))
        w = _rescaled(u, rate)
        low = w < 0.5
        base = jnp.where(low, 2 * w, 2 * (1 - w))
        step = jnp.exp(jnp.log(base) * (1.0 / (m.eta + 1.0)))  # base ** power, 2x as fast
        delta = jnp.where(low, step - 1, 1 - step)
        return jnp.clip(parents + jnp.where(u < rate, delta, 0.0), 0.0, 1.0)

    def _tell(self, state, children, outputs) -> None:
        """Each class's best offspring ``(r, b, ...)`` replaces its cell's elite if higher."""
        best = jnp.argmax(outputs, axis=1)  # (r, 10) offspring index per class
        out = jnp.take_along_axis(outputs, best[..., None], axis=1)  # (r, 10, 10)
        image = jnp.take_along_axis(children, best[..., None], axis=1)  # (r, 10, 784)
        objective = jnp.diagonal(out, axis1=1, axis2=2)  # (r, 10)
        better = objective > state["elite_obj"]
        state["elite_obj"] = jnp.where(better, objective, state["elite_obj"])
        state["elite_out"] = jnp.where(better[..., None], out, state["elite_out"])
        state["elites"] = jnp.where(better[..., None], image, state["elites"])

    def _read(self, state, active) -> None:
        """The runs ``active`` ``(r, 10)`` take their cell's elite as their best."""
        state["best_conf"] = jnp.where(active, state["elite_obj"], state["best_conf"])
        state["best_out"] = jnp.where(active[..., None], state["elite_out"], state["best_out"])
        state["best_image"] = jnp.where(active[..., None], state["elites"], state["best_image"])

    def result(self, state):
        shape = state["best_conf"].shape
        return dict(
            images=state["best_image"],
            outputs=state["best_out"],
            cost=np.full(shape, np.nan),
            attempts=np.ones(shape, np.int64),
        )


# --------------------------------------------------------------------------- registry


def _impl_class(method):
    """The device implementation of ``method`` (its registry entry's ``device``), or None."""
    name = device_name(method)
    return None if name is None else globals()[name]


__all__ = ["device_supported", "log_odds", "run_search_device", "variogram_terms"]
