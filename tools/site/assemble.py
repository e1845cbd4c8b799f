"""Assemble the published site (what GitHub Pages serves) from a run's report folder.

    python tools/site/assemble.py results/quick/report results/quick/site
    python tools/site/assemble.py --check results/quick/site

Starting from ``report.html`` it copies every page, PDF and image the report links to
(following links out of the copied HTML pages too, such as ``explorer.html``), adds the PDF and
``index.html`` (a copy of ``report.html``, so the site's address opens the report), then checks
that every relative link and image of every HTML page in the folder resolves to a file there.
A missing page or a dead link is one line on stderr and exit code 1; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Attributes that load or link a resource; srcset is a comma-separated list of "url size".
LINK_ATTRS = {"href", "src", "poster", "data"}
ALWAYS = ("report.html", "report.pdf", "explorer.html")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRS:
                self.links.append(value)
            elif name == "srcset":
                self.links.extend(p.strip().split()[0] for p in value.split(",") if p.strip())


def links(html: str) -> list[str]:
    """Every href/src/srcset/poster/data value of an HTML page, in order."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def local_target(link: str) -> str | None:
    """The relative file path a link points to, or None for external/fragment/data links."""
    parts = urlsplit(link.strip())
    if parts.scheme or parts.netloc or link.strip().startswith("//"):
        return None  # http:, https:, mailto:, data:, javascript:, file: ...
    path = unquote(parts.path)
    return path or None  # "" is a link to the page itself (#fragment or ?query)


def dead_links(folder: Path) -> list[str]:
    """``page: link`` for every relative link of every HTML page in ``folder`` that is missing."""
    folder = Path(folder).resolve()
    dead = []
    for page in sorted(folder.rglob("*.html")):
        for link in links(page.read_text(encoding="utf-8", errors="replace")):
            target = local_target(link)
            if target is None:
                continue
            resolved = (page.parent / target).resolve()
            inside = resolved == folder or folder in resolved.parents
            if not inside or not resolved.is_file():
                dead.append(f"{page.relative_to(folder).as_posix()}: {link}")
    return dead


def assemble(report_dir: Path, site: Path) -> list[str]:
    """Copy the report's pages and what they link into ``site``; the copied paths."""
    report_dir, site = Path(report_dir), Path(site)
    for name in ALWAYS:
        if not (report_dir / name).is_file():
            raise FileNotFoundError(f"{report_dir / name} is missing (run `make report` first)")
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    root = report_dir.resolve()
    todo, copied = list(ALWAYS), []
    while todo:
        rel = todo.pop(0)
        if rel in copied:
            continue
        source = (root / rel).resolve()
        if not source.is_file() or root not in source.parents:
            continue  # reported as a dead link by the check
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, site / rel)
        copied.append(rel)
        if source.suffix == ".html":
            for link in links(source.read_text(encoding="utf-8", errors="replace")):
                target = local_target(link)
                if target is not None:
                    resolved = (source.parent / target).resolve()
                    if root in resolved.parents:
                        todo.append(resolved.relative_to(root).as_posix())
    shutil.copy2(site / "report.html", site / "index.html")
    copied.append("index.html")
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=Path, nargs="?", help="results/<profile>/report")
    parser.add_argument("site", type=Path, nargs="?", help="the site folder to write")
    parser.add_argument("--check", type=Path, metavar="SITE", help="only check SITE's links")
    args = parser.parse_args(argv)
    if args.check is not None:
        if args.report_dir is not None:
            parser.error("--check takes the site folder alone")
        args.site = args.check
        if not args.site.is_dir():
            print(f"site: no folder {args.site}", file=sys.stderr)
            return 2
    else:
        if args.site is None:
            parser.error("give the report folder and the site folder")
        try:
            copied = assemble(args.report_dir, args.site)
        except FileNotFoundError as error:
            print(f"site: {error}", file=sys.stderr)
            return 2
        print(f"site: {len(copied)} files in {args.site}: {', '.join(sorted(copied))}")
    pages = sorted(args.site.rglob("*.html"))
    dead = dead_links(args.site)
    if dead:
        print(f"site: {len(dead)} dead links in {args.site}: {'; '.join(dead)}", file=sys.stderr)
        return 1
    n = sum(1 for p in pages for link in links(p.read_text()) if local_target(link) is not None)
    print(f"site: {len(pages)} pages, {n} relative links and images, none dead")
    return 0


if __name__ == "__main__":
    sys.exit(main())
