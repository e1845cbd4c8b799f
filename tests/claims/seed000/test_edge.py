"""C10–C13 on synthetic per-image readings of real test digits (``outputs.npz``)."""

import numpy as np
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.seed000.edge import first_or_second
from tests.claims.builders import TOO_SMALL, N, P, R, U, verdict

CONDITIONS = ("clean", "frame", "bordered", "scrambled")


def outputs(labels, models=("softmax", "mlp"), **readings) -> dict:
    """``outputs.npz`` as the claims read it: ``readings[condition] = (top, p1, true)`` for the
    MLP; every other model reads the images the opposite way (rows the claims must not read)."""
    labels = np.asarray(labels)
    n = len(labels)
    default = (labels, np.full(n, 0.9, np.float32), np.full(n, 0.9, np.float32))
    decoy = ((labels + 1) % 10, np.full(n, 0.9999, np.float32), np.zeros(n, np.float32))
    out = dict(
        models=np.array(models),
        labels=labels.astype(np.int8),
        frame_size=np.array(28),
        bordered_size=np.array(20),
        scramble_box=np.array(20),
    )
    for c in CONDITIONS:
        mine = readings.get(c, default)
        per_model = [mine if m == "mlp" else decoy for m in models]
        for j, key in enumerate(("top", "p1", "true")):
            out[f"{c}_{key}"] = np.stack([np.asarray(r[j]) for r in per_model])
    return out


def digits(digit: int, parts: list[tuple[int, int, float]], extra: int = 5):
    """Labels, top and p1 for images of ``digit``: ``parts`` of (count, top class, top output),
    then ``extra`` images of another digit (read as '5' at 100%: never counted)."""
    other = 3 if digit != 3 else 4
    labels = np.concatenate([np.full(k, digit) for k, _, _ in parts] + [np.full(extra, other)])
    top = np.concatenate([np.full(k, t) for k, t, _ in parts] + [np.full(extra, 5)])
    p1 = np.concatenate([np.full(k, p) for k, _, p in parts] + [np.full(extra, 1.0)])
    return labels, top, p1.astype(np.float32)


@pytest.mark.parametrize(
    ("yes", "partly", "expected", "between"),
    [
        ((0.27, 0.33), (0.27, 0.33), R, ""),
        ((0.083, 0.12), (0.083, 0.12), U, "not reproduced or reproduced"),  # straddles 10%
        ((0.02, 0.05), (0.20, 0.30), P, ""),
        ((0.02, 0.05), (0.083, 0.12), U, "not reproduced or partly"),
        ((0.08, 0.12), (0.20, 0.30), U, "partly or reproduced"),
        ((0.10, 0.12), (0.0, 0.0), R, ""),  # the bound is inclusive
        ((0.0, 0.05), (0.0, 0.0999), N, ""),
    ],
)
def test_first_or_second(yes, partly, expected, between):
    got = first_or_second(yes, partly, 0.10)
    assert got.verdict == expected and " or ".join(got.between or ()) == between


def frame_outputs(labels, top, p1, clean_p1: float = 0.9999):
    """The frame-filling reading ``(top, p1)``; clean, every digit read as itself at
    ``clean_p1``."""
    clean_top = np.asarray(labels)
    clean = (clean_top, np.full(len(labels), clean_p1, np.float32), np.ones(len(labels)))
    return outputs(labels, frame=(top, p1, p1), clean=clean)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(300, 5, 0.9995), (700, 2, 0.9)], R),
        ([(200, 5, 0.9995), (800, 2, 0.9)], R),  # 20% [17.6, 22.6]
        ([(100, 5, 0.9995), (900, 2, 0.9)], U),  # exactly 10%: the interval straddles it
        ([(99, 5, 0.9995), (1, 3, 0.995), (900, 2, 0.9)], U),  # 9.9% '5', 10% wrong
        ([(300, 5, 0.999), (700, 2, 0.9)], P),  # '5' but not above 99.9%
        ([(300, 7, 0.995), (700, 2, 0.9)], P),  # another wrong digit above 99%
        ([(50, 5, 0.9995), (250, 7, 0.995), (700, 2, 0.9)], P),  # 5% '5' [3.8, 6.5]
        ([(500, 5, 0.99), (500, 2, 0.9)], N),  # wrong, not above 99%
        ([(1000, 2, 0.99999)], N),
        ([(2, 5, 0.9995), (8, 2, 0.9)], U),  # n = 10: [5.7%, 51%]
    ],
)
def test_c10_frame_filling_twos_called_five(parts, expected):
    got = seed000.c10(frame_outputs(*digits(2, parts)))
    n = sum(k for k, _, _ in parts)
    assert got["verdict"] == expected and (got["between"] != "") == (expected == U)
    assert f"/{n} =" in got["measured"] and "28 px" in got["measured"]
    assert TOO_SMALL not in got["measured"] and "[" in got["value"]


