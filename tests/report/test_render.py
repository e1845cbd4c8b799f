"""Rendering the report: shortcodes, and the pandoc + typst fallback on a small Quarto project."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.report.render import expand_shortcodes, lookup, render_report
from tests.conftest import ROOT

QMD = """\
---
title: "A synthetic report"
subtitle: "Two figures, a table and a callout"
date: "profile `{{< var profile >}}`"
lang: en
---

## Introduction {#sec-intro}

Digits are in @Fig-digits and noise in @fig-noise; the numbers are in @tbl-scores, and the
claims in @sec-claims. As [-@fig-digits] shows, the verdict is
[reproduced]{.verdict .v-reproduced}.

::: {.callout-note}
## How to read this report

Every number comes from `_variables.yml` (seed {{< var seed >}}).
:::

::: {.callout-warning title="Small profile"}
Few images.
:::

![Eight digits, one row per class.](figures/digits.png){#fig-digits width=60%}

{{< include sections/claims.qmd >}}

## Appendix {.unnumbered #sec-appendix}

{{< include _sections.qmd >}}
"""

CLAIMS = """\
## Claims checked {#sec-claims}

### Scores

{{< include /tables/fooling/scores.md >}}

: Scores per model and the verdict of each claim. {#tbl-scores}

![Uniform noise, which every model calls a digit.](figures/noise.png){#fig-noise}

::: {.callout-tip}
See @fig-noise, @sec-intro and the details in @sec-appendix.
:::
"""

SCORES = """\
| model | score | verdict |
|---|---|---|
| cnn | 0.99 | [reproduced]{.verdict .v-reproduced} |
| mlp | 0.50 | [partly]{.verdict .v-partly} |
| softmax | 0.10 | [not reproduced]{.verdict .v-not-reproduced} |
| template | — | [not yet measured]{.verdict .v-not-measured} |
"""

WIDE = "| " + " | ".join(f"column_{i}_with_a_long_name" for i in range(14)) + " |\n"
WIDE += "|" + "---|" * 14 + "\n| " + " | ".join("0.123456789" for _ in range(14)) + " |\n"

CAPTION = "Scores per model and the verdict of each claim."


def write_png(path: Path, shade: int) -> Path:
    """A tiny greyscale PNG (written by Pillow: byte-identical every time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (56, 28), color=shade).save(path)
    return path


def synthetic_project(tmp_path: Path, qmd: str = QMD) -> dict:
    """A Quarto project, its generated inputs and figures: ``render_report``'s arguments."""
    source = tmp_path / "report"
    shutil.copytree(ROOT / "report", source, ignore=shutil.ignore_patterns("*.qmd", "sections"))
    (source / "index.qmd").write_text(qmd)
    (source / "sections").mkdir()
    (source / "sections" / "claims.qmd").write_text(CLAIMS)
    inputs = tmp_path / "out"
    (inputs / "tables" / "fooling").mkdir(parents=True)
    (inputs / "_variables.yml").write_text("profile: test\nseed: 7\n")
    (inputs / "tables" / "fooling" / "scores.md").write_text(SCORES)
    (inputs / "tables" / "wide.md").write_text(WIDE)
    (inputs / "_sections.qmd").write_text("### Wide table\n\n{{< include tables/wide.md >}}\n")
    figures = [
        write_png(tmp_path / "figs" / "digits.png", 40),
        write_png(tmp_path / "figs" / "noise.png", 200),
    ]
    return dict(
        source=source,
        inputs=inputs,
        figures=figures,
        html=inputs / "report.html",
        pdf=inputs / "report.pdf",
        renderer="pandoc",
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """The synthetic project rendered once for all tests of this module."""
    project = synthetic_project(tmp_path_factory.mktemp("render"))
    assert render_report(**project) == "pandoc"
    return project


class _Elements(HTMLParser):
    """Every element's tag, attributes and text, and each link's text, from an HTML page."""

    def __init__(self):
        super().__init__()
        self.ids: dict[str, str] = {}  # id -> tag
        self.links: list[dict] = []  # {"href", "class", "text", "in_toc"}
        self.classes: list[tuple[str, str, str]] = []  # (tag, class, id)
        self.figures: dict[str, str] = {}  # figure id -> caption text
        self.with_img: set[str] = set()  # ids of elements that contain an <img>
        self._stack: list[tuple[str, dict]] = []
        self._open_links: list[dict] = []
        self._caption: list[str] | None = None
        self._caption_depth = -1

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        self.classes.append((tag, attrs.get("class", ""), attrs.get("id", "")))
        in_toc = any(a.get("id") == "TOC" for _, a in self._stack)
        if tag == "img":
            self.with_img |= {a["id"] for _, a in self._stack if a.get("id")}
        if tag == "a":
            link = dict(href=attrs.get("href", ""), cls=attrs.get("class", ""), text="")
            link["in_toc"] = in_toc
            self.links.append(link)
            self._open_links.append(link)
        # A table's caption is a block above its scroll box (<div class="table-caption">).
        if tag in ("figcaption", "caption") or "table-caption" in attrs.get("class", "").split():
            self._caption = []
            self._caption_depth = len(self._stack)
        if tag not in ("img", "meta", "link", "br", "col", "hr", "input"):
            self._stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            self._open_links.pop()
        closing_caption = self._caption is not None and len(self._stack) == self._caption_depth + 1
        if closing_caption and self._stack[-1][0] == tag:
            owner = next((a.get("id") for t, a in reversed(self._stack) if a.get("id")), "")
            self.figures[owner] = " ".join("".join(self._caption).split())
            self._caption = None
        if any(t == tag for t, _ in self._stack):  # <img/> and the like were never pushed
            while self._stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        for link in self._open_links:
            link["text"] += data
        if self._caption is not None:
            self._caption.append(data)


def parse(html: str) -> _Elements:
    """The parsed elements of a rendered page's text."""
    parser = _Elements()
    parser.feed(html)
    return parser


def xref_texts(page: _Elements) -> dict[str, set[str]]:
    """Cross-reference link texts by target id."""
    out: dict[str, set[str]] = {}
    for link in page.links:
        if "quarto-xref" in link["cls"]:
            text = " ".join(link["text"].split())
            out.setdefault(link["href"].lstrip("#"), set()).add(text)
    return out


def test_expand_var_and_include(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.md").write_text("| a |\n|---|\n| 1 |\n")
    text = "x {{< var accuracy.cnn.test >}} y\n\n{{< include tables/t.md >}}\n"
    out = expand_shortcodes(text, root=tmp_path, variables={"accuracy": {"cnn": {"test": "99.1%"}}})
    assert out == "x 99.1% y\n\n| a |\n|---|\n| 1 |\n\n"


def test_missing_variable_or_include_is_an_error(tmp_path):
    with pytest.raises(UserInputError, match="'a.b' is not in _variables.yml"):
        lookup({"a": {"c": 1}}, "a.b")
    with pytest.raises(UserInputError, match="does not exist"):
        expand_shortcodes("{{< include nope.md >}}", root=tmp_path, variables={})


def test_includes_nest_relative_to_the_project_root_up_to_a_limit(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.md").write_text("T {{< var v >}}\n")
    # As in Quarto, a nested include's path is relative to the project root, not its file.
    (tmp_path / "sections" / "s.qmd").write_text('S\n\n{{< include "/tables/t.md" >}}\n')
    text = "{{< include sections/s.qmd >}}"
    assert expand_shortcodes(text, root=tmp_path, variables={"v": 3}) == "S\n\nT 3\n\n"
    (tmp_path / "loop.qmd").write_text("{{< include loop.qmd >}}")
    with pytest.raises(UserInputError, match="nested deeper than 8 levels at loop.qmd"):
        expand_shortcodes("{{< include loop.qmd >}}", root=tmp_path, variables={})


def test_render_sweeps_a_killed_renders_build_directory(tmp_path):
    stale = tmp_path / "out" / ".build-killed"
    stale.mkdir(parents=True)
    (stale / "index.typ").write_text("left by SIGKILL")
    with pytest.raises(FileNotFoundError):  # no inputs here: only the sweep is under test
        render_report(
            source=tmp_path / "missing",
            inputs=tmp_path,
            figures=[],
            html=tmp_path / "out" / "r.html",
            pdf=tmp_path / "out" / "r.pdf",
            renderer="pandoc",
        )
    assert not stale.exists()
    assert not list((tmp_path / "out").glob(".build-*"))


def test_html_has_a_contents_sidebar_whose_links_all_resolve(rendered):
    page = parse(rendered["html"].read_text())
    assert page.ids.get("TOC") == "nav"
    toc = [link for link in page.links if link["in_toc"]]
    texts = [link["text"] for link in toc]
    assert texts == ["1 Introduction", "2 Claims checked", "2.1 Scores", "Appendix", "Wide table"]
    for link in toc:
        assert link["href"].lstrip("#") in page.ids, link


def test_html_numbers_figures_tables_and_sections_and_links_references(rendered):
    page = parse(rendered["html"].read_text())
    assert page.ids["fig-digits"] == "figure" and page.ids["fig-noise"] == "figure"
    assert page.figures["fig-digits"] == "Figure 1: Eight digits, one row per class."
    assert page.figures["fig-noise"].startswith("Figure 2: Uniform noise")
    assert page.figures["tbl-scores"] == f"Table 1: {CAPTION}"
    assert {"fig-digits", "fig-noise"} <= page.with_img
    refs = xref_texts(page)
    assert refs["fig-digits"] == {"Figure 1", "1"}  # @fig-digits and [-@fig-digits]
    assert refs["fig-noise"] == {"Figure 2"}
    assert refs["tbl-scores"] == {"Table 1"}
    assert refs["sec-claims"] == {"Section 2"}
    assert refs["sec-intro"] == {"Section 1"}
    assert refs["sec-appendix"] == {"Appendix"}  # unnumbered: its title


def test_html_has_verdict_labels_callouts_and_a_scrolling_box_for_tables(rendered):
    page = parse(rendered["html"].read_text())
    classes = [c for _, c, _ in page.classes]
    for verdict in ("v-reproduced", "v-partly", "v-not-reproduced", "v-not-measured"):
        assert f"verdict {verdict}" in classes
    assert "callout callout-titled callout-note" in classes
    assert "callout callout-titled callout-warning" in classes
    assert "callout callout-titled callout-tip" in classes
    html = rendered["html"].read_text()
    assert re.search(r'class="callout-header">\s*How to read this report', html)
    assert re.search(r'class="callout-header">\s*Small profile', html)
    assert re.search(r'class="callout-header">\s*Tip', html)
    # A callout's title is no section: not numbered, not in the contents.
    assert "How to read" not in " ".join(link["text"] for link in page.links)
    assert classes.count("table-wrap") == 2


def test_html_is_self_contained(rendered):
    html = rendered["html"].read_text()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "@import" not in html and 'src="figures/' not in html
    assert html.count('src="data:image/png;base64,') == 2


def test_unknown_reference_fails_with_one_line(tmp_path):
    project = synthetic_project(tmp_path, QMD.replace("@fig-noise;", "@fig-nope;"))
    with pytest.raises(UserInputError) as info:
        render_report(**project)
    assert str(info.value) == "report: unknown cross-reference @fig-nope"
    assert not project["html"].exists() and not project["pdf"].exists()


def test_pdf_numbers_figures_and_tables(rendered):
    pdf = rendered["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Figure 1: Eight digits" in flat and "Figure 2: Uniform noise" in flat
    assert f"Table 1: {CAPTION}" in flat
    assert "are in Figure 1 and noise in Figure 2" in flat
    assert "numbers are in Table 1, and the claims in Section 2" in flat
    assert "How to read this report" in flat and "not yet measured" in flat
    assert "See Figure 2, Section 1 and the details in Appendix." in flat


def test_rendering_twice_gives_identical_files(rendered, tmp_path):
    again = synthetic_project(tmp_path)
    render_report(**again)
    assert again["html"].read_bytes() == rendered["html"].read_bytes()
    assert again["pdf"].read_bytes() == rendered["pdf"].read_bytes()
