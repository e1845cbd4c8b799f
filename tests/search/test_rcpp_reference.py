"""The vectorised prior and selection against a literal transcription of seed 000's R and Rcpp.

``tests/reference/rcpp.py`` transcribes the post's code one image at a time; here it checks
``mnist_fooling.search.methods.genetic.prior`` (statistics, variogram cost, histogram sampling) and
the ordering ``Genetic`` relies on, and smoke-tests the transcribed algorithm itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from mnist_fooling.search.methods.genetic import prior
from tests.reference import rcpp

N_TRAIN = 200  # the R statistics loop runs in Python: keep it small


def fake_network(seed: int = 0, scale: float = 0.05):
    """A fixed random linear map + softmax: ``network(input784) -> output10``."""
    w = np.random.default_rng(seed).normal(0.0, scale, (784, 10))

    def network(x: np.ndarray) -> np.ndarray:
        z = np.asarray(x, dtype=np.float64) @ w
        e = np.exp(z - z.max())
        return e / e.sum()

    return network


def onehot(d: int) -> list[float]:
    v = [0.0] * 10
    v[d] = 1.0
    return v


@pytest.fixture(scope="module")
def training():
    """Anisotropic, digit-dependent images ``(200, 28, 28)`` in [0, 1] and labels.

    Each row has its own level (so vertical and horizontal statistics differ clearly), values
    are multiples of 1/256 as in Nielsen's data, with exact 0s and 1s and some pixels exactly
    on the R histogram's bin edges (to pin ``<=``).
    """
    rng = np.random.default_rng(2015)
    labels = np.arange(N_TRAIN) % 10
    rows = rng.random((N_TRAIN, 28, 1)) * (0.4 + 0.06 * labels)[:, None, None]
    x = np.clip(rows + 0.3 * rng.random((N_TRAIN, 28, 28)) - 0.1, 0.0, 1.0)
    x = np.floor(x * 256) / 256
    x[x < 0.15] = 0.0
    x[:, 0, :3] = 1.0
    edges = np.array(rcpp.r_seq(0.1, 1, by=0.1))
    x[:, 27, :10] = edges  # bottom-left pixels on the edges
    return x, labels


@pytest.fixture(scope="module")
def r_stats(training):
    """The transcribed R ``digit_stats`` (flat row-major images, as Nielsen's)."""
    x, labels = training
    return rcpp.digit_stats_r([img.ravel().tolist() for img in x], labels.tolist())


@pytest.fixture(scope="module")
def py_stats(training):
    x, labels = training
    return prior.digit_stats(x, labels)


def test_r_seq_bins_equal_prior_edges():
    assert rcpp.r_seq(0.1, 1, by=0.1) == np.linspace(0.1, 1.0, prior.N_BINS).tolist()


def test_r_matrix_is_column_major():
    v = list(range(784))  # row-major: pixel (r, c) = 28 r + c
    m = rcpp.r_matrix(v, nrow=28, ncol=28)
    assert m[2][5] == 5 * 28 + 2  # this_image[r, c] is pixel (c, r)


def test_runif_block_stream_equals_scalar_draws():
    r = rcpp.RUnif(7, block=5)
    ours = [r.runif(0.0, 1.0) for _ in range(12)]
    g = np.random.default_rng(7)
    assert ours == [g.random() for _ in range(12)]
    assert r.runif(0.3, 0.3) == 0.3 and r.calls == 12  # a == b draws nothing, as in R


# 2. statistics ---------------------------------------------------------------------------------


def test_r_histogram_and_lags_equal_digit_stats(r_stats, py_stats):
    for d in range(10):
        np.testing.assert_allclose(r_stats["histo"][d], py_stats[d].histogram, rtol=0, atol=1e-12)
        # R's g_x (differences between columns of the column-major matrix) runs DOWN the image
        np.testing.assert_allclose(r_stats["g_x"][d], py_stats[d].vertical, rtol=0, atol=1e-12)
        np.testing.assert_allclose(r_stats["g_y"][d], py_stats[d].horizontal, rtol=0, atol=1e-12)
        # ... and the data tell the two axes apart
        assert np.abs(np.array(r_stats["g_x"][d]) - py_stats[d].horizontal).max() > 1e-2
    assert np.array(r_stats["histo"]).sum(axis=1) == pytest.approx(np.ones(10), abs=1e-12)


# 1. variogram cost -----------------------------------------------------------------------------


@pytest.mark.parametrize("digit", [0, 3, 7])
def test_variogram_cost_equals_published(digit, r_stats, py_stats):
    rng = np.random.default_rng(digit)
    runif = rcpp.RUnif(100 + digit)
    histo = r_stats["histo"][digit]
    cumul_histo = np.cumsum(histo).tolist()
    uniform = rng.random((10, 784))
    drawn = np.array([[rcpp.histo_rand(cumul_histo, runif) for _ in range(784)] for _ in range(10)])
    images = np.concatenate([uniform, drawn])  # (20, 784) row-major
    network = fake_network()
    g_x, g_y = r_stats["g_x"][digit], r_stats["g_y"][digit]
    wanted = onehot(digit)
    ours = np.array(
        [
            rcpp.get_this_cost(img, wanted, histo, g_x, g_y, network)
            - rcpp.abs_cost(network(img), wanted)
            for img in images
        ]
    )
    sx, sy = prior.cost_stats(py_stats, np.full(len(images), digit), variant="published")
    theirs = prior.variogram_cost(images.reshape(-1, 28, 28), sx, sy, variant="published")
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-6)
    # float32 images, as Genetic keeps them
    theirs32 = prior.variogram_cost(
        images.reshape(-1, 28, 28).astype(np.float32), sx, sy, variant="published"
    )
    np.testing.assert_allclose(theirs32, ours, rtol=0, atol=1e-6)
    # the comparison is sensitive to the axes: swapped statistics do not match
    swapped = prior.variogram_cost(images.reshape(-1, 28, 28), sy, sx, variant="published")
    assert np.abs(swapped - ours).max() > 1e-3
    # no_prior: the cost is abs_cost alone
    img = images[0]
    assert rcpp.get_this_cost(img, wanted, histo, g_x, g_y, network, no_prior=True) == (
        rcpp.abs_cost(network(img), wanted)
    )


