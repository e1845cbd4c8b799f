"""C15's check of the variogram cost: its terms on the training '2's and on the converged
'2's of the genetic search with the prior as published and as intended."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.io import write_csv
from ...search.methods.genetic.prior import variogram_check
from ..data.mnist import load_mnist
from .runs import read_arrays


def write_variogram_check(*, data: Path, published: Path, intended: Path, out: Path, digit=2):
    """:func:`variogram_check` on the training ``digit`` s and the converged ``digit`` s of the
    two prior variants' runs (``.npz`` of ``run_fooling``); written to ``out`` (CSV)."""
    mnist = load_mnist(data)

    def converged(path: Path) -> np.ndarray:
        run = read_arrays(path, ("images", "converged", "target"))
        return run["images"][run["converged"] & (run["target"] == digit)]

    table = variogram_check(
        train=mnist.x_train[mnist.y_train == digit],
        published=converged(published),
        intended=converged(intended),
    )
    write_csv(out, table)
    return table
