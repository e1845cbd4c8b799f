"""The reading page in headless Chromium, driven by the keyboard: a whole deck twice, its end
screen's numbers and its answer files (Playwright's download event)."""

import json
import math
import re
from datetime import datetime

import pytest

from mnist_fooling.stages.reading.format import ANSWERS_FORMAT
from mnist_fooling.stages.reading.page import write_reading
from tests.browser import chromium, open_page
from tests.stages.reading.decks import synthetic_deck

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="needs headless Chromium (apt-get install chromium)"
)


def wait_for(page, *phases: str) -> None:
    """Until the page is in one of ``phases`` (checked every frame: waiting for a selector
    backs off to half a second)."""
    page.wait_for_function(f"{list(phases)}.includes(document.body.dataset.phase)", polling="raf")


def careful(item: dict, k: int) -> str:
    """A reader whose controls pass: clean and half-blended digits right, no digit in noise or
    negatives, fooling images read as the target every other time, eigen-digits as a 7."""
    group, target = item["group"], item["target"]
    if group == "blend":
        return str(target) if item["s"] >= 0.5 else "n"
    if group == "fooling":
        return str(target) if k % 2 else "n"
    return {"negative": "n", "mean": str(target), "eigen": "7"}[group]


def careless(item: dict, k: int) -> str:
    """A reader who reads a 6 in everything but the clean digits (controls fail)."""
    return str(item["target"]) if item["group"] == "blend" and item["s"] == 1.0 else "6"


def expected(key: str) -> str:
    return "none" if key == "n" else key


def pct(x: float) -> str:
    return f"{math.floor(100 * x + 0.5)}%"


def wilson(k: int, n: int) -> str:
    z = 1.959964
    p, z2 = k / n, z * z
    d = 1 + z2 / n
    c, h = (p + z2 / (2 * n)) / d, z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / d
    return f"{pct(max(0, c - h))} – {pct(min(1, c + h))}"


def cells(page, row: str) -> list[str]:
    return [t.strip() for t in page.locator(f"{row} td").all_inner_texts()]


def take(page, deck: dict, reader) -> list[str]:
    """Start with Enter, answer every item by key (one key during a fixation cross, ignored;
    one answer after the image is gone); the answers given."""
    page.keyboard.press("Enter")
    given = []
    for k, item in enumerate(deck["items"]):
        assert page.locator("#progress").inner_text() == f"{k + 1} / {len(deck['items'])}"
        if k == 1:
            assert page.evaluate("document.body.dataset.phase") == "fixation"
            page.keyboard.press("9")  # too early: ignored
        wait_for(page, "image", "blank")
        if k == 2:
            wait_for(page, "blank")  # 0.2 s later
            assert page.locator("#image").evaluate("e => e.style.visibility") == "hidden"
        given.append(reader(item, k))
        page.keyboard.press(given[-1])
    wait_for(page, "end")
    return [expected(g) for g in given]


def check_end_screen(page, deck: dict, answers: list[str]) -> None:
    """Every row of the end screen against the answers, counted here."""
    rows = list(zip(deck["items"], answers, strict=True))

    def tally(keep, hit) -> tuple[int, int]:
        chosen = [(i, a) for i, a in rows if keep(i)]
        return sum(hit(i, a) for i, a in chosen), len(chosen)

    def own(i, a):
        return a == str(i["target"])

    def digit(i, a):
        return a != "none"

    for s in (0.0, 0.5, 1.0):
        k, n = tally(lambda i, s=s: i["group"] == "blend" and i["s"] == s, own)
        want = [str(n), f"{k} / {n}", pct(k / n), wilson(k, n)]
        assert cells(page, f'#calibration tr[data-s="{s:g}"]')[1:] == want
    for name in ("smooth blobs", "uniform noise"):
        k, n = tally(lambda i, name=name: i["set"] == name, digit)
        want = [f"{k} / {n}", pct(k / n), wilson(k, n)]
        assert cells(page, f'#negatives tr[data-set="{name}"]')[1:] == want
    k, n = tally(lambda i: i["group"] == "negative", digit)
    assert cells(page, "#negatives tr.overall") == ["all", f"{k} / {n}", pct(k / n), wilson(k, n)]
    for group, name, hit, what in (
        ("fooling", "MLP, gradient", own, "its target digit"),
        ("fooling", "CNN, genetic", own, "its target digit"),
        ("mean", "MLP, genetic: mean '2'", own, "the digit 2"),
        ("eigen", "eigen-digits", digit, "any digit"),
    ):
        k, n = tally(lambda i, name=name: i["set"] == name, hit)
        row = f'#targets tr[data-group="{group}"][data-set="{name}"]'
        assert cells(page, row) == [name, what, f"{k} / {n}", pct(k / n), wilson(k, n)]


