"""``train``: one model, its hyperparameters from a config file and/or the options."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UserInputError
from .options import add_data, add_model, at_least

# the first five are required (from --config or the options), l2 and dropout optional
OVERRIDES = ("epochs", "batch_size", "learning_rate", "optimizer", "seed", "l2", "dropout")


def add_parsers(sub) -> None:
    """Add this stage's subcommand to ``sub``."""
    s = sub.add_parser("train", help="train one model")
    add_model(s, file=False)
    add_data(s)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--config", type=Path, help="take hyperparameters from this config file")
    s.add_argument("--epochs", type=at_least(1))
    s.add_argument("--batch-size", type=at_least(1))
    s.add_argument("--learning-rate", type=float)
    s.add_argument("--optimizer", choices=["sgd", "adam"])
    s.add_argument("--l2", type=float)
    s.add_argument("--dropout", type=float)
    s.add_argument("--seed", type=int)
    s.add_argument("--n-train", type=int)
    s.set_defaults(func=cmd_train)


def cmd_train(args) -> None:
    from ..core.models import TrainConfig
    from ..stages.train.training import train_model

    base = {}
    if args.config is not None:  # its counts were checked by the schema
        from ..config import SCHEMA, load_config

        config = load_config(args.config, schema=SCHEMA)
        base = dict(config["train"][args.model], seed=config["seed"])
        if args.n_train is None:
            args.n_train = config["data"]["n_train"]
    overrides = {k: getattr(args, k) for k in OVERRIDES if getattr(args, k) is not None}
    # no defaults here: the config holds them (l2 and dropout: off unless given)
    missing = [k for k in OVERRIDES[:5] if k not in {**base, **overrides}]
    if missing:
        options = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise UserInputError(f"train: give --config, or {options}")
    cfg = TrainConfig(**{**base, **overrides})
    train_model(args.model, data=args.data, out=args.out, cfg=cfg, n_train=args.n_train)
