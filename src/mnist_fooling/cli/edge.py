"""``edge``: the drawing-to-the-edge experiments (C10-C13)."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, add_models, at_least, between


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("edge", help="drawing-to-the-edge experiments (C10-C13)")
    add_data(s)
    add_models(s)
    s.add_argument("--n-images", type=at_least(1), required=True)
    s.add_argument("--sizes", type=between(1, 28), nargs="+", required=True)
    s.add_argument("--shifts", type=int, nargs="+", required=True)
    s.add_argument("--borders", type=between(0, 28), nargs="+", required=True)
    # The conditions the verdicts read (C10/C11, C12, C13), from the config's edge section.
    s.add_argument("--frame-size", type=between(4, 28), required=True)
    s.add_argument("--bordered-size", type=between(4, 28), required=True)
    s.add_argument("--scramble-box", type=between(0, 27), required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_edge)


def cmd_edge(args) -> None:
    from ..stages.edge.compute import run_edge

    run_edge(
        data=args.data,
        models=dict(args.models),
        n_images=args.n_images,
        sizes=args.sizes,
        shifts=args.shifts,
        borders=args.borders,
        frame_size=args.frame_size,
        bordered_size=args.bordered_size,
        scramble_box=args.scramble_box,
        seed=args.seed,
        out_dir=args.out_dir,
    )