def download(page, deck: dict) -> dict:
    with page.expect_download() as info:
        page.click("#download")
    name = info.value.suggested_filename
    assert re.fullmatch(rf"reading-{deck['id']}-\d{{8}}-\d{{6}}\.json", name), name
    return json.loads(open(info.value.path()).read())


def check_file(got: dict, deck: dict, answers: list[str]) -> None:
    assert got["format"] == ANSWERS_FORMAT and got["deck"] == deck["id"]
    assert got["display_s"] == deck["display_s"] and got["image_px"] == 224
    assert set(got["screen"]) == {"width", "height"} and got["screen"]["width"] > 0
    started, finished = (datetime.fromisoformat(got[k]) for k in ("started", "finished"))
    assert started < finished
    assert [a["id"] for a in got["answers"]] == [i["id"] for i in deck["items"]]
    assert [a["answer"] for a in got["answers"]] == answers
    ms = [a["ms"] for a in got["answers"]]
    assert all(isinstance(m, int) and 0 <= m < 10_000 for m in ms)
    assert ms[2] >= 200  # answered once the image was gone


def test_a_deck_taken_twice_by_keyboard(tmp_path):
    deck = synthetic_deck(display_s=0.2)
    assert {i["group"] for i in deck["items"]} == {"fooling", "blend", "negative", "mean", "eigen"}
    path = tmp_path / "reading.html"
    write_reading(deck, out=path)
    with open_page(path, 1280, 800) as page:
        assert "0.2 seconds" in page.locator("#start").inner_text()
        for key in ("3", "n", "x"):  # before the start: nothing happens
            page.keyboard.press(key)
        assert page.evaluate("document.body.dataset.phase") == "start"
        assert page.locator("#trial").is_hidden() and page.locator("#progress").inner_text() == ""

        first = take(page, deck, careful)
        check_end_screen(page, deck, first)
        verdict = page.locator("#verdict")
        assert verdict.get_attribute("class") == "pass"
        assert "100% of the clean digits" in verdict.inner_text()
        assert "Your answers count in the panel" in verdict.inner_text()
        one = download(page, deck)
        check_file(one, deck, first)

        page.click("#again")
        assert page.evaluate("document.body.dataset.phase") == "start"
        second = take(page, deck, careless)
        check_end_screen(page, deck, second)
        assert verdict.get_attribute("class") == "fail"
        assert "do not count in the panel" in verdict.inner_text()
        assert "100% of the images with no digit (3 of 3); at most 10%" in verdict.inner_text()
        two = download(page, deck)
        check_file(two, deck, second)
        assert first != second
        assert datetime.fromisoformat(two["started"]) >= datetime.fromisoformat(one["finished"])
        assert not page.errors, page.errors


def test_display_s_null_shows_the_image_until_answered(tmp_path):
    deck = synthetic_deck(display_s=None)
    path = tmp_path / "reading.html"
    write_reading(deck, out=path)
    with open_page(path, 1280, 800) as page:
        assert "stays until you answer" in page.locator("#start").inner_text()
        page.click("#start-btn")
        wait_for(page, "image")
        page.wait_for_timeout(400)
        assert page.evaluate("document.body.dataset.phase") == "image"
        page.keyboard.press("N")
        assert page.locator("#progress").inner_text() == f"2 / {len(deck['items'])}"
        assert not page.errors, page.errors
