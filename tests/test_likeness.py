"""The template reader behind the visual-claim proxies: digits read, noise not, means and frames."""

import numpy as np
import pandas as pd

from mnist_fooling.io import write_npz
from mnist_fooling.likeness import (
    correlations,
    describe,
    floor_of_real_digits,
    likeness_table,
    templates,
)


def bars():
    """Ten easily told apart 'digits': digit d is a bright horizontal bar at row 4 + 2d."""
    t = np.zeros((10, 28, 28), np.float32)
    for d in range(10):
        t[d, 4 + 2 * d : 6 + 2 * d, 4:24] = 1.0
    return t


def test_correlations_and_templates():
    t = bars()
    x = np.concatenate([t, t]) * 0.8
    y = np.tile(np.arange(10), 2)
    np.testing.assert_allclose(templates(x, y), t * 0.8)
    c = correlations(t, t)
    np.testing.assert_allclose(np.diag(c), 1.0, atol=1e-9)
    assert (c.argmax(axis=1) == np.arange(10)).all()
    assert np.all(correlations(np.zeros((1, 28, 28)), t) == 0)  # a blank image matches nothing


def test_describe_reads_digits_noise_and_frames():
    t = bars()
    rng = np.random.default_rng(0)
    noisy_digits = np.clip(np.repeat(t, 20, axis=0) + 0.1 * rng.random((200, 28, 28)), 0, 1)
    target = np.repeat(np.arange(10), 20)
    floor = floor_of_real_digits(noisy_digits, target, t)
    assert 0.5 < floor < 1
    rows = pd.DataFrame(describe(noisy_digits, target, t, floor=floor)).set_index("digit")
    assert (rows.read_as_target == 1).all() and (rows.mean_image_rank == 1).all()
    assert rows.looks_like_target.mean() >= 0.9 and (rows.background < 0.1).all()
    noise = rng.random((200, 28, 28))
    rows = pd.DataFrame(describe(noise, target, t, floor=floor)).set_index("digit")
    assert rows.read_as_target.mean() < 0.3 and (rows.looks_like_target == 0).all()
    # A faint template in noise is read as its digit but does not look like it.
    faint = np.clip(noise + 0.2 * np.repeat(t, 20, axis=0), 0, 1)
    rows = pd.DataFrame(describe(faint, target, t, floor=floor)).set_index("digit")
    assert rows.read_as_target.mean() > 0.8 and (rows.looks_like_target == 0).all()
    assert np.allclose(rows.background, 0.5, atol=0.02) and (rows.background_std > 0.25).all()


def test_likeness_table_scores_runs_and_references(tmp_path, mnist_npz):
    path = tmp_path / "genetic.npz"
    rng = np.random.default_rng(1)
    write_npz(path, images=rng.random((20, 28, 28), dtype=np.float32), target=np.arange(20) % 10)
    out = tmp_path / "likeness.csv"
    table = likeness_table(data=mnist_npz, runs={("mlp", "genetic"): path}, out=out)
    assert set(table.method) == {"test digits", "uniform noise", "genetic"}
    assert (table[table.method == "genetic"].n == 2).all()
    assert pd.read_csv(out).shape == table.shape
