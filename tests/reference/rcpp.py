"""A literal, one-image-at-a-time transcription of seed 000's R and Rcpp: the reference.

Seed 000 ("My artificial neural networks are not human", 2015-11-12) searched for fooling images
of an MNIST network with a "genetic-ish" algorithm written in Rcpp. This module transcribes that
code line by line, with Python loops over pixels, lags and images and the post's variable names,
so that the vectorised code in ``mnist_fooling.search`` can be tested against it:

- ``digit_stats_r``: the R code computing ``digit_stats`` (``histo``, ``g_x``, ``g_y``);
- ``abs_cost``, ``get_this_cost``, ``top_index`` (Romain François's priority queue),
  ``histo_rand``, ``kinda_genetic_digit``: the Rcpp;
- ``run_driver``: the R driver (``while (j < num_to_create)``: keep if ``abs(this_cost) < tol``,
  else retry).

Conventions:

- Images are flat 784-vectors, row-major (pixel (r, c) at ``r*28 + c``), as in Nielsen's data and
  as the Rcpp indexes them (``input[i*num_cols + j]``). The R statistics code reads
  ``matrix(images$training[[j]], nrow=28, ncol=28)``, which R fills COLUMN by column: its
  ``this_image[r, c]`` is pixel (c, r). ``digit_stats_r`` keeps that reading (``r_matrix``), so
  its ``g_x`` (differences between R columns) runs DOWN the image and ``g_y`` across it, while
  the Rcpp's ``this_g_x`` runs across (``input[i*num_cols + j]`` vs ``j + 1``).
- Indices are 0-based (the Rcpp's are; the R code's ``[[i + 1]]`` becomes ``[i]``).
- Every ``R::runif(a, b)`` is one call of ``rng.runif(a, b)`` on an ``RUnif``, in the Rcpp's
  order.
- The network is a callable ``network(input784) -> output10``: the Rcpp's ``feed_forward``
  followed by reading the last layer's ``a``.
- ``no_prior=True`` is our reconstruction of the post's earlier, unpublished version: uniform
  pixels (``histo_rand`` becomes ``runif(0, 1)``) and cost = ``abs_cost`` only.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

NUM_PIXELS = 784  # the Rcpp reads it from network[0]["a"]


class RUnif:
    """R's ``R::runif(a, b)`` (nmath/runif.c) on ``np.random.default_rng(seed)``.

    ``a == b`` returns ``a`` without drawing; otherwise ``do u = unif_rand(); while (u <= 0 ||
    u >= 1); return a + (b - a) * u``. One uniform per call. The uniforms are read from blocks
    of ``rng.random(block)``, the same stream as successive scalar ``rng.random()`` calls (only
    faster); so do not draw from ``self.rng`` directly.
    """

    def __init__(self, seed=None, block: int = 4096):
        self.rng = np.random.default_rng(seed)
        self.block = block
        self._buf: list[float] = []
        self._pos = 0
        self.calls = 0  # uniforms consumed

    def unif_rand(self) -> float:
        if self._pos == len(self._buf):
            self._buf = self.rng.random(self.block).tolist()
            self._pos = 0
        u = self._buf[self._pos]
        self._pos += 1
        self.calls += 1
        return u

    def runif(self, a: float, b: float) -> float:
        if not (math.isfinite(a) and math.isfinite(b)) or b < a:
            raise ValueError(f"runif({a}, {b}): R returns NaN with a warning")
        if a == b:
            return a
        u = self.unif_rand()
        while u <= 0 or u >= 1:
            u = self.unif_rand()
        return a + (b - a) * u


def as_runif(rng) -> RUnif:
    """An ``RUnif`` as is, else ``RUnif(rng)`` (a seed or a ``np.random.Generator``)."""
    return rng if isinstance(rng, RUnif) else RUnif(rng)


# --------------------------------------------------------------------------------------------
# R: digit_stats
# --------------------------------------------------------------------------------------------


def r_seq(from_: float, to: float, by: float) -> list[float]:
    """R's ``seq(from, to, by=by)`` for ``by > 0`` (seq.default): ``pmin(from + (0:n)*by, to)``."""
    n = int((to - from_) / by + 1e-10)
    return [min(from_ + k * by, to) for k in range(n + 1)]


