"""MNIST-style preprocessing of users' images: round trip, inversion, centring, bad input."""

import numpy as np
import pytest
from PIL import Image

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.classify.preprocess import (
    centre_of_mass_shift,
    load_image,
    mnist_style,
    prepare,
    to_ink,
)


def bar_digit() -> np.ndarray:
    """A synthetic MNIST-style '1': a slanted bar, 20 px tall, centred by mass."""
    img = np.zeros((28, 28), np.float32)
    for r in range(4, 24):
        c = 12 + (24 - r) // 6
        img[r, c : c + 3] = 1.0
    return centre_of_mass_shift(img)


def centre_of_mass(img):
    yy, xx = np.mgrid[0:28, 0:28]
    return (yy * img).sum() / img.sum(), (xx * img).sum() / img.sum()


def save_black_on_white(img: np.ndarray, path, size=280):
    """Write ``img`` (ink = 1) enlarged, as dark ink on white paper, like a scanned drawing."""
    big = Image.fromarray(((1 - img) * 255).astype(np.uint8)).resize((size, size), Image.NEAREST)
    padded = Image.new("L", (size + 100, size + 60), 255)
    padded.paste(big, (70, 10))
    padded.save(path)


def test_known_digit_round_trips_through_a_png(tmp_path):
    original = bar_digit()
    save_black_on_white(original, tmp_path / "one.png")
    prepared = prepare(tmp_path / "one.png")
    assert prepared.shape == (28, 28) and prepared.dtype == np.float32
    corr = np.corrcoef(original.ravel(), prepared.ravel())[0, 1]
    assert corr > 0.85
    assert np.allclose(centre_of_mass(prepared), (13.5, 13.5), atol=0.6)


def test_inversion_is_detected_from_the_border():
    ink = bar_digit()
    np.testing.assert_array_equal(to_ink(1.0 - ink), ink.astype(np.float32))
    np.testing.assert_array_equal(to_ink(ink), ink)


def test_mnist_style_fits_20_pixels_and_centres_by_mass():
    ink = np.zeros((100, 60), np.float32)
    ink[10:90, 5:15] = 1.0  # a tall bar far off-centre
    out = mnist_style(ink)
    rows = np.flatnonzero((out > 0.1).any(axis=1))
    assert 18 <= rows[-1] - rows[0] + 1 <= 21  # the longer side fills the 20-pixel box
    assert np.allclose(centre_of_mass(out), (13.5, 13.5), atol=0.6)


def test_centre_of_mass_shift_moves_a_corner_dot_to_the_middle():
    img = np.zeros((28, 28), np.float32)
    img[2, 3] = 1
    out = centre_of_mass_shift(img)
    assert out.sum() == 1
    assert np.allclose(centre_of_mass(out), (13.5, 13.5), atol=0.5)


def test_raw_only_resizes(tmp_path):
    Image.new("L", (56, 56), 0).save(tmp_path / "dark.png")
    img = Image.new("L", (56, 56), 0)
    img.paste(255, (0, 0, 56, 8))  # a bar along the top edge stays at the top with --raw
    img.save(tmp_path / "bar.png")
    raw = prepare(tmp_path / "bar.png", raw=True)
    assert raw[:4].mean() > 0.9 and raw[10:].max() < 0.05


def test_transparent_png_is_put_on_white_paper(tmp_path):
    rgba = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    for y in range(5, 35):
        for x in range(18, 22):
            rgba.putpixel((x, y), (0, 0, 0, 255))
    rgba.save(tmp_path / "t.png")
    grey = load_image(tmp_path / "t.png")
    assert grey[0, 0] == 1.0 and grey[20, 20] == 0.0


def tiny_png(width: int, height: int) -> bytes:
    """A syntactically valid PNG header claiming ``width × height`` (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 8))
        + chunk(b"IEND", b"")
    )


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content, allow_pickle=True)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    return path


def good_png_bytes(tmp_path) -> bytes:
    save_black_on_white(bar_digit(), tmp_path / "good.png")
    return (tmp_path / "good.png").read_bytes()


BAD = [
    ("missing file", None, "no such file"),
    ("directory", "DIR", "is a directory"),
    ("empty file", b"", "file is empty"),
    ("text file", b"hello, I am not an image\n", "not an image PIL can read"),
    ("truncated png", "TRUNC", "unreadable or truncated"),
    ("decompression bomb", tiny_png(100_000, 100_000), "absurdly large"),
    ("tiff not supported", "TIFF", "TIFF images are not supported"),
    ("npy wrong shape", np.zeros((28, 27), np.float32), "shape (28, 28)"),
    ("npy wrong dtype", np.zeros((28, 28), np.complex64), "must be uint8 or float"),
    ("npy bool dtype", np.zeros((28, 28), bool), "must be uint8 or float"),
    ("npy with NaN", np.full((28, 28), np.nan, np.float32), "NaN or infinite"),
    ("npy with inf", np.full((28, 28), np.inf, np.float64), "NaN or infinite"),
    ("npy out of range", np.full((28, 28), 3.0, np.float32), "must lie in [0, 1]"),
    ("pickled npy", np.array([{"a": 1}] * 784, dtype=object).reshape(28, 28), "pickled"),
    (
        "truncated npy",
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order'",
        "not a valid .npy",
    ),
    ("blank image", "BLANK", "blank"),
    ("blank npy", np.zeros((28, 28), np.float32), "blank"),
]


def make_bad_input(tmp_path, name, content):
    """Write the bad input of a ``BAD`` row into ``tmp_path``; return its path."""
    suffix = ".npy" if isinstance(content, np.ndarray) or "npy" in name else ".png"
    path = tmp_path / f"input{suffix}"
    tag = content if isinstance(content, str) else None
    if tag == "DIR":
        path.mkdir()
    elif tag == "TRUNC":
        path.write_bytes(good_png_bytes(tmp_path)[:120])
    elif tag == "TIFF":
        path = tmp_path / "input.tif"
        Image.new("L", (28, 28), 255).save(path)
    elif tag == "BLANK":
        Image.new("L", (64, 64), 255).save(path)
    elif content is not None:
        write(tmp_path, path.name, content)
    return path


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_images_are_refused_with_a_clear_message(tmp_path, name, content, message):
    path = make_bad_input(tmp_path, name, content)
    with pytest.raises(
        UserInputError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ) as info:
        prepare(path)
    assert "\n" not in str(info.value)
