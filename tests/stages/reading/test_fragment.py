"""The report's panel section: no readers yet, and a reader who counts beside one who does not."""

import json

from mnist_fooling.cli import main
from mnist_fooling.stages.reading.fragment import fragment
from tests.stages.reading.decks import synthetic_deck
from tests.stages.reading.test_panel import answer_file, oracle, random_reader


def panel_inputs(tmp_path, readers: list) -> dict:
    deck = synthetic_deck(copies=3)
    (tmp_path / "deck.json").write_text(json.dumps(deck))
    files = [answer_file(tmp_path / f"{n}.json", deck, read) for n, read in readers]
    out = dict(panel_readers=tmp_path / "r.csv", panel_items=tmp_path / "i.csv")
    args = [
        "panel",
        "--deck",
        str(tmp_path / "deck.json"),
        "--readers-out",
        str(out["panel_readers"]),
    ]
    args += ["--items-out", str(out["panel_items"]), "--readings", *map(str, files)]
    assert main(args) == 0
    return dict(deck=tmp_path / "deck.json", **out)


def test_a_fresh_run_says_that_nobody_has_read_it(tmp_path):
    got = fragment(panel_inputs(tmp_path, []), {})
    assert "No person has read this run's images yet" in got["variables"]["panel_text"]
    assert got["tables"] == dict(readers="", calibration="", sets="")
    assert got["variables"]["deck"]["cards"] == 36 and got["variables"]["readers"] == 0


def test_readers_and_the_pooled_sets(tmp_path):
    got = fragment(panel_inputs(tmp_path, [("ann", oracle), ("bob", random_reader(0))]), {})
    assert got["variables"]["valid"] == 1
    assert "2 answer files for this deck; 1 reader passed" in got["variables"]["panel_text"]
    readers = got["tables"]["readers"]
    assert "| ann |" in readers and "no: controls failed" in readers
    assert "{#tbl-panel-readers}" in readers
    calibration = got["tables"]["calibration"]
    assert "| ann | 0/3 | 3/3 | 6/6 |" in calibration and "| s = 0.5 |" in calibration
    sets = got["tables"]["sets"]
    assert "MLP, gradient" in sets and "0/6 = 0%" in sets and "blends (s = 1)" in sets
