"""A static, self-contained HTML page to browse every fooling image of a run.

The page lives beside the report (``report/explorer.html``) and works from ``file://``: each
(model, method) run becomes one greyscale sprite PNG embedded as a data URI, the per-image
metadata one embedded JSON, and a few lines of plain JavaScript filter, sort and page the
cards. The URL fragment holds the filters, so that the report can link to a filtered view:
``explorer.html#model=cnn&method=map_elites&digit=2&converged=1&sort=confidence``, each key
optional: ``model``, ``method``, ``digit`` (0-9), ``converged`` (1 or 0) and ``sort``
(``confidence`` highest first, ``confidence_asc``, ``evaluations`` fewest first,
``evaluations_desc``; the search order without it). Unknown values are ignored.
Each card links to the lab (``lab.html#model=...&target=...&image=...``, the tile's grey levels
read back from its sprite as base64url when the link is hovered, focused or followed).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import UserInputError
from ..core.io import write_text
from ..stages.fooling.runs import read_arrays

SIDE = 28  # MNIST image side, pixels
SPRITE_COLS = 32  # tiles per sprite row: 896 px wide; 18,000 tiles stay under 16,384 px tall
SCALE = 4  # display pixels per image pixel (112 px tiles)
REQUIRED = ("images", "target", "outputs", "converged", "evaluations")
EXTRAS = ("attempts", "cost")  # newer searches record them; shown when present
FIELDS = (
    "model",
    "method",
    "tile",
    "target",
    "confidence",
    "outputs",
    "converged",
    "evaluations",
    "transfer",
    *EXTRAS,
)


@dataclass(frozen=True)
class Run:
    """The arrays of one (model, method) fooling search that the explorer shows.

    Attributes:
        images: ``(n, 28, 28)`` float32 in [0, 1], ink = 1.
        target: ``(n,)`` int digit searched for; outputs: ``(n, 10)`` float32 of ``model``;
        converged: ``(n,)`` bool; evaluations: ``(n,)`` int network evaluations.
        extras: optional ``(n,)`` arrays named in :data:`EXTRAS`.
    """

    model: str
    method: str
    images: np.ndarray
    target: np.ndarray
    outputs: np.ndarray
    converged: np.ndarray
    evaluations: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)


def read_run(path: Path, model: str, method: str) -> Run:
    """Load and check one fooling npz; any problem is a one-line :class:`UserInputError`."""
    arrays = read_arrays(path, REQUIRED, optional=EXTRAS)
    n = len(arrays["images"])
    shapes = {k: (n,) for k in arrays} | {"images": (n, SIDE, SIDE), "outputs": (n, 10)}
    for key, shape in shapes.items():
        if arrays[key].shape != shape:
            raise UserInputError(f"{path}: {key} has shape {arrays[key].shape}, expected {shape}")
    images = arrays["images"].astype(np.float32)
    if not np.isfinite(images).all():
        raise UserInputError(f"{path}: images contain NaN or infinity")
    target = arrays["target"].astype(np.int64)
    if n and (target.min() < 0 or target.max() > 9):
        raise UserInputError(f"{path}: target digits must lie in 0..9")
    return Run(
        model=model,
        method=method,
        images=images,
        target=target,
        outputs=arrays["outputs"].astype(np.float32),
        converged=arrays["converged"].astype(bool),
        evaluations=arrays["evaluations"].astype(np.int64),
        extras={k: arrays[k] for k in EXTRAS if k in arrays},
    )


def pack_sprite(images: np.ndarray, *, cols: int = SPRITE_COLS) -> np.ndarray:
    """Tile images into one black-ink-on-white greyscale sheet, row-major.

    Args:
        images: ``(n, 28, 28)`` in [0, 1], ink = 1 (n ≥ 1).
        cols: tiles per sheet row (fewer when there are fewer images).

    Returns:
        ``(rows * 28, cols * 28)`` uint8 with 255 = white: tile ``i`` is at row ``i // cols``,
        column ``i % cols`` and holds ``1 - image``; unused tiles are white.
    """
    n = len(images)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    ink = np.rint((1.0 - np.clip(images, 0.0, 1.0)) * 255.0).astype(np.uint8)
    tiles = np.full((rows * cols, SIDE, SIDE), 255, np.uint8)
    tiles[:n] = ink
    # (rows, cols, y, x) -> (rows, y, cols, x): each sheet row is a band of 28 pixel rows.
    return tiles.reshape(rows, cols, SIDE, SIDE).transpose(0, 2, 1, 3).reshape(rows * SIDE, -1)


def png_bytes(pixels: np.ndarray) -> bytes:
    """Greyscale PNG of ``pixels`` ``(h, w)`` uint8, without metadata (byte-reproducible)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _sig(values: np.ndarray, digits: int) -> list[float | None]:
    """``values`` rounded to ``digits`` significant digits; NaN/inf become None (JSON null)."""
    return [float(f"{v:.{digits}g}") if np.isfinite(v) else None for v in values.tolist()]


