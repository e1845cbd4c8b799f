"""The reading deck: its make-up, balance over digits, determinism and the page it feeds."""

import json

import numpy as np
import pytest

from mnist_fooling.cli import main
from mnist_fooling.search.registry import set_name
from mnist_fooling.stages.reading.deck import balanced, build_deck
from mnist_fooling.stages.reading.format import deck_id, decode_pixels

READING = dict(
    display_s=2.0,
    per_set=12,
    per_other=2,
    eigen=3,
    strengths=[0.0, 0.3, 1.0],
    per_strength=2,
    per_negative=2,
)


@pytest.fixture
def runs(tmp_path):
    """Fooling runs as the workflow lays them out: two focal sets, one other, 30 images each."""
    rng = np.random.default_rng(0)
    paths = []
    for model, method in (("mlp", "gradient"), ("mlp", "genetic"), ("softmax", "hillclimb")):
        path = tmp_path / "fooling" / model / f"{method}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        target = np.arange(30) % 10
        np.savez(
            path,
            images=rng.random((30, 28, 28), dtype=np.float32),
            target=target,
            converged=target != 4,  # no converged '4': the pool falls back for that digit
        )
        paths.append(path)
    return paths


@pytest.fixture
def pca(tmp_path):
    path = tmp_path / "pca.npz"
    np.savez(path, components=np.random.default_rng(1).normal(size=(784, 784)))
    return path


def test_the_deck_holds_every_group_and_is_fixed_by_the_seed(mnist_npz, runs, pca):
    deck = build_deck(data=mnist_npz, runs=runs, pca=pca, seed=3, reading=READING)
    groups = [c["group"] for c in deck["items"]]
    assert groups.count("fooling") == 12 + 12 + 2
    assert groups.count("eigen") == 3 and groups.count("mean") == 1  # genetic only: no prior run
    assert groups.count("blend") == 2 + 2 + 4  # clean digits twice
    assert groups.count("negative") == 2 * 5
    assert [c["id"] for c in deck["items"]] == [f"i{i:03d}" for i in range(len(groups))]
    assert deck["id"] == deck_id(deck["items"]) and deck["display_s"] == 2.0
    gradient = [c for c in deck["items"] if c["set"] == set_name("mlp", "gradient")]
    assert sorted({c["target"] for c in gradient}) == list(range(10))  # every digit
    again = build_deck(data=mnist_npz, runs=runs, pca=pca, seed=3, reading=READING)
    assert again == deck
    other = build_deck(data=mnist_npz, runs=runs, pca=pca, seed=4, reading=READING)
    assert other["id"] != deck["id"]
    image = decode_pixels(deck["items"][0]["pixels"])
    assert image.shape == (28, 28) and image.min() >= 0 and image.max() <= 1


def test_balanced_takes_every_digit_in_turn():
    target = np.array([0, 0, 0, 1, 1, 2])
    rng = np.random.default_rng(0)
    picked = balanced(target, np.ones(6, bool), 4, rng=rng)
    assert sorted(target[picked]) == [0, 0, 1, 2]
    assert len(balanced(target, target == 2, 4, rng=rng)) == 1  # the pool runs out
    ten = np.arange(100) % 10
    firsts = {tuple(sorted(ten[balanced(ten, ten >= 0, 2, rng=rng)])) for _ in range(20)}
    assert len(firsts) > 3  # two cards of a set are not always a '0' and a '1'


def test_the_reading_command_writes_the_page_and_the_deck(tmp_path, mnist_npz, runs, pca):
    out, deck = tmp_path / "report" / "reading.html", tmp_path / "reading" / "deck.json"
    args = ["reading", "--data", str(mnist_npz), "--runs", *map(str, runs), "--pca", str(pca)]
    args += ["--seed", "0", "--reading-json", json.dumps(READING)]
    assert main([*args, "--deck-out", str(deck), "--out", str(out)]) == 0
    written = json.loads(deck.read_text())
    assert written["id"] in out.read_text()
    bad = [*args[:-1], "[]", "--deck-out", str(deck), "--out", str(out)]
    assert main(bad) == 2
