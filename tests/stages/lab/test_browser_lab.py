"""The lab in headless Chromium: the page's forward passes and gradients against Keras, its
drawing preprocessing against ``mnist-fooling classify``'s, the live searches, the fragment."""

import base64
import json

import numpy as np
import pytest

from mnist_fooling.core.models import load_model
from mnist_fooling.stages.classify.preprocess import mnist_style, prepare, resize, to_ink
from tests.browser import chromium, evaluate, open_page
from tests.stages.lab.conftest import NAMES, digits_and_fooling, lab_methods
from tests.stages.lab.inpage import HELPERS, b64, outputs_and_gradients, unb64

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="needs headless Chromium (apt-get install chromium)"
)


def keras_outputs_and_gradients(path, images, targets):
    from mnist_fooling.search.engine import Scorer

    scorer = Scorer(load_model(path))
    return scorer.forward(images), scorer.target_gradient(images, targets)[1]


def _cosine(a, b):
    a, b = a.reshape(len(a), -1).astype("f8"), b.reshape(len(b), -1).astype("f8")
    return (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-30)


def test_forward_and_gradients_equal_keras(lab_models, lab_page):
    """100 digits + 100 fooling-like images: outputs within 1e-5, same argmax, gradients of
    the attacks' objective at cosine >= 0.999, for all three models."""
    images, targets = digits_and_fooling(100)
    got = outputs_and_gradients(lab_page, images, targets, NAMES)
    for name in NAMES:
        want, want_grad = keras_outputs_and_gradients(lab_models[name], images, targets)
        out, grad = got[name]
        assert np.abs(out - want).max() <= 1e-5, name
        assert np.array_equal(out.argmax(1), want.argmax(1)), name
        cos = _cosine(grad, want_grad)
        if name != "cnn":
            assert cos.min() >= 0.999, name
            continue
        # Max pooling's gradient goes to one input of a tied window, and which one depends on
        # the kernels' rounding: images with flat 0/1 areas (squares, clipped pixels) tie.
        # Keras itself disagrees there (JAX vs TensorFlow: cosine down to 0.24 on MNIST test
        # digits). A ReLU or a pooling window at a near-tie can also flip with float32
        # rounding: one noise image of these 200 goes to 0.994.
        assert np.mean(cos >= 0.999) >= 0.97 and np.median(cos) >= 0.99999
        assert cos.min() >= 0.99


def test_every_path_with_and_without_workers_equals_keras(lab_models, lab_page):
    """Each kernel build (relaxed SIMD, plain SIMD) and the JavaScript fallback, on the page's
    thread and in the Web Workers: within 1e-5 of Keras, the same argmax, and the workers'
    outputs the page's own, bit for bit."""
    images, _ = digits_and_fooling(40)
    n = len(images)
    body = (
        HELPERS
        + f"const X = f32({json.dumps(b64(images))}), r = {{}};"
        + "const paths = lab.paths().paths;"
        + "for (const p of paths) { const k = await lab.usePath(p, 2); r[p] = {workers: k};"
        + f" for (const m of {json.dumps(list(NAMES))}) r[p][m] = [enc(lab.forward(m, X, {n})),"
        + f" enc(await lab.forward(m, X, {n}, true))]; }}"
        + "return r;"
    )
    got = evaluate(lab_page, body)
    assert list(got) == ["relaxed", "simd", "js"]  # Chromium runs both builds
    for name in NAMES:
        want = load_model(lab_models[name]).predict(images, verbose=0)
        for path, r in got.items():
            assert r["workers"] == 2, path
            page, workers = (unb64(v, (n, 10)) for v in r[name])
            assert np.array_equal(page, workers), (path, name)
            assert np.abs(page - want).max() <= 1e-5, (path, name)
            assert np.array_equal(page.argmax(1), want.argmax(1)), (path, name)


def test_gradients_on_every_path(lab_models, lab_page):
    """The gradient's forward pass runs the path's convolution: gradients as on the default."""
    images, targets = digits_and_fooling(8)
    n = len(images)
    body = (
        HELPERS
        + f"const X = f32({json.dumps(b64(images))}), T = {json.dumps(targets.tolist())}, r = {{}};"
        + "for (const p of lab.paths().paths) { await lab.usePath(p, 0);"
        + f" r[p] = enc(lab.gradient('cnn', X, {n}, T)); }}"
        + "return r;"
    )
    got = {p: unb64(g, (n, 28, 28)) for p, g in evaluate(lab_page, body).items()}
    for path, grad in got.items():
        assert np.median(_cosine(grad, got["js"])) >= 0.99999, path