def image_records(run: Run, scores: Mapping[str, np.ndarray]) -> list[dict]:
    """One metadata dict per image of ``run``, with the keys of :data:`FIELDS`.

    Args:
        run: the search's arrays.
        scores: ``model name -> (n, 10)`` outputs of every scoring model on ``run.images``;
            the run's own model is left out of ``transfer`` (its outputs are the search's).

    Returns:
        Dicts in tile order: ``confidence`` is the target output (7 significant digits, a
        float32's, as fooling is about 0.9999 and more), ``outputs`` all ten (3 digits),
        ``transfer`` maps each other model to ``[its output for the target, its top class]``;
        extras absent from the run are None.
    """
    n = len(run.target)
    rows = np.arange(n)
    confidence = _sig(run.outputs[rows, run.target], 7)
    outputs = [_sig(o, 3) for o in run.outputs]
    others = {m: s for m, s in scores.items() if m != run.model}
    transfer = {
        m: (_sig(s[rows, run.target], 7), s.argmax(axis=1).tolist()) for m, s in others.items()
    }
    extras = {k: _sig(np.asarray(v, np.float64), 6) for k, v in run.extras.items()}
    return [
        dict(
            model=run.model,
            method=run.method,
            tile=i,
            target=int(run.target[i]),
            confidence=confidence[i],
            outputs=outputs[i],
            converged=bool(run.converged[i]),
            evaluations=int(run.evaluations[i]),
            transfer={m: [p[i], top[i]] for m, (p, top) in transfer.items()},
            **{k: extras[k][i] if k in extras else None for k in EXTRAS},
        )
        for i in range(n)
    ]


def page_data(runs: list[Run], records: list[dict]) -> dict:
    """The page's JSON: sprite layouts and one row per image (values in :data:`FIELDS` order).

    Rows instead of dicts keep the field names out of every row (a tenth of the JSON).
    """
    return dict(
        models=list(dict.fromkeys(r.model for r in runs)),
        methods=list(dict.fromkeys(r.method for r in runs)),
        scale=SCALE,
        sprites=_layouts(runs),
        extras=[k for k in EXTRAS if any(k in r.extras for r in runs)],
        fields=list(FIELDS),
        rows=[[rec[k] for k in FIELDS] for rec in records],
    )


