"""The rendered report in a real browser (headless chromium): links, layout, phone width."""

from __future__ import annotations

import pytest
from PIL import Image

from mnist_fooling.report.render import render_report
from tests.browser import chromium, dump_dom, evaluate, screenshot
from tests.report.test_render import parse, synthetic_project, xref_texts

if chromium() is None:
    pytest.skip("chromium not installed: apt-get install chromium", allow_module_level=True)

# Where the contents and the text sit, and what overflows sideways.
LAYOUT_JS = """
var toc = document.getElementById('TOC').getBoundingClientRect();
var main = document.querySelector('main').getBoundingClientRect();
var boxes = Array.prototype.map.call(document.querySelectorAll('.table-wrap'),
  function (b) { return b.scrollWidth > b.clientWidth; });
return {toc: [toc.left, toc.top, toc.right, toc.bottom], main: [main.left, main.top, main.right],
        page: document.documentElement.scrollWidth, window: window.innerWidth,
        scrolling_tables: boxes};
"""
# Scroll to the appendix; where is the contents then, and which entry is highlighted?
SCROLL_JS = """
var target = document.getElementById('sec-appendix');
window.scrollTo(0, target.getBoundingClientRect().top + window.scrollY - 10);
document.dispatchEvent(new Event('scroll'));
var active = document.querySelector('#TOC a.active');
var toc = document.getElementById('TOC').getBoundingClientRect();
return {scrolled: window.scrollY, toc_top: toc.top, active: active && active.getAttribute('href')};
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The synthetic project rendered to HTML by the pandoc fallback."""
    tmp = tmp_path_factory.mktemp("browser")
    # Enough text to scroll past the first screen on a desktop window.
    filler = "\n\n".join(["Text to read. " * 60] * 8)
    project = synthetic_project(tmp)
    qmd = (project["source"] / "index.qmd").read_text()
    (project["source"] / "index.qmd").write_text(qmd + "\n" + filler + "\n")
    assert render_report(**project) == "pandoc"
    return project["html"]


def test_every_sidebar_link_and_figure_reference_resolves_in_the_dom(page):
    dom = parse(dump_dom(page))
    toc = [link for link in dom.links if link["in_toc"]]
    assert len(toc) >= 5
    for link in toc:
        assert link["href"].startswith("#") and link["href"][1:] in dom.ids, link
    figure_refs = {k for k in xref_texts(dom) if k.startswith("fig-")}
    assert figure_refs == {"fig-digits", "fig-noise"}
    assert figure_refs <= dom.with_img  # each reference lands on the figure with its image


def test_desktop_has_the_contents_beside_the_text_and_keeps_them_in_view(page):
    layout = evaluate(page, LAYOUT_JS, 1280, 900)
    assert layout["toc"][0] >= layout["main"][2]  # contents right of the column
    assert layout["page"] <= layout["window"]
    scrolled = evaluate(page, SCROLL_JS, 1280, 900)
    assert scrolled["scrolled"] > 500
    assert 0 <= scrolled["toc_top"] < 100  # sticky: still at the top of the window
    assert scrolled["active"] == "#sec-appendix"


def test_phone_width_puts_the_contents_above_and_only_wide_tables_scroll(page, tmp_path):
    layout = evaluate(page, LAYOUT_JS, 390, 844)
    assert layout["toc"][3] <= layout["main"][1]  # contents above the text
    assert layout["page"] <= layout["window"]  # nothing overflows the window ...
    assert layout["scrolling_tables"] == [False, True]  # ... but the wide table, in its box
    png = screenshot(page, tmp_path / "phone.png", 390, 844)
    with Image.open(png) as image:
        assert image.size == (390, 844)
        assert image.convert("L").getextrema()[0] < 100  # text was painted