# 3. histogram sampling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "histo",
    [
        [0.80, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.03],
        [0.30, 0.10, 0.10, 0.10, 0.0, 0.10, 0.10, 0.05, 0.05, 0.10],  # an empty bin
    ],
)
def test_histo_rand_and_sample_pixels_agree_in_distribution(histo):
    n = 4000
    runif = rcpp.RUnif(11)
    cumul_histo = np.cumsum(histo).tolist()
    ours = np.array([rcpp.histo_rand(cumul_histo, runif) for _ in range(n)])
    theirs = prior.sample_pixels(np.array([histo]), (1, n), np.random.default_rng(12)).ravel()
    assert ours.min() >= 0 and ours.max() <= 1 and theirs.min() >= 0 and theirs.max() <= 1
    counts_ours = np.histogram(ours, bins=20, range=(0, 1))[0]
    counts_theirs = np.histogram(theirs, bins=20, range=(0, 1))[0]
    expected = np.repeat(histo, 2) / 2 * n
    empty = expected == 0
    assert counts_ours[empty].sum() == 0 and counts_theirs[empty].sum() == 0
    for counts in (counts_ours, counts_theirs):
        assert sps.chisquare(counts[~empty], expected[~empty]).pvalue > 0.01
    table = np.stack([counts_ours[~empty], counts_theirs[~empty]])
    assert sps.chi2_contingency(table).pvalue > 0.01


# 4. top_index ----------------------------------------------------------------------------------


def test_top_index_distinct_values():
    v = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6]
    assert rcpp.top_index(v, 3) == [0, 2, 4]  # the 3 largest, smallest first
    assert rcpp.top_index(v, 1) == [4]


def test_top_index_ties():
    v = [1.0, 5.0, 5.0, 2.0, 5.0, 0.0]
    # among equal values the smaller indices are kept; within them the larger comes out first
    assert rcpp.top_index(v, 2) == [2, 1]
    assert rcpp.top_index(v, 4) == [3, 4, 2, 1]
    assert rcpp.top_index([2.0] * 5, 3) == [2, 1, 0]
    assert rcpp.top_index([1.0, 2.0], 3) == [0, 1, 2]  # "not interesting case": seq(0, n - 1)


