"""The reading page's HTML (the deck embedded, bad decks refused) and the deck format."""

import base64
import hashlib
import json
import re

import numpy as np
import pytest

from mnist_fooling.stages.reading.format import deck_id, decode_pixels, encode_pixels
from mnist_fooling.stages.reading.page import render_reading, write_reading
from tests.stages.reading.decks import synthetic_deck


def _embedded(text: str) -> dict:
    found = re.search(r'id="reading-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def test_page_embeds_the_deck_and_is_self_contained(tmp_path):
    deck = synthetic_deck()
    out = tmp_path / "reading.html"
    write_reading(deck, out=out)
    text = out.read_text()
    assert _embedded(text) == deck
    assert "<script src" not in text and "http://" not in text and "https://" not in text
    assert "__DATA__" not in text and "__SCRIPT__" not in text


def test_a_script_end_in_the_deck_is_escaped():
    deck = synthetic_deck()
    deck["items"][0]["set"] = "</script><b>x</b>"
    deck["id"] = deck_id(deck["items"])
    text = render_reading(deck)
    assert text.count("</script>") == 2 and _embedded(text) == deck


def _broken(change) -> dict:
    deck = synthetic_deck()
    change(deck)
    return deck


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="mnist-fooling-deck/2"), "format must be"),
        (lambda d: d.update(items=[]), "no items"),
        (lambda d: d["items"][3].update(group="digits"), "has group 'digits'"),
        (lambda d: d["items"][0].update(target=9), "is not deck_id"),
        (lambda d: d.update(display_s=-1), "display_s must be"),
    ],
)
def test_a_bad_deck_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        render_reading(_broken(change))
    with pytest.raises(ValueError, match="format must be"):
        render_reading([])


def test_deck_id_is_the_hash_of_the_items():
    items = synthetic_deck()["items"]
    text = json.dumps(items, sort_keys=True, separators=(",", ":"))
    assert deck_id(items) == hashlib.sha256(text.encode()).hexdigest()[:12]
    assert re.fullmatch("[0-9a-f]{12}", deck_id(items))


def test_pixels_round_trip_as_bytes_of_ink():
    x = np.random.default_rng(0).random((28, 28))
    y = decode_pixels(encode_pixels(x))
    assert y.shape == (28, 28) and y.dtype == np.float32
    assert np.abs(y - x).max() <= 0.5 / 255 + 1e-7
    assert np.array_equal(np.rint(y * 255), np.rint(x * 255))
    ink = np.zeros((28, 28))
    ink[0, 1], ink[27, 27] = 1.0, 0.5
    data = base64.b64decode(encode_pixels(ink))  # row-major bytes, round(255 x)
    assert len(data) == 784 and data[1] == 255 and data[783] == 128 and sum(data) == 383


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((28, 27)), "28 x 28"),
        (np.full((28, 28), 1.5), r"in \[0, 1\]"),
        (np.full((28, 28), np.nan), r"in \[0, 1\]"),
    ],
)
def test_bad_pixels_are_refused(image, message):
    with pytest.raises(ValueError, match=message):
        encode_pixels(image)
    with pytest.raises(ValueError, match="784 bytes"):
        decode_pixels("AAAA")
