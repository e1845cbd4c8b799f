import pandas as pd
import pytest

from mnist_fooling.errors import UserInputError
from mnist_fooling.render import expand_shortcodes, lookup
from mnist_fooling.report import (
    accuracy_variables,
    benchmark_table,
    budget_markdown,
    markdown_table,
)

from .conftest import ROOT


def test_expand_var_and_include(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.md").write_text("| a |\n|---|\n| 1 |\n")
    text = "x {{< var accuracy.cnn.test >}} y\n\n{{< include tables/t.md >}}\n"
    out = expand_shortcodes(text, root=tmp_path, variables={"accuracy": {"cnn": {"test": "99.1%"}}})
    assert out == "x 99.1% y\n\n| a |\n|---|\n| 1 |\n\n"


def test_missing_variable_or_include_is_an_error(tmp_path):
    with pytest.raises(UserInputError, match="'a.b' is not in _variables.yml"):
        lookup({"a": {"c": 1}}, "a.b")
    with pytest.raises(UserInputError, match="does not exist"):
        expand_shortcodes("{{< include nope.md >}}", root=tmp_path, variables={})


def test_every_shortcode_of_the_report_resolves_for_a_full_variable_set():
    qmd = (ROOT / "report" / "index.qmd").read_text()
    variables = {
        "profile": "p",
        "seed": 1,
        "n_train": "1",
        "n_noise": "1",
        "git_commit": "abc",
        "accuracy": accuracy_variables(pd.DataFrame(columns=["model", "split"])),
        "confidence": {
            m: {
                s: {k: "x" for k in ("above_06", "above_09", "median", "n")}
                for s in ("test", "noise")
            }
            for m in ("softmax", "mlp", "cnn")
        },
        "claims": {k: 0 for k in ("reproduced", "partly", "not_reproduced", "not_yet_measured")},
        "n_edge": "1",
        "runs_per_digit": 1,
        "budget": budget_markdown(None)[1],  # the defaults carry every key
        "pca": {
            k: "x"
            for k in (
                "k50",
                "k90",
                "k95",
                "k99",
                "ncm_k",
                "ncm_acc",
                "best_rule",
                "best_k",
                "best_acc",
            )
        },
    }
    without_includes = qmd.replace("{{< include", "<!-- include")
    out = expand_shortcodes(without_includes, root=ROOT, variables=variables)
    assert "{{<" not in out


def test_markdown_table_escapes_pipes_and_checks_widths():
    frame = pd.DataFrame([dict(a="x|y", b=1)])
    assert markdown_table(frame, dict(a="A", b="B")) == "| A | B |\n|---|---|\n| x\\|y | 1 |\n"
    assert "|-|----|" in markdown_table(frame, dict(a="A", b="B"), widths=[1, 4])
    with pytest.raises(ValueError, match="2 widths for 1 columns"):
        markdown_table(frame, dict(a="A"), widths=[1, 2])


def test_benchmark_table_reads_snakemake_tsv(tmp_path):
    tsv = tmp_path / "train_cnn.tsv"
    tsv.write_text("s\th:m:s\tmax_rss\tmax_vms\n12.345\t0:00:12\t1024.5\t2000\n")
    table = benchmark_table([tsv])
    assert table.to_dict("records") == [dict(job="train_cnn", seconds="12.3", max_rss_mb="1024")]


def test_render_sweeps_a_killed_renders_build_directory(tmp_path):
    from mnist_fooling.render import render_report

    stale = tmp_path / "out" / ".build-killed"
    stale.mkdir(parents=True)
    (stale / "index.typ").write_text("left by SIGKILL")
    with pytest.raises(FileNotFoundError):  # no inputs here: only the sweep is under test
        render_report(
            source=tmp_path / "missing",
            inputs=tmp_path,
            figures=[],
            html=tmp_path / "out" / "r.html",
            pdf=tmp_path / "out" / "r.pdf",
        )
    assert not stale.exists()
    assert not list((tmp_path / "out").glob(".build-*"))
