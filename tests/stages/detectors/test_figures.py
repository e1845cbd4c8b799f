"""The detectors' figures from the stage's CSVs."""

from mnist_fooling.stages.detectors.evaluate import run_detectors
from tests.stages.detectors.synthetic import PARAMS


def test_plots_from_the_csvs(workspace, tmp_path):
    from mnist_fooling.stages.detectors.figures import plot_detectors

    d, runs = workspace
    run_detectors(
        models={"softmax": d / "softmax.keras"},
        data=d / "mnist.npz",
        runs=runs,
        pca=d / "pca.npz",
        params=PARAMS | {"adaptive": PARAMS["adaptive"] | dict(steps=1)},
        seed=0,
        out_dir=tmp_path,
    )
    plot_detectors(in_dir=tmp_path, out=tmp_path / "roc.png", heatmap=tmp_path / "heat.png")
    assert (tmp_path / "roc.png").stat().st_size > 1000 and (tmp_path / "heat.png").is_file()
