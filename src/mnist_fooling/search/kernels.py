"""Compiled (numba) variation operators: one pass over the pixels per generation, no Python loop.

Randomness is counter-based: each child draws from its own splitmix64 stream, keyed by the
generation's seed (from the run's ``np.random.Generator``) and the child's position, so the
result does not depend on how many threads numba uses. The laws are those of the sources:
uniform crossover is one fair coin per pixel, and mutation is one Bernoulli(rate) draw per
pixel, sampled by geometric skips between mutated pixels (the same law at a cost proportional
to the pixels that mutate).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

PIXELS = 784
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_TO_UNIT24 = 1.0 / 16777216.0  # 2**-24: float32's resolution in [0.5, 1)
_TO_UNIT32 = 1.0 / 4294967296.0  # 2**-32
_LOW24 = np.uint64(0xFFFFFF)


@njit(inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(inline="always")
def _next(state):
    """``(state, 64 random bits)``: splitmix64."""
    state = state + _GOLDEN
    return state, _mix(state)


@njit(inline="always")
def _uniform(state):
    """``(state, u)`` with u uniform in [0, 1)."""
    state, bits = _next(state)
    # Through int64: a signed conversion is one instruction, an unsigned one a branchy sequence.
    return state, float(np.int64(bits >> np.uint64(11))) * _TO_UNIT


@njit(inline="always")
def _stream(seed, key):
    """The starting state of stream ``key`` of a generation with ``seed``."""
    return _mix(seed ^ _mix(np.uint64(key) * _GOLDEN + np.uint64(1)))


@njit(inline="always")
def _pixel(state, cum):
    """``(state, value)``: a pixel from a cumulative histogram (the post's ``histo_rand``), or
    uniform in [0, 1) when ``cum`` is empty.

    One 64-bit draw: its high 32 bits pick the bin, its low 24 the place within the bin (the
    float32 pixel's own resolution), so a pixel costs one step of the generator, not two.
    """
    state, bits = _next(state)
    v = float(np.int64(bits & _LOW24)) * _TO_UNIT24
    bins = cum.shape[0]
    if bins == 0:
        return state, v
    u = float(np.int64(bits >> np.uint64(32))) * _TO_UNIT32
    # The first bin whose cumulative share exceeds u, counted without a branch per bin (a
    # search that stops early mispredicts on nearly every pixel).
    b = 0
    for i in range(bins - 1):
        b += u >= cum[i]
    return state, (b + v) / bins


@njit(inline="always")
def _skip(state, log_keep):
    """``(state, gap)``: pixels to pass over before the next mutated one (geometric law)."""
    state, u = _uniform(state)
    return state, int(math.floor(math.log(1.0 - u) / log_keep))


def breed(parents, rows, rates, cum, fresh, seed, out) -> None:
    """Children of each run's selected parents, as seed 000's Rcpp makes them.

    Args:
        parents: ``(runs, selected, 784)`` float32, each run's selected images.
        rows: ``(m,)`` int64, the run of each output row.
        rates: ``(m,)`` float64, per-pixel mutation probability of each run.
        cum: ``(m, bins)`` float64 cumulative histograms of new pixel values (``bins == 0``:
            uniform in [0, 1)).
        fresh: ``(m,)`` bool, runs that start a new attempt: all pixels drawn anew.
        seed: uint64, this generation's seed.
        out: ``(m, population, 784)`` float32 C-contiguous, filled with the children.
    """
    bits, out_bits = parents.view(np.uint32), out.view(np.uint32)
    _split(
        len(rows),
        lambda a, b: _breed(parents, bits, rows, rates, cum, fresh, seed, out, out_bits, a, b),
    )


@njit(cache=True, nogil=True)
def _breed(parents, bits_of, rows, rates, cum, fresh, seed, out, out_bits, lo, hi):
    population = out.shape[1]
    selected = parents.shape[1]
    for k in range(lo, hi):
        r = rows[k]
        rate = rates[k]
        ck = cum[k]
        log_keep = math.log1p(-rate) if 0.0 < rate < 1.0 else 0.0
        for j in range(population):
            state = _stream(seed, k * population + j)
            if fresh[k]:
                _draw_all(out[k, j], ck, state)
                continue
            # Two distinct parents, uniformly (the Rcpp redraws i2 until it differs from i1).
            state, u = _uniform(state)
            i1 = int(u * selected)
            state, u = _uniform(state)
            i2 = (i1 + 1 + int(u * (selected - 1))) % selected
            state = _crossover(bits_of[r, i1], bits_of[r, i2], out_bits[k, j], state)
            if rate >= 1.0:
                _draw_all(out[k, j], ck, state)
            elif rate > 0.0:
                _mutate(out[k, j], ck, state, log_keep)


# The three parts of a child are functions of their own: inlined into one loop, the draw of a
# fresh child ran five times slower than alone (LLVM optimised the merged loop worse).
@njit(cache=True, nogil=True)
def _draw_all(child, cum, state):
    """Every pixel of ``child`` drawn anew (a fresh child, or mutation rate 1)."""
    for p in range(child.shape[0]):
        state, child[p] = _pixel(state, cum)
    return state


@njit(cache=True, nogil=True)
def _crossover(a, b, child, state):
    """Uniform crossover on the float bits: each pixel from ``a`` or ``b`` by a fair coin."""
    pixels = child.shape[0]
    full = pixels - pixels % 64
    for w in range(0, full, 64):
        state, coin = _next(state)
        # Fixed-length loops over each 32-bit half of the coin: LLVM vectorises these (a loop
        # ending at min(w + 64, pixels), shifting the 64-bit coin, it did not: 4.4x slower).
        _select32(a, b, child, w, np.uint32(coin & np.uint64(0xFFFFFFFF)))
        _select32(a, b, child, w + 32, np.uint32(coin >> np.uint64(32)))
    if full < pixels:  # the last pixels, from the low bits of one more coin
        state, coin = _next(state)
        for p in range(full, pixels):
            heads = np.uint32((coin >> np.uint64(p - full)) & np.uint64(1))
            child[p] = b[p] ^ ((np.uint32(0) - heads) & (a[p] ^ b[p]))
    return state


@njit(inline="always")
def _select32(a, b, child, w, coin):
    """Pixels ``w .. w + 31`` of ``child`` from ``a`` where bit q of ``coin`` is set, else ``b``."""
    for q in range(32):
        # Branch-free select: b ^ (all-ones if heads) & (a ^ b).
        heads = (coin >> np.uint32(q)) & np.uint32(1)
        child[w + q] = b[w + q] ^ ((np.uint32(0) - heads) & (a[w + q] ^ b[w + q]))


@njit(cache=True, nogil=True)
def _mutate(child, cum, state, log_keep):
    """Each pixel redrawn with probability 1 - exp(``log_keep``), by geometric skips."""
    pixels = child.shape[0]
    state, gap = _skip(state, log_keep)
    p = gap
    while p < pixels:
        state, child[p] = _pixel(state, cum)
        state, gap = _skip(state, log_keep)
        p += gap + 1
    return state


def perturb(base, rows, density, amplitude, seed, out) -> None:
    """Seed 003's candidates: the base plus a random mask, clipped to [0, 1].

    A mask perturbs each pixel with probability ``density`` by a value uniform in
    ``[-amplitude, amplitude]``.

    Args:
        base: ``(runs, 784)`` float32 base images; rows: ``(m,)`` the run of each output row.
        density, amplitude: float; seed: uint64.
        out: ``(m, candidates, 784)`` float32, filled with the candidates.
    """
    _split(len(rows), lambda a, b: _perturb(base, rows, density, amplitude, seed, out, a, b))


@njit(cache=True, nogil=True)
def _perturb(base, rows, density, amplitude, seed, out, lo, hi):
    candidates, pixels = out.shape[1], out.shape[2]
    log_keep = math.log1p(-density) if density < 1.0 else 0.0
    for k in range(lo, hi):
        b = base[rows[k]]
        for j in range(candidates):
            state = _stream(seed, k * candidates + j)
            cand = out[k, j]
            for p in range(pixels):
                cand[p] = b[p]
            p = 0
            if density < 1.0:
                state, p = _skip(state, log_keep)
            while p < pixels:
                state, u = _uniform(state)
                v = cand[p] + amplitude * (2.0 * u - 1.0)
                cand[p] = min(1.0, max(0.0, v))
                if density < 1.0:
                    state, gap = _skip(state, log_keep)
                    p += gap + 1
                else:
                    p += 1


def variogram_cost(images, stats_x, stats_y, rows, published) -> np.ndarray:
    """Seed 000's ``vario_cost`` of images ``(n, 28, 28)``, in float64.

    Args:
        images: ``(n, 28, 28)`` float32; stats_x, stats_y: ``(runs, lags)`` statistics each
            image is compared with; rows: ``(n,)`` the run of each image.
        published: the Rcpp as published (lag-1 differences over the first ``27 - k``
            columns / rows for every lag k) or, if False, lag-k differences (intended).

    Returns:
        ``(n,)`` float64: ``(1/lags) Σ_k |stats_x[k] - this_x[k]| + |stats_y[k] - this_y[k]|``
        with ``this_x`` across the image and ``this_y`` down it.
    """
    out = np.empty(len(images))
    _split(
        len(images),
        lambda a, b: _variogram(images, stats_x, stats_y, rows, published, out, a, b),
    )
    return out


@njit(cache=True, nogil=True)
def _variogram(images, stats_x, stats_y, rows, published, out, lo, hi):
    lags = stats_x.shape[1]
    for i in range(lo, hi):
        x = images[i].astype(np.float64)
        out[i] = _vario_one(x, stats_x[rows[i]], stats_y[rows[i]], lags, published)


@njit(cache=True, nogil=True)
def _vario_one(x, stats_x, stats_y, lags, published):
    """One image's ``vario_cost`` (see :func:`variogram_cost`)."""
    across = np.empty(28)
    down = np.empty(28)
    prefix_x = np.empty(27)
    prefix_y = np.empty(27)
    # Element-wise accumulators (not scalar sums): the loops vectorise without reordering
    # any floating-point sum, so the result does not depend on the CPU.
    total = 0.0
    if published:
        across[:] = 0.0
        for a in range(28):  # across[j]: Σ_rows |x[., j + 1] - x[., j]|
            for j in range(27):
                across[j] += abs(x[a, j + 1] - x[a, j])
        sx = 0.0
        sy = 0.0
        for j in range(27):
            for a in range(28):  # this row pair's lag-1 differences
                down[a] = abs(x[j + 1, a] - x[j, a])
            sx += across[j]
            sy += down.sum()
            prefix_x[j] = sx
            prefix_y[j] = sy
        # Lag k (0-based) sums the first 27 - k lag-1 columns (rows), as the Rcpp does.
        for k in range(lags):
            this_x = prefix_x[26 - k] / (28.0 * (27 - k))
            this_y = prefix_y[26 - k] / (28.0 * (27 - k))
            total += abs(stats_x[k] - this_x) + abs(stats_y[k] - this_y)
    else:
        for k in range(1, lags + 1):
            across[:] = 0.0
            down[:] = 0.0
            for a in range(28):
                for j in range(28 - k):
                    across[j] += abs(x[a, j + k] - x[a, j])
            for j in range(28 - k):
                for a in range(28):
                    down[a] += abs(x[j + k, a] - x[j, a])
            this_x = across.sum() / (28.0 * (28 - k))
            this_y = down.sum() / (28.0 * (28 - k))
            total += abs(stats_x[k - 1] - this_x) + abs(stats_y[k - 1] - this_y)
    return total / lags


def l1_cost(outputs, targets) -> np.ndarray:
    """Seed 000's cost without the prior: the L1 distance of each output to its one-hot target.

    The same float64 value as ``np.abs(outputs - onehot).sum(axis=2, dtype=np.float64)``, bit
    for bit (numpy's pairwise order for ten terms), in one pass and no temporaries.

    Args:
        outputs: ``(m, population, 10)`` float32; targets: ``(m,)`` int64, each row's digit.

    Returns:
        ``(m, population)`` float64.
    """
    if outputs.shape[2] != 10:
        raise ValueError(f"l1_cost needs ten outputs per image, got {outputs.shape[2]}")
    return _l1_cost(outputs, targets)


@njit(cache=True, nogil=True)
def _l1_cost(outputs, targets):
    m, population = outputs.shape[0], outputs.shape[1]
    cost = np.empty((m, population))
    a = np.empty(10)
    for k in range(m):
        t = targets[k]
        for j in range(population):
            for i in range(10):
                # |output - one-hot| in float32 as numpy computes it, then widened.
                a[i] = np.float64(abs(outputs[k, j, i] - np.float32(1.0 if i == t else 0.0)))
            # numpy's pairwise sum of ten: eight in a tree, then the last two in turn.
            tree = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
            cost[k, j] = tree + a[8] + a[9]
    return cost


def keep_best(children, outputs, cost, rows, parents, parent_cost, parent_out) -> None:
    """Seed 000's selection: each run keeps its ``selected`` lowest-cost children, best first.

    Ties go to the earlier child, as a stable sort orders them. One pass, no temporaries: the
    sort and three fancy-index gathers it replaces took a tenth of a generation on the MLP.

    Args:
        children: ``(m, population, 784)`` float32; outputs: ``(m, population, 10)`` float32;
            cost: ``(m, population)`` float64; rows: ``(m,)`` int64, the run of each row.
        parents: ``(runs, selected, 784)``; parent_cost: ``(runs, selected)``;
            parent_out: ``(runs, selected, 10)``: the rows ``rows`` are overwritten.
    """
    _keep_best(children, outputs, cost, rows, parents, parent_cost, parent_out)


@njit(cache=True, nogil=True)
def _keep_best(children, outputs, cost, rows, parents, parent_cost, parent_out):
    population, s = cost.shape[1], parents.shape[1]
    keep = np.empty(s, np.int64)
    for k in range(len(rows)):
        n = 0  # children kept so far, ascending cost
        for j in range(population):
            c = cost[k, j]
            if n == s and not c < cost[k, keep[s - 1]]:
                continue
            i = n if n < s else s - 1  # an empty slot, or the worst kept child's
            while i > 0 and c < cost[k, keep[i - 1]]:  # strict: equal costs stay in order
                keep[i] = keep[i - 1]
                i -= 1
            keep[i] = j
            n = min(n + 1, s)
        r = rows[k]
        for i in range(s):
            parents[r, i, :] = children[k, keep[i]]
            parent_cost[r, i] = cost[k, keep[i]]
            parent_out[r, i, :] = outputs[k, keep[i]]


def aligned_empty(shape: tuple[int, ...], dtype=np.float32, *, align: int = 64) -> np.ndarray:
    """An uninitialised C-contiguous array starting on an ``align``-byte boundary.

    TensorFlow takes such a float32 array without copying it (DLPack, see
    :func:`mnist_fooling.core.backend.compiled_forward`); numpy's own arrays are 16-byte aligned,
    and the copy TensorFlow makes of them cost a third of the MLP's forward pass.
    """
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    raw = np.empty(size + align, np.uint8)
    start = (-raw.ctypes.data) % align
    return raw[start : start + size].view(dtype).reshape(shape)


def generation_seed(rng: np.random.Generator) -> np.uint64:
    """A generation's kernel seed, drawn from the run's generator (so runs stay reproducible)."""
    return np.uint64(rng.integers(0, 2**63, dtype=np.int64))


def threads() -> int:
    """Threads the kernels run in: every core this process may use."""
    return max(1, len(os.sched_getaffinity(0)))


_POOL: ThreadPoolExecutor | None = None


def _split(n: int, work) -> None:
    """Run ``work(lo, hi)`` on :func:`threads` contiguous ranges of ``range(n)`` at once."""
    parts = min(threads(), max(1, n // 16))  # a few rows are not worth a thread
    if parts == 1:
        work(0, n)
        return
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(threads())
    bounds = np.linspace(0, n, parts + 1).astype(int)
    for f in [_POOL.submit(work, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]:
        f.result()
