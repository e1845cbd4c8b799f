"""The report fragment of the detectors stage: variables, tables and claim X1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.errors import UserInputError
from .config import DetectorConfig
from .labels import LABELS, MODEL_LABELS
from .tables import adaptive_table, grid_table, sizes_table
from .variables import MEASURED_KEYS, attack_judgements, config_variables, judgements
from .verdict import CRITERION, best_and_worst, claim_verdict, roc_model


def fragment(inputs: dict[str, Path], config: dict) -> dict:
    """The report fragment of this stage: variables, tables and claim X1.

    Args:
        inputs: ``auroc`` and ``adaptive``: the CSVs of :func:`~.evaluate.run_detectors`.
        config: the effective workflow config (its ``detectors`` section).
    """
    for key in ("auroc", "adaptive"):
        if key not in inputs:
            raise UserInputError(f"fragment detectors: needs --input {key}=PATH")
    auroc, adaptive = pd.read_csv(inputs["auroc"]), pd.read_csv(inputs["adaptive"])
    cfg = DetectorConfig.from_dict(config.get("detectors", {}))
    verdict, value, measured = claim_verdict(auroc)
    variables = dict.fromkeys(MEASURED_KEYS, "not measured")
    variables |= config_variables(cfg, auroc) | dict(verdict=verdict, criterion=CRITERION)
    if not auroc.dropna(subset=["auroc"]).empty:
        model = roc_model(auroc)
        best, worst = best_and_worst(auroc, model)
        variables |= judgements(auroc) | attack_judgements(adaptive)
        variables |= dict(
            roc_model=MODEL_LABELS.get(model, model), roc_best=LABELS[best], roc_worst=LABELS[worst]
        )
    tables = dict(
        auroc=grid_table(auroc, "auroc"),
        fpr95=grid_table(auroc, "fpr95"),
        sizes=sizes_table(auroc),
        adaptive=adaptive_table(auroc, adaptive),
    )
    claim = dict(
        id="X1",
        source="ours",
        claim="standard detectors flag fooling images",
        short="detectors flag fooling images",
        seed_value="—",
        section="sec-detectors",
        value=value,
        measured=measured,
        criterion=CRITERION,
        verdict=verdict,
    )
    return dict(variables=variables, tables=tables, claims=[claim])
