"""Report fragments: each stage writes its own variables, tables and claim rows; the report gathers.

A fragment is one JSON file, ``results/<profile>/report/fragments/<stage>.json``, written by the
stage's ``fragment_<stage>`` rule through ``mnist-fooling fragment <stage>``, which calls
``mnist_fooling.stages.<stage>.fragment.fragment(inputs, config)``. It holds:

- ``variables``: nested values, reachable in the report as ``{{< var <stage>.key >}}``;
- ``tables``: markdown tables, included as ``{{< include tables/<stage>/<name>.md >}}``;
- ``claims``: claim rows (``id``, ``measured``, ``criterion``, ``verdict``; see ``claims``).

The report's section for the stage is ``report/sections/<stage>.qmd``; :func:`gather` lists the
sections in the order of the fragments, so a new stage touches its own files and the one
``include:`` line of the Snakefile.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..core.io import write_text
from .parts import existing, stage_function

FRAGMENT_KEYS = ("variables", "tables", "claims")


def build_fragment(stage: str, inputs: dict[str, Path], config: dict) -> dict:
    """Call ``fragment(inputs, config)`` of ``mnist_fooling.stages.<stage>.fragment``; check it."""
    make = stage_function("fragment", stage, "fragment", "fragment")
    found = make(existing(f"fragment {stage}", inputs), config)
    unknown = set(found) - set(FRAGMENT_KEYS)
    if unknown:
        raise ValueError(f"fragment {stage}: unknown keys {sorted(unknown)}")
    return {
        "stage": stage,
        **{k: found.get(k) or ({} if k != "claims" else []) for k in FRAGMENT_KEYS},
    }


def write_fragment(path: Path, fragment: dict) -> None:
    """Write a fragment as JSON (sorted keys, so reruns are byte-identical)."""
    write_text(path, json.dumps(fragment, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def read_fragments(paths: list[Path]) -> list[dict]:
    """The fragments in the given order."""
    return [json.loads(Path(p).read_text()) for p in paths]


def gather(fragments: list[dict], *, out_dir: Path, base_variables: dict, sections: Path) -> None:
    """Write ``_variables.yml``, ``tables/<stage>/*.md`` and ``_sections.qmd`` into ``out_dir``.

    Args:
        fragments: as read by :func:`read_fragments`, in report order.
        base_variables: the report's own variables (profile, commit, claim counts).
        sections: the Quarto project's ``sections/`` folder; a stage without a section file
            contributes variables and tables only.
    """
    variables = dict(base_variables)
    includes = []
    for frag in fragments:
        stage = frag["stage"]
        if stage in variables:
            raise ValueError(f"fragment {stage!r} clashes with a report variable")
        variables[stage] = frag["variables"]
        for name, text in frag["tables"].items():
            write_text(out_dir / "tables" / stage / f"{name}.md", text)
        if (sections / f"{stage}.qmd").is_file():
            includes.append(f"{{{{< include sections/{stage}.qmd >}}}}\n")
    write_text(
        out_dir / "_variables.yml",
        yaml.safe_dump(variables, sort_keys=True, allow_unicode=True),
    )
    write_text(out_dir / "_sections.qmd", "\n".join(includes))
