"""``retrain-eleventh``: retrain a model with its fooling images as an 11th class."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, at_least


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("retrain-eleventh", help="retrain with fooling images as an 11th class")
    s.add_argument("--model-file", type=Path, required=True, help="a trained softmax or cnn")
    s.add_argument("--fooling", type=Path, nargs="+", required=True, help="its fooling .npz files")
    add_data(s)
    s.add_argument("--epochs", type=at_least(1), required=True)
    s.add_argument("--batch-size", type=at_least(1), required=True)
    s.add_argument("--learning-rate", type=float, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--n-train", type=int, default=None)
    s.add_argument("--out", type=Path, required=True, help="the retrained .keras")
    s.add_argument("--summary", type=Path, required=True, help="CSV: accuracy, share caught")
    s.set_defaults(func=cmd_retrain_eleventh)


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
