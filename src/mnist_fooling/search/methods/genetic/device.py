"""The genetic search on the device (seed 000's and the post's, with or without the prior),
with its building blocks: the variogram terms and the histogram's pixels."""

from __future__ import annotations

import numpy as np

from ...base import _per_digit
from ...device._jax import jax, jnp
from ...device.base import PIXELS, _Impl, _run_data
from ...device.streams import _BELOW_ONE, _below, _coin, _rescaled, _uniform, _words
from ...engine import ACTIVE, BUDGET, CONVERGED
from .prior import N_LAGS, cost_stats


class _Genetic(_Impl):
    """:class:`~.host.Genetic` (``genetic``, ``genetic_prior``,
    ``genetic_prior_intended``)."""

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
