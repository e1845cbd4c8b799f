"""Headless Chromium driven through Playwright (sync API), for the lab's benchmark and the tests.

The system's Chromium is used (``executable_path``); Playwright's bundled browsers are never
downloaded. One browser per process, started on first use and closed at exit; every page gets
a fresh context (no state shared between calls).
"""

from __future__ import annotations

import atexit
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_MS = 120_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"]

_state: dict = {}


def find_chromium() -> str | None:
    """Path of a Chromium-like browser on PATH, or None."""
    for name in NAMES:
        if found := shutil.which(name):
            return found
    return None


def have_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def browser():
    """The process's headless Chromium (a Playwright ``Browser``), launched on first use."""
    if "browser" in _state and _state["browser"].is_connected():
        return _state["browser"]
    executable = find_chromium()
    if executable is None:
        raise RuntimeError(f"no browser on PATH ({', '.join(NAMES)}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    if "playwright" not in _state:
        _state["playwright"] = sync_playwright().start()
        atexit.register(close)
    _state["browser"] = _state["playwright"].chromium.launch(
        executable_path=executable, headless=True, args=ARGS
    )
    return _state["browser"]


def close() -> None:
    """Close the browser and stop Playwright's driver (registered at exit)."""
    if b := _state.pop("browser", None):
        with suppress(Exception):  # already gone at exit
            b.close()
    if p := _state.pop("playwright", None):
        with suppress(Exception):
            p.stop()


def url(html_path: Path, fragment: str = "") -> str:
    return Path(html_path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


@contextmanager
def open_page(
    html_path: Path,
    width: int = 1280,
    height: int = 900,
    fragment: str = "",
    *,
    touch=False,
    init: str = "",
) -> Iterator:
    """A Playwright ``Page`` on ``html_path`` (at ``#fragment``), loaded, in a fresh context of
    ``width`` × ``height``, with the script ``init`` run before the page's own (e.g. to take
    an API away); script errors raised in the page are collected in ``page.errors`` (a list
    of strings)."""
    context = browser().new_context(
        viewport={"width": width, "height": height}, has_touch=touch, device_scale_factor=1
    )
    try:
        context.set_default_timeout(TIMEOUT_MS)
        if init:
            context.add_init_script(init)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        page.goto(url(html_path, fragment), wait_until="load")
        yield page
    finally:
        context.close()


def evaluate_body(page, body: str):
    """Run the function body ``body`` (ending in ``return <JSON value>``; it may ``await``) in
    ``page``."""
    from playwright.sync_api import Error

    try:
        return page.evaluate(f"async () => {{ {body}\n}}")
    except Error as e:
        raise RuntimeError(f"script failed in the page: {e.message.splitlines()[0]}") from None
