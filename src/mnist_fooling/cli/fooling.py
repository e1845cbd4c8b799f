"""The fooling searches: ``fool``, ``fool-model``, ``sweep``, and what reads their runs:
``variogram``, ``transfer``, ``likeness``."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UserInputError
from .options import (
    add_data,
    add_model,
    add_models,
    add_runs,
    at_least,
    json_grid,
    json_object,
    json_value,
    method_name,
    runs_by_key,
)


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("fool", help="search fooling images of every digit with one method")
    add_model(s)
    s.add_argument("--method", required=True, type=method_name)
    s.add_argument(
        "--params-json",
        type=json_object,
        required=True,
        help="the method's config section as JSON (e.g. steps, threshold; see the schema)",
    )
    s.add_argument("--runs-per-digit", type=at_least(1), required=True)
    s.add_argument(
        "--runs-of-two",
        type=at_least(0),
        default=0,
        help="extra '2's by the genetic driver, for the posts' means of 1000 '2's",
    )
    s.add_argument(
        "--attempts-of-two",
        type=at_least(1),
        help="the driver's retries per extra '2' (needed with --runs-of-two)",
    )
    s.add_argument("--seed", type=int, required=True)
    add_data(s)
    s.add_argument("--out-npz", type=Path, required=True)
    s.add_argument("--out-csv", type=Path, required=True)
    s.set_defaults(func=cmd_fool)

    s = sub.add_parser("fool-model", help="every configured fooling method against one model")
    add_model(s)
    s.add_argument(
        "--plan-json",
        type=json_value,  # the plan's own check names its first problem
        required=True,
        help="{method: {params, runs_per_digit, runs_of_two, attempts_of_two}} as JSON",
    )
    s.add_argument("--seed", type=int, required=True)
    add_data(s)
    s.add_argument("--out-dir", type=Path, required=True, help="<out-dir>/<method>.npz, .csv")
    s.set_defaults(func=cmd_fool_model)

    s = sub.add_parser("sweep", help="one method over a grid of its parameters")
    add_model(s)
    s.add_argument("--method", required=True, type=method_name)
    s.add_argument(
        "--params-json", type=json_object, required=True, help="the method's config section as JSON"
    )
    s.add_argument(
        "--grid-json", type=json_grid, required=True, help='e.g. {"density": [0.01, 0.05]}'
    )
    s.add_argument("--runs-per-digit", type=at_least(1), required=True)
    s.add_argument("--seed", type=int, required=True)
    add_data(s)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser("variogram", help="C15: the published variogram cost against training '2's")
    add_data(s)
    s.add_argument("--published", type=Path, required=True, help="genetic_prior .npz")
    s.add_argument("--intended", type=Path, required=True, help="genetic_prior_intended .npz")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_variogram)

    s = sub.add_parser("transfer", help="score fooling images with every model")
    add_runs(s)
    add_models(s)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_transfer)

    s = sub.add_parser("likeness", help="how much fooling images look like their digits")
    add_runs(s)
    add_data(s)
    s.add_argument(
        "--likeness-json",
        type=json_object,
        required=True,
        help="the config's likeness section: {knn: {k, quantile, n_train}, candidates: "
        "[{blur, similarity}], n_negatives, strengths, n_calibration, permutations}",
    )
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--calibration-out", type=Path, required=True)
    s.add_argument("--similarity-out", type=Path, required=True)
    s.add_argument("--readers-out", type=Path, required=True, help="every reader's fitness")
    s.add_argument(
        "--specificity-out", type=Path, required=True, help="negatives each reader calls a digit"
    )
    s.set_defaults(func=cmd_likeness)


def cmd_fool(args) -> None:
    from ..search.registry import spec
    from ..stages.fooling.run import run_fooling

    if args.runs_of_two and spec(args.method).driver and args.attempts_of_two is None:
        raise UserInputError("--runs-of-two needs --attempts-of-two (the config's attempts_of_two)")
    try:
        table = run_fooling(
            model_name=args.model,
            model_path=args.model_file,
            method=args.method,
            params=args.params_json,
            runs_per_digit=args.runs_per_digit,
            runs_of_two=args.runs_of_two,
            attempts_of_two=args.attempts_of_two or 1,
            seed=args.seed,
            data=args.data,
            out_npz=args.out_npz,
            out_csv=args.out_csv,
        )
    except (TypeError, ValueError) as exc:  # a parameter the method does not take or accept
        raise UserInputError(f"--params-json: {exc}") from exc
    print(table.groupby("target")[["converged", "confidence", "evaluations"]].mean().to_string())


def cmd_fool_model(args) -> None:
    from ..stages.fooling.run import run_model

    run_model(
        model_name=args.model,
        model_path=args.model_file,
        plan=args.plan_json,
        seed=args.seed,
        data=args.data,
        out_dir=args.out_dir,
    )


def cmd_sweep(args) -> None:
    from ..stages.fooling.run import run_sweep

    try:
        table = run_sweep(
            model_name=args.model,
            model_path=args.model_file,
            method=args.method,
            params=args.params_json,
            grid=args.grid_json,
            runs_per_digit=args.runs_per_digit,
            seed=args.seed,
            data=args.data,
            out=args.out,
        )
    except (TypeError, ValueError) as exc:  # a parameter the method does not take or accept
        raise UserInputError(f"--grid-json/--params-json: {exc}") from exc
    keys = list(args.grid_json)
    print(table.groupby(keys)[["converged", "looks"]].mean().to_string())


def cmd_variogram(args) -> None:
    from ..stages.fooling.variogram import write_variogram_check

    table = write_variogram_check(
        data=args.data, published=args.published, intended=args.intended, out=args.out
    )
    print(table.to_string(index=False))


def cmd_transfer(args) -> None:
    from ..core.io import write_csv
    from ..stages.fooling.run import transfer_table

    table = transfer_table(runs_by_key(args.runs), dict(args.models))
    write_csv(args.out, table)
    print(table.to_string(index=False))


def cmd_likeness(args) -> None:
    from ..stages.fooling.likeness import likeness_table

    section = args.likeness_json
    needed = {"knn", "candidates", "n_negatives", "strengths", "n_calibration", "permutations"}
    missing = sorted(needed - set(section))
    missing += [
        "knn." + k for k in sorted({"k", "quantile", "n_train"} - set(section.get("knn", {})))
    ]
    for i, c in enumerate(section.get("candidates", [])):
        missing += [f"candidates[{i}].{k}" for k in sorted({"blur", "similarity"} - set(c))]
    if missing:
        raise UserInputError(f"--likeness-json lacks {missing}")
    table = likeness_table(
        data=args.data,
        runs=runs_by_key(args.runs),
        out=args.out,
        calibration_out=args.calibration_out,
        similarity_out=args.similarity_out,
        readers_out=args.readers_out,
        specificity_out=args.specificity_out,
        knn=section["knn"],
        candidates=[
            dict(blur=c["blur"], similarity=c["similarity"]) for c in section["candidates"]
        ],
        n_negatives=section["n_negatives"],
        strengths=section["strengths"],
        n_calibration=section["n_calibration"],
        permutations=section["permutations"],
    )
    print(table.to_string(index=False))
