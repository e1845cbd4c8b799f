"""The likeness section's tables and variables from small readers, calibration and specificity
tables: every reader's sensitivity and specificity, and the shuffled-target control."""

import numpy as np
import pandas as pd

from mnist_fooling.stages.fooling.fragment import (
    NOT_MEASURED,
    reader_variables,
    readers_markdown,
    shuffled_markdown,
)

READERS = ["k-NN blur 2 correlation", "k-NN", "template"]  # the chosen one second


def table_rows(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.strip().splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]


def header(markdown: str) -> list[str]:
    return [c.strip() for c in markdown.splitlines()[0].strip("|").split(" | ")]


def readers() -> pd.DataFrame:
    rows = [
        dict(reader="k-NN blur 2 correlation", blur=2.0, similarity="correlation", floor=0.94,
             floor_low=0.93, floor_high=0.95, floor_family="sparse dots", sensitivity=0.0,
             sensitivity_low=0.0, sensitivity_high=0.04, worst_family="sparse dots",
             worst_share=0.02, worst_low=0.01, worst_high=0.03, specific=True, fit=False,
             chosen=False),
        dict(reader="k-NN", blur=1.0, similarity="centred", floor=0.8, floor_low=0.79,
             floor_high=0.81, floor_family="raised centre", sensitivity=0.92,
             sensitivity_low=0.9, sensitivity_high=0.94, worst_family="sparse dots",
             worst_share=0.03, worst_low=0.02, worst_high=0.05, specific=True, fit=True,
             chosen=True),
        dict(reader="template", blur=np.nan, similarity="template", floor=0.45,
             floor_low=0.44, floor_high=0.46, floor_family="real test digits", sensitivity=0.01,
             sensitivity_low=0.0, sensitivity_high=0.02, worst_family="smooth blobs",
             worst_share=0.06, worst_low=0.05, worst_high=0.08, specific=False, fit=False,
             chosen=False),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def calibration() -> pd.DataFrame:
    k = {"k-NN blur 2 correlation": (0, 0, 40), "k-NN": (1, 92, 99), "template": (0, 1, 80)}
    rows = [
        dict(reader=r, s=s, n=100, k=c, share=c / 100, low=max(0, c - 5) / 100,
             high=min(100, c + 5) / 100)
        for r, counts in k.items() for s, c in zip((0.0, 0.3, 1.0), counts, strict=True)
    ]  # fmt: skip
    return pd.DataFrame(rows).assign(knn_floor=0.8, knn_floor_low=0.79, knn_floor_high=0.81,
                                     template_floor=0.45)  # fmt: skip


def specificity() -> pd.DataFrame:
    share = {"k-NN blur 2 correlation": (0, 2), "k-NN": (1, 3), "template": (6, 0)}
    return pd.DataFrame(
        [dict(reader=r, family=f, n=100, k=c, share=c / 100, low=0.0, high=(c + 4) / 100)
         for r, cs in share.items() for f, c in zip(("smooth blobs", "sparse dots"), cs,
                                                     strict=True)]
    )  # fmt: skip


def test_readers_table_puts_the_chosen_reader_first_and_the_template_last():
    md = readers_markdown(readers(), calibration(), specificity())
    assert header(md) == ["", "k-NN: blur 1, centred", "k-NN: blur 2, correlation", "template"]
    rows = {r[0]: r[1:] for r in table_rows(md)}
    assert rows["floor [95%]; set by"][0] == "0.800 [0.790, 0.810]; raised centre"
    # the strengths of REPORT_STRENGTHS that were measured, n in the label
    blends = [m for m in rows if m.startswith("blends")]
    assert blends == [
        f"blends at s = {s} (n = 100) that look like their digit" for s in (0, 0.3, 1)
    ]
    assert rows[blends[1]] == ["92.0% [87.0–97.0]", "0.0% [0.0–5.0]", "1.0% [0.0–6.0]"]
    assert rows["smooth blobs (n = 100) called a digit"] == [
        "1.0% [0.0–5.0]", "0.0% [0.0–4.0]", "6.0% [0.0–10.0]"
    ]  # fmt: skip
    assert rows["specific: every family ≤ 5%"] == ["yes", "yes", "no"]
    assert rows["fit: specific and ≥ 90% at s = 0.3"] == ["**fit**", "unfit", "unfit"]
    assert rows["the k-NN reader used"] == ["**chosen**", "", ""]


def likeness() -> pd.DataFrame:
    rows = [
        dict(model="reference", method="test digits", digit=0, n=50, knn_looks=48, knn_shuffled=1),
        dict(model="reference", method="test digits", digit=1, n=50, knn_looks=47, knn_shuffled=0),
        dict(model="cnn", method="hillclimb", digit=0, n=10, knn_looks=2, knn_shuffled=3),
        dict(model="cnn", method="hillclimb", digit=1, n=10, knn_looks=1, knn_shuffled=0),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_shuffled_table_pools_digits_and_tests_own_above_other():
    md = shuffled_markdown(likeness())
    rows = table_rows(md)
    assert [r[:3] for r in rows] == [
        ["reference", "test digits", "100"],
        ["cnn", "hillclimb", "20"],
    ]
    assert rows[0][3].startswith("95/100 = 95%") and rows[0][4].startswith("1/100 = 1%")
    assert float(rows[0][5]) < 1e-20
    assert rows[1][3].startswith("3/20") and rows[1][4].startswith("3/20") and rows[1][5] == "0.67"
    assert shuffled_markdown(likeness().drop(columns="knn_shuffled")) == NOT_MEASURED


def test_reader_variables_name_the_chosen_reader_and_its_fitness():
    v = reader_variables(calibration(), readers(), specificity())
    assert v["fit"] == "k-NN: blur 1, centred (chosen)"
    assert v["unfit"] == "k-NN: blur 2, correlation, template"
    assert (v["blur"], v["similarity"], v["knn_floor_family"]) == ("1", "centred", "raised centre")
    assert (v["n_readers"], v["n_specific"], v["n_fit"]) == ("2", "2", "1")
    assert v["knn_sensitivity"] == "92.0% [90.0%, 94.0%]" and v["knn_fitness"] == "fit"
    assert (v["knn_worst"], v["knn_worst_share"]) == ("sparse dots", "3.0% [2.0%, 5.0%]")
    assert v["template_fitness"] == "unfit" and v["template_worst"] == "smooth blobs"
    assert v["families"] == "smooth blobs, sparse dots" and v["n_families"] == "2"
    assert v["n_negatives"] == "100" and v["specific_share"] == "5%"
    assert (v["knn_03"], v["template_10"], v["knn_05"]) == ("92%", "80%", "—")


def test_reader_variables_without_the_readers_table_fall_back_to_the_calibration():
    v = reader_variables(calibration())
    assert v["knn_fitness"] == v["blur"] == v["families"] == "—"
    assert "k-NN" in v["fit"] + v["unfit"] and v["knn_floor"] == "0.80"
