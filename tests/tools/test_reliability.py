"""Every kind of bad input fails with one clear line, a non-zero exit and nothing written."""

import pytest

from tools.reliability import BAD_INPUTS, compare, mask_timings, run_bad_input


def test_the_bad_inputs_cover_every_kind_each_named_once():
    names = [c.name for c in BAD_INPUTS]
    assert len(set(names)) == len(names)  # each case reported under its own name
    assert {c.kind for c in BAD_INPUTS} == {"cli", "config", "data", "model", "disk"}
    assert all(c.expect.strip() for c in BAD_INPUTS)  # every case says what it must print


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.name for c in BAD_INPUTS])
def test_bad_input_fails_cleanly(case, tmp_path):
    row = run_bad_input(case, tmp_path)
    assert row["exit_code"] != 0
    assert case.expect in row["message"]
    assert row["written"] == ""
    assert row["clean"], row


def test_compare_names_missing_extra_and_changed_files():
    assert compare({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
    assert compare({"a": "1"}, {}) == ["a"]


def test_mask_timings_blanks_only_the_run_time_table():
    html = (
        b'<h3 id="run-time-per-job">Run time</h3><p>x</p><table>1.5 s</table>'
        b'<h3 id="package-versions">P</h3><table>numpy</table>'
    )
    masked = mask_timings("report/report.html", html)
    assert b"1.5 s" not in masked and b"numpy" in masked
    assert mask_timings("metrics/a.csv", b"<table>1.5 s</table>") == b"<table>1.5 s</table>"