def _layouts(runs: list[Run]) -> list[dict]:
    """Each run's sprite: model, method and its grid of tiles (as :func:`pack_sprite` packs)."""
    out = []
    for run in runs:
        cols = max(1, min(SPRITE_COLS, len(run.target)))
        rows = -(-len(run.target) // cols)
        out.append(dict(model=run.model, method=run.method, cols=cols, rows=rows))
    return out


def render_page(runs: list[Run], records: list[dict]) -> str:
    """The whole HTML page: CSS, one sprite rule per run, the JSON and the script."""
    rules = []
    for k, (run, layout) in enumerate(zip(runs, _layouts(runs), strict=True)):
        if len(run.target):
            uri = base64.b64encode(png_bytes(pack_sprite(run.images))).decode("ascii")
            size = f"{layout['cols'] * SIDE * SCALE}px {layout['rows'] * SIDE * SCALE}px"
            rules.append(
                f".s{k}{{background-image:url(data:image/png;base64,{uri});background-size:{size}}}"
            )
    data = json.dumps(page_data(runs, records), separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/")  # a name with "</script>" must not end the block
    # The data goes in last: nothing it contains is then taken for a placeholder.
    return (
        _PAGE.replace("/*CSS*/", _CSS)
        .replace("/*JS*/", _JS)
        .replace("/*SPRITES*/", "\n".join(rules))
        .replace("/*DATA*/", data)
    )


def write_explorer(*, runs: dict[tuple[str, str], Path], models: dict[str, Path], out: Path) -> int:
    """Write the explorer page for fooling runs, scoring every image with every model.

    Args:
        runs: ``(model, method) -> npz`` of :func:`mnist_fooling.stages.fooling.run.run_fooling`.
        models: ``name -> .keras`` of the models whose transfer scores are shown.
        out: the HTML file, written atomically.

    Returns:
        The number of images on the page.
    """
    loaded = [read_run(path, model, method) for (model, method), path in runs.items()]
    scorers = _scorers(models)
    records = []
    for run in loaded:
        # The run's own model is not scored again: its outputs are those of the search.
        scores = {name: f(run.images) for name, f in scorers.items() if name != run.model}
        records += image_records(run, scores)
    write_text(out, render_page(loaded, records))
    return len(records)


def _scorers(models: dict[str, Path]) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """``name -> f(images (n, 28, 28)) -> (n, 10)`` for each model file (loaded once)."""
    from ..core.backend import predict_batched
    from ..core.models import load_model

    def scorer(model):
        return lambda images: predict_batched(model, images)

    return {name: scorer(load_model(path)) for name, path in models.items()}


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fooling image explorer</title>
<style>
/*CSS*/
/*SPRITES*/
</style>
</head>
<body>
<header>
<nav><a href="report.html">&larr; Back to the report</a></nav>
<h1>Fooling image explorer</h1>
<p>Every image the searches produced: noise that a network scores as the target digit.
Each image is drawn as black ink on white (28&times;28 pixels, enlarged without smoothing).
<b>Output</b> is the searched network's output for the target digit, the bars its ten outputs
(target in red; hover for values). <b>Converged</b>: the search reached its threshold (99.99%;
hill climbing stops at 99%). <b>Other models</b>: the same image under the networks it was not
searched against, with their output for the target and their top class (red when they are
fooled too).</p>
</header>
<form class="bar" id="filters" onsubmit="return false">
<label>Model<select id="f-model"></select></label>
<label>Method<select id="f-method"></select></label>
<label>Digit<select id="f-digit"></select></label>
<label>Converged<select id="f-converged"></select></label>
<label>Sort<select id="f-sort"></select></label>
<span id="count" aria-live="polite"></span>
</form>
<main>
<div id="grid"></div>
<p id="empty" hidden>No image matches these filters.</p>
<button id="more" type="button" hidden></button>
</main>
<script id="meta" type="application/json">/*DATA*/</script>
<script>
/*JS*/
</script>
</body>
</html>
"""

_CSS = """:root{--ink:#1b1b1b;--muted:#6b6b6b;--line:#e2e2e2;--bg:#f5f5f3;--red:#c62828;
--ok:#2e7d32;--bar:#b9b9b9}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:var(--bg)}
header{padding:14px 20px 10px;background:#fff}
header nav a{color:#1f5fa8;text-decoration:none;font-size:13px}
header nav a:hover{text-decoration:underline}
h1{font-size:22px;margin:6px 0 4px}
header p{margin:0;color:var(--muted);max-width:62em;font-size:13px}
.bar{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:flex-end;
gap:8px 14px;padding:10px 20px;background:#fff;border-top:1px solid var(--line);
border-bottom:1px solid var(--line);box-shadow:0 2px 4px rgba(0,0,0,.04)}
.bar label{display:flex;flex-direction:column;font-size:11px;font-weight:600;
letter-spacing:.05em;text-transform:uppercase;color:var(--muted)}
.bar select{font:inherit;font-size:14px;font-weight:400;text-transform:none;letter-spacing:0;
color:var(--ink);margin-top:3px;padding:4px 6px;border:1px solid #c4c4c4;border-radius:5px;
background:#fff}
#count{margin-left:auto;font-weight:600;font-variant-numeric:tabular-nums;padding-bottom:5px}
main{padding:16px 20px 28px}
#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
a.lab{font-size:.85em}
.card{display:grid;grid-template-columns:112px 1fr;gap:8px 12px;padding:10px;background:#fff;
border:1px solid var(--line);border-radius:8px;font-variant-numeric:tabular-nums}
.img{width:112px;height:112px;image-rendering:pixelated;background-repeat:no-repeat;
outline:1px solid #d0d0d0}
.head{font-size:12px;color:var(--muted);overflow-wrap:anywhere}
.head b{color:var(--ink)}
.tgt{display:flex;align-items:baseline;gap:8px;margin-top:2px}
.digit{font-size:30px;font-weight:700;line-height:1}
.conf{font-size:17px;font-weight:600}
.lbl{font-size:11px;color:var(--muted)}
.tags{margin-top:4px;font-size:12px;color:var(--muted)}
.yes,.no{display:inline-block;padding:0 6px;border-radius:9px;font-size:11px;font-weight:600;
margin-right:4px}
.yes{background:#e6f2e7;color:var(--ok)}
.no{background:#f3e6e6;color:var(--red)}
.outs{grid-column:1/-1;display:grid;grid-template-columns:repeat(10,1fr);gap:3px;
align-items:end;height:34px}
.outs i{display:block;background:var(--bar);min-height:1px;border-radius:1px 1px 0 0}
.outs i.t{background:var(--red)}
.ticks{grid-column:1/-1;display:grid;grid-template-columns:repeat(10,1fr);gap:3px;
margin-top:-6px;font-size:10px;color:var(--muted);text-align:center}
.ticks .t{color:var(--red);font-weight:700}
.xfer{grid-column:1/-1;border-top:1px solid var(--line);padding-top:6px;font-size:12px;
display:grid;grid-template-columns:auto 1fr auto;gap:1px 14px}
.xfer>span:nth-child(3n){text-align:right}
.xfer .m{color:var(--muted);font-size:11px}
.xfer .f{color:var(--red);font-weight:600}
#more{display:block;margin:18px auto 0;font:inherit;font-weight:600;padding:8px 18px;
border:1px solid #bdbdbd;border-radius:6px;background:#fff;cursor:pointer}
#more:hover{background:#f0f0f0}
#empty{color:var(--muted);text-align:center;margin:40px 0}
@media (max-width:520px){header,.bar,main{padding-left:10px;padding-right:10px}
.bar{position:static}
#grid{grid-template-columns:1fr}.bar label{flex:1 1 40%}.bar select{width:100%}
#count{margin-left:0;flex-basis:100%;padding-bottom:0}}
"""

_JS = """'use strict';
(function () {
  const D = JSON.parse(document.getElementById('meta').textContent);
  const PAGE = 200, PX = 28 * D.scale;
  const images = D.rows.map((row, i) => {
    const o = {i: i};
    D.fields.forEach((f, j) => { o[f] = row[j]; });
    return o;
  });
  const sprite = {};
  D.sprites.forEach((s, k) => { sprite[s.model + '/' + s.method] = Object.assign({k: k}, s); });
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const F = {model: $('f-model'), method: $('f-method'), digit: $('f-digit'),
    converged: $('f-converged'), sort: $('f-sort')};
  const SORTS = [['', 'search order'], ['confidence', 'output, highest first'],
    ['confidence_asc', 'output, lowest first'], ['evaluations', 'evaluations, fewest first'],
    ['evaluations_desc', 'evaluations, most first']];
  const ORDER = {confidence: ['confidence', -1], confidence_asc: ['confidence', 1],
    evaluations: ['evaluations', 1], evaluations_desc: ['evaluations', -1]};
  function fill(sel, pairs) {
    sel.innerHTML = pairs.map((p) => '<option value="' + esc(p[0]) + '">' + esc(p[1]) +
      '</option>').join('');
  }
  const all = (xs) => [['', 'all']].concat(xs.map((x) => [String(x), String(x)]));
  fill(F.model, all(D.models));
  fill(F.method, all(D.methods));
  fill(F.digit, all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  fill(F.converged, [['', 'all'], ['1', 'converged'], ['0', 'not converged']]);
  fill(F.sort, SORTS);

  function readHash() {
    const q = new URLSearchParams(location.hash.slice(1));
    for (const k in F) {
      const v = q.get(k) || '';
      F[k].value = Array.from(F[k].options).some((o) => o.value === v) ? v : '';
    }
  }
  function writeHash() {
    const q = new URLSearchParams();
    for (const k in F) if (F[k].value) q.set(k, F[k].value);
    const h = q.toString();
    const url = location.href.split('#')[0] + (h ? '#' + h : '');
    try { history.replaceState(null, '', url); } catch (e) { location.hash = h; }
  }

  // Outputs as percentages; near 1 rounded down, so that 0.99999994 never reads as 100%.
  const pct = (p) => p === null ? '\u2013' : p >= 1 ? '100%' : p >= 0.999 ?
    (Math.floor(p * 1e6) / 1e4).toFixed(4) + '%' : p >= 1e-4 ? (100 * p).toFixed(2) + '%' :
    '<0.01%';
  const num = (x) => x === null ? '\u2013' : Number(x).toLocaleString('en-US');
  let list = [], shown = 0;

  function apply() {
    const f = {};
    for (const k in F) f[k] = F[k].value;
    list = images.filter((im) => (!f.model || im.model === f.model) &&
      (!f.method || im.method === f.method) && (!f.digit || im.target === +f.digit) &&
      (!f.converged || im.converged === (f.converged === '1')));
    const order = ORDER[f.sort];
    if (order) {
      const [key, dir] = order;  // ties keep the search order
      list.sort((a, b) => dir * ((a[key] ?? -1) - (b[key] ?? -1)) || a.i - b.i);
    }
    $('grid').innerHTML = '';
    shown = 0;
    more();
    $('empty').hidden = list.length > 0;
  }

  function card(im) {
    const s = sprite[im.model + '/' + im.method];
    const x = -(im.tile % s.cols) * PX, y = -Math.floor(im.tile / s.cols) * PX;
    const t = (d) => d === im.target ? ' class="t"' : '';
    const bars = im.outputs.map((p, d) => `<i${t(d)} title="${d}: ${p ?? '\u2013'}"
      style="height:${Math.max(0, Math.min(100, 100 * (p || 0))).toFixed(1)}%"></i>`).join('');
    const ticks = im.outputs.map((p, d) => `<span${t(d)}>${d}</span>`).join('');
    const xfer = Object.entries(im.transfer).map(([m, [p, top]]) =>
      `<span>${esc(m)}</span><span title="${p}">${pct(p)}</span>` +
      `<span${top === im.target ? ' class="f"' : ''}>${top}</span>`).join('');
    const extras = D.extras.filter((k) => im[k] !== null)
      .map((k) => ` &middot; ${esc(k)} ${num(im[k])}`).join('');
    const tag = im.converged ? '<span class="yes">converged</span>' :
      '<span class="no">not converged</span>';
    return `<article class="card" data-i="${im.i}" data-confidence="${im.confidence}">
      <div class="img s${s.k}" role="img" aria-label="fooling image for ${im.target}"
        style="background-position:${x}px ${y}px"></div>
      <div><div class="head"><b>${esc(im.model)}</b> &middot; ${esc(im.method)}
        &middot; #${im.tile}</div>
      <div class="tgt"><span class="digit">${im.target}</span><span>
        <span class="conf">${pct(im.confidence)}</span><br>
        <span class="lbl">output for ${im.target}</span></span></div>
      <div class="tags">${tag}<br>${num(im.evaluations)} evaluations${extras}</div>
      <a class="lab" data-i="${im.i}"
        href="lab.html#model=${encodeURIComponent(im.model)}&target=${im.target}">open in the
        lab</a></div>
      <div class="outs" title="outputs for 0-9">${bars}</div><div class="ticks">${ticks}</div>
      ${xfer ? `<div class="xfer"><span class="m">other model</span><span class="m">output
        for ${im.target}</span><span class="m">top class</span>${xfer}</div>` : ''}</article>`;
  }

  function more() {
    const next = list.slice(shown, shown + PAGE);
    $('grid').insertAdjacentHTML('beforeend', next.map(card).join(''));
    shown += next.length;
    const left = list.length - shown;
    $('more').hidden = left <= 0;
    $('more').textContent = 'Show ' + Math.min(PAGE, left) + ' more (' + num(left) + ' left)';
    $('count').textContent = num(list.length) + ' of ' + num(images.length) + ' images' +
      (shown < list.length ? ' (' + num(shown) + ' shown)' : '');
  }

  for (const k in F) F[k].addEventListener('change', () => { writeHash(); apply(); });
  $('more').addEventListener('click', more);

  // "open in the lab": the tile's 784 grey levels, read back from the sprite, go into the
  // link as base64url (lab.html#model=...&target=...&image=...).
  const sheets = {};
  function tilePixels(im) {
    const s = sprite[im.model + '/' + im.method];
    const el = document.querySelector('.s' + s.k);
    const src = getComputedStyle(el).backgroundImage.slice(4, -1).replace(/^"|"$/g, '');
    const img = sheets[s.k] || (sheets[s.k] = new Image());
    if (!img.src) img.src = src;
    return img.decode().then(() => {
      const c = document.createElement('canvas');
      c.width = c.height = 28;
      const g = c.getContext('2d');
      g.drawImage(img, -(im.tile % s.cols) * 28, -Math.floor(im.tile / s.cols) * 28);
      const d = g.getImageData(0, 0, 28, 28).data;
      let bin = '';
      for (let i = 0; i < 784; i++) bin += String.fromCharCode(255 - d[4 * i]); // ink = 1
      return btoa(bin).replace(/[+]/g, '-').replace(/[/]/g, '_').replace(/=+$/, '');
    });
  }
  function labLink(a) {
    if (a.dataset.ready) return Promise.resolve(a.href);
    const im = images[+a.dataset.i];
    return tilePixels(im).then((b64) => {
      a.href = 'lab.html#model=' + encodeURIComponent(im.model) + '&target=' + im.target +
        '&image=' + b64;
      a.dataset.ready = '1';
      return a.href;
    });
  }
  const labTarget = (e) => e.target.closest && e.target.closest('a.lab');
  $('grid').addEventListener('pointerover', (e) => { const a = labTarget(e); if (a) labLink(a); });
  $('grid').addEventListener('focusin', (e) => { const a = labTarget(e); if (a) labLink(a); });
  $('grid').addEventListener('click', (e) => {
    const a = labTarget(e);
    if (!a || a.dataset.ready) return;
    e.preventDefault();
    labLink(a).then((href) => { location.href = href; });
  });
  window.explorerLabLink = labLink;
  window.addEventListener('hashchange', () => { readHash(); apply(); });
  readHash();
  apply();
})();
"""
