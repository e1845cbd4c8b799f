"""The report's own inputs: claims tables per source, the glance table, counts and appendix."""

import re

import pandas as pd
import pytest
import yaml

from mnist_fooling.claims import claims_table
from mnist_fooling.core.tables import markdown_table
from mnist_fooling.report.fragments import write_fragment
from mnist_fooling.report.gather import (
    benchmark_table,
    claims_markdown,
    git_commit,
    glance_markdown,
    reliability_markdown,
    write_report_inputs,
)
from tests.claims.builders import REGISTRY, own_row
from tests.conftest import ROOT


def test_markdown_table_escapes_pipes_and_checks_widths():
    frame = pd.DataFrame([dict(a="x|y", b=1, c="line\nbreak")])
    assert markdown_table(frame, dict(a="A", b="B")) == "| A | B |\n|---|---|\n| x\\|y | 1 |\n"
    assert "|-|----|" in markdown_table(frame, dict(a="A", b="B"), widths=[1, 4])
    assert markdown_table(frame, dict(c="C")).endswith("| line break |\n")
    with pytest.raises(ValueError, match="2 widths for 1 columns"):
        markdown_table(frame, dict(a="A"), widths=[1, 2])


def test_benchmark_table_reads_snakemake_tsvs(tmp_path):
    (tmp_path / "train_cnn.tsv").write_text(
        "s\th:m:s\tmax_rss\tmax_vms\n12.345\t0:00:12\t1024.5\t2000\n"
    )
    (tmp_path / "a_job.tsv").write_text("s\th:m:s\tmax_rss\n0.25\t0:00:00\t-\n")
    table = benchmark_table(
        [tmp_path / "train_cnn.tsv", tmp_path / "gone.tsv", tmp_path / "a_job.tsv"]
    )
    assert table.to_dict("records") == [
        dict(job="a_job", seconds="0.2", max_rss_mb="—"),
        dict(job="train_cnn", seconds="12.3", max_rss_mb="1024"),
    ]
    assert list(benchmark_table([]).columns) == ["job", "seconds", "max_rss_mb"]


def test_git_commit_of_this_checkout_only():
    commit = git_commit(ROOT)
    assert commit == "unknown" or re.fullmatch(r"[0-9a-f]{12}(-dirty)?", commit)
    assert git_commit(ROOT / "report") == "unknown"  # inside the checkout, not its top level


def test_reliability_markdown(tmp_path):
    assert reliability_markdown(None, None).startswith("Not run for this report")
    summary, bad = tmp_path / "summary.csv", tmp_path / "bad.csv"
    pd.DataFrame(
        [
            dict(trial=1, kill_after_s=3.5, killed=True, identical=True, differing=None),
            dict(trial=2, kill_after_s=9.0, killed=False, identical=False, differing="a.csv"),
        ]
    ).to_csv(summary, index=False)
    text = reliability_markdown(summary, None)
    assert text.startswith("**1/2** runs") and "(1 before they finished)" in text
    assert "| 1 | 3.5 | True | True | — |" in text and "| a.csv |" in text
    pd.DataFrame(
        [dict(kind="config", input="x", message="config error: y", exit_code=2, clean=True)]
    ).to_csv(bad, index=False)
    text = reliability_markdown(summary, bad)
    assert "**1/1** kinds of bad input" in text and "| config | x | config error: y | 2 |" in text


def test_claims_and_glance_markdown():
    c3 = own_row("C3", "partly", measured="72% [70%, 74%]", source="seed 000", section="sec-pca")
    claims = claims_table([c3, own_row("X1")])
    text = claims_markdown(claims, "seed 000")
    rows = text.splitlines()[2:]
    assert len(rows) == 15 and rows[0].startswith("| [C1]{#claim-c1} |")
    assert "| 72% [70%, 74%] | criterion | [partly]{.verdict .v-partly} |" in rows[2]
    assert "[not yet measured]{.verdict .v-not-measured}" in rows[0]
    assert len(claims_markdown(claims, "ours").splitlines()) == 3
    assert claims_markdown(claims, "nobody") == "No claims from this source.\n"
    glance = glance_markdown(claims).splitlines()[2:]
    assert len(glance) == len(REGISTRY) - 1  # the sources' claims: C15 is about the code
    assert glance[2] == ("| [C3](#sec-pca) | ours | — | 1 | [partly]{.verdict .v-partly} |")
    assert not any(row.startswith(("| [X1]", "| [C15]")) for row in glance)
    others = glance_markdown(claims, ("code", "ours")).splitlines()
    assert others[0].endswith("| what it is |") and len(others) == 2 + 2
    assert others[2].startswith("| [C15](#sec-variogram) |") and "source's code" in others[2]
    assert others[3].startswith("| [X1](#sec-fooling) | ours |") and "our own" in others[3]
    assert glance_markdown(claims, ("nothing",)) == "None in this run.\n"


def config(n_train=None) -> dict:
    c = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    c["data"]["n_train"] = n_train
    return c


def fragments(tmp_path, *frags) -> list:
    paths = []
    for i, (stage, claims) in enumerate(frags):
        paths.append(tmp_path / "fragments" / f"{i}_{stage}.json")
        frag = dict(
            stage=stage, variables=dict(v=i), tables=dict(t=f"| {stage} |\n"), claims=claims
        )
        write_fragment(paths[-1], frag)
    return paths