@pytest.mark.parametrize(
    ("init", "path"),
    [
        ("delete window.Worker;", "relaxed"),
        ("delete window.Worker; delete window.WebAssembly;", "js"),
    ],
)
def test_without_workers_or_webassembly_the_page_still_fools(lab_page, init, path):
    """A browser without Web Workers scores on the page's thread; one without WebAssembly too,
    in JavaScript: a CNN hill-climbing step runs either way, and the page says what scored it."""
    with open_page(lab_page, init=init) as page:
        page.select_option("#smethod", "hillclimb")
        page.select_option("#smodel", "cnn")
        page.click("#step")
        page.wait_for_function("() => lab.search().step === 1", polling=50)
        got = page.evaluate(
            "() => [lab.paths(), lab.search().evaluations,"
            " document.getElementById('sengine').textContent]"
        )
        assert not page.errors, page.errors
    paths, evaluations, engine = got
    assert paths["workers"] == 0 and paths["path"] == path
    assert evaluations == 1 + lab_methods()["hillclimb"]["candidates"]
    assert engine.startswith("the page's thread")


def test_search_in_workers_is_the_search_on_the_page(lab_page):
    """Hill climbing on the CNN: the same best image and output with the candidates scored in
    two workers as on the page's thread (the outputs are the same bits)."""
    runs = (
        "const r = [];"
        "for (const k of [0, 2]) { await lab.workers(k);"
        " document.getElementById('smethod').value = 'hillclimb';"
        " document.getElementById('smodel').value = 'cnn'; lab.newSearch();"
        " for (let i = 0; i < 3; i++) await lab.advance(0, true);"
        " const s = lab.search();"
        " r.push([lab.paths().workers, s.evaluations, s.conf, enc(s.best),"
        " document.getElementById('sengine').textContent]); }"
        "return r;"
    )
    (k0, e0, c0, b0, w0), (k2, e2, c2, b2, w2) = evaluate(lab_page, HELPERS + runs)
    assert (k0, k2) == (0, 2)
    assert e0 == e2 and c0 == c2 and b0 == b2
    assert w0.startswith("the page's thread") and w2.startswith("2 workers")


def test_float16_page_within_2e3(lab_models, tmp_path):
    from mnist_fooling.stages.lab.page import write_lab

    page = tmp_path / "lab.html"
    models = {m: lab_models[m] for m in ("softmax", "mlp")}
    write_lab(models=models, out=page, methods=lab_methods(), precision="float16")
    images, targets = digits_and_fooling(100)
    got = outputs_and_gradients(page, images, targets, models, grad=False)
    for name in models:
        want = load_model(lab_models[name]).predict(images, verbose=0)
        assert np.abs(got[name][0] - want).max() <= 2e-3, name
        assert (got[name][0].argmax(1) == want.argmax(1)).mean() >= 0.99, name


