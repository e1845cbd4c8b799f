"""Ours, beyond Nguyen et al.: after the last round, its MAP-Elites searches continued.

Every round's search starts, as the paper's does, from uniform noise, and a retrained model
puts (nearly) all uniform noise in the fooling class: each search starts where the defence is
strongest. The continued search starts instead from the last round's own final images (each
replicate's archive: per digit, the image with the highest output for that digit the search
found), which the model has not been trained on, and runs ``steps`` more generations against
the same model. MAP-Elites' whole state is its archive, so this is the last round's search
given a longer budget; a search that reached the threshold in the last round has converged at
the start here. Each run also records whether the model calls its start image 'fooling'.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv
from ...search.engine import Scorer, replicate_index, run_search
from ...search.methods.map_elites.host import PIXELS, MapElites
from ..fooling.runs import read_arrays
from .retrain import FOOLING_CLASS

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class ContinuedMapElites(MapElites):
    """:class:`MapElites` whose generation 0 is ``start`` (``(replicates, 10, 784)``: each
    replicate's image per digit) instead of uniform noise, with the mutation schedule going on
    from generation ``after`` (the generations the search already ran)."""

    start: np.ndarray = field(repr=False)
    after: int = 0

    def _generation(self, idx, scorer):
        if not self.archive.empty:
            return super()._generation(idx, scorer)
        active = np.unique(self.replicate[idx])
        children = self.start[active]  # (m, 10, 784)
        m, b = children.shape[:2]
        outputs = scorer.forward(children.reshape(-1, 28, 28)).reshape(m, b, 10)
        self._tell(active, children, outputs)
        self._read_elites(idx)
        # The paper's schedule goes on: the next generation is number after + 1.
        self.emitter.generation = self.after + 1
        return b


def start_images(images: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``(replicates, 10, 784)``: the k-th run of digit d (:func:`replicate_index`) at
    ``[k, d]``; every replicate must hold every digit (as MAP-Elites' runs do)."""
    rep = replicate_index(target)
    n_rep = int(rep.max()) + 1 if len(rep) else 0
    counts = np.bincount(target, minlength=10)
    if len(target) == 0 or (counts != n_rep).any():
        raise ValueError("the last round's searches must hold every digit in every replicate")
    start = np.zeros((n_rep, 10, PIXELS), np.float32)
    start[rep, target] = images.reshape(len(target), PIXELS)
    return start


def continue_search(
    *,
    model_path: Path,
    start: Path,
    params: dict,
    steps: int,
    after: int,
    seed: int,
    model_name: str,
    out_csv: Path,
) -> pd.DataFrame:
    """Continue the MAP-Elites searches of run file ``start`` (the last round's ``.npz``)
    against ``model_path`` for ``steps`` more generations; write one row per run to ``out_csv``.

    ``params``: MAP-Elites' config section (its ``steps`` is replaced by ``steps``); ``after``:
    the generations the searches already ran (the mutation schedule goes on from there). A
    row's ``start_fooling`` says whether the model called its start image 'fooling'.
    """
    from ...core.backend import predict_batched
    from ...core.models import load_model

    if steps < 1:
        raise ValueError("steps must be at least 1")
    found = read_arrays(start, ("images", "target"))
    images, target = found["images"].astype(np.float32), found["target"].astype(np.int64)
    first = start_images(images, target)
    model = load_model(model_path)
    start_fooling = predict_batched(model, images).argmax(axis=1) == FOOLING_CLASS
    method = ContinuedMapElites(**{**params, "steps": steps}, start=first, after=after)
    rng = np.random.default_rng([seed, FOOLING_CLASS])
    log.info(
        "map_elites on %s continued from %s: %d runs, %d more generations (%d starts called "
        "'fooling')",
        model_name,
        start,
        len(target),
        steps,
        int(start_fooling.sum()),
    )
    result = run_search(method, Scorer(model), targets=target, rng=rng, label="continued")
    rows = np.arange(len(target))
    table = pd.DataFrame(
        dict(
            model=model_name,
            method="map_elites",
            run=rows,
            replicate=replicate_index(target),
            target=target,
            confidence=result.outputs[rows, target],
            converged=result.converged,
            evaluations=result.evaluations,
            steps=result.steps,
            start_fooling=start_fooling,
            generations=steps,
        )
    )
    write_csv(out_csv, table)
    return table