def test_c10_counts_only_the_twos_read_surely_when_clean():
    """'2's the MLP reads at 99.9% or less when clean cannot show a '5' at >99.9% "instead"."""
    sure = digits(2, [(100, 5, 0.9995), (900, 2, 0.9)], extra=0)
    unsure = digits(2, [(1000, 5, 0.9995)], extra=0)
    labels, top, p1 = (np.concatenate([a, b]) for a, b in zip(sure, unsure, strict=True))
    clean_p1 = np.concatenate([np.full(1000, 0.9999), np.full(1000, 0.999)]).astype(np.float32)
    got = seed000.c10(outputs(labels, frame=(top, p1, p1), clean=(labels, clean_p1, clean_p1)))
    assert (
        got["verdict"] == U
        and "the 1000 test '2's it reads at >99.9% when clean (of 2000)" in (got["measured"])
    )
    assert "'5' at >99.9% 1100/2000" in got["measured"]
    nothing_sure = seed000.c10(frame_outputs(*digits(2, [(10, 5, 0.9995)]), clean_p1=0.99))
    assert nothing_sure is None


@pytest.mark.parametrize(
    ("p1", "expected"),
    [
        (0.02, R),
        (0.005, R),
        (0.05, R),
        (0.0049, P),
        (0.051, P),
        (0.4999, P),
        (0.5, N),
        (0.99, N),
    ],
)
def test_c11_frame_filling_nines_rejected_near_two_percent(p1, expected):
    got = seed000.c11(frame_outputs(*digits(9, [(100, 3, p1)])))
    assert got["verdict"] == expected


@pytest.mark.parametrize(
    ("parts", "expected", "between"),
    [
        ([(100, 3, 0.02), (900, 9, 0.9)], U, "not reproduced or reproduced"),  # exactly 10%
        ([(99, 3, 0.02), (1, 3, 0.3), (900, 9, 0.9)], U, "not reproduced or reproduced"),
        ([(50, 3, 0.02), (250, 3, 0.3), (700, 9, 0.9)], P, ""),
        ([(95, 3, 0.02), (250, 3, 0.3), (655, 9, 0.9)], U, "partly or reproduced"),
        ([(99, 3, 0.3), (901, 9, 0.9)], U, "not reproduced or partly"),
        ([(1000, 9, 0.9)], N, ""),
    ],
)
def test_c11_shares(parts, expected, between):
    got = seed000.c11(frame_outputs(*digits(9, parts)))
    assert got["verdict"] == expected and got["between"] == between
    assert got["value"].endswith("at 0.5–5%")  # the deciding share, not the rejected one


def bordered_outputs(clean_parts, bordered_parts):
    """The same '2's clean and bordered: each a list of (count, top class, top output)."""
    labels, top, p1 = digits(2, clean_parts)
    labels_b, top_b, p1_b = digits(2, bordered_parts)
    assert (labels == labels_b).all()
    return outputs(labels, clean=(top, p1, p1), bordered=(top_b, p1_b, p1_b))


