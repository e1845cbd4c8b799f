"""The report: ``plot`` (a stage's figures), ``fragment`` (a stage's part), ``report-inputs``,
``render``, and the ``explorer`` page of every fooling image."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from .options import add_models, add_runs, json_list, json_object, pair, runs_by_key


def add_parsers(sub) -> None:
    """Add the report's subcommands to ``sub``."""
    s = sub.add_parser("plot", help="a stage's figures from its pipeline outputs")
    s.add_argument(
        "stage",
        help="the stage (mnist_fooling.stages.<stage>.figures; <stage>:<module> for a second "
        "figures module of the stage)",
    )
    add_stage_inputs(s)
    s.add_argument("--out", type=Path, required=True, help="the figures' folder")
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("fragment", help="a stage's report fragment: variables, tables, claims")
    s.add_argument("stage", help="the stage (mnist_fooling.stages.<stage>.fragment)")
    add_stage_inputs(s)
    s.add_argument(
        "--config-json", type=json_object, required=True, help="the effective workflow config"
    )
    s.add_argument("--out", type=Path, required=True, help="the fragment (.json)")
    s.set_defaults(func=cmd_fragment)

    s = sub.add_parser("report-inputs", help="gather the stages' fragments for the report")
    s.add_argument("--out-dir", type=Path, required=True)
    s.add_argument("--config-json", type=json_object, required=True)
    s.add_argument("--fragments", type=Path, nargs="*", default=[], help="stage fragments (.json)")
    s.add_argument(
        "--benchmarks", type=Path, nargs="*", default=[], help="benchmark TSVs or their folder"
    )
    s.add_argument(
        "--benchmark-patterns-json",
        type=json_list,
        help="regular expressions of the workflow's benchmark paths: a TSV that matches none "
        "(a job of an earlier config) is left out",
    )
    s.add_argument("--repo", type=Path, default=Path("."))
    s.add_argument("--sections", type=Path, default=Path("report/sections"))
    s.add_argument(
        "--lock", type=Path, required=True, help="the runtime lock (requirements/report.lock)"
    )
    s.add_argument("--reliability", type=Path, help="summary.csv of `make reliability`")
    s.add_argument("--bad-inputs", type=Path, help="bad_inputs.csv of `make reliability`")
    s.set_defaults(func=cmd_report_inputs)

    s = sub.add_parser("render", help="render the Quarto report to HTML and PDF")
    s.add_argument("--source", type=Path, default=Path("report"))
    s.add_argument("--inputs", type=Path, required=True)
    s.add_argument("--figures", type=Path, nargs="*", default=[])
    s.add_argument("--html", type=Path, required=True)
    s.add_argument("--pdf", type=Path, required=True)
    s.add_argument(
        "--renderer",
        choices=["auto", "quarto", "pandoc"],
        required=True,
        help="the config's report.renderer (auto: quarto when on PATH, else pandoc + typst)",
    )
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("explorer", help="a static HTML page to browse every fooling image")
    add_runs(s)
    add_models(s)
    s.add_argument("--out", type=Path, required=True, help="the page (explorer.html)")
    s.set_defaults(func=cmd_explorer)


def add_stage_inputs(s) -> None:
    """``--input KEY=PATH ...``: a stage's files (a repeated key: a list of files)."""
    s.add_argument(
        "--input",
        type=pair("KEY"),
        nargs="*",
        default=[],
        metavar="KEY=PATH",
        help="the stage's files (a key given twice or more: a list of files)",
    )


def stage_inputs(pairs) -> dict[str, Path | list[Path]]:
    """``--input`` pairs as key -> path, or key -> [paths] for a repeated key."""
    inputs: dict[str, Path | list[Path]] = {}
    for key, path in pairs:
        if key in inputs:
            previous = inputs[key]
            inputs[key] = [*(previous if isinstance(previous, list) else [previous]), path]
        else:
            inputs[key] = path
    return inputs


def cmd_plot(args) -> None:
    from ..report.parts import build_figures

    build_figures(args.stage, stage_inputs(args.input), args.out)


def cmd_fragment(args) -> None:
    from ..report.fragments import build_fragment, write_fragment

    # the sections the stage reads (the workflow validated the whole config)
    inputs = stage_inputs(args.input)
    write_fragment(args.out, build_fragment(args.stage, inputs, args.config_json))


def cmd_report_inputs(args) -> None:
    from ..config import validate_config
    from ..report.gather import write_report_inputs

    config = args.config_json
    validate_config(config)
    benchmarks = []
    for path in args.benchmarks:  # a folder stands for the TSVs in it
        benchmarks += sorted(path.glob("*.tsv")) if path.is_dir() else [path]
    if args.benchmark_patterns_json is not None:
        patterns = [re.compile(p) for p in args.benchmark_patterns_json]
        benchmarks = [b for b in benchmarks if any(p.match(b.as_posix()) for p in patterns)]
    claims = write_report_inputs(
        out_dir=args.out_dir,
        config=config,
        fragments=args.fragments,
        benchmarks=benchmarks,
        repo=args.repo,
        sections=args.sections,
        lock=args.lock,
        reliability=args.reliability,
        bad_inputs=args.bad_inputs,
    )
    print(claims[["id", "value", "verdict"]].to_string(index=False))


def cmd_render(args) -> None:
    from ..report.render import render_report

    used = render_report(
        source=args.source,
        inputs=args.inputs,
        figures=args.figures,
        html=args.html,
        pdf=args.pdf,
        renderer=args.renderer,
    )
    logging.getLogger(__name__).info("rendered with %s: %s, %s", used, args.html, args.pdf)


def cmd_explorer(args) -> None:
    from ..report.explorer import write_explorer

    runs = runs_by_key(args.runs)  # the names come from the paths
    n = write_explorer(runs=runs, models=dict(args.models), out=args.out)
    print(f"{args.out}: {n} images")
