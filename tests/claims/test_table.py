"""The claims registry, the claims table, its counts and labels."""

import re

import pytest

from mnist_fooling.claims import (
    CLAIMS,
    VERDICTS,
    claim_row,
    claims_table,
    labelled,
    nguyen,
    seed000,
    seed003,
    verdict_counts,
)
from mnist_fooling.claims.common import Claim, found, verdict_span
from tests.claims.builders import REGISTRY, M, N, P, R, U, own_row, pca_accuracy
from tests.conftest import ROOT


def test_registry_holds_the_design_claims_with_sections_in_the_report():
    assert list(CLAIMS) == REGISTRY
    anchors = set()
    for qmd in (ROOT / "report").rglob("*.qmd"):
        anchors |= set(re.findall(r"\{#(sec-[a-z-]+)", qmd.read_text()))
    for c in CLAIMS.values():
        assert c.section in anchors, c.id
        assert c.source == {"C": "seed 000", "D": "seed 003", "N": "Nguyen 2015"}[c.id[0]]


def test_claims_table_fills_missing_claims_in_registry_order():
    table = claims_table([])
    assert list(table.id) == REGISTRY and set(table.verdict) == {M}
    assert (table.measured == "—").all() and list(table.section) == [
        c.section for c in CLAIMS.values()
    ]


def test_claims_table_keeps_measured_rows_and_appends_our_own():
    c3 = claim_row("C3", seed000.c3(pca_accuracy({10: 0.7})))
    rows = [own_row("X2", P), c3, own_row("X1", N)]
    table = claims_table(rows).set_index("id")
    assert list(table.index) == REGISTRY + ["X1", "X2"]
    assert table.loc["C3", "verdict"] == R and table.loc["C3", "claim"] == CLAIMS["C3"].text
    assert table.loc["C3", "seed_value"] == "≈70%" and table.loc["C3", "section"] == "sec-pca"
    assert table.loc["X1", "source"] == "ours" and table.loc["X2", "verdict"] == P
    assert table.loc["C4", "verdict"] == M


def test_claims_table_rejects_duplicates_unknown_verdicts_and_short_rows():
    with pytest.raises(ValueError, match="C3 was measured by two fragments"):
        claims_table([own_row("C3"), own_row("C3")])
    with pytest.raises(ValueError, match="unknown verdicts \\['maybe'\\]"):
        claims_table([own_row("X1", "maybe")])


def test_claims_table_rejects_a_row_without_a_column():
    short = own_row("X1")
    del short["criterion"]
    with pytest.raises(ValueError, match="lack \\['criterion'\\]"):
        claims_table([short])


def test_verdict_counts_and_labels():
    undecided = own_row("C6", U) | dict(between="partly or reproduced")
    rows = [own_row("X1", R), own_row("X2", R), own_row("X3", N), own_row("C1", P), undecided]
    table = claims_table(rows)
    assert verdict_counts(table) == dict(  # the sources' claims: C15 and the X rows apart
        reproduced=0, partly=1, not_reproduced=0, undecided=1, not_yet_measured=len(REGISTRY) - 3
    )
    assert verdict_counts(table, ("code", "ours")) == dict(
        reproduced=2, partly=0, not_reproduced=1, undecided=0, not_yet_measured=1
    )
    kinds = table.set_index("id").kind
    assert (kinds["C15"], kinds["X1"], kinds["D7"]) == ("code", "ours", "source")
    labels = labelled(table).set_index("id").verdict
    assert labels["X3"] == "[not reproduced]{.verdict .v-not-reproduced}"
    assert labels["C2"] == "[not yet measured]{.verdict .v-not-measured}"
    assert labels["C1"] == "[partly]{.verdict .v-partly}"
    assert labels["C6"] == "[undecided: partly or reproduced]{.verdict .v-undecided}"


def test_an_undecided_row_and_only_that_names_two_outcomes():
    with pytest.raises(ValueError, match="an undecided row, and only that, names two outcomes"):
        claims_table([own_row("X1", U)])
    with pytest.raises(ValueError, match="an undecided row, and only that, names two outcomes"):
        claims_table([own_row("X1", R) | dict(between="partly or reproduced")])


def test_a_claim_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="claim Z1: unknown kind 'guess'"):
        Claim("Z1", "seed 000", "t", "s", "v", "sec-intro", kind="guess")


def test_claim_row_and_found():
    assert claim_row("C1", None) is None
    row = claim_row("N2", found(value="v", measured="m", criterion="c", verdict=M))
    assert row["source"] == "Nguyen 2015" and row["section"] == "sec-eleventh"
    assert row["verdict"] == M and row["value"] == "v"
    with pytest.raises(ValueError, match="unknown verdict 'yes'"):
        found(value="v", measured="m", criterion="c", verdict="yes")
    with pytest.raises(ValueError, match="unknown verdict"):
        verdict_span("fine")
    assert VERDICTS == (R, P, N, U, M)


@pytest.mark.parametrize("source", [seed000, seed003, nguyen])
def test_each_source_lists_a_verdict_function_per_claim(source):
    for c in source.CLAIMS:
        assert callable(getattr(source, c.id.lower())), c.id
