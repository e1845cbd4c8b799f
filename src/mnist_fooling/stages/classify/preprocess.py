"""Turn a user's image into an MNIST-style 28 × 28 array (ink = 1 on background = 0), safely."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ...core.errors import UserInputError

FORMATS = {"PNG", "JPEG", "BMP", "GIF"}
MAX_PIXELS = 50_000_000  # larger headers are refused before decoding (decompression bombs)
MAX_BYTES = 100 * 1024 * 1024
INK = 0.1  # pixels above this (after inversion) count as ink when cropping


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file or a ``(28, 28)`` ``.npy`` as greyscale float32 in [0, 1], ``(h, w)``.

    Raises:
        UserInputError: missing, empty, truncated or unreadable file; unsupported format;
            absurd size; ``.npy`` of the wrong shape or dtype, with NaNs or pickled objects.
    """
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"{path}: no such file")
    if path.is_dir():
        raise UserInputError(f"{path}: is a directory, not an image")
    size = path.stat().st_size
    if size == 0:
        raise UserInputError(f"{path}: file is empty")
    if size > MAX_BYTES:
        raise UserInputError(f"{path}: file is larger than {MAX_BYTES // 2**20} MiB")
    if path.suffix.lower() == ".npy":
        return _load_npy(path)
    return _load_picture(path)


def _load_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise UserInputError(f"{path}: holds pickled objects, which are never loaded") from exc
        raise UserInputError(f"{path}: not a valid .npy file ({exc})") from exc
    except (OSError, EOFError) as exc:
        raise UserInputError(f"{path}: not a valid .npy file ({exc})") from exc
    if array.shape != (28, 28):
        raise UserInputError(f"{path}: .npy must have shape (28, 28), got {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype.kind != "f":
        raise UserInputError(f"{path}: .npy must be uint8 or float, got {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise UserInputError(f"{path}: .npy contains NaN or infinite values")
    if array.min() < 0 or array.max() > 1:
        raise UserInputError(f"{path}: float .npy values must lie in [0, 1]")
    return array.astype(np.float32)


def _load_picture(path: Path) -> np.ndarray:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            old, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
            try:
                with Image.open(path) as img:
                    if img.format not in FORMATS:
                        raise UserInputError(
                            f"{path}: {img.format} images are not supported "
                            f"(use {', '.join(sorted(FORMATS))} or .npy)"
                        )
                    if img.width * img.height > MAX_PIXELS:
                        raise UserInputError(f"{path}: {img.width}×{img.height} is too large")
                    img.load()  # decode now: truncated files fail here
                    grey = _to_grey(img)
            finally:
                Image.MAX_IMAGE_PIXELS = old
    except UserInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UserInputError(f"{path}: image is absurdly large (decompression bomb?)") from exc
    except Image.UnidentifiedImageError as exc:
        raise UserInputError(f"{path}: not an image PIL can read") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UserInputError(f"{path}: unreadable or truncated image ({exc})") from exc
    return grey


def _to_grey(img) -> np.ndarray:
    """Greyscale float32 in [0, 1]; transparent pixels become white paper."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, rgba)
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def to_ink(grey: np.ndarray) -> np.ndarray:
    """Ink = 1: invert when the image is dark ink on light paper (judged by its border)."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 1.0 - grey if np.median(border) > 0.5 else grey


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a float image ``(h, w)`` with antialiasing (Pillow, 32-bit float mode)."""
    from PIL import Image

    out = Image.fromarray(image.astype(np.float32), mode="F").resize(
        (width, height),
        Image.Resampling.LANCZOS
        if min(image.shape) > max(height, width)
        else Image.Resampling.BILINEAR,
    )
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def mnist_style(ink: np.ndarray, *, box: int = 20) -> np.ndarray:
    """Crop to the ink, fit into ``box × box`` keeping the aspect ratio, centre by mass in 28 × 28.

    This is how MNIST itself was made (LeCun et al.): 20 × 20 box, centre of mass at the centre.

    Raises:
        UserInputError: if the image has no ink.
    """
    mask = ink > INK * max(float(ink.max()), 1e-6)
    if ink.max() < 0.05 or not mask.any():
        raise UserInputError("image is blank: no ink to classify")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = box / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    fitted = resize(crop, h, w)
    canvas = np.zeros((28, 28), np.float32)
    top, left = (28 - h) // 2, (28 - w) // 2
    canvas[top : top + h, left : left + w] = fitted
    return centre_of_mass_shift(canvas)


def centre_of_mass_shift(image: np.ndarray) -> np.ndarray:
    """Shift ``(28, 28)`` by whole pixels so its centre of mass lies nearest (13.5, 13.5)."""
    total = image.sum()
    if total <= 0:
        return image
    yy, xx = np.mgrid[0:28, 0:28]
    dy = round(13.5 - float((yy * image).sum() / total))
    dx = round(13.5 - float((xx * image).sum() / total))
    out = np.zeros_like(image)
    ys, yd = (slice(0, 28 - dy), slice(dy, 28)) if dy >= 0 else (slice(-dy, 28), slice(0, 28 + dy))
    xs, xd = (slice(0, 28 - dx), slice(dx, 28)) if dx >= 0 else (slice(-dx, 28), slice(0, 28 + dx))
    out[yd, xd] = image[ys, xs]
    return out


def prepare(path: str | Path, *, raw: bool = False) -> np.ndarray:
    """A file as the networks' input ``(28, 28)``: MNIST-style, or only resized with ``raw``."""
    ink = to_ink(load_image(path))
    if ink.max() < 0.05:
        raise UserInputError(f"{path}: image is blank: no ink to classify")
    if raw:
        return ink if ink.shape == (28, 28) else resize(ink, 28, 28)
    try:
        return mnist_style(ink)
    except UserInputError as exc:
        raise UserInputError(f"{path}: {exc}") from exc