def test_top_index_order_matches_stable_sort():
    rng = np.random.default_rng(3)
    for _ in range(200):
        size = int(rng.integers(5, 30))
        n = int(rng.integers(2, size + 1))
        scores = rng.integers(-3, 1, size).astype(float)  # many ties
        best_few = rcpp.top_index(scores.tolist(), n)
        brute = sorted(range(size), key=lambda i: (scores[i], -i))[-n:]
        assert best_few == brute
        assert best_few[n - 1] == int(np.argmax(scores))  # best = first index of the max
        # Genetic's order: stable argsort of the cost (= -score), best first
        cost = -scores
        assert best_few[::-1] == np.argsort(cost, kind="stable")[:n].tolist()


def test_top_index_as_posted_keeps_too_many():
    v = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert rcpp.top_index(v, 2) == [4, 5]
    posted = rcpp.top_index(v, 2, as_posted=True)
    assert posted == [0, 1, 2, 3, 4, 5]  # the queue never pops: best_few[1] is not the best


# 5. the algorithm ------------------------------------------------------------------------------

GX = [0.2] * 14
GY = [0.25] * 14
HISTO = [0.80, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.03]


@pytest.mark.parametrize("no_prior, tol", [(True, 1.5), (False, 1.5)])
def test_kinda_genetic_digit_converges(no_prior, tol):
    network = fake_network()
    image, info = rcpp.kinda_genetic_digit(
        onehot(3), HISTO, GX, GY, network, N_total=20, N_selected=5, max_iter=20, tol=tol,
        rng=1, no_prior=no_prior,
    )  # fmt: skip
    assert info["converged"] and 0 < info["iterations"] < 20
    assert info["evaluations"] == 20 * (info["iterations"] + 1)
    assert image.shape == (784,) and image.min() >= 0 and image.max() <= 1
    cost = rcpp.get_this_cost(image, onehot(3), HISTO, GX, GY, network, no_prior=no_prior)
    assert cost < tol and cost == pytest.approx(-info["this_score"], abs=0)


def test_kinda_genetic_digit_timeout_returns_selected_0():
    base = fake_network()
    seen = []

    def network(x):
        seen.append(np.array(x))
        return base(x)

    n_total, n_selected, max_iter = 10, 5, 3
    image, info = rcpp.kinda_genetic_digit(
        onehot(3), HISTO, GX, GY, network, N_total=n_total, N_selected=n_selected,
        max_iter=max_iter, tol=0.0, rng=5,
    )  # fmt: skip
    assert not info["converged"] and info["iterations"] == max_iter
    assert len(seen) == n_total * (max_iter + 1)  # the last bred generation is never checked
    generations = np.array(seen).reshape(max_iter + 1, n_total, 784)
    checked = generations[max_iter - 1]
    cost = np.array([rcpp.get_this_cost(g, onehot(3), HISTO, GX, GY, base) for g in checked])
    order = np.argsort(cost, kind="stable")
    np.testing.assert_array_equal(image, checked[order[n_selected - 1]])  # the 5th best
    assert cost[order[n_selected - 1]] > cost[order[0]]
    assert info["this_score"] == -cost[order[0]]
    assert not any(np.array_equal(image, g) for g in generations[max_iter])


def test_kinda_genetic_digit_is_deterministic():
    args = (onehot(1), HISTO, GX, GY, fake_network())
    a, ia = rcpp.kinda_genetic_digit(*args, N_total=6, N_selected=3, max_iter=2, tol=0, rng=9)
    b, ib = rcpp.kinda_genetic_digit(*args, N_total=6, N_selected=3, max_iter=2, tol=0, rng=9)
    np.testing.assert_array_equal(a, b)
    assert ia == ib


