"""``lab``: the page that runs the trained models in the browser (draw a digit, fool a network)."""

from __future__ import annotations

from pathlib import Path

from .options import add_models, json_object


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("lab", help="a self-contained page running the models in the browser")
    add_models(s)
    s.add_argument(
        "--methods-json",
        type=json_object,
        required=True,
        help="the searches' parameters: method -> its fooling.methods block (those with a lab.js)",
    )
    s.add_argument("--precision", choices=("float32", "float16"), default="float32")
    s.add_argument("--out", type=Path, required=True, help="the page (lab.html)")
    s.set_defaults(func=cmd_lab)
    add_speed_parser(sub)


def cmd_lab(args) -> None:
    from ..stages.lab.page import write_lab

    size = write_lab(
        models=dict(args.models), out=args.out, methods=args.methods_json, precision=args.precision
    )
    print(f"{args.out}: {size / 2**20:.1f} MiB")


def add_speed_parser(sub) -> None:
    """Add ``lab-speed``: the page's speed in headless Chromium beside Keras'."""
    s = sub.add_parser("lab-speed", help="the lab page's speed in headless Chromium beside Keras")
    s.add_argument("--page", type=Path, required=True, help="lab.html")
    add_models(s)
    s.add_argument("--data", type=Path, required=True, help="mnist.npz (its test digits)")
    s.add_argument("--methods", nargs="+", required=True, help="the lab methods to time")
    # No defaults here: the config's benchmark.lab section holds them (the rule passes them).
    s.add_argument("--images", type=int, required=True, help="images per timed batch")
    s.add_argument("--repeats", type=int, required=True, help="timings per rate (best kept)")
    s.add_argument("--budget", type=float, required=True, help="seconds per fooling search")
    s.add_argument("--digits", type=int, nargs="+", required=True, help="the digits to fool")
    s.add_argument(
        "--targets-json",
        type=json_object,
        required=True,
        help='{"ratio": {model: least page/Keras}, "fool": {"model", "methods", "seconds"}}',
    )
    s.add_argument("--out", type=Path, required=True, help="the CSV")
    s.set_defaults(func=cmd_lab_speed)


def cmd_lab_speed(args) -> None:
    from ..core.errors import UserInputError
    from ..stages.lab.speed import run_lab_speed

    for name, value in (("--images", args.images), ("--repeats", args.repeats)):
        if value < 1:
            raise UserInputError(f"{name} must be at least 1, not {value}")
    if not args.budget > 0 or not all(0 <= d <= 9 for d in args.digits):
        raise UserInputError("--budget must be positive and --digits digits 0-9")
    targets = args.targets_json
    if not (
        isinstance(targets.get("ratio"), dict)
        and isinstance(targets.get("fool"), dict)
        and {"model", "methods", "seconds"} <= set(targets["fool"])
    ):
        raise UserInputError(
            "--targets-json must hold 'ratio' {model: ratio} and 'fool' {model, methods, seconds}"
        )
    if not args.page.is_file():
        raise UserInputError(f"no lab page {args.page}")
    rows = run_lab_speed(
        page_path=args.page,
        models=dict(args.models),
        data=args.data,
        methods=args.methods,
        n=args.images,
        repeats=args.repeats,
        budget_s=args.budget,
        digits=args.digits,
        targets=targets,
        out=args.out,
    )
    for row in rows:
        print({k: v for k, v in row.items() if v not in ("", None)})
