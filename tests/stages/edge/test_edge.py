import keras
import numpy as np
import pandas as pd
import pytest

from mnist_fooling.claims import NOT_MEASURED, VERDICTS, seed000
from mnist_fooling.core.io import save_keras_model
from mnist_fooling.core.models import build_model
from mnist_fooling.report.fragments import build_fragment
from mnist_fooling.stages.edge.compute import (
    border_noise,
    bounding_boxes,
    drawn_digits,
    large_version,
    rescale_to_box,
    run_edge,
    shift,
)
from tests.conftest import train_config


def square(top=10, left=10, size=6):
    img = np.zeros((1, 28, 28), np.float32)
    img[0, top : top + size, left : left + size] = 1.0
    return img


def test_bounding_boxes():
    np.testing.assert_array_equal(bounding_boxes(square(3, 5, 4)), [[3, 6, 5, 8]])


def test_shift_moves_and_fills_with_background():
    out = shift(square(10, 10), dy=-3, dx=4)
    np.testing.assert_array_equal(bounding_boxes(out), [[7, 12, 14, 19]])
    assert out.sum() == square().sum()
    assert shift(square(0, 0), dx=-5).sum() < square(0, 0).sum()  # pushed off the edge


@pytest.mark.parametrize("size", [12, 20, 28])
def test_rescale_to_box_sets_the_longer_side(size):
    out = rescale_to_box(square(4, 6, 8), size)
    top, bottom, left, right = bounding_boxes(out, threshold=0.5)[0]
    assert abs((bottom - top + 1) - size) <= 1
    assert abs((top + bottom) / 2 - 13.5) <= 1


def test_border_noise_keeps_the_centre_only():
    x = np.zeros((2, 28, 28), np.float32)
    out = border_noise(x, 20, rng=np.random.default_rng(0))
    assert out[:, 4:24, 4:24].max() == 0 and out[:, :4].min() >= 0 and out[:, :4].mean() > 0.3
    np.testing.assert_array_equal(border_noise(x, 28, rng=np.random.default_rng(0)), x)
    with pytest.raises(ValueError, match="central box"):
        border_noise(x, 30, rng=np.random.default_rng(0))


def test_drawn_digits_large_touch_edges_small_keep_a_border():
    images, meta = drawn_digits()
    assert images.shape == (60, 28, 28) and len(meta) == 60
    large = images[(meta["size"] == "large").to_numpy()]
    small = images[(meta["size"] == "small").to_numpy()]
    boxes_l, boxes_s = bounding_boxes(large), bounding_boxes(small)
    assert np.all((boxes_l[:, 0] == 0) & (boxes_l[:, 1] == 27))  # top and bottom edges
    # MNIST style: the longer side fits 20 px, centred by mass, so the ink never reaches an edge.
    assert np.all(boxes_s[:, 0] >= 1) and np.all(boxes_s[:, 1] <= 26)
    assert np.all(np.maximum(boxes_s[:, 1] - boxes_s[:, 0], boxes_s[:, 3] - boxes_s[:, 2]) <= 21)


def test_large_version_keeps_thin_strokes_thin():
    drawing = np.zeros((100, 100), np.float32)
    drawing[10:90, 45:55] = 1.0  # a '1': ten times taller than wide
    out = large_version(drawing)
    top, bottom, left, right = bounding_boxes(out[None])[0]
    assert (top, bottom) == (0, 27) and right - left + 1 <= 6


def run_small_edge(tmp_path, mnist_npz, out):
    keras.utils.set_random_seed(0)
    model = tmp_path / "mlp.keras"
    if not model.exists():
        save_keras_model(build_model("mlp", train_config("mlp"), n_train=10), model)
    run_edge(
        data=mnist_npz,
        models={"mlp": model},
        n_images=20,
        sizes=[16, 28],
        shifts=[0, 4],
        borders=[28, 20],
        frame_size=28,
        bordered_size=20,  # not among the sizes: scaled for the verdict alone
        scramble_box=20,
        seed=0,
        out_dir=out,
    )


def test_run_edge_writes_what_the_claims_and_the_fragment_read(tmp_path, mnist_npz):
    out = tmp_path / "edge"
    run_small_edge(tmp_path, mnist_npz, out)
    border, drawn = pd.read_csv(out / "border.csv"), pd.read_csv(out / "drawn.csv")
    assert list(border.central_box) == [28, 20] and border.top_changed[0] == 0
    assert (border.n == 20).all() and border.mean_output_change[0] == 0
    assert len(drawn) == 60 and set(drawn.columns) >= {"top1", "p1", "top2", "p2", "p_true"}
    assert (drawn.p1 >= drawn.p2).all() and (drawn.top1 != drawn.top2).all()
    with np.load(out / "outputs.npz") as npz:
        outputs = dict(npz)
    assert list(outputs["models"]) == ["mlp"] and outputs["labels"].shape == (20,)
    for c in ("clean", "frame", "bordered", "scrambled"):
        assert outputs[f"{c}_top"].shape == outputs[f"{c}_true"].shape == (1, 20)
        assert (outputs[f"{c}_p1"] >= outputs[f"{c}_true"]).all()
    # The scrambled readings are border.csv's central box 20, the clean ones its box 28.
    scale = pd.read_csv(out / "scale.csv")
    right = outputs["frame_top"][0] == outputs["labels"]
    assert right.mean() == scale[scale["size"] == 28].accuracy.iloc[0]
    assert (outputs["scrambled_top"][0] == outputs["labels"]).mean() == border.accuracy[1]
    for fn in (seed000.c10, seed000.c12, seed000.c13):
        got = fn(outputs)
        assert got is None or got["verdict"] in set(VERDICTS) - {NOT_MEASURED}
    inputs = {name: out / f"{name}.csv" for name in ("scale", "shift", "border", "drawn")}
    inputs["outputs"] = out / "outputs.npz"
    frag = build_fragment("edge", inputs, {"edge": {"n_images": 20}})
    assert {"C13"} <= {c["id"] for c in frag["claims"]}
    assert frag["variables"]["mlp"]["shift_max"] != "not run"
    assert (frag["variables"]["frame_size"], frag["variables"]["scramble_box"]) == (28, 20)
    twos = frag["tables"]["twos"].splitlines()[2:]  # clean, bordered, frame: side by side
    assert [row.split("|")[2].strip() for row in twos] == ["clean", "20 px", "28 px (edges)"]
    with np.load(out / "examples.npz") as npz:
        assert npz["scaled"].shape == (2, 8, 28, 28) and npz["drawn"].shape == (60, 28, 28)
        assert len(npz["frame"]) == len(npz["frame_index"])
        assert set(outputs["labels"][npz["frame_index"]]) <= {2, 9}


def test_run_edge_is_deterministic(tmp_path, mnist_npz):
    run_small_edge(tmp_path, mnist_npz, tmp_path / "a")
    run_small_edge(tmp_path, mnist_npz, tmp_path / "b")
    for name in ("border.csv", "outputs.npz", "examples.npz"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_plot_edge_writes_every_figure(tmp_path, mnist_npz):
    from mnist_fooling.stages.edge.figures import plot_edge

    run_small_edge(tmp_path, mnist_npz, tmp_path / "edge")
    plot_edge(edge_dir=tmp_path / "edge", out_dir=tmp_path / "figures")
    names = ("curves", "sizes", "border", "drawn", "scramble", "frame")
    assert all((tmp_path / "figures" / f"edge_{n}.png").stat().st_size > 0 for n in names)
