"""The human panel end to end: an oracle's answer file, listed in a copy of the test profile's
config, reaches the report as a panel of one reader whose answers the visual verdicts use."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from mnist_fooling.stages.reading.format import ANSWERS_FORMAT
from tests.workflow.conftest import snakemake
from tests.workflow.test_e2e import Tables, plain

# the visual claims, with the deck's set each is read on
VISUAL = dict(
    C2="eigen-digits",
    C5="MLP, gradient",
    C7="MLP, genetic",
    C9="MLP, genetic: mean '2'",
    C14="MLP, genetic + prior: mean '2'",
)


def oracle(card: dict) -> str:
    """Reads every blend at s ≥ 0.3 and calls everything else "no digit"."""
    return str(card["target"]) if card["group"] == "blend" and card["s"] >= 0.3 else "none"


@pytest.mark.e2e
def test_an_oracle_reading_makes_a_panel_of_one_in_the_report(test_run, workdir, tmp_path):
    work = tmp_path / "repo"
    # a copy of the finished run: only what the answer file changes is made again
    shutil.copytree(workdir, work, symlinks=True, ignore=shutil.ignore_patterns("locks"))
    deck = json.loads((work / "results" / "test" / "reading" / "deck.json").read_text())
    answers = [dict(id=c["id"], answer=oracle(c), ms=600) for c in deck["items"]]
    (work / "readings").mkdir(exist_ok=True)
    (work / "readings" / "oracle.json").write_text(
        json.dumps(
            dict(
                format=ANSWERS_FORMAT,
                deck=deck["id"],
                display_s=deck["display_s"],
                answers=answers,
            )
        )
    )
    config = yaml.safe_load((work / "profiles" / "test" / "workflow-config.yaml").read_text())
    config["likeness"]["readings"] = ["readings/oracle.json"]
    (work / "panel-config.yaml").write_text(yaml.safe_dump(config))
    done = snakemake(work, "--profile", "profiles/test", "--configfile", "panel-config.yaml")
    assert done.returncode == 0, done.stderr[-5000:]
    report = work / "results" / "test" / "report" / "report.html"
    page = Tables()
    page.feed(report.read_text())
    text = plain("".join(page.text))
    assert "1 answer file for this deck; 1 reader passed the controls" in text
    rows = {r[0]: r for t in page.tables for r in t if r and r[0] in VISUAL and len(r) == 5}
    read = {c["set"] for c in deck["items"]}
    judged = [claim for claim, name in VISUAL.items() if name in read and claim in rows]
    assert {"C2", "C5", "C7"} <= set(judged), (judged, sorted(read))
    for claim in judged:
        assert "panel of 1 reader" in rows[claim][3], (claim, rows[claim])
    # the deck and everything upstream of the panel were not made again
    assert "rule reading" not in done.stderr and "rule likeness:" not in done.stderr
