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
        help="the searches' parameters (of hillclimb, genetic, gradient_sign, square_search)",
    )
    s.add_argument("--precision", choices=("float32", "float16"), default="float32")
    s.add_argument("--out", type=Path, required=True, help="the page (lab.html)")
    s.set_defaults(func=cmd_lab)


def cmd_lab(args) -> None:
    from ..stages.lab.page import write_lab

    size = write_lab(
        models=dict(args.models), out=args.out, methods=args.methods_json, precision=args.precision
    )
    print(f"{args.out}: {size / 2**20:.1f} MiB")
