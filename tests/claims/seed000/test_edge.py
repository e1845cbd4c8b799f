"""C10–C13 on synthetic drawn digits and border noise."""

import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.common import pct
from tests.claims.builders import TOO_SMALL, N, P, R, verdict


def drawn(digit: int, size: str, outputs: list[tuple[int, float]], model="mlp") -> pd.DataFrame:
    rows = [
        dict(model=model, digit=digit, style=s, size=size, top1=t, p1=p, top2=0, p2=0.0)
        for s, (t, p) in enumerate(outputs)
    ]
    # Rows the claim must not read: another model, the other size, another digit.
    rows.append(dict(model="cnn", digit=digit, size=size, style=0, top1=5, p1=0.02, top2=0, p2=0))
    other_size = "small" if size == "large" else "large"
    rows.append(dict(model=model, digit=digit, size=other_size, style=0, top1=5, p1=0.02))
    rows.append(dict(model=model, digit=(digit + 1) % 10, size=size, style=0, top1=5, p1=0.02))
    return pd.DataFrame(rows).fillna(0)


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ([(2, 0.9), (5, 0.9995)], R),
        ([(5, 0.999)], P),  # a '5', but not above 99.9%
        ([(3, 0.995)], P),  # another wrong digit above 99%
        ([(5, 0.99), (3, 0.5)], N),  # wrong, but not above 99%
        ([(2, 1.0), (2, 0.99)], N),
    ],
)
def test_c10_large_two_called_five(outputs, expected):
    assert verdict(seed000.c10(drawn(2, "large", outputs))) == expected


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
def test_c11_large_nine_rejected_near_two_percent(p1, expected):
    got = seed000.c11(drawn(9, "large", [(3, p1), (9, 0.999)]))
    assert got["verdict"] == expected


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ([(2, 0.99995), (2, 0.99999)], R),
        ([(2, 0.99995), (2, 0.9999)], P),  # 99.99% is not above it
        ([(2, 0.99995), (3, 0.99999)], P),
        ([(2, 0.9), (5, 0.99999)], N),
    ],
)
def test_c12_small_two_correct(outputs, expected):
    got = seed000.c12(drawn(2, "small", outputs))
    assert got["verdict"] == expected and got["value"].endswith(f"/{len(outputs)} styles")


def test_drawn_claims_need_the_mlp():
    frame = drawn(2, "large", [(5, 0.9999)], model="cnn")
    frame = frame[frame.model == "cnn"]
    assert seed000.c10(frame) is None and seed000.c11(frame) is None
    assert seed000.c12(None) is None
    assert seed000.c11(drawn(2, "large", [(5, 0.9999)])) is None  # no large '9'


def border(boxes: dict[int, float], n: int = 1000, model="mlp") -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                model=model,
                central_box=box,
                n=n,
                top_changed=share,
                mean_output_change=0.1,
                accuracy=0.9,
            )
            for box, share in boxes.items()
        ]
    )


@pytest.mark.parametrize(
    ("share", "n", "expected", "note"),
    [
        (0.5, 1000, R, False),
        (0.10, 1000, R, True),
        (0.099, 1000, P, True),
        (0.02, 1000, P, True),
        (0.019, 1000, N, True),
        (0.0, 1000, N, False),
        (0.1, 10, R, True),
    ],
)
def test_c13_background_noise_moves_the_outputs(share, n, expected, note):
    # The box nearest 20 decides; 28 (no noise) is never read.
    got = seed000.c13(border({28: 0.9, 24: 0.9, 20: share, 16: 0.9, 12: 0.0}, n=n))
    assert got["verdict"] == expected and got["value"] == pct(share)
    assert (TOO_SMALL in got["measured"]) == note and "central 20×20" in got["measured"]


def test_c13_picks_the_box_nearest_twenty_and_needs_noise():
    got = seed000.c13(border({28: 0.0, 24: 0.5, 12: 0.0}))
    assert got["verdict"] == R and "central 24×24" in got["measured"]
    assert seed000.c13(border({28: 0.5})) is None
    assert seed000.c13(border({20: 0.5}, model="cnn")) is None and seed000.c13(None) is None