@pytest.mark.parametrize(
    ("clean", "bordered", "expected"),
    [
        ([(1000, 2, 0.99999)], [(1000, 2, 0.99999)], R),
        ([(1000, 2, 0.99999)], [(970, 2, 0.99999), (30, 2, 0.9)], R),  # −3 [−4.1, −2.0]
        ([(1000, 2, 0.99999)], [(950, 2, 0.99999), (50, 2, 0.9)], U),  # −5: straddles −5
        ([(1000, 2, 0.99999)], [(900, 2, 0.99999), (100, 2, 0.9)], P),  # kept at all only
        ([(1000, 2, 0.99999)], [(900, 2, 0.99999), (100, 3, 0.9)], N),  # lost at all too
        ([(1000, 2, 0.99999)], [(200, 2, 0.99999), (800, 3, 0.99)], N),
        # The network's own bar: clean '2's at >99.99% only 17% of the time, kept by the border.
        ([(170, 2, 0.99999), (830, 2, 0.9)], [(170, 2, 0.99999), (830, 2, 0.9)], R),
        ([(1000, 2, 0.9)], [(1000, 2, 0.9)], R),  # 99.99% is not above it, in both
    ],
)
def test_c12_bordered_twos_keep_the_clean_rate(clean, bordered, expected):
    got = seed000.c12(bordered_outputs(clean, bordered))
    assert got["verdict"] == expected and (got["between"] == "partly or reproduced") == (
        expected == U
    )
    assert "20 px" in got["measured"] and got["value"].startswith("Δ ")
    assert "clean" in got["measured"] and "bordered" in got["measured"]


def scrambled(parts, misread: int = 5, unsure: int = 5) -> dict:
    """Digits read correctly when clean (true-class output 100%), then scrambled: ``parts`` of
    (count, true-class output after); ``misread`` digits wrong when clean, ``unsure`` ones right
    but at 40% (neither counted)."""
    n = sum(k for k, _ in parts)
    labels = np.arange(n + misread + unsure) % 10
    after = np.concatenate([np.full(k, v) for k, v in parts] + [np.zeros(misread + unsure)])
    clean_top = np.concatenate([labels[:n], (labels[n : n + misread] + 1) % 10, labels[-unsure:]])
    clean_true = np.concatenate([np.ones(n + misread), np.full(unsure, 0.4)]).astype(np.float32)
    ones = np.ones(n + misread + unsure, np.float32)
    # The top class changes exactly where the true output falls below 50%.
    noisy_top = np.where(after < 0.5, (labels + 1) % 10, labels)
    return outputs(
        labels,
        clean=(clean_top, ones, clean_true),
        scrambled=(noisy_top, ones, after.astype(np.float32)),
    )


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(300, 0.46), (700, 1.0)], R),
        ([(100, 0.46), (900, 1.0)], U),  # exactly 10% below 50%: the interval straddles it
        ([(99, 0.4999), (901, 1.0)], U),
        ([(30, 0.4999), (970, 1.0)], N),  # 3% [2.1, 4.3]
        ([(1000, 0.95)], P),  # no digit below 50%, median drop 5 points
        ([(50, 0.2), (950, 0.95)], P),
        ([(1000, 0.9501)], N),  # median drop just under 5 points
        ([(30, 0.2), (470, 0.94), (500, 0.96)], U),  # median drop 5 points, between two bands
        ([(2, 0.3), (8, 1.0)], U),  # n = 10
    ],
)
def test_c13_scrambled_background_lowers_the_true_output(parts, expected):
    got = seed000.c13(scrambled(parts))
    n = sum(k for k, _ in parts)
    below = sum(k for k, v in parts if v < 0.5)
    assert got["verdict"] == expected and TOO_SMALL not in got["measured"]
    assert f"the {n} test digits" in got["measured"] and "central 20×20" in got["measured"]
    assert f"top class changed {below}/{n}" in got["measured"]


def test_claims_need_the_mlp_and_the_digits():
    labels, top, p1 = digits(2, [(10, 5, 0.9995)])
    cnn_only = outputs(labels, models=("cnn",))
    assert all(f(cnn_only) is None for f in (seed000.c10, seed000.c11, seed000.c12, seed000.c13))
    assert all(f(None) is None for f in (seed000.c10, seed000.c11, seed000.c12, seed000.c13))
    no_nines = frame_outputs(labels, top, p1)
    assert verdict(seed000.c10(no_nines)) == R and seed000.c11(no_nines) is None
    no_twos = frame_outputs(*digits(9, [(10, 3, 0.02)]))
    assert seed000.c10(no_twos) is None and seed000.c12(no_twos) is None
    assert verdict(seed000.c11(no_twos)) == R
