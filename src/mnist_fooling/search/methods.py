"""Search methods. Each keeps per-run state; ``init``/``step`` score whole populations at once.

- ``genetic``: seed 000's genetic-ish algorithm exactly (population 100, 5 selected, uniform
  crossover of two distinct parents, per-pixel mutation probability min(0.5, 0.01·cost·factor)
  resampling the pixel, clip; cost = L1 distance of the outputs to the one-hot target).
- ``genetic_prior``: the same with pixels from the digit's histogram and the variogram cost.
- ``hillclimb``: seed 003's: a blank base, random perturbation masks, keep the best candidate.
- ``gradient``: seed 000's gradient descent on the input from a random image.
- ``gradient_prior``: the same with L2 decay, total-variation and jitter regularisers.
- ``map_elites``: Nguyen et al. (2015)'s direct-encoding MAP-Elites (``map_elites.py``, pyribs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .prior import cost_stats, sample_pixels, variogram_cost


class Method:
    """Per-run best-so-far bookkeeping shared by all methods."""

    shared_evaluations = False  # True where the runs of a replicate share forward passes

    def _start(self, targets: np.ndarray) -> None:
        n = len(targets)
        self.targets = targets
        self.onehot = np.eye(10, dtype=np.float32)[targets]
        self.best_image = np.zeros((n, 28, 28), np.float32)
        self.best_out = np.zeros((n, 10), np.float32)
        self.best_conf = np.full(n, -np.inf, np.float32)

    def _offer(
        self, idx: np.ndarray, images: np.ndarray, outputs: np.ndarray, rank: np.ndarray
    ) -> None:
        """Keep each run's candidate with the highest ``rank`` if its confidence is higher.

        Args:
            idx: ``(m,)`` runs; images: ``(m, p, 28, 28)``; outputs: ``(m, p, 10)``;
            rank: ``(m, p)`` the method's own preference (higher is better).
        """
        pick = rank.argmax(axis=1)
        rows = np.arange(len(idx))
        out = outputs[rows, pick]
        conf = out[rows, self.targets[idx]]
        better = conf > self.best_conf[idx]
        self.best_conf[idx[better]] = conf[better]
        self.best_out[idx[better]] = out[better]
        self.best_image[idx[better]] = images[rows, pick][better]


@dataclass
class Genetic(Method):
    """Seed 000's genetic-ish algorithm; ``prior`` adds its natural-image statistics."""

    population: int = 100
    selected: int = 5
    mutate_factor: float = 1.0
    prior: str | None = None  # None, "published" or "intended"
    stats: list | None = None  # DigitStats per digit, needed with a prior

    def __post_init__(self):
        if self.selected < 2 or self.population < self.selected:
            raise ValueError("need 2 <= selected <= population")
        if self.prior is not None and self.stats is None:
            raise ValueError("a prior needs the digits' training statistics")

    def _new_pixels(self, idx, shape, rng):
        """Fresh pixels ``shape`` for runs ``idx`` (``shape[0] == len(idx)``)."""
        if self.prior is None:
            return rng.random(shape, dtype=np.float32)
        return sample_pixels(self.histograms[idx], shape, rng)

    def _cost(self, idx, images, outputs):
        """The post's cost ``(m, p)``: L1 to the one-hot target (+ variogram with a prior)."""
        cost = np.abs(outputs - self.onehot[idx][:, None, :]).sum(axis=2)
        if self.prior is not None:
            m, p = cost.shape
            sx = np.repeat(self.stats_x[idx], p, axis=0)
            sy = np.repeat(self.stats_y[idx], p, axis=0)
            cost = cost + variogram_cost(
                images.reshape(-1, 28, 28), sx, sy, variant=self.prior
            ).reshape(m, p)
        return cost

    def _evaluate(self, idx, images, scorer):
        m, p = images.shape[:2]
        outputs = scorer.forward(images.reshape(-1, 28, 28)).reshape(m, p, 10)
        self.pop[idx] = images
        self.cost[idx] = self._cost(idx, images, outputs)
        self._offer(idx, images, outputs, -self.cost[idx])
        return p

    def init(self, targets, scorer, rng):
        self._start(targets)
        n = len(targets)
        if self.prior is not None:
            self.histograms = np.stack([self.stats[t].histogram for t in targets])
            self.stats_x, self.stats_y = cost_stats(self.stats, targets, variant=self.prior)
        self.pop = np.zeros((n, self.population, 28, 28), np.float32)
        self.cost = np.zeros((n, self.population))
        idx = np.arange(n)
        return self._evaluate(idx, self._new_pixels(idx, self.pop.shape, rng), scorer)

    def step(self, idx, scorer, rng):
        m, p, s = len(idx), self.population, self.selected
        order = np.argsort(self.cost[idx], axis=1, kind="stable")[:, :s]  # (m, s) best first
        parents = self.pop[idx[:, None], order]  # (m, s, 28, 28)
        best_cost = self.cost[idx[:, None], order[:, :1]][:, 0]  # the post's |this_score|
        i1 = rng.integers(0, s, (m, p))
        i2 = (i1 + rng.integers(1, s, (m, p))) % s  # a distinct second parent
        rows = np.arange(m)[:, None]
        children = uniform_crossover(parents[rows, i1], parents[rows, i2], rng)
        rate = np.minimum(0.5, 0.01 * best_cost * self.mutate_factor)  # (m,)
        flat = children.reshape(m, -1)
        run, pixel = bernoulli_positions(rate, flat.shape[1], rng)
        flat[run, pixel] = self._new_pixels(idx[run], (len(run),), rng)
        np.clip(children, 0.0, 1.0, out=children)
        return self._evaluate(idx, children, scorer)


