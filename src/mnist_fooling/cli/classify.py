"""``classify``: the trained models' top-3 outputs for your own images."""

from __future__ import annotations

from pathlib import Path

from .options import model_name


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("classify", help="top-3 outputs of the trained models for your images")
    s.add_argument("images", type=Path, nargs="+", help="PNG/JPEG/BMP/GIF or a (28, 28) .npy")
    s.add_argument(
        "--model",
        type=model_name,
        action="append",
        help="model to use (repeat; default: all three)",
    )
    s.add_argument("--models-dir", type=Path, default=Path("results/default/models"))
    s.add_argument(
        "--raw", action="store_true", help="only resize to 28×28: no cropping, fitting or centring"
    )
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_classify)


def cmd_classify(args) -> None:
    from ..stages.classify.classify import run_classify

    print(
        run_classify(
            args.images,
            models_dir=args.models_dir,
            model_names=args.model,
            raw=args.raw,
            as_json=args.json,
        )
    )
