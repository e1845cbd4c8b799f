"""C10–C13 on synthetic per-image readings of real test digits (``outputs.npz``)."""

import numpy as np
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.seed000.edge import two_shares
from tests.claims.builders import TOO_SMALL, N, P, R, verdict

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
    ("k_yes", "k_partly", "n", "expected", "note"),
    [
        (300, 300, 1000, R, False),
        (100, 100, 1000, R, True),  # on the bound
        (99, 100, 1000, P, True),
        (0, 300, 1000, P, False),
        (0, 99, 1000, N, True),
        (0, 0, 1000, N, False),
        (2, 2, 10, R, True),
    ],
)
def test_two_shares(k_yes, k_partly, n, expected, note):
    got, text = two_shares(k_yes, k_partly, n, bound=0.10)
    assert got == expected and (TOO_SMALL in text) == note


def frame_outputs(labels, top, p1):
    return outputs(labels, frame=(top, p1, p1))


@pytest.mark.parametrize(
    ("parts", "expected", "note"),
    [
        ([(300, 5, 0.9995), (700, 2, 0.9)], R, False),
        ([(100, 5, 0.9995), (900, 2, 0.9)], R, True),  # exactly 10% called '5' at >99.9%
        ([(99, 5, 0.9995), (1, 3, 0.995), (900, 2, 0.9)], P, True),  # 9.9% '5', 10% wrong
        ([(300, 5, 0.999), (700, 2, 0.9)], P, False),  # '5' but not above 99.9%
        ([(300, 7, 0.995), (700, 2, 0.9)], P, False),  # another wrong digit above 99%
        ([(500, 5, 0.99), (500, 2, 0.9)], N, False),  # wrong, not above 99%
        ([(1000, 2, 0.99999)], N, False),
        ([(2, 5, 0.9995), (8, 2, 0.9)], R, True),  # n = 10
    ],
)
def test_c10_frame_filling_twos_called_five(parts, expected, note):
    got = seed000.c10(frame_outputs(*digits(2, parts)))
    n = sum(k for k, _, _ in parts)
    assert got["verdict"] == expected and (TOO_SMALL in got["measured"]) == note
    assert f"/{n} =" in got["measured"] and "28 px" in got["measured"]


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
    ("parts", "expected", "note"),
    [
        ([(100, 3, 0.02), (900, 9, 0.9)], R, True),  # exactly 10% near 2%
        ([(99, 3, 0.02), (1, 3, 0.3), (900, 9, 0.9)], P, True),  # 10% rejected
        ([(99, 3, 0.3), (901, 9, 0.9)], N, True),
        ([(1000, 9, 0.9)], N, False),
    ],
)
def test_c11_shares(parts, expected, note):
    got = seed000.c11(frame_outputs(*digits(9, parts)))
    assert got["verdict"] == expected and (TOO_SMALL in got["measured"]) == note


@pytest.mark.parametrize(
    ("parts", "expected", "note"),
    [
        ([(600, 2, 0.99999), (400, 2, 0.9)], R, False),
        ([(500, 2, 0.99999), (500, 2, 0.9)], R, True),  # on the bound of 50%
        ([(499, 2, 0.99999), (501, 2, 0.9)], P, True),
        ([(300, 2, 0.99999), (700, 2, 0.9999)], P, False),  # 99.99% is not above it
        ([(100, 2, 0.99999), (900, 3, 0.99999)], P, True),  # wrong digits do not count
        ([(99, 2, 0.99999), (901, 2, 0.9)], N, True),
        ([(1000, 2, 0.9)], N, False),
    ],
)
def test_c12_bordered_twos_correct(parts, expected, note):
    labels, top, p1 = digits(2, parts)
    # The frame-filling reading of the same digits must not matter.
    got = seed000.c12(outputs(labels, bordered=(top, p1, p1)))
    assert got["verdict"] == expected and (TOO_SMALL in got["measured"]) == note
    assert "20 px" in got["measured"]


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
    ("parts", "expected", "note"),
    [
        ([(300, 0.46), (700, 1.0)], R, False),
        ([(100, 0.46), (900, 1.0)], R, True),  # exactly 10% below 50%
        ([(99, 0.4999), (901, 1.0)], N, True),
        ([(100, 0.5), (900, 1.0)], N, False),  # 50% is not below it
        ([(1000, 0.95)], P, False),  # no digit below 50%, median drop 5 points
        ([(50, 0.2), (950, 0.95)], P, False),
        ([(1000, 0.9501)], N, False),  # median drop just under 5 points
        ([(2, 0.3), (8, 1.0)], R, True),  # n = 10
    ],
)
def test_c13_scrambled_background_lowers_the_true_output(parts, expected, note):
    got = seed000.c13(scrambled(parts))
    n = sum(k for k, _ in parts)
    below = sum(k for k, v in parts if v < 0.5)
    assert got["verdict"] == expected and (TOO_SMALL in got["measured"]) == note
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