def r_matrix(v, nrow: int, ncol: int) -> list[list[float]]:
    """R's ``matrix(v, nrow, ncol)``, filled column by column: ``m[r][c] = v[c*nrow + r]``.

    With Nielsen's row-major images, ``m[r][c]`` is pixel (row c, column r): the transpose.
    """
    return [[float(v[c * nrow + r]) for c in range(ncol)] for r in range(nrow)]


def _r_divide(a: float, b: float) -> float:
    """R's ``a / b`` (IEEE: 0/0 is NaN, x/0 is ±Inf), for a digit with no training image."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def digit_stats_r(images_training, digits_training) -> dict:
    """Transcribes the post's R code computing ``digit_stats`` (``histo``, ``g_x``, ``g_y``).

    Args:
        images_training: sequence of flat row-major 784-vectors (R's ``images$training``).
        digits_training: their labels (R's ``digits$training``).

    Returns:
        ``{"histo": 10 x num_bins list, "g_x": 10 lists of 14, "g_y": 10 lists of 14}``, digit
        ``i`` at index ``i`` (R's ``histo[i + 1, ]``, ``g_x[[i + 1]]``).
    """
    num_lags = 14

    g_x = [None] * 10  # g_x = list(); length(g_x) = 10
    g_y = [None] * 10

    num_rows = 28
    num_cols = 28

    bins = r_seq(0.1, 1, by=0.1)
    num_bins = len(bins)

    histo = [[0.0] * num_bins for _ in range(10)]  # matrix(0, nrow=10, ncol=num_bins)

    for i in range(10):  # for (i in 0:9)
        this_i = [j for j in range(len(digits_training)) if digits_training[j] == i]  # which()
        ct = 0
        g_x[i] = [0.0] * num_lags  # numeric(num_lags)
        g_y[i] = [0.0] * num_lags
        for j in this_i:
            this_image = r_matrix(images_training[j], nrow=28, ncol=28)
            for k in range(1, num_lags + 1):  # for (k in 1:num_lags)
                # sum(abs(this_image[ , 1:(num_cols - k)] - this_image[ , (1 + k):num_cols]))
                total = 0.0
                for r in range(num_rows):
                    for c in range(num_cols - k):
                        total += abs(this_image[r][c] - this_image[r][c + k])
                g_x[i][k - 1] = g_x[i][k - 1] + total
                # sum(abs(this_image[1:(num_rows - k), ] - this_image[(1 + k):num_rows, ]))
                total = 0.0
                for r in range(num_rows - k):
                    for c in range(num_cols):
                        total += abs(this_image[r][c] - this_image[r + k][c])
                g_y[i][k - 1] = g_y[i][k - 1] + total
            this_histo = [0] * num_bins  # numeric(num_bins)
            # Cumulative distribution:
            for k in range(num_bins):  # for (k in seq_along(bins))
                # length(which(images$training[[j]] <= bins[k]))
                this_histo[k] = len([x for x in images_training[j] if x <= bins[k]])
            # Subtract off the previous cumulative distribution:
            for k in range(num_bins - 1, 0, -1):  # for (k in num_bins:2)
                this_histo[k] = this_histo[k] - this_histo[k - 1]
            histo[i] = [histo[i][b] + this_histo[b] for b in range(num_bins)]
            ct = ct + 1
        # g_x[[i + 1]] / (ct * num_rows * ((num_cols - 1):(num_cols - num_lags))), elementwise
        lags = range(1, num_lags + 1)
        g_x[i] = [_r_divide(g_x[i][k - 1], ct * num_rows * (num_cols - k)) for k in lags]
        g_y[i] = [_r_divide(g_y[i][k - 1], ct * num_cols * (num_rows - k)) for k in lags]
        histo[i] = [_r_divide(h, ct * 784) for h in histo[i]]

    return {"histo": histo, "g_x": g_x, "g_y": g_y}


# --------------------------------------------------------------------------------------------
# Rcpp: cost
# --------------------------------------------------------------------------------------------


def abs_cost(output, wanted_output) -> float:
    """Transcribes the Rcpp ``double abs_cost(output, wanted_output)``."""
    N = len(output)
    cost = 0.0
    for i in range(N):
        cost += abs(output[i] - wanted_output[i])
    return cost


def get_this_cost(input, wanted_output, histo, g_x, g_y, network, *, no_prior=False) -> float:
    """Transcribes the Rcpp ``double get_this_cost(input, wanted_output, histo, g_x, g_y, ...)``.

    ``histo`` is unused, as in the Rcpp. ``no_prior``: cost = ``abs_cost`` only (our
    reconstruction of the unpublished version).

    NB the Rcpp's variogram loops difference neighbours at lag 1 for every k (``j`` vs ``j + 1``)
    over the first ``num_cols - k - 1`` columns, and its ``this_g_x`` runs across the image while
    the R statistics' ``g_x`` runs down it (see the module docstring). Transcribed as published.
    """
    input = [float(x) for x in input]  # NumericVector input
    this_output_a = network(np.asarray(input, dtype=np.float64))  # network = feed_forward(...)
    lags_x = len(g_x)
    lags_y = len(g_y)
    this_output = [float(x) for x in np.asarray(this_output_a).ravel()]  # temp_list["a"]
    this_cost = abs_cost(this_output, wanted_output)
    if no_prior:
        return this_cost
    # Now the neighbouring-pixel values.
    vario_cost = 0.0
    vario_scale = 1.0 / float(lags_x)
    this_g_x = [0.0] * lags_x
    this_g_y = [0.0] * lags_y
    # Hard-coding the dimensions of the input image!
    num_rows = 28
    num_cols = 28
    for k in range(lags_x):
        this_g_x[k] = 0.0
        for i in range(num_rows):
            for j in range(num_cols - k - 1):
                this_g_x[k] += abs(input[i * num_cols + j] - input[i * num_cols + j + 1])
        this_g_x[k] /= float(num_rows * (num_cols - k - 1))
        vario_cost += vario_scale * abs(g_x[k] - this_g_x[k])
    for k in range(lags_y):
        this_g_y[k] = 0.0
        for i in range(num_cols):
            for j in range(num_rows - k - 1):
                this_g_y[k] += abs(input[j * num_cols + i] - input[(j + 1) * num_cols + i])
        this_g_y[k] /= float(num_cols * (num_rows - k - 1))
        vario_cost += vario_scale * abs(g_y[k] - this_g_y[k])
    return this_cost + vario_cost


# --------------------------------------------------------------------------------------------
# Rcpp: top_index (http://gallery.rcpp.org/articles/top-elements-from-vectors-using-priority-queue/)
# --------------------------------------------------------------------------------------------


class IndexComparator:
    """Transcribes ``IndexComparator<RTYPE>::operator()(int i, int j)``."""

    def __init__(self, data_):
        self.data = data_

    def __call__(self, i: int, j: int) -> bool:
        return self.data[i] > self.data[j] or (self.data[i] == self.data[j] and j > i)


class _HeapItem:
    """An index in the heap, ordered so that ``heapq``'s minimum is the comparator's largest.

    ``std::priority_queue<int, std::vector<int>, Compare>`` keeps at ``top()`` an element ``t``
    with ``!comp(t, x)`` for every other ``x``. ``heapq`` keeps the ``<``-smallest at ``[0]``, so
    ``a < b`` here is ``comp(b, a)``. The comparator is a strict total order on the indices
    (ties in data broken by index; no NaN), so the pop order is the same as std's.
    """

    __slots__ = ("i", "comparator")

    def __init__(self, i: int, comparator: IndexComparator):
        self.i = i
        self.comparator = comparator

    def __lt__(self, other: _HeapItem) -> bool:
        return self.comparator(other.i, self.i)


class IndexQueue:
    """Transcribes ``IndexQueue<RTYPE>``: a priority queue of indices under ``IndexComparator``.

    ``top()`` is the comparator-largest index: the smallest data value, among equal values the
    largest index. The queue thus holds the n largest values, among ties the smallest indices.
    """

    def __init__(self, data_):
        self.comparator = IndexComparator(data_)
        self.q: list[_HeapItem] = []
        self.data = data_

    def top(self) -> int:
        return self.q[0].i

    def as_integer_vector(self) -> list[int]:
        """``operator IntegerVector()``: pops everything, top first."""
        n = len(self.q)
        res = [0] * n
        for i in range(n):
            # +1 for 1-based R indexing [deleted -- DB.]
            res[i] = self.top()
            self.pop()
        return res

    def input(self, i: int) -> None:
        """``input(int i)`` as in the Rcpp gallery original: ``q.pop(); q.push(i)`` in the if.

        The post's listing shows only ``q.push(i)`` after the ``if`` (``input_as_posted``): the
        queue would then grow beyond n and ``best_few[N_selected - 1]`` would not be the best.
        We take the post's listing as a transcription slip and follow the original.
        """
        # if( data[ q.top() ] < data[i] ){
        if self.comparator(i, self.top()):
            self.pop()
            self.push(i)

    def input_as_posted(self, i: int) -> None:
        """``input(int i)`` exactly as the post prints it (no ``q.pop()``): for tests only."""
        if self.comparator(i, self.top()):
            self.push(i)

    def pop(self) -> None:
        heapq.heappop(self.q)

    def push(self, i: int) -> None:
        heapq.heappush(self.q, _HeapItem(i, self.comparator))


def top_index(v, n: int, *, as_posted: bool = False) -> list[int]:
    """Transcribes the Rcpp ``IntegerVector top_index(Vector<RTYPE> v, int n)``.

    Returns the indices of the ``n`` largest values of ``v``, the smallest of them first (among
    equal values the larger index first), so ``res[n - 1]`` is the first index of the maximum.
    ``as_posted``: the post's ``input`` without ``q.pop()`` (see ``IndexQueue.input``).
    """
    size = len(v)
    # not interesting case. Less data than n
    if size < n:
        return list(range(n))  # seq( 0, n-1 )
    q = IndexQueue(v)
    for i in range(n):
        q.push(i)
    for i in range(n, size):
        if as_posted:
            q.input_as_posted(i)
        else:
            q.input(i)
    return q.as_integer_vector()


# --------------------------------------------------------------------------------------------
# Rcpp: the genetic-ish algorithm
# --------------------------------------------------------------------------------------------


def histo_rand(cumul_histo, rng: RUnif) -> float:
    """Transcribes the Rcpp ``double histo_rand(NumericVector cumul_histo)``."""
    x = rng.runif(0.0, 1.0)
    num_bins = len(cumul_histo)
    for i in range(num_bins):
        if x < cumul_histo[i]:
            x1 = float(i) / float(num_bins)
            x2 = float(i + 1) / float(num_bins)
            return rng.runif(x1, x2)
    # Hopefully not.
    raise RuntimeError("Bad call to histo_rand().")  # Rcpp::stop(...)


def kinda_genetic_digit(
    wanted_output,
    histo,
    g_x,
    g_y,
    network,
    N_total: int = 100,
    N_selected: int = 10,
    max_iter: int = 1000,
    tol: float = 1.0e-5,
    mutate_factor: float = 1.0,
    *,
    rng,
    no_prior: bool = False,
    verbose: bool = False,
) -> tuple[np.ndarray, dict]:
    """Transcribes the Rcpp ``NumericVector kinda_genetic_digit(...)`` (defaults as there).

    Args:
        rng: an ``RUnif`` (or a seed for one): every ``R::runif``.
        no_prior: pixels from ``runif(0, 1)`` instead of ``histo_rand``, cost ``abs_cost`` only.
        verbose: ``Rprintf("Cost = %f at iter %d\\n", ...)``.

    Returns:
        ``(image, info)``: the 784-vector the Rcpp returns, and ``info`` (for tests) with
        ``iterations`` (breeding steps run: ``i`` at the tol return, else ``max_iter``),
        ``converged`` (returned from the tol test), ``this_score`` (the last checked best
        score, minus its cost) and ``evaluations`` (cost calls: ``N_total * (iterations + 1)``).
        On timeout the image is ``selected[0]``: the N_selected-th best of the last CHECKED
        generation (the generation bred in the last iteration is scored but never checked).
    """
    rng = as_runif(rng)
    if N_selected < 2:  # the do/while below would never end
        raise ValueError("N_selected must be at least 2 (the Rcpp loops forever)")
    num_pixels = NUM_PIXELS
    population = [None] * N_total  # List population(N_total)
    selected = [None] * N_selected  # List selected(N_selected)
    population_scores = [0.0] * N_total
    num_bins = len(histo)
    cumul_histo = [0.0] * num_bins
    cumul_histo[0] = histo[0]
    for i in range(1, num_bins):
        cumul_histo[i] = cumul_histo[i - 1] + histo[i]

    def new_pixel() -> float:
        return rng.runif(0.0, 1.0) if no_prior else histo_rand(cumul_histo, rng)

    def cost(image) -> float:
        return get_this_cost(image, wanted_output, histo, g_x, g_y, network, no_prior=no_prior)

    # Initialise population of images.
    for j in range(N_total):
        population[j] = [0.0] * num_pixels  # NumericVector(num_pixels)
        this_image = population[j]
        if j < N_selected:
            selected[j] = [0.0] * num_pixels
        for k in range(num_pixels):
            this_image[k] = new_pixel()
        population_scores[j] = -1.0 * cost(this_image)

    # And away we go....
    this_score = math.nan
    for i in range(max_iter):
        best_few = top_index(population_scores, N_selected)
        this_score = population_scores[best_few[N_selected - 1]]
        if verbose:
            print(f"Cost = {this_score:f} at iter {i}")
        if abs(this_score) < tol:
            info = {"iterations": i, "converged": True, "this_score": this_score}
            info["evaluations"] = N_total * (i + 1)
            return np.array(population[best_few[N_selected - 1]]), info
        for j in range(N_selected):
            this_selected = selected[j]
            this_from_full = population[best_few[j]]
            for k in range(num_pixels):
                this_selected[k] = this_from_full[k]
        for j in range(N_total):
            i1 = math.floor(rng.runif(0.0, float(N_selected) - 1e-7))
            while True:  # do { ... } while (i1 == i2);
                i2 = math.floor(rng.runif(0.0, float(N_selected) - 1e-7))
                if i1 != i2:
                    break
            parent1 = selected[i1]
            parent2 = selected[i2]
            new_image = population[j]
            for k in range(num_pixels):
                parent = rng.runif(0.0, 1.0) > 0.5
                if parent:
                    new_image[k] = parent1[k]
                else:
                    new_image[k] = parent2[k]
                mutate_max = 0.01 * abs(this_score) * mutate_factor
                if mutate_max > 0.5:
                    mutate_max = 0.5
                mutate = rng.runif(0.0, 1.0) < mutate_max
                if mutate:
                    new_image[k] = new_pixel()
                if new_image[k] < 0.0:
                    new_image[k] = 0.0
                if new_image[k] > 1.0:
                    new_image[k] = 1.0
            population_scores[j] = -1.0 * cost(new_image)
    # NB with max_iter = 0 this is the all-zero vector the Rcpp allocated.
    info = {"iterations": max_iter, "converged": False, "this_score": this_score}
    info["evaluations"] = N_total * (max_iter + 1)
    return np.array(selected[0]), info


# --------------------------------------------------------------------------------------------
# R: the driver
# --------------------------------------------------------------------------------------------

# The post's driver settings (digits_to_test = 3:3 makes '2's).
POST_DRIVER = {
    "wanted_digit": 2,
    "num_to_create": 100,
    "N_total": 100,
    "N_selected": 5,
    "max_iter": 100,
    "tol": 0.055,
    "mutate_factor": 1.0,
}


def run_driver(
    network,
    *,
    wanted_digit: int = 2,
    histo,
    g_x,
    g_y,
    num_to_create: int = 100,
    N_total: int = 100,
    N_selected: int = 5,
    max_iter: int = 100,
    tol: float = 0.055,
    mutate_factor: float = 1.0,
    max_attempts: int | None = None,
    rng,
    no_prior: bool = False,
    verbose: bool = False,
) -> dict:
    """Transcribes the post's R driver for one digit: the ``while (j < num_to_create)`` loop.

    Each attempt calls ``kinda_genetic_digit`` afresh, recomputes ``get_this_cost`` of what it
    returned and keeps the image if ``abs(this_cost) < tol``, else retries. (A timeout returns
    the N_selected-th best of a generation whose best missed tol, so it is always retried.)

    Args:
        wanted_digit: 0-based (the R's ``i = 3`` and ``digit_vec[i] = 1`` make digit 2).
        histo, g_x, g_y: that digit's statistics (``digit_stats_r(...)["histo"][d]`` etc.).
        max_attempts: not in the R (which retries forever): the most attempts spent on one
            image; when reached the driver stops and sets ``exhausted``.
        rng: one ``RUnif`` (or its seed) shared by all attempts, as R's global stream is.

    Returns:
        ``images`` ``(kept, 784)``, ``costs`` ``(kept,)``, ``attempts`` ``(kept,)`` (calls of
        ``kinda_genetic_digit`` spent on each kept image, the successful one included),
        ``iterations`` ``(kept,)`` (of the successful attempt), ``attempt_log`` (one
        ``(iterations, converged, this_cost)`` per attempt), ``exhausted``, and the R's own
        ``ga_digits`` matrix and ``mean_img`` (see the NB below).

    NB ``ga_digits[[ct]][j, ] = new_image`` runs with ``j`` from 0: R ignores the zero row
    index, so image 0 is dropped, image j lands in (1-based) row j and the last row stays zero;
    ``mean_img = colMeans(ga_digits[[ct]])`` averages it in. Transcribed as is.
    """
    rng = as_runif(rng)
    ga_digits = np.zeros((num_to_create, NUM_PIXELS))  # matrix(0, nrow=num_to_create, ncol=784)
    images, costs, attempts, iterations, attempt_log = [], [], [], [], []
    exhausted = False
    this_attempts = 0
    j = 0
    while j < num_to_create:
        if max_attempts is not None and this_attempts >= max_attempts:
            exhausted = True
            break
        digit_vec = [0.0] * 10  # numeric(10)
        digit_vec[wanted_digit] = 1.0  # digit_vec[i] = 1
        this_attempts += 1
        new_image, info = kinda_genetic_digit(
            digit_vec,
            histo,
            g_x,
            g_y,
            network,
            N_total=N_total,
            N_selected=N_selected,
            max_iter=max_iter,
            tol=tol,
            mutate_factor=mutate_factor,
            rng=rng,
            no_prior=no_prior,
        )
        this_cost = get_this_cost(new_image, digit_vec, histo, g_x, g_y, network, no_prior=no_prior)
        attempt_log.append((info["iterations"], info["converged"], this_cost))
        if abs(this_cost) < tol:
            if verbose:
                print(f"i = {wanted_digit + 1}, j = {j}")
            if j >= 1:  # ga_digits[[ct]][j, ] = new_image, R's 1-based row j; row 0 is a no-op
                ga_digits[j - 1, :] = new_image
            images.append(new_image)
            costs.append(this_cost)
            attempts.append(this_attempts)
            iterations.append(info["iterations"])
            this_attempts = 0
            j = j + 1
        elif verbose:
            print(f"Not sufficiently converged, j = {j}.")
    return {
        "images": np.array(images, dtype=np.float64).reshape(-1, NUM_PIXELS),
        "costs": np.array(costs, dtype=np.float64),
        "attempts": np.array(attempts, dtype=np.int64),
        "iterations": np.array(iterations, dtype=np.int64),
        "attempt_log": attempt_log,
        "exhausted": exhausted,
        "ga_digits": ga_digits,
        "mean_img": ga_digits.mean(axis=0),  # colMeans(ga_digits[[ct]])
    }