def test_run_driver_keeps_and_retries():
    network = fake_network()
    common = dict(
        wanted_digit=3, histo=HISTO, g_x=GX, g_y=GY, N_total=10, N_selected=5,
        mutate_factor=1.0, no_prior=True,
    )  # fmt: skip
    out = rcpp.run_driver(
        network, **common, num_to_create=2, max_iter=5, tol=1.6, max_attempts=6, rng=4
    )
    assert not out["exhausted"] and out["images"].shape == (2, 784)
    assert (out["costs"] < 1.6).all() and out["attempts"].max() > 1  # a retry happened
    assert len(out["attempt_log"]) == out["attempts"].sum()
    assert [c for _, c, _ in out["attempt_log"]].count(True) == 2  # only converged ones kept
    assert all(cost >= 1.6 for _, c, cost in out["attempt_log"] if not c)
    # R's ga_digits[[ct]][j, ] with j from 0: image 0 is dropped, the last row stays zero
    np.testing.assert_array_equal(out["ga_digits"][0], out["images"][1])
    assert not out["ga_digits"][1].any()
    # an impossible tol: every attempt times out and is retried, until max_attempts
    out = rcpp.run_driver(
        network, **common, num_to_create=1, max_iter=2, tol=0.0, max_attempts=2, rng=4
    )
    assert out["exhausted"] and len(out["images"]) == 0
    assert [c for _, c, _ in out["attempt_log"]] == [False, False]


# 6. the vectorised Genetic against the transcription, in distribution --------------------------
#
# The same small network on both sides (a fixed random linear map + softmax: one image at a time
# for the transcription, batched for ``Genetic``), the same training statistics, the post's
# N_selected = 5; 200 independent runs of each. Generations to converge (a timeout counts as
# max_iter on both sides), the converged share and the cost of the returned image must agree.
# The transcription's variogram loops cost 2.5 ms an image in Python, so its ``get_this_cost``
# is swapped for a numpy equivalent (checked against the literal one below) during these runs.

N_RUNS = 200
DIGIT = 3
SETTINGS = {  # tol, max_iter: most runs converge in a few generations, some time out
    None: dict(tol=1.0, max_iter=6),
    "published": dict(tol=1.4, max_iter=6),
}
GENETIC = dict(N_total=20, N_selected=5, mutate_factor=1.0)
DIST_ALPHA = 0.01


def dist_weights() -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 0.1, (784, 10))


class BatchedNetwork:
    """``fake_network``'s computation for a batch of images: a stub scorer for ``Genetic``."""

    def __init__(self, w):
        self.w = w

    def forward(self, images):
        z = images.reshape(len(images), 784).astype(np.float64) @ self.w
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def fast_get_this_cost(input, wanted_output, histo, g_x, g_y, network, *, no_prior=False):
    """``rcpp.get_this_cost`` computed with numpy (the same terms, summed in another order)."""
    x = np.asarray(input, dtype=np.float64)
    cost = float(np.abs(np.asarray(network(x)).ravel() - np.asarray(wanted_output)).sum())
    if no_prior:
        return cost
    this_x, this_y = prior.published_terms(x.reshape(1, 28, 28))
    vario = np.abs(np.asarray(g_x) - this_x[0]).sum() + np.abs(np.asarray(g_y) - this_y[0]).sum()
    return cost + float(vario) / len(g_x)


def test_fast_get_this_cost_equals_the_literal_one(r_stats):
    network = fake_network(scale=0.1)
    runif = rcpp.RUnif(3)
    cumul = np.cumsum(r_stats["histo"][DIGIT]).tolist()
    rng = np.random.default_rng(4)
    images = [rng.random(784), np.zeros(784), [rcpp.histo_rand(cumul, runif) for _ in range(784)]]
    args = (onehot(DIGIT), r_stats["histo"][DIGIT], r_stats["g_x"][DIGIT], r_stats["g_y"][DIGIT])
    for image in images:
        for no_prior in (True, False):
            literal = rcpp.get_this_cost(image, *args, network, no_prior=no_prior)
            fast = fast_get_this_cost(image, *args, network, no_prior=no_prior)
            assert fast == pytest.approx(literal, rel=0, abs=1e-12)


