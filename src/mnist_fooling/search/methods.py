"""Search methods. Each keeps per-run state; ``init``/``step`` score whole populations at once.

Faithful to a source (DESIGN.md, "The fooling engine"):

- ``genetic_prior``, ``genetic_prior_intended``: seed 000's Rcpp ``kinda_genetic_digit`` as its R
  driver ran it (stop when the cost is below ``tol``, ``max_iter`` generations per attempt,
  retry until converged), with the digit's pixel histogram and the variogram cost as published
  (C15) or as intended.
- ``genetic``: the same loop without the prior (uniform pixels, L1 cost): our reconstruction of
  the post's earlier, unpublished version.
- ``hillclimb``: seed 003's: a blank base, random masks *added* to it, keep the best candidate.
- ``gradient``: seed 000's gradient descent on the input from a random image (Nielsen's cost).
- ``map_elites``: Nguyen et al. (2015)'s direct-encoding MAP-Elites (``map_elites.py``).

Ours, named as ours: ``gradient_sign`` (signed-gradient ascent on log p(target)),
``gradient_prior`` (the same with image regularisers whose weight decays) and
``square_search`` (a greedy black-box search with black or white squares).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..names import METHODS  # noqa: F401  (re-exported)
from . import kernels
from .engine import ACTIVE, BUDGET, CONVERGED, STUCK
from .prior import cost_stats


class Method:
    """Per-run status and best-so-far bookkeeping shared by all methods."""

    shared_evaluations = False  # True where the runs of a replicate share forward passes

    def _start(self, targets: np.ndarray) -> None:
        n = len(targets)
        self.targets = targets
        self.onehot = np.eye(10, dtype=np.float32)[targets]
        self.best_image = np.zeros((n, 28, 28), np.float32)
        self.best_out = np.zeros((n, 10), np.float32)
        self.best_conf = np.full(n, -np.inf, np.float32)
        self.status = np.full(n, ACTIVE, np.int8)
        self.iteration = np.zeros(n, np.int64)

    def _offer(
        self, idx: np.ndarray, images: np.ndarray, outputs: np.ndarray, rank: np.ndarray
    ) -> np.ndarray:
        """Keep each run's candidate with the highest ``rank`` if its confidence is higher.

        Args:
            idx: ``(m,)`` runs; images: ``(m, p, 28, 28)``; outputs: ``(m, p, 10)``;
            rank: ``(m, p)`` the method's own preference (higher is better).

        Returns:
            ``(m,)`` bool: runs whose best improved.
        """
        pick = rank.argmax(axis=1)
        rows = np.arange(len(idx))
        out = outputs[rows, pick]
        conf = out[rows, self.targets[idx]]
        better = conf > self.best_conf[idx]
        self.best_conf[idx[better]] = conf[better]
        self.best_out[idx[better]] = out[better]
        self.best_image[idx[better]] = images[rows, pick][better].reshape(-1, 28, 28)
        return better

    def _start_from_noise(self, targets: np.ndarray, scorer, rng, threshold: float) -> int:
        """Each run starts from an image of uniform noise, scored once; returns 1 evaluation."""
        self._start(targets)
        n = len(targets)
        self.x = rng.random((n, 28, 28), dtype=np.float32)
        out = scorer.forward(self.x)
        self._offer(np.arange(n), self.x[:, None], out[:, None], np.zeros((n, 1)))
        self.status[self.best_conf >= threshold] = CONVERGED
        return 1

    def _end_by_threshold(self, idx: np.ndarray, threshold: float, steps: int) -> None:
        """Runs at ``threshold`` converged; runs that took ``steps`` steps are out of budget."""
        self.iteration[idx] += 1
        done = self.best_conf[idx] >= threshold
        self.status[idx[done]] = CONVERGED
        spent = ~done & (self.iteration[idx] >= steps)
        self.status[idx[spent]] = BUDGET

    def result(self) -> dict:
        """What each run returns: by default its best image."""
        n = len(self.targets)
        return dict(
            images=self.best_image.copy(),
            outputs=self.best_out.copy(),
            cost=np.full(n, np.nan),
            attempts=np.ones(n, np.int64),
        )


def _per_digit(value, targets: np.ndarray) -> np.ndarray:
    """``(n,)`` a number for every run, from one number or a list of ten (one per digit)."""
    values = np.asarray(value, dtype=np.float64)
    if values.ndim == 0:
        return np.full(len(targets), float(values))
    if values.shape != (10,):
        raise ValueError(f"a per-digit value needs one number or ten, got {values.shape[0]}")
    return values[targets]


@dataclass
class Genetic(Method):
    """Seed 000's genetic-ish algorithm and its R driver, one run per image wanted.

    Each generation the ``selected`` lowest-cost images are kept; ``population`` children are
    made by uniform crossover of two distinct kept images, each pixel then redrawn with
    probability min(0.5, 0.01 · best cost · ``mutate_factor``). An attempt stops when the best
    cost is below ``tol`` (returning that image) or after ``max_iter`` generations have been
    checked (returning the ``selected``-th best, as the Rcpp's ``selected[0]``); the driver
    then starts a new attempt, at most ``max_attempts`` in all.
    """

    population: int = 100
    selected: int = 5
    mutate_factor: float = 1.0
    tol: float | list = 1e-4
    max_iter: int = 100
    max_attempts: int = 1
    prior: str | None = None  # None, "published" or "intended"
    stats: list | None = None  # DigitStats per digit, needed with a prior
    chunk: int = 100  # runs scored in one forward batch (chunk × population images)
    _buffer: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.selected < 2 or self.population < self.selected:
            raise ValueError("genetic: need 2 <= selected <= population")
        if self.max_iter < 1 or self.max_attempts < 1:
            raise ValueError("genetic: max_iter and max_attempts must be at least 1")
        if self.prior is not None and self.stats is None:
            raise ValueError("genetic: a prior needs the digits' training statistics")

    def init(self, targets, scorer, rng):
        self._start(targets)
        n, s = len(targets), self.selected
        self.tol_of = _per_digit(self.tol, targets)
        if self.prior is None:
            self.cum = np.zeros((n, 0))
        else:
            self.cum = np.cumsum(np.stack([self.stats[t].histogram for t in targets]), axis=1)
            self.stats_x, self.stats_y = cost_stats(self.stats, targets, variant=self.prior)
        self.parents = np.zeros((n, s, 784), np.float32)  # each run's kept images, best first
        self.parent_cost = np.zeros((n, s))
        self.parent_out = np.zeros((n, s, 10), np.float32)
        self.generation = np.zeros(n, np.int64)  # index of the checked generation, per attempt
        self.attempts = np.ones(n, np.int64)
        self.fresh = np.ones(n, bool)  # the next generation starts a new attempt
        return self.step(np.arange(n), scorer, rng)

    def step(self, idx, scorer, rng):
        for lo in range(0, len(idx), self.chunk):
            self._generation(idx[lo : lo + self.chunk], scorer, rng)
        self._settle(idx)
        return self.population

    def _children(self, rows: np.ndarray, rng) -> np.ndarray:
        """``(m, population, 784)`` the next generation of runs ``rows`` (or a new one)."""
        m = len(rows)
        if self._buffer is None or len(self._buffer) < m:
            self._buffer = kernels.aligned_empty((m, self.population, 784))
        children = self._buffer[:m]
        rate = np.minimum(0.5, 0.01 * self.parent_cost[rows, 0] * self.mutate_factor)
        seed = kernels.generation_seed(rng)
        kernels.breed(self.parents, rows, rate, self.cum[rows], self.fresh[rows], seed, children)
        return children

    def _cost(self, rows, children, outputs) -> np.ndarray:
        """The post's cost ``(m, population)``: L1 to the one-hot target, + variogram term."""
        cost = kernels.l1_cost(outputs, self.targets[rows])
        if self.prior is not None:
            m, p = cost.shape
            image_run = np.repeat(np.arange(m), p)
            cost += kernels.variogram_cost(
                children.reshape(-1, 28, 28),
                self.stats_x[rows],
                self.stats_y[rows],
                image_run,
                self.prior == "published",
            ).reshape(m, p)
        return cost

    def _generation(self, rows, scorer, rng) -> None:
        m = len(rows)
        children = self._children(rows, rng)
        outputs = scorer.forward(children.reshape(-1, 28, 28)).reshape(m, self.population, 10)
        cost = self._cost(rows, children, outputs)
        kernels.keep_best(
            children, outputs, cost, rows, self.parents, self.parent_cost, self.parent_out
        )
        self.generation[rows] = np.where(self.fresh[rows], 0, self.generation[rows] + 1)
        self.fresh[rows] = False
        conf = self.parent_out[rows, 0][np.arange(m), self.targets[rows]]
        self.best_conf[rows] = np.maximum(self.best_conf[rows], conf)

    def _settle(self, idx) -> None:
        """The Rcpp's stop test on each checked generation, and the driver's retry loop."""
        converged = self.parent_cost[idx, 0] < self.tol_of[idx]
        self.status[idx[converged]] = CONVERGED
        timed_out = idx[~converged & (self.generation[idx] >= self.max_iter - 1)]
        # The image a timed-out attempt returns (selected[0], the s-th best) never has a cost
        # below tol, so the driver always retries, here up to max_attempts.
        last = self.attempts[timed_out] >= self.max_attempts
        self.status[timed_out[last]] = BUDGET
        again = timed_out[~last]
        self.attempts[again] += 1
        self.fresh[again] = True

    def result(self) -> dict:
        rows = np.arange(len(self.targets))
        # Converged: the best image; timed out: the Rcpp's selected[0], the s-th best.
        pick = np.where(self.status == CONVERGED, 0, self.selected - 1)
        return dict(
            images=self.parents[rows, pick].reshape(-1, 28, 28).copy(),
            outputs=self.parent_out[rows, pick].copy(),
            cost=self.parent_cost[rows, pick].copy(),
            attempts=self.attempts.copy(),
        )


@dataclass
class HillClimb(Method):
    """Seed 003's hill climbing: candidates = clip(base + random mask); the best candidate
    replaces the base when it raises the target output (else the base is kept).

    A mask perturbs each pixel with probability ``density`` by a value uniform in
    ``[-amplitude, amplitude]``. A run ends at ``threshold`` (converged), after ``patience``
    iterations without improvement (stuck in a local optimum) or after ``steps`` iterations.
    """

    candidates: int = 500
    density: float = 0.02
    amplitude: float = 0.5
    steps: int = 60
    threshold: float = 0.99
    patience: int = 20
    chunk: int = 20  # runs scored in one forward batch

    def __post_init__(self):
        if not 0 < self.density <= 1 or not 0 < self.amplitude <= 1:
            raise ValueError("hillclimb: density and amplitude must lie in (0, 1]")
        if self.patience < 1 or self.steps < 1:
            raise ValueError("hillclimb: steps and patience must be at least 1")

    def init(self, targets, scorer, rng):
        self._start(targets)
        n = len(targets)
        self.base = np.zeros((n, 784), np.float32)  # the blank base image
        self.stalled = np.zeros(n, np.int64)
        outputs = scorer.forward(self.base).reshape(n, 1, 10)
        self._offer(np.arange(n), self.base[:, None], outputs, np.zeros((n, 1)))
        self.status[self.best_conf >= self.threshold] = CONVERGED
        return 1

    def step(self, idx, scorer, rng):
        for lo in range(0, len(idx), self.chunk):
            rows = idx[lo : lo + self.chunk]
            m = len(rows)
            cand = kernels.aligned_empty((m, self.candidates, 784))
            seed = kernels.generation_seed(rng)
            kernels.perturb(self.base, rows, self.density, self.amplitude, seed, cand)
            outputs = scorer.forward(cand.reshape(-1, 28, 28)).reshape(m, self.candidates, 10)
            conf = outputs[np.arange(m), :, self.targets[rows]]  # (m, candidates)
            better = self._offer(rows, cand, outputs, conf)
            self.base[rows[better]] = self.best_image[rows[better]].reshape(-1, 784)
            self.stalled[rows] = np.where(better, 0, self.stalled[rows] + 1)
        self._end_by_threshold(idx, self.threshold, self.steps)
        stuck = (self.status[idx] == ACTIVE) & (self.stalled[idx] >= self.patience)
        self.status[idx[stuck]] = STUCK
        return self.candidates


@dataclass
class Gradient(Method):
    """Seed 000's gradient descent on the input (weights frozen): Nielsen's cross-entropy,
    a fixed step, pixels clipped to [0, 1]; a run returns the best image it met."""

    learning_rate: float = 0.1
    steps: int = 300
    threshold: float = 0.9999

    def init(self, targets, scorer, rng):
        return self._start_from_noise(targets, scorer, rng, self.threshold)

    def step(self, idx, scorer, rng):
        x = self.x[idx]
        out, grad = scorer.gradient(x, self.onehot[idx])
        self._offer(idx, x[:, None], out[:, None], np.zeros((len(idx), 1)))
        self.x[idx] = np.clip(x - self.learning_rate * grad, 0.0, 1.0)
        self._end_by_threshold(idx, self.threshold, self.steps)
        return 2  # a forward and a backward pass


@dataclass
class GradientSign(Method):
    """Ours: signed-gradient ascent on log p(target) (the logit for sigmoid outputs) from
    uniform noise, pixels in [0, 1], with optional image regularisers (``gradient_prior``).

    Step t moves every pixel by ``step_size · decay^t`` in the direction of the gradient's
    sign. The regularisers act on the image after each step, as in Yosinski et al. (2015):
    an L2 decay towards the black background, a Gaussian blur every ``blur_every`` steps, and a
    random shift (``jitter``) of the image the gradient is taken at; their weight is
    multiplied by ``reg_decay`` every step, so the ascent alone finishes the run.
    """

    step_size: float = 0.1
    decay: float = 0.95
    steps: int = 50
    threshold: float = 0.9999
    l2: float = 0.0
    blur_every: int = 0
    blur_sigma: float = 0.5
    jitter: int = 0
    reg_decay: float = 1.0

    def init(self, targets, scorer, rng):
        return self._start_from_noise(targets, scorer, rng, self.threshold)

    def step(self, idx, scorer, rng):
        t = int(self.iteration[idx[0]])  # active runs share their step count
        x = self.x[idx]
        dy, dx = rng.integers(-self.jitter, self.jitter + 1, 2) if self.jitter else (0, 0)
        out, grad = scorer.target_gradient(np.roll(x, (dy, dx), axis=(1, 2)), self.targets[idx])
        if not (dy or dx):  # the outputs belong to x itself
            self._offer(idx, x[:, None], out[:, None], np.zeros((len(idx), 1)))
        grad = np.roll(grad, (-dy, -dx), axis=(1, 2))
        x = np.clip(x + self.step_size * self.decay**t * np.sign(grad), 0.0, 1.0)
        x = self._regularise(x, t)
        self.x[idx] = x
        evaluations = 2
        if dy or dx:  # jittered outputs are not x's own: score the new image
            out = scorer.forward(x)
            self._offer(idx, x[:, None], out[:, None], np.zeros((len(idx), 1)))
            evaluations += 1
        self._end_by_threshold(idx, self.threshold, self.steps)
        return evaluations

    def _regularise(self, x: np.ndarray, t: int) -> np.ndarray:
        weight = self.reg_decay**t
        if self.l2:
            x = x * (1 - self.l2 * weight)
        if self.blur_every and t % self.blur_every == 0 and weight > 1e-3:
            from scipy.ndimage import gaussian_filter

            x = gaussian_filter(x, sigma=(0, self.blur_sigma * weight, self.blur_sigma * weight))
        return np.clip(x, 0.0, 1.0).astype(np.float32)


def log_odds(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(n,)`` log(p / (1 − p)) of each target output, in float64 (fine near 1)."""
    p = outputs[np.arange(len(targets)), targets].astype(np.float64)
    return np.log(np.maximum(p, 1e-300)) - np.log(np.maximum(1.0 - p, 1e-300))


@dataclass
class SquareSearch(Method):
    """Ours: a greedy black-box search with black or white squares, using only the outputs.

    From uniform noise, each step proposes ``candidates`` copies of each run's image with one
    random square set to 0 or 1 (an adaptation of Andriushchenko et al.'s Square Attack,
    2020, to a search from noise without a norm bound) and keeps the best if it raises the
    target's log-odds. The square's side shrinks from ``square`` to ``min_square`` pixels as
    sqrt(1 − t / ``shrink_over``).
    """

    candidates: int = 2
    square: int = 6
    min_square: int = 1
    shrink_over: int = 2000
    steps: int = 2000
    threshold: float = 0.9999

    def __post_init__(self):
        if not 1 <= self.min_square <= self.square <= 28:
            raise ValueError("square_search: need 1 <= min_square <= square <= 28")

    def init(self, targets, scorer, rng):
        spent = self._start_from_noise(targets, scorer, rng, self.threshold)
        self.score = log_odds(self.best_out, targets)  # the start's outputs, kept by _offer
        return spent

    def step(self, idx, scorer, rng):
        m, c = len(idx), self.candidates
        t = int(self.iteration[idx[0]])  # active runs share their step count
        side = max(
            self.min_square, round(self.square * np.sqrt(max(0.0, 1 - t / self.shrink_over)))
        )
        cand = np.repeat(self.x[idx], c, axis=0)  # (m·c, 28, 28)
        top = rng.integers(0, 29 - side, (2, m * c))
        value = rng.integers(0, 2, m * c).astype(np.float32)
        span = np.arange(side)
        rows = (top[0][:, None] + span)[:, :, None]
        cols = (top[1][:, None] + span)[:, None, :]
        cand[np.arange(m * c)[:, None, None], rows, cols] = value[:, None, None]
        out = scorer.forward(cand).reshape(m, c, 10)
        score = log_odds(out.reshape(-1, 10), np.repeat(self.targets[idx], c)).reshape(m, c)
        best = score.argmax(axis=1)
        line = np.arange(m)
        better = score[line, best] > self.score[idx]
        keep = idx[better]
        self.x[keep] = cand.reshape(m, c, 28, 28)[line, best][better]
        self.score[keep] = score[line, best][better]
        self._offer(idx, cand.reshape(m, c, 28, 28), out, score)
        self._end_by_threshold(idx, self.threshold, self.steps)
        return c


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
    if name == "gradient":
        return Gradient(**params)
    if name in ("gradient_sign", "gradient_prior"):
        return GradientSign(**params)
    if name == "square_search":
        return SquareSearch(**params)
    if name == "map_elites":
        from .map_elites import MapElites

        return MapElites(**params)
    raise ValueError(f"unknown method {name!r}; expected one of {METHODS}")
