"""The README and docs/: the two commands first, links that resolve, one time per profile, CLI
examples that parse, nothing of the project's history; LICENSE and CITATION.cff beside them."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from mnist_fooling.cli import build_parser
from tests.conftest import ROOT

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M)
PROFILES = sorted(p.name for p in (ROOT / "profiles").iterdir() if (p / "config.yaml").is_file())


def readme_commands(text: str | None = None) -> list[str]:
    """Every command of the README's ```sh blocks, continuation lines joined."""
    text = README.read_text() if text is None else text
    commands = []
    for block in SH_BLOCK.findall(text):
        joined = re.sub(r"\\\n\s*", "", block)
        commands += [line.strip() for line in joined.splitlines() if line.strip()]
    return commands


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_the_readme_starts_with_the_two_commands():
    text = README.read_text()
    assert text.split("\n## ")[0].split("```")[1] == "\nmake report\nmake test\n"
    first_block = text.index("```")
    assert text[:first_block].strip() == "# mnist-fooling"


def test_the_readme_stays_short():
    assert len(README.read_text().splitlines()) < 180


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    bad = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        missing_anchor = anchor and dest.suffix == ".md" and anchor not in anchors(dest)
        if not dest.exists() or missing_anchor:
            bad.append(target)
    assert not bad, f"{page.name}: links that do not resolve: {bad}"


def test_the_docs_pages_are_linked_from_the_readme():
    text = README.read_text()
    for page in PAGES[1:]:
        assert f"(docs/{page.name})" in text, page.name
    assert "(docs/gpu.md)" in text


def test_one_row_per_profile_with_one_time_each():
    rows = re.findall(r"^\| `(\w+)` \|(.*)\|$", README.read_text(), re.M)
    assert [name for name, _ in rows] == ["test", "quick", "default", "paper", "slurm"]
    assert sorted(name for name, _ in rows) == PROFILES
    for _name, cells in rows:
        times = cells.split("|")[-2:]
        assert len(times) == 2
        assert not any(re.search(r"\d+:\d\d.*\d+:\d\d", cell) for cell in times), cells


def test_no_history_or_development_wording():
    pattern = re.compile(
        r"this session|the issue's|before (the|its?) [\w ]+ (was|were) added"
        r"|in the last clean-clone|last (clean-clone|CI) run",
        re.I,
    )
    for page in PAGES:
        found = pattern.findall(page.read_text())
        assert not found, f"{page.name}: {found}"


def test_the_configs_quote_no_run_times():
    """Their comments point at the README's profile table instead of quoting times."""
    time = re.compile(r"#.*\b\d+(\.\d+)?(\s*-\s*\d+)?\s*(s|sec|seconds|min|minutes|h|hours)\b")
    for path in [ROOT / "config" / "config.yaml", *sorted(ROOT.glob("profiles/*/config.yaml"))]:
        quoted = [line for line in path.read_text().splitlines() if time.search(line)]
        assert not quoted, f"{path.relative_to(ROOT)}: {quoted}"


def test_the_cli_examples_are_commands_that_parse(tmp_path, monkeypatch):
    """Parsed by the real parser (tests/workflow/test_readme_commands.py runs them), in a folder
    where the model files they name exist."""
    commands = readme_commands()
    assert len(commands) >= 5
    monkeypatch.chdir(tmp_path)
    parser = build_parser()
    for command in commands:
        words = shlex.split(command)
        assert words[0] in {".venv/bin/mnist-fooling", ".venv/bin/snakemake"}, command
        for word in words:
            if word.endswith(".keras"):
                path = tmp_path / word.partition("=")[2 if "=" in word else 0]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
        if words[0].endswith("mnist-fooling"):
            parser.parse_args(words[1:])  # an unknown flag or a bad value raises


def test_license_and_citation_agree_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in license_text
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"]
    assert citation["license"] == "MIT"
    references = citation["references"]
    assert any("1412.1897" in str(ref.get("identifiers")) for ref in references)
    assert [ref["type"] for ref in references].count("blog") == 2