@pytest.fixture(scope="module", params=[None, "published"], ids=["no_prior", "published"])
def genetic_samples(request, r_stats, py_stats):
    """``{side: (generations, converged, cost)}`` of N_RUNS runs on each side."""
    from mnist_fooling.search import run_search
    from tests.search.configured import Genetic

    variant = request.param
    tol, max_iter = SETTINGS[variant]["tol"], SETTINGS[variant]["max_iter"]
    w = dist_weights()
    batched = BatchedNetwork(w)

    def network(x):
        return batched.forward(np.asarray(x, np.float64).reshape(1, 784))[0]

    stats = (r_stats["histo"][DIGIT], r_stats["g_x"][DIGIT], r_stats["g_y"][DIGIT])
    gens, converged, cost = [], [], []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rcpp, "get_this_cost", fast_get_this_cost)
        for run in range(N_RUNS):
            image, info = rcpp.kinda_genetic_digit(
                onehot(DIGIT), *stats, network, **GENETIC, max_iter=max_iter, tol=tol,
                rng=10_000 + run, no_prior=variant is None,
            )  # fmt: skip
            gens.append(info["iterations"])
            converged.append(info["converged"])
            cost.append(
                fast_get_this_cost(image, onehot(DIGIT), *stats, network, no_prior=variant is None)
            )
    transcription = (np.array(gens), np.array(converged), np.array(cost))

    genetic = Genetic(
        population=GENETIC["N_total"], selected=GENETIC["N_selected"],
        mutate_factor=GENETIC["mutate_factor"], tol=tol, max_iter=max_iter, prior=variant,
        stats=py_stats if variant else None,
    )  # fmt: skip
    r = run_search(genetic, batched, targets=np.full(N_RUNS, DIGIT), rng=np.random.default_rng(9))
    vectorised = (np.where(r.converged, r.steps, max_iter), r.converged, r.cost)
    # The returned costs are the costs of the returned images.
    onehots = np.eye(10)[np.full(N_RUNS, DIGIT)]
    recomputed = np.abs(batched.forward(r.images) - onehots).sum(axis=1)
    if variant:
        sx, sy = prior.cost_stats(py_stats, np.full(N_RUNS, DIGIT), variant=variant)
        recomputed += prior.variogram_cost(r.images.astype(np.float64), sx, sy, variant=variant)
    np.testing.assert_allclose(r.cost, recomputed, atol=1e-5)
    return {"transcription": transcription, "vectorised": vectorised, "max_iter": max_iter}


def test_genetic_converges_as_often_as_the_transcription(genetic_samples):
    (_, ca, _), (_, cb, _) = genetic_samples["transcription"], genetic_samples["vectorised"]
    assert 0.5 < ca.mean() < 0.98  # an informative setting: most converge, some time out
    table = [[ca.sum(), (~ca).sum()], [cb.sum(), (~cb).sum()]]
    assert sps.fisher_exact(table).pvalue > DIST_ALPHA, table


def test_genetic_generations_to_converge_match_the_transcription(genetic_samples):
    (ga, _, _), (gb, _, _) = genetic_samples["transcription"], genetic_samples["vectorised"]
    assert sps.mannwhitneyu(ga, gb).pvalue > DIST_ALPHA, (np.bincount(ga), np.bincount(gb))
    # The whole distribution, binned so that every bin expects at least 5 runs.
    values = np.arange(genetic_samples["max_iter"] + 1)
    counts = np.array([[np.sum(g == v) for v in values] for g in (ga, gb)])
    merged, current = [], np.zeros(2, int)
    for column in counts.T:
        current = current + column
        if current.sum() >= 20:
            merged.append(current)
            current = np.zeros(2, int)
    if current.sum():
        merged[-1] = merged[-1] + current
    table = np.array(merged).T
    assert table.shape[1] >= 3
    assert sps.chi2_contingency(table).pvalue > DIST_ALPHA, counts


def test_genetic_returned_costs_match_the_transcription(genetic_samples):
    (_, ca, ka), (_, cb, kb) = genetic_samples["transcription"], genetic_samples["vectorised"]
    assert sps.ks_2samp(ka, kb).pvalue > DIST_ALPHA, (np.median(ka), np.median(kb))
    # ... also among the timed-out runs alone (the N_selected-th best of the last generation)
    if (~ca).sum() >= 10 and (~cb).sum() >= 10:
        assert sps.ks_2samp(ka[~ca], kb[~cb]).pvalue > DIST_ALPHA
