"""Drawing to the edge (claims C10–C13): scale, translation, border noise and drawn digits;
per-image readings of test digits for the verdicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...core.io import write_csv, write_npz
from ...core.stats import accuracy_row
from ..classify.preprocess import mnist_style, resize
from ..data.mnist import load_mnist

# --- geometric transforms, vectorised over the batch ------------------------------------------


def bounding_boxes(images: np.ndarray, *, threshold: float = 0.1) -> np.ndarray:
    """Ink bounding boxes ``(n, 4)`` as top, bottom, left, right (inclusive) of ``(n, 28, 28)``."""
    mask = images > threshold
    rows, cols = mask.any(axis=2), mask.any(axis=1)  # (n, 28) each
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom = 27 - rows[:, ::-1].argmax(axis=1)
    right = 27 - cols[:, ::-1].argmax(axis=1)
    return np.stack([top, bottom, left, right], axis=1)


def affine_resample(
    images: np.ndarray, *, scale: np.ndarray, src_centre: np.ndarray, dst_centre: np.ndarray
) -> np.ndarray:
    """Bilinear resampling of ``(n, 28, 28)``: point ``src_centre`` maps to ``dst_centre``.

    Args:
        images: ``(n, 28, 28)``.
        scale: ``(n,)`` magnification (>1 enlarges).
        src_centre, dst_centre: ``(n, 2)`` (y, x) in pixel coordinates.
    """
    n = len(images)
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)  # (28, 28)
    sy = (yy[None] - dst_centre[:, 0, None, None]) / scale[:, None, None] + src_centre[
        :, 0, None, None
    ]
    sx = (xx[None] - dst_centre[:, 1, None, None]) / scale[:, None, None] + src_centre[
        :, 1, None, None
    ]
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    wy, wx = sy - y0, sx - x0
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))  # zero outside the image
    idx = np.arange(n)[:, None, None]

    def at(y, x):
        return padded[idx, np.clip(y + 1, 0, 29), np.clip(x + 1, 0, 29)]

    out = (
        (1 - wy) * (1 - wx) * at(y0, x0)
        + (1 - wy) * wx * at(y0, x0 + 1)
        + wy * (1 - wx) * at(y0 + 1, x0)
        + wy * wx * at(y0 + 1, x0 + 1)
    )
    return out.astype(np.float32)


def rescale_to_box(images: np.ndarray, size: int) -> np.ndarray:
    """Each digit's ink box scaled (aspect kept) so its longer side spans ``size`` pixels, centred.

    ``size = 28`` makes the digit touch the image's edges.
    """
    box = bounding_boxes(images).astype(np.float32)
    extent = np.maximum(box[:, 1] - box[:, 0], box[:, 3] - box[:, 2]) + 1  # (n,)
    src = np.stack([(box[:, 0] + box[:, 1]) / 2, (box[:, 2] + box[:, 3]) / 2], axis=1)
    # Pixel k spans [k - 0.5, k + 0.5]: an extent of e pixels maps onto size pixels.
    scale = size / extent
    dst = np.full((len(images), 2), 13.5, np.float32)
    return affine_resample(images, scale=scale, src_centre=src, dst_centre=dst)


def shift(images: np.ndarray, *, dy: int = 0, dx: int = 0) -> np.ndarray:
    """Translate ``(n, 28, 28)`` by whole pixels, filling with background."""
    out = np.zeros_like(images)
    ys = slice(max(0, -dy), 28 - max(0, dy))
    yd = slice(max(0, dy), 28 - max(0, -dy))
    xs = slice(max(0, -dx), 28 - max(0, dx))
    xd = slice(max(0, dx), 28 - max(0, -dx))
    out[:, yd, xd] = images[:, ys, xs]
    return out


def border_noise(images: np.ndarray, k: int, *, rng: np.random.Generator) -> np.ndarray:
    """Replace every pixel outside the central ``k × k`` box with uniform noise (C13)."""
    if not 0 <= k <= 28:
        raise ValueError(f"central box must be 0..28 pixels, got {k}")
    lo = (28 - k) // 2
    keep = np.zeros((28, 28), bool)
    keep[lo : lo + k, lo : lo + k] = True
    noise = rng.random(images.shape, dtype=np.float32)
    return np.where(keep[None], images, noise)


# --- drawn digits ------------------------------------------------------------------------------


def _arc(cx, cy, rx, ry, start, stop, n=24):
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(t), cy - ry * np.sin(t), strict=True))


# Strokes on a unit square (x right, y down), one list of polylines per digit.
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.32, 0.46, 0, 360, 40)],
    1: [[(0.35, 0.2), (0.55, 0.04), (0.55, 0.96)]],
    2: [_arc(0.5, 0.3, 0.32, 0.26, 160, -40) + [(0.18, 0.96), (0.85, 0.96)]],
    3: [_arc(0.48, 0.27, 0.3, 0.23, 150, -90), _arc(0.48, 0.73, 0.34, 0.23, 90, -150)],
    4: [[(0.62, 0.96), (0.62, 0.04), (0.12, 0.66), (0.9, 0.66)]],
    5: [[(0.82, 0.04), (0.25, 0.04), (0.2, 0.45)] + _arc(0.48, 0.67, 0.34, 0.29, 150, -160)],
    6: [[(0.72, 0.04)] + _arc(0.5, 0.68, 0.32, 0.28, 150, -210, 40)],
    7: [[(0.12, 0.04), (0.88, 0.04), (0.4, 0.96)]],
    8: [_arc(0.5, 0.26, 0.26, 0.22, 0, 360, 32), _arc(0.5, 0.72, 0.32, 0.24, 0, 360, 32)],
    9: [_arc(0.5, 0.3, 0.3, 0.26, 0, 360, 36), [(0.8, 0.3), (0.72, 0.96)]],
}
# (stroke width relative to the canvas, shear): a thin upright, a bold upright, a slanted hand.
STYLES = ((0.09, 0.0), (0.14, 0.0), (0.11, 0.22))


def draw_digit(digit: int, *, style: int, canvas: int = 280) -> np.ndarray:
    """Draw ``digit`` with Pillow at high resolution; ink = 1 on 0, shape ``(canvas, canvas)``."""
    from PIL import Image, ImageDraw

    width, shear = STYLES[style]
    img = Image.new("L", (canvas, canvas), 0)
    pen = ImageDraw.Draw(img)
    margin = 0.12 * canvas
    span = canvas - 2 * margin
    for line in STROKES[digit]:
        pts = [(margin + span * (x + shear * (0.5 - y)), margin + span * y) for x, y in line]
        pen.line(pts, fill=255, width=max(1, round(width * canvas)), joint="curve")
        r = width * canvas / 2  # round caps
        for x, y in (pts[0], pts[-1]):
            pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img, np.float32) / 255.0


def large_version(drawing: np.ndarray, *, max_stretch: float = 1.5) -> np.ndarray:
    """Enlarge the ink to touch the image's edges (the post's large drawings).

    The longer side spans all 28 pixels; the shorter one is stretched to 28 too, unless that
    distorts the aspect ratio by more than ``max_stretch`` (a '1' stays a stroke, centred).
    """
    mask = drawing > 0.1
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = drawing[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = 28 / max(h, w)
    th = min(28, round(h * scale * max_stretch))
    tw = min(28, round(w * scale * max_stretch))
    out = np.zeros((28, 28), np.float32)
    top, left = (28 - th) // 2, (28 - tw) // 2
    out[top : top + th, left : left + tw] = resize(crop, th, tw)
    return out


def drawn_digits() -> tuple[np.ndarray, pd.DataFrame]:
    """Large (edge-touching) and small (MNIST-style, 4-pixel border) versions of every drawing.

    Returns:
        images ``(n, 28, 28)`` and a frame with digit, style, size for each.
    """
    images, rows = [], []
    for digit in range(10):
        for style in range(len(STYLES)):
            drawing = draw_digit(digit, style=style)
            for size, image in (("large", large_version(drawing)), ("small", mnist_style(drawing))):
                images.append(image)
                rows.append(dict(digit=digit, style=style, size=size))
    return np.stack(images), pd.DataFrame(rows)


# --- experiments -------------------------------------------------------------------------------


def _accuracy_rows(out: np.ndarray, labels: np.ndarray, **keys) -> dict:
    correct = int((out.argmax(axis=1) == labels).sum())
    return dict(
        **accuracy_row(correct, len(labels), **keys),
        mean_true_output=float(out[np.arange(len(labels)), labels].mean()),
        mean_max_output=float(out.max(axis=1).mean()),
    )


def _read(out: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image top class, top output and true-class output of outputs ``(n, 10)``."""
    top = out.argmax(axis=1)
    rows = np.arange(len(labels))
    return dict(
        top=top.astype(np.int8),
        p1=out[rows, top].astype(np.float32),
        true=out[rows, labels].astype(np.float32),
    )


