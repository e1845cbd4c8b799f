"""N2's per-round table from synthetic retraining summaries and search runs."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.stages.eleventh.rounds import rounds_table, search_row, write_rounds_table
from tests.claims.builders import runs


def searches(converged, evaluations=100, model="cnn", method="map_elites") -> pd.DataFrame:
    targets = np.arange(len(converged)) % 10
    return runs(
        model, method, targets, converged=np.asarray(converged, bool), evaluations=evaluations
    )


def retrain(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(fooling_images=n, weight=1.5, test_accuracy=0.98, n_test=10000, caught=0.9,
              noise_caught=1.0, n_noise=2000)]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("converged", "evaluations", "k", "digits", "median"),
    [
        ([True] * 10, np.arange(10) * 100, 10, 10, 450.0),
        ([True, False] * 5, np.arange(10) * 100, 5, 5, 400.0),  # only the converged count
        ([False] * 10, 100, 0, 0, np.nan),  # none converged: no median
        ([True] * 20, 100, 20, 10, 100.0),  # two searches a digit: ten digits
    ],
)
def test_search_row(converged, evaluations, k, digits, median):
    row = search_row(searches(converged, evaluations))
    assert (row["searches"], row["converged"], row["digits_fooled"]) == (
        len(converged), k, digits,
    )  # fmt: skip
    np.testing.assert_equal(row["median_evaluations"], median)
    assert 0 <= row["low"] <= k / len(converged) <= row["high"] <= 1


def test_search_row_leaves_out_the_extra_twos():
    frame = runs("cnn", "genetic", [2, 2, 3], extra=[False, True, False], converged=True)
    assert search_row(frame.assign(evaluations=5))["searches"] == 2


def test_rounds_table_has_round_zero_then_one_row_a_round():
    before = pd.concat([searches([True] * 10), searches([True] * 10, method="genetic")])
    table = rounds_table(
        before=before,
        retrains=[retrain(30), retrain(40)],
        searches=[searches(np.arange(10) < 4), searches(np.zeros(10))],
    )
    assert table["round"].tolist() == [0, 1, 2]
    assert table.fooling_images.tolist() == [0, 30, 40]
    assert table.digits_fooled.tolist() == [10, 4, 0]
    assert table.searches.tolist() == [10, 10, 10]  # round 0: only the searched method's runs
    assert np.isnan(table.test_accuracy[0]) and table.test_accuracy[1] == 0.98
    assert (table.model == "cnn").all() and (table.method == "map_elites").all()


def test_rounds_table_has_the_same_columns_without_the_continued_search():
    table = rounds_table(
        before=searches([True] * 10), retrains=[retrain(3)], searches=[searches([False] * 10)]
    )
    assert table.search.tolist() == ["fresh", "fresh"]
    assert table.start_caught.isna().all() and table.more_generations.isna().all()
    assert table.generations.isna().all()  # not given
    assert list(table.columns[:4]) == ["round", "search", "model", "method"]


def test_the_continued_search_is_a_row_of_the_last_round():
    continued = searches(np.arange(10) < 6).assign(start_fooling=np.arange(10) < 2, generations=250)
    table = rounds_table(
        before=searches([True] * 10),
        retrains=[retrain(30), retrain(40)],
        searches=[searches(np.arange(10) < 4), searches(np.arange(10) < 3)],
        continued=continued,
        generations=250,
    )
    assert table["round"].tolist() == [0, 1, 2, 2]
    assert (table.generations == 250).all()  # every round's budget, the continued row's too
    assert table.search.tolist() == ["fresh", "fresh", "fresh", "continued"]
    last, more = table.iloc[2], table.iloc[3]
    assert (last.digits_fooled, more.digits_fooled, more.converged) == (3, 6, 6)
    assert more.fooling_images == 40 and more.caught == 0.9  # the last round's model
    assert more.start_caught == 0.2 and more.more_generations == 250
    assert np.isnan(last.start_caught)


def test_rounds_table_needs_one_search_per_retraining():
    with pytest.raises(ValueError, match="one search per round"):
        rounds_table(before=searches([True] * 10), retrains=[retrain(1)], searches=[])


def test_write_rounds_table(tmp_path):
    paths = dict(before=tmp_path / "b.csv", retrain=tmp_path / "r.csv", search=tmp_path / "s.csv")
    searches([True] * 10).to_csv(paths["before"], index=False)
    retrain(5).to_csv(paths["retrain"], index=False)
    searches([False] * 10).to_csv(paths["search"], index=False)
    out = tmp_path / "rounds.csv"
    write_rounds_table(
        before=paths["before"], retrains=[paths["retrain"]], searches=[paths["search"]], out=out
    )
    assert pd.read_csv(out)["round"].tolist() == [0, 1]
    more = tmp_path / "c.csv"
    searches([True] * 10).assign(start_fooling=False, generations=5).to_csv(more, index=False)
    write_rounds_table(
        before=paths["before"],
        retrains=[paths["retrain"]],
        searches=[paths["search"]],
        out=out,
        continued=more,
    )
    assert pd.read_csv(out).search.tolist() == ["fresh", "fresh", "continued"]