def test_prepare_equals_classify_on_arrays(lab_page):
    """The page's port of preprocess.py on grey arrays: shrinking (Lanczos), enlarging
    (bilinear), dark ink on light paper, raw: within one grey level."""
    rng = np.random.default_rng(0)
    cases = []
    for h, w, light in ((280, 280, True), (120, 90, False), (12, 9, True), (28, 28, False)):
        ink = np.zeros((h, w), np.float32)
        ink[h // 5 : h - h // 4, w // 3 : w // 3 + max(2, w // 6)] = 1.0  # a '1'
        ink[h // 5 : h // 5 + max(2, h // 8), w // 4 : w - w // 5] = 0.8  # its top bar
        ink = np.clip(ink + rng.normal(0, 0.02, ink.shape), 0, 1).astype(np.float32)
        grey = 1 - ink if light else ink
        cases.append((grey, h, w))
    body = (
        HELPERS
        + "const r = []; for (const [g, h, w, raw] of "
        + json.dumps([[b64(g), h, w, raw] for g, h, w in cases for raw in (False, True)])
        + ") r.push(enc(lab.prepare(f32(g), h, w, raw))); return r;"
    )
    got = evaluate(lab_page, body)
    k = 0
    for grey, h, w in cases:
        ink = to_ink(grey)
        for raw in (False, True):
            want = (
                (ink if ink.shape == (28, 28) else resize(ink, 28, 28)) if raw else mnist_style(ink)
            )
            diff = np.abs(unb64(got[k], (28, 28)) - want).max()
            assert diff <= 1 / 255, (h, w, raw, diff)
            k += 1


# a '7' in the canvas's pixels: the top bar, then the diagonal
STROKES = (
    [(70, 60), (120, 58), (170, 57), (205, 60)],
    [(205, 60), (180, 120), (150, 180), (130, 235)],
)
READ = (
    HELPERS
    + "const outs = lab.refresh(); const tops = {};"
    + "for (const row of document.querySelectorAll('.reader'))"
    + " tops[row.id] = row.querySelector('.digit').textContent;"
    + "return [document.getElementById('draw').toDataURL('image/png'), enc(lab.input()),"
    + " outs, tops];"
)


def _draw(page, device: str) -> None:
    """Draw STROKES on the canvas with Playwright's real input: the mouse (pointer events of
    type mouse, with intermediate moves) or the touchscreen (touch pointers, via CDP)."""
    box = page.locator("#draw").bounding_box()
    size = page.evaluate(
        "() => [document.getElementById('draw').width, document.getElementById('draw').height]"
    )
    at = [
        [
            (box["x"] + x * box["width"] / size[0], box["y"] + y * box["height"] / size[1])
            for x, y in stroke
        ]
        for stroke in STROKES
    ]
    if device == "mouse":
        for stroke in at:
            page.mouse.move(*stroke[0])
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(x, y, steps=4)
            page.mouse.up()
        return
    cdp = page.context.new_cdp_session(page)
    for stroke in at:
        kinds = ["touchStart"] + ["touchMove"] * (len(stroke) - 1)
        for kind, (x, y) in zip(kinds, stroke, strict=True):
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.parametrize(("raw", "device"), [(False, "mouse"), (True, "mouse"), (False, "touch")])
def test_drawing_equals_classify(lab_page, tmp_path, raw, device):
    """Strokes drawn with the mouse (or a finger): the page's 28 × 28 input equals
    `classify`'s preparation of the canvas saved as PNG (within one grey level); all three
    models read it."""
    with open_page(lab_page, touch=device == "touch") as page:
        page.evaluate(f"() => {{ document.getElementById('raw').checked = {json.dumps(raw)}; }}")
        _draw(page, device)
        png, x, outs, tops = page.evaluate(f"() => {{ {READ} }}")
        assert not page.errors, page.errors
    path = tmp_path / "drawn.png"
    path.write_bytes(base64.b64decode(png.split(",", 1)[1]))
    want = prepare(path, raw=raw)
    got = unb64(x, (28, 28))
    assert want.max() > 0.5
    assert np.abs(got - want).max() <= 1 / 255
    assert set(outs) == set(NAMES)
    for name in NAMES:
        assert tops[f"reader-{name}"] == str(int(np.argmax(outs[name])))


def _search(page, method, model, steps):
    body = (
        f"document.getElementById('smethod').value = '{method}';"
        f"document.getElementById('smodel').value = '{model}';"
        "document.getElementById('starget').value = '3'; lab.newSearch();"
        f"for (let i = 0; i < {steps}; i++) await lab.advance(0, true);"
        "const s = lab.search();"
        "return {step: s.step, evaluations: s.evaluations, conf: s.conf, status: s.status,"
        " history: s.history, plotted: document.getElementById('sevals').textContent};"
    )
    return evaluate(page, body)


def test_hill_climbing_live(lab_page):
    p = lab_methods()["hillclimb"]
    s = _search(lab_page, "hillclimb", "mlp", 4)
    assert s["step"] == 4 and s["evaluations"] == 1 + 4 * p["candidates"]
    confs = [c for _, c in s["history"]]
    assert confs == sorted(confs) and len(confs) == 4  # keep the best: never worse
    assert s["plotted"] == f"{s['evaluations']:,}"


def test_genetic_live(lab_page):
    p = lab_methods()["genetic"]
    s = _search(lab_page, "genetic", "softmax", 5)
    assert s["step"] == 5 and s["evaluations"] == 5 * p["population"]
    assert s["status"] in ("running", "converged")


@pytest.mark.parametrize("method", ["gradient_sign", "square_search"])
def test_gradient_and_square_search_live(lab_page, method):
    s = _search(lab_page, method, "softmax", 3)
    per_step = 2 if method == "gradient_sign" else lab_methods()["square_search"]["candidates"]
    assert s["step"] == 3 and s["evaluations"] == 1 + 3 * per_step
    assert 0 <= s["conf"] <= 1


def test_fragment_loads_an_image(lab_page, tmp_path):
    """lab.html#model=mlp&image=<base64url of 784 bytes>: the explorer's link."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, 784).astype(np.uint8)
    token = base64.urlsafe_b64encode(pixels.tobytes()).decode().rstrip("=")
    copy = tmp_path / "lab.html"
    copy.write_text(
        lab_page.read_text().replace(
            "<script>", f"<script>location.hash = 'model=mlp&target=4&image={token}';", 1
        )
    )
    body = (
        HELPERS + "return [enc(lab.input()), document.getElementById('smodel').value,"
        " document.getElementById('starget').value];"
    )
    x, model, target = evaluate(copy, body)
    assert np.abs(unb64(x, (784,)) - pixels / 255).max() < 1e-6
    assert (model, target) == ("mlp", "4")


def test_explorer_links_each_image_to_the_lab(tmp_path):
    """The explorer's "open in the lab" link carries the tile's pixels, read from its sprite."""
    import html
    import re

    from mnist_fooling.report.explorer import Run, image_records, render_page
    from tests.browser import dump_dom

    rng = np.random.default_rng(2)
    n = 40
    target = np.arange(n) % 10
    outputs = rng.dirichlet(np.ones(10), n).astype(np.float32)
    images = rng.random((n, 28, 28), dtype=np.float32)
    run = Run("cnn", "hillclimb", images, target, outputs, np.ones(n, bool), np.ones(n, int))
    script = (
        "addEventListener('load', () => { const a = document.querySelectorAll('a.lab')[7];"
        " a.id = 'picked'; window.explorerLabLink(a); });"
    )
    page = tmp_path / "explorer.html"
    page.write_text(
        render_page([run], image_records(run, {})).replace(
            "</body>", f"<script>{script}</script></body>"
        )
    )
    dom = dump_dom(page)
    tag = re.search(r'<a[^>]*id="picked"[^>]*>', dom).group(0)
    href = html.unescape(re.search(r'href="([^"]*)"', tag).group(1))
    i = int(re.search(r'data-i="(\d+)"', tag).group(1))
    query = dict(p.split("=", 1) for p in href.split("#", 1)[1].split("&"))
    assert (query["model"], query["target"]) == ("cnn", str(target[i]))
    token = query["image"] + "=" * (-len(query["image"]) % 4)
    pixels = np.frombuffer(base64.urlsafe_b64decode(token), np.uint8).reshape(28, 28)
    assert np.abs(pixels / 255 - images[i]).max() <= 1 / 255 + 1e-6


def test_run_and_pause_buttons(lab_page):
    """Run starts the time-sliced loop, Pause holds it: no evaluation after the pause."""
    with open_page(lab_page) as page:
        page.select_option("#smethod", "hillclimb")
        page.select_option("#smodel", "cnn")  # slow enough not to converge before the pause
        page.select_option("#starget", "1")
        page.click("#run")
        running = page.evaluate(
            "() => document.getElementById('run').disabled"
            " && !document.getElementById('pause').disabled"
        )
        page.wait_for_function("() => lab.search().evaluations > 1", polling=10)
        page.click("#pause")
        paused = page.evaluate(
            "() => [lab.search().evaluations, lab.search().status,"
            " !document.getElementById('run').disabled"
            " && document.getElementById('pause').disabled]"
        )
        page.wait_for_timeout(300)
        later = page.evaluate("() => lab.search().evaluations")
        assert not page.errors, page.errors
    assert running and paused[2]
    assert paused[0] > 1 and later == paused[0]


def _start_search(page_or_path, method, model, start, steps, setup=""):
    """Run ``steps`` steps of ``method`` on ``model`` from ``start``; the state and the page's
    "pixels changed" and estimate cells."""
    body = (
        HELPERS + setup + f"document.getElementById('smethod').value = '{method}';"
        f"document.getElementById('smodel').value = '{model}';"
        f"document.getElementById('sstart').value = '{start}';"
        "document.getElementById('starget').value = '3'; lab.newSearch();"
        f"for (let i = 0; i < {steps}; i++) await lab.advance(0, true);"
        "const s = lab.search();"
        "return {step: s.step, evaluations: s.evaluations, best: enc(s.best),"
        " origin: s.origin ? enc(s.origin) : null, input: enc(lab.input()),"
        " changed: document.getElementById('schanged').textContent,"
        " eta: document.getElementById('seta').textContent, status: s.status};"
    )
    return evaluate(page_or_path, body)


@pytest.mark.parametrize(
    ("method", "model"),
    [("gradient_sign", "softmax"), ("square_search", "mlp"), ("hillclimb", "softmax")],
)
def test_a_search_from_the_drawing_counts_the_pixels_it_changed(lab_page, method, model):
    """Started from the current input (a digit loaded into the drawing panel) the search is an
    adversarial example: its origin is the input, and the page counts the pixels it moved."""
    digit = digits_and_fooling(1)[0][0]
    setup = f"lab.load(f32({json.dumps(b64(digit))}));"
    s = _start_search(lab_page, method, model, "drawing", 3, setup)
    origin, best = unb64(s["origin"], (28, 28)), unb64(s["best"], (28, 28))
    assert np.array_equal(origin, unb64(s["input"], (28, 28)))
    assert np.abs(origin - digit).max() < 1e-6
    k = int((np.abs(best - origin) > 0.5 / 255).sum())
    assert s["changed"].startswith(f"{k} of 784")
    assert s["eta"].startswith("at most") if s["status"] == "running" else s["eta"] == "ended"


def test_genetic_from_a_blank_image_breeds_its_mutants(lab_page):
    """From a given start the five kept images are that start (one evaluation), and every
    generation after is bred from them: population evaluations a step."""
    p = lab_methods()["genetic"]
    s = _start_search(lab_page, "genetic", "softmax", "blank", 2)
    assert s["evaluations"] == 1 + 2 * p["population"]
    assert not unb64(s["origin"], (784,)).any()
    own = _start_search(lab_page, "genetic", "softmax", "own", 2)
    assert own["evaluations"] == 2 * p["population"] and own["origin"] is None
    assert "population of noise" in own["changed"]


def test_hill_climbing_starts_blank_and_noise_is_a_choice(lab_page):
    own = _start_search(lab_page, "hillclimb", "softmax", "own", 1)
    assert not unb64(own["origin"], (784,)).any()  # the post: a blank base
    noisy = _start_search(lab_page, "hillclimb", "softmax", "noise", 1)
    origin = unb64(noisy["origin"], (784,))
    assert 0.4 < origin.mean() < 0.6 and origin.std() > 0.2


def test_a_slow_step_says_so(lab_page):
    """Over half a second a step: the page says the search is slow here and how long a step
    takes (set through the run's timing, so the test does not depend on this machine)."""
    body = (
        "document.getElementById('smethod').value = 'hillclimb';"
        "document.getElementById('smodel').value = 'cnn'; lab.newSearch();"
        "const s = lab.search(); s.step = 2; s.evaluations = 1000; s.busy = 3000; lab.show();"
        "return [document.getElementById('sslow').textContent,"
        " document.getElementById('seta').textContent];"
    )
    slow, eta = evaluate(lab_page, body)
    assert slow.startswith("Slow in a browser: each step scores 500 images on the cnn (1.5 s")
    steps = lab_methods()["hillclimb"]["steps"]
    assert eta.startswith("at most ") and f"({steps:,} steps, 1.5 s a step)" in eta


def test_undo_and_editing_a_loaded_image(lab_page):
    """Undo steps back through strokes; strokes on a loaded image edit it (the untouched pixels
    keep their grey levels) instead of clearing it."""
    rng = np.random.default_rng(4)
    image = (rng.integers(0, 256, (28, 28)) / 255).astype(np.float32)
    with open_page(lab_page) as page:
        _draw(page, "mouse")
        drawn = unb64(page.evaluate(f"() => {{ {HELPERS} return enc(lab.input()); }}"), (784,))
        page.evaluate(f"() => {{ {HELPERS} lab.load(f32({json.dumps(b64(image))})); }}")
        box = page.locator("#draw").bounding_box()
        # one short stroke in the top left corner (canvas pixels 20-60 of 280: input pixels 1-6)
        page.mouse.move(box["x"] + 20 * box["width"] / 280, box["y"] + 20 * box["height"] / 280)
        page.mouse.down()
        page.mouse.move(box["x"] + 60 * box["width"] / 280, box["y"] + 20 * box["height"] / 280)
        page.mouse.up()
        edited = unb64(page.evaluate(f"() => {{ {HELPERS} return enc(lab.input()); }}"), (28, 28))
        page.click("#undo")
        loaded = unb64(page.evaluate(f"() => {{ {HELPERS} return enc(lab.input()); }}"), (28, 28))
        page.click("#undo")  # the load itself is not a step: back to the drawing
        page.click("#undo")
        back = unb64(page.evaluate(f"() => {{ {HELPERS} return enc(lab.input()); }}"), (784,))
        assert not page.errors, page.errors
    assert drawn.max() > 0.5
    far = np.ones((28, 28), bool)
    far[:9, :9] = False
    assert np.abs(edited[far] - image[far]).max() <= 1 / 255
    assert (edited[:9, :9] > image[:9, :9] + 0.2).any()  # ink added near the stroke
    assert np.abs(loaded - image).max() < 1e-6
    assert not back.any()
