"""Headless chromium for tests that look at a rendered page in a real browser.

``dump_dom`` returns the DOM after the page's scripts ran, ``evaluate`` the value of a
script run in the loaded page at a given window size, ``screenshot`` writes a PNG. All need
chromium (``apt-get install chromium``): check ``chromium()`` first and skip when it is None.
Under ``CI=true`` a missing browser is a failure instead: ``chromium()`` fails the test (or
the module that asks at import) rather than letting it skip, so CI cannot pass without
opening the pages (``.ci/run`` installs chromium when it is missing).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 120
_RESULT = re.compile(r'<pre id="browser-result">(.*?)</pre>', re.DOTALL)


def chromium() -> str | None:
    """Path of a chromium-like browser on PATH, or None (a test failure under ``CI=true``)."""
    for name in NAMES:
        if found := shutil.which(name):
            return found
    if os.environ.get("CI") == "true":
        import pytest

        pytest.fail(
            f"CI=true and no browser on PATH ({', '.join(NAMES)}): the browser tests must run;"
            " apt-get install chromium (.ci/run does)",
            pytrace=False,
        )
    return None


def _run(args: list[str], page: Path, fragment: str = "") -> str:
    """Run headless chromium on ``page`` (``file://...#fragment``) and return its stdout."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("chromium not installed: apt-get install chromium")
    url = Path(page).resolve().as_uri() + (f"#{fragment}" if fragment else "")
    # A fresh profile per call: no state between tests, no clash with a running browser.
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            # Run the page's scripts (and timers) to completion before dumping or shooting.
            "--virtual-time-budget=5000",
            *args,
            url,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def _copy_with(html_path: Path, folder: Path, inject: str) -> Path:
    """A copy of ``html_path`` in ``folder`` with ``inject`` added at the end of its body."""
    base = html_path.resolve().parent.as_uri() + "/"  # relative links still resolve
    text = html_path.read_text()
    text = text.replace("<head>", f'<head><base href="{base}">', 1)
    copy = folder / html_path.name
    copy.write_text(text.replace("</body>", inject + "</body>", 1))
    return copy


def dump_dom(html_path: Path, fragment: str = "") -> str:
    """The serialised DOM of ``html_path`` (opened at ``#fragment``) after its scripts ran."""
    return _run(["--dump-dom"], html_path, fragment)


def evaluate(html_path: Path, body: str, width: int = 1280, height: int = 900):
    """The value of the JavaScript function ``body`` run after ``html_path`` loaded.

    ``body`` is a function body ending in ``return <JSON-serialisable value>``, run in a
    ``width`` × ``height`` window; a script error is raised as ``RuntimeError``.
    """
    inject = (
        "<script>addEventListener('load',function(){var r;"
        f"try{{r=JSON.stringify((function(){{{body}\n}})());}}"
        "catch(e){r=JSON.stringify({'browser-error':String(e)});}"
        "var p=document.createElement('pre');p.id='browser-result';p.textContent=r;"
        "document.body.appendChild(p);});</script>"
    )
    with tempfile.TemporaryDirectory(prefix="evaluate-") as tmp:
        copy = _copy_with(Path(html_path), Path(tmp), inject)
        dom = _run(["--dump-dom", f"--window-size={width},{height}"], copy)
    found = _RESULT.search(dom)
    if not found:
        raise RuntimeError("the page's script left no result")
    value = json.loads(html.unescape(found.group(1)))
    if isinstance(value, dict) and "browser-error" in value:
        raise RuntimeError(f"script failed in the page: {value['browser-error']}")
    return value


def screenshot(html_path: Path, png: Path, width: int, height: int, fragment: str = "") -> Path:
    """Write a ``width`` × ``height`` screenshot of ``html_path`` (at ``#fragment``) to ``png``.

    Headless chromium paints a blank screenshot once the window has scrolled, so for a
    ``fragment`` the page is shot from a copy in which the body, not the window, scrolls.
    """
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    args = [f"--screenshot={png.resolve()}", f"--window-size={width},{height}"]
    if not fragment:
        _run(args, html_path)
    else:
        inject = (
            "<style>html{overflow:hidden;height:100%}body{height:100%;overflow:auto}</style>"
            "<script>addEventListener('load',function(){"
            f"var e=document.getElementById({json.dumps(fragment)});"
            "if(e){document.body.scrollTop=e.getBoundingClientRect().top-16;}"
            "document.dispatchEvent(new Event('scroll'));});</script>"
        )
        with tempfile.TemporaryDirectory(prefix="scrolled-") as tmp:
            _run(args, _copy_with(Path(html_path), Path(tmp), inject))
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot {png}")
    return png
