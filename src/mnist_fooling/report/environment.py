"""The environment a report was made in: the lock's hash, whether the installed packages equal
its pins, and which renderer (and version) typesets the document."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import shutil
import subprocess
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from ..core.errors import UserInputError

# The runtime lock `make report` installs (relative to the checkout).
REPORT_LOCK = Path("requirements") / "report.lock"
RENDERERS = ("auto", "quarto", "pandoc")

# "name==version ; marker \" as uv writes a pin with hashes on the lines that follow.
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def lock_entries(text: str) -> list[tuple[str, str, str | None]]:
    """Every pin of a hashed requirements lock: ``(canonical name, version, marker or None)``."""
    entries = []
    for line in text.splitlines():
        if match := _PIN.match(line.strip()):
            name, version, marker = match.groups()
            entries.append((canonicalize_name(name), version, marker))
    return entries


def locked_pins(text: str, *, environment: dict | None = None) -> dict[str, str]:
    """``{canonical name: version}`` of a lock for ``environment`` (default: this interpreter's),
    leaving out pins whose marker does not apply."""
    return {
        name: version
        for name, version, marker in lock_entries(text)
        if not marker or Marker(marker).evaluate(environment)
    }


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def lock_check(lock: Path) -> dict:
    """The lock's sha256 and the pins whose installed version differs: ``(name, installed,
    locked)`` with installed None for a missing package."""
    if not lock.is_file():
        return dict(sha256=None, n=0, differ=[])
    data = lock.read_bytes()
    pins = locked_pins(data.decode())
    differ = [
        (name, got, want)
        for name, want in sorted(pins.items())
        if (got := installed_version(name)) is None or _normal(got) != _normal(want)
    ]
    return dict(sha256=hashlib.sha256(data).hexdigest(), n=len(pins), differ=differ)


def _normal(version: str) -> str:
    """A version without its local part (``2.21.0+cpu`` is the lock's ``2.21.0`` build)."""
    return version.split("+", 1)[0]


def lock_markdown(check: dict, *, lock: Path = REPORT_LOCK) -> str:
    """One paragraph for the appendix: the lock's hash and "installed = lock" or the differences."""
    if check["sha256"] is None:
        return f"No lock file (`{lock}`) beside this workflow: the versions below are unpinned.\n"
    text = f"Lock `{lock}`, sha256 `{check['sha256']}`: "
    if not check["differ"]:
        return text + f"**installed = lock** (all {check['n']} pinned packages).\n"
    shown = ", ".join(
        f"{name} {got or 'missing'} (lock {want})" for name, got, want in check["differ"][:10]
    )
    more = len(check["differ"]) - 10
    return (
        text + f"**installed ≠ lock**: {len(check['differ'])} of {check['n']} pinned packages "
        f"differ: {shown}{f' and {more} more' if more > 0 else ''}. "
        "Install from the lock (`make report` in a new checkout) to reproduce this report.\n"
    )


def resolve_renderer(setting: str) -> str:
    """``quarto`` or ``pandoc`` for the config's ``report.renderer`` (auto: quarto when on PATH)."""
    if setting not in RENDERERS:
        raise UserInputError(
            f"report.renderer must be one of {', '.join(RENDERERS)}, not {setting!r}"
        )
    if setting == "auto":
        return "quarto" if shutil.which("quarto") else "pandoc"
    if setting == "quarto" and not shutil.which("quarto"):
        raise UserInputError("report.renderer is quarto, but no quarto is on PATH")
    return setting


def renderer_description(name: str) -> str:
    """What typesets the report, with versions: "Quarto 1.5.57" or "pandoc 3.6 + typst 0.13"."""
    if name == "quarto":
        done = subprocess.run(["quarto", "--version"], capture_output=True, text=True)
        return f"Quarto {done.stdout.strip() or 'unknown version'}"
    import pypandoc

    pandoc = pypandoc.get_pandoc_version()
    return (
        f"pandoc {pandoc} (pypandoc-binary {installed_version('pypandoc-binary')}) HTML, "
        f"pandoc → typst (typst-py {installed_version('typst')}) PDF"
    )
