"""The human panel: answer files checked against the deck, controls, pooling, and the verdicts
an oracle and a random reader move."""

import json

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import seed000
from mnist_fooling.claims.panel import panel_of
from mnist_fooling.cli import main
from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.reading.format import ANSWERS_FORMAT
from mnist_fooling.stages.reading.panel import panel, pooled, read_answers
from tests.claims.builders import N, R, U, calibration, likeness, references
from tests.stages.reading.decks import synthetic_deck


def oracle(card: dict) -> str:
    """Reads every clean digit and every blend at s ≥ 0.3, calls everything else no digit."""
    if card["group"] == "blend" and card["s"] >= 0.3:
        return str(card["target"])
    return "none"


def believer(card: dict) -> str:
    """Like the oracle, but reads every fooling image as the digit it was fooled into."""
    return str(card["target"]) if card["group"] == "fooling" else oracle(card)


def random_reader(seed: int):
    rng = np.random.default_rng(seed)
    return lambda card: str(rng.choice([*map(str, range(10)), "none"]))


def answer_file(path, cards: dict, read, **changes) -> str:
    """Write the answers ``read(card)`` of every card of ``deck`` as reading.html saves them."""
    data = dict(
        format=ANSWERS_FORMAT,
        deck=cards["id"],
        display_s=cards["display_s"],
        screen=dict(width=1280, height=800),
        image_px=224,
        answers=[dict(id=c["id"], answer=read(c), ms=700) for c in cards["items"]],
    )
    path.write_text(json.dumps({**data, **changes}))
    return path


@pytest.fixture
def deck():
    return synthetic_deck(copies=3)


def test_the_oracle_passes_its_controls_and_a_random_reader_does_not(tmp_path, deck):
    files = [
        answer_file(tmp_path / "oracle.json", deck, oracle),
        answer_file(tmp_path / "random.json", deck, random_reader(0)),
    ]
    readers, items = panel(deck, files)
    assert list(readers.reader) == ["oracle", "random"]
    assert list(readers.valid) == [True, False]
    oracle_row = readers.iloc[0]
    assert oracle_row.clean_k == oracle_row.clean_n == 6 and oracle_row.negative_k == 0
    sets = pooled(items, ["group", "set"]).set_index("set")
    assert set(sets.readers) == {1}  # the random reader is left out
    assert sets.loc["MLP, gradient"].k == 0 and sets.loc["MLP, gradient"].n == 6
    assert sets.loc["blends"].k == 9 and sets.loc["blends"].n == 12  # s = 0 is not read


def test_the_panel_moves_the_visual_verdicts(tmp_path, deck):
    """No panel: the automated reader (100 of 100 alike: not reproduced); the oracle's panel:
    reproduced; a believer's: not reproduced; a random reader's: not a panel."""
    frame = pd.DataFrame(
        references() + [dict(r, knn_looks=10) for r in likeness("mlp", "gradient")]
    )

    def c5(read) -> dict:
        items = panel(deck, [answer_file(tmp_path / "a.json", deck, read)])[1]
        return seed000.c5(frame, calibration(), panel=panel_of(items))

    assert seed000.c5(frame, calibration())["verdict"] == N
    oracle_row = c5(oracle)
    assert oracle_row["verdict"] in (R, U) and "panel of 1 reader" in oracle_row["value"]
    assert oracle_row["value"].startswith("0.0%")
    assert c5(believer)["verdict"] == N and "panel" in c5(believer)["value"]
    assert "automated" in c5(random_reader(1))["value"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(deck="0123456789ab"), "this run's deck is"),
        (dict(format="something else"), "not a reading answer file"),
        (dict(answers=[]), "distinct cards"),
        (dict(answers="all"), "must be a list"),
    ],
)
def test_a_bad_answer_file_is_one_line_naming_it(tmp_path, deck, changes, message):
    path = answer_file(tmp_path / "bad.json", deck, oracle, **changes)
    with pytest.raises(UserInputError, match=message) as err:
        read_answers(path, deck)
    assert "bad.json" in str(err.value) and "\n" not in str(err.value)


def test_an_answer_outside_the_keys_and_a_duplicate_card(tmp_path, deck):
    path = answer_file(tmp_path / "x.json", deck, lambda c: "maybe")
    with pytest.raises(UserInputError, match="not digits 0–9 or 'none'"):
        read_answers(path, deck)
    data = json.loads(answer_file(tmp_path / "y.json", deck, oracle).read_text())
    data["answers"][1]["id"] = data["answers"][0]["id"]
    (tmp_path / "y.json").write_text(json.dumps(data))
    with pytest.raises(UserInputError, match="distinct cards"):
        read_answers(tmp_path / "y.json", deck)
    (tmp_path / "z.json").write_text("{not json")
    with pytest.raises(UserInputError, match="not readable JSON"):
        read_answers(tmp_path / "z.json", deck)


def test_other_display_times_wrong_types_and_the_same_answers_twice(tmp_path, deck):
    slow = answer_file(tmp_path / "slow.json", deck, oracle, display_s=5.0)
    with pytest.raises(UserInputError, match="display_s 5.0, this run's deck shows 0.2"):
        read_answers(slow, deck)
    data = json.loads(answer_file(tmp_path / "t.json", deck, oracle).read_text())
    data["answers"][0]["id"] = ["i000"]
    (tmp_path / "t.json").write_text(json.dumps(data))
    with pytest.raises(UserInputError, match="string id and answer"):
        read_answers(tmp_path / "t.json", deck)
    one = answer_file(tmp_path / "one.json", deck, oracle)
    copy = tmp_path / "copy.json"
    copy.write_bytes(one.read_bytes())
    for twice in ([one, one], [one, copy]):
        with pytest.raises(UserInputError, match="the same answers as"):
            panel(deck, twice)


def test_the_panel_command_writes_nothing_for_a_bad_file(tmp_path, deck, capsys):
    (tmp_path / "deck.json").write_text(json.dumps(deck))
    good = answer_file(tmp_path / "good.json", deck, oracle)
    bad = answer_file(tmp_path / "other.json", deck, oracle, deck="ffffffffffff")
    out = [tmp_path / "readers.csv", tmp_path / "items.csv"]
    args = ["panel", "--deck", str(tmp_path / "deck.json"), "--readers-out", str(out[0])]
    args += ["--items-out", str(out[1]), "--readings", str(good), str(bad)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "other.json" in err and len(err.splitlines()) == 1
    assert not any(p.exists() for p in out)
    assert main(args[:-1]) == 0
    assert pd.read_csv(out[0]).valid.tolist() == [True]
    assert main(args[:-2]) == 0  # no readers: empty tables with their columns
    assert pd.read_csv(out[0]).empty and "reader" in pd.read_csv(out[1]).columns
