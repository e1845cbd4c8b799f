"""The report: ``plot`` (figures), ``fragment`` (a stage's part), ``report-inputs``,
``render``, and the ``explorer`` page of every fooling image."""

from __future__ import annotations

import logging
from pathlib import Path

from ..core.errors import UserInputError
from .options import add_models, add_runs, json_object, pair, runs_by_key

PLOTS = ["examples", "confidence", "pca", "edge", "fooling", "likeness"]


def add_parsers(sub) -> None:
    """Add the report's subcommands to ``sub``."""
    s = sub.add_parser("plot", help="draw figures from pipeline outputs")
    s.add_argument("what", choices=PLOTS)
    s.add_argument(
        "--input",
        type=Path,
        nargs="+",
        required=True,
        help="mnist.npz, confidence samples CSV, the pca/edge output directory, (fooling) "
        "the <model>/<method>.npz run files, or (likeness) the calibration, readers and "
        "specificity CSVs",
    )
    s.add_argument("--data", type=Path, help="mnist.npz (plot pca, plot likeness)")
    s.add_argument("--out", type=Path, required=True, help="a PNG, or a directory (pca, edge)")
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("fragment", help="a stage's report fragment: variables, tables, claims")
    s.add_argument("stage", help="the stage (mnist_fooling.stages.<stage>.fragment)")
    s.add_argument(
        "--input",
        type=pair("KEY"),
        nargs="*",
        default=[],
        metavar="KEY=PATH",
        help="the stage's files",
    )
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


def plot_likeness(args) -> None:
    """``plot likeness --input CALIBRATION READERS SPECIFICITY --data mnist.npz``."""
    from ..stages.fooling.calibration_figures import plot_calibration

    if len(args.input) != 3:
        raise UserInputError(
            "plot likeness takes three --input: likeness_calibration.csv, likeness_readers.csv "
            f"and likeness_specificity.csv, got {len(args.input)}"
        )
    if args.data is None:
        raise UserInputError("plot likeness needs --data (for the blends and negatives)")
    calibration, readers, specificity = args.input
    plot_calibration(
        calibration=calibration,
        readers=readers,
        specificity=specificity,
        data=args.data,
        out_curve=args.out / "likeness_calibration.png",
        out_blends=args.out / "likeness_blends.png",
        out_negatives=args.out / "likeness_negatives.png",
    )


def cmd_plot(args) -> None:
    if args.what == "fooling":
        from ..stages.fooling.figures import plot_fooling

        return plot_fooling(runs=args.input, out_dir=args.out)
    if args.what == "likeness":
        return plot_likeness(args)
    if len(args.input) != 1:
        raise UserInputError(f"plot {args.what} takes one --input, got {len(args.input)}")
    (path,) = args.input
    if args.what == "examples":
        from ..stages.data.figures import plot_examples

        plot_examples(data=path, out=args.out)
    elif args.what == "confidence":
        from ..stages.evaluate.figures import plot_confidence

        plot_confidence(samples=path, out=args.out)
    elif args.what == "pca":
        from ..stages.pca.figures import plot_pca

        if args.data is None:
            raise UserInputError("plot pca needs --data (for the reconstructions)")
        plot_pca(pca_dir=path, data=args.data, out_dir=args.out)
    else:
        from ..stages.edge.figures import plot_edge

        plot_edge(edge_dir=path, out_dir=args.out)


def cmd_fragment(args) -> None:
    from ..report.fragments import build_fragment, write_fragment

    inputs: dict[str, Path | list[Path]] = {}
    for key, path in args.input:
        if key in inputs:  # a repeated key is a list of files
            previous = inputs[key]
            inputs[key] = [*(previous if isinstance(previous, list) else [previous]), path]
        else:
            inputs[key] = path
    # the sections the stage reads (the workflow validated the whole config)
    write_fragment(args.out, build_fragment(args.stage, inputs, args.config_json))


def cmd_report_inputs(args) -> None:
    from ..config import validate_config
    from ..report.gather import write_report_inputs

    config = args.config_json
    validate_config(config)
    benchmarks = []
    for path in args.benchmarks:  # a folder stands for the TSVs in it
        benchmarks += sorted(path.glob("*.tsv")) if path.is_dir() else [path]
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
