"""Ours: signed-gradient ascent on log p(target), with optional decaying image regularisers
(``gradient_sign``, ``gradient_prior``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...base import Method


@dataclass(kw_only=True)
class GradientSign(Method):
    """Ours: signed-gradient ascent on log p(target) (the logit for sigmoid outputs) from
    uniform noise, pixels in [0, 1], with optional image regularisers (``gradient_prior``).

    Step t moves every pixel by ``step_size · decay^t`` in the direction of the gradient's
    sign. The regularisers act on the image after each step, as in Yosinski et al. (2015):
    an L2 decay towards the black background, a Gaussian blur every ``blur_every`` steps, and a
    random shift (``jitter``) of the image the gradient is taken at; their weight is
    multiplied by ``reg_decay`` every step, so the ascent alone finishes the run.
    """

    step_size: float
    decay: float
    steps: int
    threshold: float
    # the regularisers (off where the config leaves them out: their defaults are in params.yaml)
    l2: float
    blur_every: int
    blur_sigma: float
    jitter: int
    reg_decay: float

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