def test_write_report_inputs_gathers_claims_tables_and_counts(tmp_path):
    measured = dict(
        value="97.9%", measured="97.90% [97.6%, 98.2%]", criterion="c", verdict="reproduced"
    )
    c1 = dict(id="C1", source="seed 000", claim="x", short="MLP accuracy", seed_value="≈98%",
              section="sec-models", **measured)  # fmt: skip
    n2 = own_row("N2", "not yet measured", source="Nguyen 2015", section="sec-eleventh")
    paths = fragments(
        tmp_path,
        ("evaluate", [c1]),
        ("extra", [own_row("X1", "not reproduced"), n2]),
    )
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "extra.qmd").write_text("## Extra\n")
    tsv = tmp_path / "train.tsv"
    tsv.write_text("s\tmax_rss\n2.5\t100\n")
    out = tmp_path / "inputs"
    lock = tmp_path / "requirements" / "report.lock"
    lock.parent.mkdir()
    lock.write_text("numpy==0.0.1 \\\n    --hash=sha256:00\n")
    claims = write_report_inputs(
        out_dir=out,
        config=config(n_train=3000),
        fragments=paths,
        benchmarks=[tsv],
        repo=tmp_path,
        sections=tmp_path / "sections",
        lock=lock,
    )
    assert list(claims.id) == REGISTRY + ["X1"]
    variables = yaml.safe_load((out / "_variables.yml").read_text())
    # The headline counts the sources' claims only: X1 (ours) and C15 (the code) are apart.
    assert variables["claims"] == dict(
        reproduced=1, partly=0, not_reproduced=0, undecided=0, not_yet_measured=len(REGISTRY) - 2
    )
    assert variables["others"] == dict(
        reproduced=0, partly=0, not_reproduced=1, undecided=0, not_yet_measured=1
    )
    assert variables["n_claims"] == 24 and variables["n_others"] == 2
    assert variables["n_train"] == "3,000"
    assert (variables["profile"], variables["seed"]) == ("default", 20151112)
    assert variables["git_commit"] == "unknown" and variables["extra"] == dict(v=1)
    assert (out / "_sections.qmd").read_text() == "{{< include sections/extra.qmd >}}\n"
    assert (out / "tables" / "evaluate" / "t.md").read_text() == "| evaluate |\n"
    tables = out / "tables"
    seed000 = (tables / "claims_seed000.md").read_text()
    assert "| [C1]{#claim-c1} | x | ≈98% | 97.90% [97.6%, 98.2%] | c | [reproduced]{" in seed000
    assert seed000.count("[not yet measured]") == 14
    assert (tables / "claims_seed003.md").read_text().count("[not yet measured]") == 8
    assert "| [N2]{#claim-n2} | our finding |" in (tables / "claims_nguyen.md").read_text()
    ours = (tables / "claims_ours.md").read_text()
    assert "[X1]{#claim-x1}" in ours and "[not reproduced]{.verdict .v-not-reproduced}" in ours
    glance = (tables / "glance.md").read_text()
    assert "| [C1](#sec-models) | MLP accuracy | ≈98% | 97.9% | [reproduced]{" in glance
    assert "| [X1](#sec-fooling) |" not in glance and len(glance.splitlines()) == 2 + 24
    others = (tables / "glance_others.md").read_text()
    assert "| [X1](#sec-fooling) |" in others and "| [C15](#sec-variogram) |" in others
    assert "| train | 2.5 | 100 |" in (tables / "benchmarks.md").read_text()
    assert yaml.safe_load((tables / "config.md").read_text().strip("`\n").removeprefix("yaml\n"))[
        "data"
    ]["n_train"] == 3000  # fmt: skip
    assert (tables / "reliability.md").read_text().startswith("Not run for this report")
    assert "| python |" in (tables / "versions.md").read_text()
    environment = (tables / "environment.md").read_text()
    assert environment.startswith("Lock `requirements/report.lock`, sha256 `")
    assert "**installed ≠ lock**: 1 of 1 pinned packages differ: numpy " in environment
    assert variables["renderer"].startswith("pandoc ")


def test_write_report_inputs_all_fifty_thousand_and_duplicates(tmp_path):
    out = tmp_path / "inputs"
    write_report_inputs(out_dir=out, config=config(), fragments=fragments(tmp_path, ("a", [])),
                        benchmarks=[], repo=tmp_path, sections=tmp_path,
                        lock=tmp_path / "none.lock")  # fmt: skip
    assert "No lock file" in (out / "tables" / "environment.md").read_text()
    assert yaml.safe_load((out / "_variables.yml").read_text())["n_train"] == "50,000"
    assert "No claims from this source." in (out / "tables" / "claims_ours.md").read_text()
    twice = fragments(tmp_path / "2", ("a", [own_row("X1")]), ("b", [own_row("X1")]))
    with pytest.raises(ValueError, match="claim X1 was measured by two fragments"):
        write_report_inputs(out_dir=tmp_path / "o2", config=config(), fragments=twice,
                            benchmarks=[], repo=tmp_path, sections=tmp_path,
                            lock=tmp_path / "none.lock")  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shown"), [("1", "on"), ("TRUE", "on"), ("0", "off"), ("", "TensorFlow's default")]
)
def test_onednn_setting_names_what_tensorflow_reads(monkeypatch, value, shown):
    from mnist_fooling.report.gather import onednn_setting

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", value)
    assert onednn_setting() == shown
