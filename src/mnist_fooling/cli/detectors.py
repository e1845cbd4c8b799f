"""``detectors``: can fooling images be caught? AUROC, adaptive attack (its figures: ``plot``)."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, add_models, add_runs, json_object, pair


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("detectors", help="can fooling images be caught? AUROC, adaptive attack")
    add_models(s)
    add_data(s)
    add_runs(s, optional=True)
    s.add_argument("--pca", type=Path, required=True, help="pca.npz of `mnist-fooling pca`")
    s.add_argument(
        "--eleventh",
        type=pair("NAME"),
        metavar="NAME=PATH",
        help="that model retrained with class 11",
    )
    s.add_argument(
        "--params-json",
        type=json_object,
        required=True,
        help="the config's detectors section as JSON",
    )
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_detectors)


def cmd_detectors(args) -> None:
    from ..stages.detectors.evaluate import run_detectors

    table = run_detectors(
        models=dict(args.models),
        data=args.data,
        runs=args.runs,
        pca=args.pca,
        params=args.params_json,
        seed=args.seed,
        out_dir=args.out_dir,
        eleventh=args.eleventh,
    )
    summary = table[~table.set.str.startswith("attack_")].groupby(["model", "detector"])
    print(summary[["auroc", "auroc_low"]].agg({"auroc": "mean", "auroc_low": "min"}).to_string())
