"""``evaluate`` and ``confidence``: accuracy, and the maximal outputs on digits and noise."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, add_models, at_least


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("evaluate", help="accuracy with Wilson intervals on val and test")
    add_data(s)
    add_models(s)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("confidence", help="maximal outputs on test digits and on uniform noise")
    add_data(s)
    add_models(s)
    s.add_argument("--n-noise", type=at_least(1), required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--samples-out", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_confidence)


def cmd_evaluate(args) -> None:
    from ..stages.evaluate.accuracy import write_accuracy

    table = write_accuracy(dict(args.models), data=args.data, out=args.out)
    print(table.to_string(index=False))


def cmd_confidence(args) -> None:
    from ..stages.evaluate.confidence import write_confidence

    summary = write_confidence(
        dict(args.models),
        data=args.data,
        n_noise=args.n_noise,
        seed=args.seed,
        samples_out=args.samples_out,
        out=args.out,
    )
    print(summary.to_string(index=False))
