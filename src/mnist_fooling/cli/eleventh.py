"""``retrain-eleventh`` (one round: retrain with fooling images as an 11th class),
``continue-eleventh`` (ours: the last round's searches continued) and ``eleventh-rounds`` (the
per-round table)."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, at_least, json_object


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("retrain-eleventh", help="retrain with fooling images as an 11th class")
    s.add_argument(
        "--model-file",
        type=Path,
        required=True,
        help="a trained softmax or cnn, or the previous round's 11-class model",
    )
    s.add_argument(
        "--fooling", type=Path, nargs="+", required=True, help="the fooling class's .npz files"
    )
    add_data(s)
    s.add_argument("--epochs", type=at_least(1), required=True)
    s.add_argument("--batch-size", type=at_least(1), required=True)
    s.add_argument("--learning-rate", type=float, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--n-train", type=int, default=None)
    s.add_argument("--out", type=Path, required=True, help="the retrained .keras")
    s.add_argument("--summary", type=Path, required=True, help="CSV: accuracy, share caught")
    s.set_defaults(func=cmd_retrain_eleventh)

    s = sub.add_parser(
        "continue-eleventh", help="continue the last round's MAP-Elites searches (ours)"
    )
    s.add_argument("--model", required=True, help="the model's name (cnn or softmax)")
    s.add_argument("--model-file", type=Path, required=True, help="the last round's model")
    s.add_argument(
        "--start", type=Path, required=True, help="the last round's search (.npz): the start"
    )
    s.add_argument("--params-json", type=json_object, required=True, help="MAP-Elites' settings")
    s.add_argument("--steps", type=at_least(1), required=True, help="generations to add")
    s.add_argument(
        "--after", type=at_least(0), required=True, help="generations the searches already ran"
    )
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--out-csv", type=Path, required=True)
    s.set_defaults(func=cmd_continue_eleventh)

    s = sub.add_parser("eleventh-rounds", help="N2's per-round table from the rounds' CSVs")
    s.add_argument(
        "--before",
        type=Path,
        required=True,
        help="the searches against the model before retraining (round 0)",
    )
    s.add_argument(
        "--retrains", type=Path, nargs="+", required=True, help="each round's summary, in order"
    )
    s.add_argument(
        "--searches", type=Path, nargs="+", required=True, help="each round's search CSV, in order"
    )
    s.add_argument(
        "--continued", type=Path, default=None, help="the continued searches' CSV (ours)"
    )
    s.add_argument(
        "--generations", type=at_least(1), default=None, help="every round's search budget"
    )
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_eleventh_rounds)


def cmd_retrain_eleventh(args) -> None:
    from ..stages.eleventh.retrain import retrain_with_fooling_class

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


def cmd_continue_eleventh(args) -> None:
    from ..core.errors import UserInputError
    from ..stages.eleventh.continued import continue_search

    try:
        table = continue_search(
            model_path=args.model_file,
            start=args.start,
            params=args.params_json,
            steps=args.steps,
            after=args.after,
            seed=args.seed,
            model_name=args.model,
            out_csv=args.out_csv,
        )
    except (TypeError, ValueError) as exc:  # a setting MAP-Elites does not take, a bad start
        raise UserInputError(f"continue-eleventh: {exc}") from exc
    print(table.groupby("target")[["converged", "confidence", "start_fooling"]].mean().to_string())


def cmd_eleventh_rounds(args) -> None:
    from ..core.errors import UserInputError
    from ..stages.eleventh.rounds import write_rounds_table

    if len(args.retrains) != len(args.searches):
        raise UserInputError(
            f"--retrains has {len(args.retrains)} files and --searches {len(args.searches)}: "
            "need one of each per round"
        )
    if args.continued is not None and not args.continued.exists():
        raise UserInputError(f"{args.continued}: no such file (--continued)")
    table = write_rounds_table(
        before=args.before,
        retrains=args.retrains,
        searches=args.searches,
        out=args.out,
        continued=args.continued,
        generations=args.generations,
    )
    print(table.to_string(index=False))