def uniform_crossover(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each pixel from ``a`` or ``b`` with probability 1/2; ``a`` is overwritten and returned.

    Args:
        a, b: contiguous float32 parents ``(m, p, 28, 28)``.

    One random bit per pixel, and an exact bitwise select ``b ^ (bit * (a ^ b))`` on the float
    bits (a boolean ``np.where`` is four times slower here).
    """
    if a.dtype != np.float32 or not a.flags.c_contiguous:
        raise ValueError("uniform_crossover needs contiguous float32 parents")
    m = a.shape[0]
    bits = np.unpackbits(rng.integers(0, 256, (m, a[0].size // 8), dtype=np.uint8), axis=1)
    out = a.view(np.uint32).reshape(m, -1)
    other = np.ascontiguousarray(b, dtype=np.float32).view(np.uint32).reshape(m, -1)
    out ^= other
    out *= bits
    out ^= other
    return a


def bernoulli_positions(
    rate: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``size`` pixels of each run mutate, each with its run's probability.

    Args:
        rate: ``(m,)`` per-run probabilities in [0, 1].

    Returns:
        ``(run, position)`` index arrays of the chosen pixels, in run order. The count per run
        is Binomial(size, rate) and, given the count, the positions are a uniform subset: the
        same law as one Bernoulli draw per pixel, at a cost proportional to the pixels chosen.
    """
    counts = rng.binomial(size, rate)
    if counts.max(initial=0) * 8 > size:  # dense: one uniform per pixel is cheaper
        return np.nonzero(rng.random((len(rate), size), dtype=np.float32) < rate[:, None])
    run = np.repeat(np.arange(len(rate)), counts)
    position = np.empty(len(run), np.int64)
    start = 0
    for k in counts:  # one vectorised draw per run, not per pixel
        position[start : start + k] = rng.choice(size, k, replace=False)
        start += k
    return run, position


@dataclass
class HillClimb(Method):
    """Seed 003's hill climbing: candidates = base + random mask; the best replaces the base."""

    candidates: int = 500
    mask_fraction: float = 0.02  # share of pixels each mask perturbs

    def init(self, targets, scorer, rng):
        self._start(targets)
        n = len(targets)
        self.base = np.zeros((n, 1, 28, 28), np.float32)  # blank base image
        outputs = scorer.forward(self.base.reshape(-1, 28, 28)).reshape(n, 1, 10)
        self._offer(np.arange(n), self.base, outputs, outputs[..., 0] * 0)
        return 1

    def step(self, idx, scorer, rng):
        m, p = len(idx), self.candidates
        mask = rng.random((m, p, 28, 28)) < self.mask_fraction
        values = rng.random((m, p, 28, 28), dtype=np.float32)
        cand = np.where(mask, values, self.base[idx])
        outputs = scorer.forward(cand.reshape(-1, 28, 28)).reshape(m, p, 10)
        conf = outputs[np.arange(m)[:, None], :, self.targets[idx][:, None]][:, 0]  # (m, p)
        before = self.best_conf[idx].copy()
        self._offer(idx, cand, outputs, conf)
        improved = self.best_conf[idx] > before  # no candidate better: keep the base (stuck)
        self.base[idx[improved], 0] = self.best_image[idx[improved]]
        return p


@dataclass
class Gradient(Method):
    """Gradient descent on the input (weights frozen); ``prior`` adds the usual regularisers."""

    learning_rate: float = 0.1
    l2: float = 0.0  # decay towards 0 per step
    tv: float = 0.0  # total-variation weight
    jitter: int = 0  # random shift (pixels) before each forward pass

    def init(self, targets, scorer, rng):
        self._start(targets)
        self.x = rng.random((len(targets), 28, 28), dtype=np.float32)  # a random image
        out = scorer.forward(self.x)
        idx = np.arange(len(targets))
        self._offer(idx, self.x[:, None], out[:, None], np.zeros((len(idx), 1)))
        return 1

    def step(self, idx, scorer, rng):
        x = self.x[idx]
        dy, dx = rng.integers(-self.jitter, self.jitter + 1, 2) if self.jitter else (0, 0)
        shifted = np.roll(x, (dy, dx), axis=(1, 2))
        out, grad = scorer.gradient(shifted, self.onehot[idx])
        grad = np.roll(grad, (-dy, -dx), axis=(1, 2))
        if self.tv:
            grad = grad + self.tv * tv_gradient(x)
        x = np.clip((1 - self.l2) * x - self.learning_rate * grad, 0.0, 1.0)
        self.x[idx] = x
        # The outputs belong to the (jittered) image just scored.
        self._offer(idx, shifted[:, None], out[:, None], np.zeros((len(idx), 1)))
        return 1


def tv_gradient(x: np.ndarray) -> np.ndarray:
    """Gradient of the anisotropic total variation Σ|x[i+1]-x[i]| of images ``(m, 28, 28)``."""
    g = np.zeros_like(x)
    for axis in (1, 2):
        s = np.sign(np.diff(x, axis=axis))
        pad_lo = [(0, 0)] * 3
        pad_hi = [(0, 0)] * 3
        pad_lo[axis], pad_hi[axis] = (1, 0), (0, 1)
        g += np.pad(s, pad_lo) - np.pad(s, pad_hi)
    return g


METHODS = (
    "gradient",
    "gradient_prior",
    "genetic",
    "genetic_prior",
    "genetic_prior_intended",
    "hillclimb",
    "map_elites",
)


def make_method(name: str, params: dict, *, stats=None) -> Method:
    """Build method ``name`` from its config section."""
    params = dict(params)
    if name == "genetic":
        return Genetic(**params)
    if name == "genetic_prior":  # the post's code as published (C15)
        return Genetic(**params, prior="published", stats=stats)
    if name == "genetic_prior_intended":  # lag k, matching axes
        return Genetic(**params, prior="intended", stats=stats)
    if name == "hillclimb":
        return HillClimb(**params)
    if name in ("gradient", "gradient_prior"):
        return Gradient(**params)
    if name == "map_elites":
        from .map_elites import MapElites

        return MapElites(**params)
    raise ValueError(f"unknown method {name!r}; expected one of {METHODS}")