# The conditions the verdicts of C10–C13 read, one image set each (see run_edge).
CONDITIONS = ("clean", "frame", "bordered", "scrambled")


def run_edge(
    *,
    data: Path,
    models: dict[str, Path],
    n_images: int,
    sizes: list[int],
    shifts: list[int],
    borders: list[int],
    frame_size: int,
    bordered_size: int,
    scramble_box: int,
    seed: int,
    out_dir: Path,
) -> None:
    """Run the four experiments on the first ``n_images`` test digits; write CSVs and examples.

    ``outputs.npz`` holds, per model and test digit, the readings (top class, top output,
    true-class output) the verdicts use: clean, scaled to ``frame_size`` (C10, C11), scaled to
    ``bordered_size`` (C12), noise outside the central ``scramble_box`` (C13); each ``(M, n)``.
    """
    # Here, not at the top: the report fragment of this stage needs no TensorFlow.
    from ...core.backend import predict_batched
    from ...core.models import load_model

    mnist = load_mnist(data)
    x, y = mnist.x_test[:n_images], mnist.y_test[:n_images]
    rng = np.random.default_rng(seed)
    # The verdicts' conditions reuse the sweep's images when they are among its values.
    scaled = {s: rescale_to_box(x, s) for s in dict.fromkeys([*sizes, frame_size, bordered_size])}
    shifted = {("x", d): shift(x, dx=d) for d in shifts} | {
        ("y", d): shift(x, dy=d) for d in shifts
    }
    noisy = {k: border_noise(x, k, rng=rng) for k in dict.fromkeys([*borders, scramble_box])}
    drawn, drawn_meta = drawn_digits()
    scale_rows, shift_rows, border_rows, drawn_rows = [], [], [], []
    readings = {c: [] for c in CONDITIONS}
    for name, path in models.items():
        model = load_model(path)
        clean = predict_batched(model, x)
        by_size = {s: predict_batched(model, images) for s, images in scaled.items()}
        by_box = {k: predict_batched(model, images) for k, images in noisy.items()}
        for s in sizes:
            scale_rows.append(_accuracy_rows(by_size[s], y, model=name, size=s))
        for (axis, d), images in shifted.items():
            shift_rows.append(
                _accuracy_rows(predict_batched(model, images), y, model=name, axis=axis, shift=d)
            )
        for k in borders:
            out = by_box[k]
            row = _accuracy_rows(out, y, model=name, central_box=k)
            # How far the outputs move: half the L1 distance (= total variation for softmax).
            row["mean_output_change"] = float(0.5 * np.abs(out - clean).sum(axis=1).mean())
            row["top_changed"] = float((out.argmax(1) != clean.argmax(1)).mean())
            border_rows.append(row)
        outs = dict(
            clean=clean,
            frame=by_size[frame_size],
            bordered=by_size[bordered_size],
            scrambled=by_box[scramble_box],
        )
        for c in CONDITIONS:
            readings[c].append(_read(outs[c], y))
        out = predict_batched(model, drawn)
        order = np.argsort(-out, axis=1)
        for i, meta in enumerate(drawn_meta.itertuples()):
            drawn_rows.append(
                dict(
                    model=name,
                    digit=meta.digit,
                    style=meta.style,
                    size=meta.size,
                    top1=int(order[i, 0]),
                    p1=float(out[i, order[i, 0]]),
                    top2=int(order[i, 1]),
                    p2=float(out[i, order[i, 1]]),
                    p_true=float(out[i, meta.digit]),
                )
            )
    write_csv(out_dir / "scale.csv", pd.DataFrame(scale_rows))
    write_csv(out_dir / "shift.csv", pd.DataFrame(shift_rows))
    write_csv(out_dir / "border.csv", pd.DataFrame(border_rows))
    write_csv(out_dir / "drawn.csv", pd.DataFrame(drawn_rows))
    write_npz(
        out_dir / "outputs.npz",
        models=np.array(list(models)),
        labels=y.astype(np.int8),
        frame_size=np.array(frame_size),
        bordered_size=np.array(bordered_size),
        scramble_box=np.array(scramble_box),
        **{
            f"{c}_{key}": np.stack([r[key] for r in readings[c]])
            for c in CONDITIONS
            for key in ("top", "p1", "true")
        },
    )
    examples = np.stack([scaled[s][:8] for s in sizes])  # (sizes, 8, 28, 28)
    borders_ex = np.stack([noisy[k][:8] for k in borders])
    # The first eight '2's and '9's filling the frame (the post's large drawings, from MNIST).
    frame_index = np.concatenate([np.flatnonzero(y == d)[:8] for d in (2, 9)])
    write_npz(
        out_dir / "examples.npz",
        scaled=examples,
        sizes=np.array(sizes),
        border=borders_ex,
        borders=np.array(borders),
        frame=scaled[frame_size][frame_index],
        frame_index=frame_index,
        scrambled=noisy[scramble_box][frame_index],
        drawn=drawn,
        drawn_digit=drawn_meta.digit.to_numpy(),
        drawn_style=drawn_meta["style"].to_numpy(),
        drawn_large=(drawn_meta["size"] == "large").to_numpy(),
    )
