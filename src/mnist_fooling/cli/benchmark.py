"""``benchmark``: search speed, as ratios to the raw forward pass."""

from __future__ import annotations

from pathlib import Path

from .options import add_models, at_least, json_object


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("benchmark", help="search speed: ratios to the raw forward pass")
    add_models(s)
    # No defaults here: the config's `benchmark` section holds them (the rule passes them).
    s.add_argument("--methods-json", type=json_object, required=True, help="fooling.methods")
    s.add_argument("--runs-per-digit", type=at_least(1), required=True)
    s.add_argument("--steps", type=at_least(1), required=True)
    s.add_argument("--seconds", type=float, required=True, help="time per throughput measurement")
    s.add_argument(
        "--repeats", type=at_least(1), required=True, help="rounds of raw pass and loops (median)"
    )
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_benchmark)


def cmd_benchmark(args) -> None:
    from ..stages.benchmark.speed import run_benchmark

    table = run_benchmark(
        models=dict(args.models),
        methods=args.methods_json,
        runs_per_digit=args.runs_per_digit,
        steps=args.steps,
        seconds=args.seconds,
        repeats=args.repeats,
        out=args.out,
    )
    print(table.to_string(index=False))
