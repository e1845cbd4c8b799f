import pandas as pd
import pytest

from mnist_fooling.render import expand_shortcodes
from mnist_fooling.report import (
    accuracy_variables,
    benchmark_table,
    budget_markdown,
    markdown_table,
)

from .conftest import ROOT


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
