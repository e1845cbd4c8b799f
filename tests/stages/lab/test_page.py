"""The page file and the ``lab`` subcommand (no browser)."""

import json

from mnist_fooling.cli import main
from tests.stages.lab.conftest import lab_methods


def test_page_is_self_contained(lab_page):
    text = lab_page.read_text()
    assert "<script src" not in text and "http://" not in text and "https://" not in text
    assert text.count('id="lab-data"') == 1
    assert "__" + "DATA__" not in text and "__SCRIPT__" not in text


def test_cli_writes_the_page(lab_models, tmp_path, capsys):
    out = tmp_path / "lab.html"
    models = [f"{m}={p}" for m, p in lab_models.items() if m != "cnn"]
    argv = ["lab", "--models", *models, "--methods-json", json.dumps(lab_methods())]
    assert main([*argv, "--precision", "float16", "--out", str(out)]) == 0
    assert out.stat().st_size > 100_000 and "MiB" in capsys.readouterr().out


def test_a_method_left_out_of_the_config_leaves_the_page(lab_models, tmp_path, capsys):
    methods = lab_methods()
    del methods["square_search"]
    out = tmp_path / "lab.html"
    argv = ["lab", "--models", f"mlp={lab_models['mlp']}", "--methods-json", json.dumps(methods)]
    assert main([*argv, "--out", str(out)]) == 0
    text = out.read_text()
    assert 'value="square_search"' not in text and "Square search" not in text
    assert 'value="genetic"' in text
    assert main([*argv[:-1], "{}", "--out", str(out)]) == 2
    assert "needs the parameters" in capsys.readouterr().err


def test_committed_kernels_are_gemm_wat_compiled(tmp_path):
    """gemm.wasm and gemm_relaxed.wasm (the page's matrix product in WebAssembly SIMD) are
    gemm.wat as wat2wasm builds it, plain and with its multiply-adds fused."""
    from importlib import resources

    from mnist_fooling.stages.lab.page import KERNELS, build_kernels, kernel_texts

    build_kernels(tmp_path)
    lab = resources.files("mnist_fooling.stages.lab")
    for name in KERNELS:
        assert (tmp_path / f"{name}.wasm").read_bytes() == lab.joinpath(
            f"{name}.wasm"
        ).read_bytes(), (
            'rebuild them: python -c "import pathlib; from mnist_fooling.stages.lab.page import'
            " build_kernels; build_kernels(pathlib.Path('src/mnist_fooling/stages/lab'))\""
        )
    texts = kernel_texts()
    assert "relaxed_madd" not in texts["gemm"] and texts["gemm_relaxed"].count("relaxed_madd") == 16
