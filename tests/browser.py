"""Headless Chromium for tests that look at a rendered page in a real browser, via Playwright.

``dump_dom`` returns the DOM after the page's scripts ran, ``evaluate`` the value of a
script run in the loaded page at a given window size, ``screenshot`` writes a PNG and
``open_page`` gives the Playwright ``Page`` itself (real mouse, touch and keyboard input). All
drive the system's Chromium through Playwright's sync API (``executable_path``: Playwright's
own browsers are never downloaded), one browser per test session and a fresh context per call
(``mnist_fooling.stages.lab.browser``). Check ``chromium()`` first and skip when it is None.
Under ``CI=true`` a missing browser (or a missing ``playwright`` package) is a failure
instead: ``chromium()`` fails the test (or the module that asks at import) rather than letting
it skip, so CI cannot pass without opening the pages (``.ci/run`` installs chromium when it is
missing).
"""

from __future__ import annotations

import os
from pathlib import Path

from mnist_fooling.stages.lab import browser as _browser
from mnist_fooling.stages.lab.browser import NAMES

__all__ = ["chromium", "dump_dom", "evaluate", "open_page", "screenshot"]

# Let the page's timers and animation frames run before the DOM is read.
_SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() =>"
_SETTLE += " setTimeout(r, 50))))"


def chromium() -> str | None:
    """Path of a chromium-like browser on PATH (with Playwright importable), or None (a test
    failure under ``CI=true``)."""
    found = _browser.find_chromium()
    if found and _browser.have_playwright():
        return found
    if os.environ.get("CI") == "true":
        import pytest

        missing = (
            "the playwright package (pip install -e '.[test]')"
            if found
            else f"a browser on PATH ({', '.join(NAMES)}): apt-get install chromium (.ci/run does)"
        )
        pytest.fail(f"CI=true and no {missing}: the browser tests must run", pytrace=False)
    return None


def open_page(html_path: Path, width: int = 1280, height: int = 900, fragment: str = "", **kw):
    """Context manager: a loaded Playwright ``Page`` on ``html_path`` (see the module)."""
    if chromium() is None:
        raise RuntimeError("chromium not installed: apt-get install chromium")
    return _browser.open_page(html_path, width, height, fragment, **kw)


def _copy_with(html_path: Path, folder: Path, inject: str) -> Path:
    """A copy of ``html_path`` in ``folder`` with ``inject`` added at the end of its body."""
    base = html_path.resolve().parent.as_uri() + "/"  # relative links still resolve
    text = html_path.read_text()
    text = text.replace("<head>", f'<head><base href="{base}">', 1)
    copy = folder / html_path.name
    copy.write_text(text.replace("</body>", inject + "</body>", 1))
    return copy


def _raise_page_errors(page) -> None:
    if page.errors:
        raise RuntimeError(f"script failed in the page: {page.errors[0]}")


def dump_dom(html_path: Path, fragment: str = "") -> str:
    """The serialised DOM of ``html_path`` (opened at ``#fragment``) after its scripts ran."""
    with open_page(html_path, fragment=fragment) as page:
        page.evaluate(_SETTLE)
        return page.content()


def evaluate(html_path: Path, body: str, width: int = 1280, height: int = 900):
    """The value of the JavaScript function ``body`` run after ``html_path`` loaded.

    ``body`` is a function body ending in ``return <JSON-serialisable value>``, run in a
    ``width`` × ``height`` window; a script error is raised as ``RuntimeError``.
    """
    with open_page(html_path, width, height) as page:
        return _browser.evaluate_body(page, body)


def screenshot(html_path: Path, png: Path, width: int, height: int, fragment: str = "") -> Path:
    """Write a ``width`` × ``height`` screenshot of ``html_path`` (at ``#fragment``) to ``png``:
    for a ``fragment``, scrolled so that its element's top sits 16 px below the window's."""
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    with open_page(html_path, width, height) as page:
        if fragment:
            page.evaluate(
                "(id) => { const e = document.getElementById(id); if (e) window.scrollTo(0,"
                " e.getBoundingClientRect().top + window.scrollY - 16);"
                " document.dispatchEvent(new Event('scroll')); }",
                fragment,
            )
        page.evaluate(_SETTLE)
        page.screenshot(path=str(png))
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot {png}")
    return png
