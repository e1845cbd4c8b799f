'use strict';
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
  const pct = (p) => p === null ? '–' : p >= 1 ? '100%' : p >= 0.999 ?
    (Math.floor(p * 1e6) / 1e4).toFixed(4) + '%' : p >= 1e-4 ? (100 * p).toFixed(2) + '%' :
    '<0.01%';
  const num = (x) => x === null ? '–' : Number(x).toLocaleString('en-US');
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
    const bars = im.outputs.map((p, d) => `<i${t(d)} title="${d}: ${p ?? '–'}"
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
