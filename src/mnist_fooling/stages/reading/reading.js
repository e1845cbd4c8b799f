/* The reading page: the deck's images one at a time (a fixation cross, the image for display_s,
 * then blank), the key pressed and its time from the image's onset, and at the end the reader's
 * own results and answer file. No network, no library: the deck is the JSON in the page. */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const DECK = JSON.parse($('reading-data').textContent);
  const ITEMS = DECK.items;
  const SIDE = 28, FIXATION_MS = 500, Z = 1.959964;
  const DISPLAY_MS = DECK.display_s > 0 ? DECK.display_s * 1000 : 0; // 0: until answered
  const NONE = 'none';
  const IMAGES = ITEMS.map((item) => toImageData(item.pixels));
  let run = null; // the current run: answers, times, where it is
  let timer = 0;
  let downloaded = false;

  // ---------------------------------------------------------------- images
  function toImageData(b64) {
    const s = atob(b64), img = new ImageData(SIDE, SIDE);
    if (s.length !== SIDE * SIDE) throw new Error('an image of the deck is not 784 bytes');
    for (let i = 0; i < s.length; i++) {
      const v = 255 - s.charCodeAt(i); // ink is black on white
      img.data.set([v, v, v, 255], 4 * i);
    }
    return img;
  }

  // ---------------------------------------------------------------- screens
  const phase = () => document.body.dataset.phase;
  function show(p) {
    document.body.dataset.phase = p;
    const screen = p === 'start' || p === 'end' ? p : 'trial';
    for (const id of ['start', 'trial', 'end']) $(id).hidden = id !== screen;
  }
  function visible(cross, image) {
    $('cross').style.visibility = cross ? 'visible' : 'hidden';
    $('image').style.visibility = image ? 'visible' : 'hidden';
  }
  function later(ms, fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  function startScreen() {
    const n = ITEMS.length, s = DECK.display_s;
    $('count').textContent = n;
    $('shown').textContent = DISPLAY_MS
      ? `An image appears there for ${s === 1 ? '1 second' : s + ' seconds'}, then disappears.`
      : 'An image appears there and stays until you answer.';
    const minutes = Math.max(1, Math.round((n * (FIXATION_MS + (DISPLAY_MS || 1500) + 800)) / 60000));
    $('about').textContent = `About ${plural(minutes, 'minute')}; ${plural(n, 'image')}, ` +
      `deck ${DECK.id}. Use a keyboard (the keys under the image also work with a click).`;
    show('start');
  }

  // ---------------------------------------------------------------- trials
  function begin() {
    if (phase() !== 'start') return;
    run = { answers: [], started: new Date(), finished: null, index: 0, onset: 0, imagePx: 0 };
    downloaded = false;
    trial();
  }
  function trial() {
    $('progress').textContent = `${run.index + 1} / ${ITEMS.length}`;
    visible(true, false);
    show('fixation');
    later(FIXATION_MS, onset);
  }
  function onset() {
    $('image').getContext('2d').putImageData(IMAGES[run.index], 0, 0);
    visible(false, true);
    show('image');
    run.onset = performance.now();
    run.imagePx = Math.round($('image').getBoundingClientRect().width * 100) / 100;
    if (DISPLAY_MS) later(DISPLAY_MS, () => { visible(false, false); show('blank'); });
  }
  function answer(value) {
    if (phase() !== 'image' && phase() !== 'blank') return; // not before the image is shown
    const ms = Math.round(performance.now() - run.onset);
    run.answers.push({ id: ITEMS[run.index].id, answer: value, ms });
    run.index += 1;
    if (run.index < ITEMS.length) trial();
    else finish();
  }
  function finish() {
    clearTimeout(timer);
    run.finished = new Date();
    results();
    show('end');
    window.scrollTo(0, 0);
  }
  function again() {
    run = null;
    startScreen();
    $('start-btn').focus();
  }

  function keyValue(key) {
    if (/^[0-9]$/.test(key)) return key;
    return key === 'n' || key === 'N' ? NONE : null;
  }
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (phase() === 'start') {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); begin(); }
      return;
    }
    if (phase() === 'end') return;
    const value = keyValue(e.key);
    if (value === null) return;
    e.preventDefault();
    answer(value);
  });

  // ---------------------------------------------------------------- statistics
  function wilson(k, n) {
    if (!n) return [NaN, NaN];
    const p = k / n, z2 = Z * Z, d = 1 + z2 / n;
    const c = (p + z2 / (2 * n)) / d, h = (Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / d;
    return [Math.max(0, c - h), Math.min(1, c + h)];
  }
  const pct = (x) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '–');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const readAsTarget = (r) => r.answer === String(r.item.target);
  const readAsDigit = (r) => r.answer !== NONE;

  function tally(rows, keyOf, hit) {
    const out = new Map();
    for (const r of rows) {
      const key = keyOf(r);
      if (!out.has(key)) out.set(key, { key, item: r.item, k: 0, n: 0 });
      const t = out.get(key);
      t.n += 1;
      if (hit(r)) t.k += 1;
    }
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  function total(rows, hit) {
    return { k: rows.filter(hit).length, n: rows.length };
  }
  function cells(t) {
    const [lo, hi] = wilson(t.k, t.n);
    return `<td class="kn">${t.k} / ${t.n}</td><td class="share">${pct(t.k / t.n)}</td>` +
      `<td class="ci">${pct(lo)} – ${pct(hi)}</td>`;
  }
  const HEAD = '<th class="num">read</th><th class="num">share</th><th class="num">95% interval</th>';

  // ---------------------------------------------------------------- results
  function results() {
    const rows = ITEMS.map((item, i) => ({ item, answer: run.answers[i].answer, ms: run.answers[i].ms }));
    const of = (group) => rows.filter((r) => r.item.group === group);
    summary(rows);
    verdict(of('blend'), of('negative'));
    calibration(of('blend'));
    negatives(of('negative'));
    targets(of('fooling'), of('mean'), of('eigen'));
  }

  function summary(rows) {
    const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
    const seconds = Math.round((run.finished - run.started) / 1000);
    const time = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
    $('summary').textContent = `${plural(rows.length, 'image')} in ${time}; your median answer ` +
      `came ${ms[Math.floor((ms.length - 1) / 2)]} ms after the image appeared.`;
  }

  function verdict(blends, negs) {
    const clean = total(blends.filter((r) => Math.abs(r.item.s - 1) < 1e-9), readAsTarget);
    const called = total(negs, readAsDigit);
    const cleanText = `you read ${pct(clean.k / clean.n)} of the clean digits correctly (${clean.k} of ${clean.n})`;
    const calledText = `you read a digit in ${pct(called.k / called.n)} of the images with no digit ` +
      `(${called.k} of ${called.n})`;
    const why = [];
    if (!clean.n) why.push('the deck has no clean digits to check your reading against');
    else if (10 * clean.k < 9 * clean.n) why.push(`${cleanText}; at least 90% are needed`);
    if (!called.n) why.push('the deck has no images without a digit to check your reading against');
    else if (10 * called.k > called.n) why.push(`${calledText}; at most 10% are allowed`);
    const el = $('verdict');
    el.className = why.length ? 'fail' : 'pass';
    el.textContent = why.length
      ? `Your answers do not count in the panel: ${why.join('; and ')}.`
      : `Your controls pass: ${cleanText}, and ${calledText}. Your answers count in the panel.`;
  }

  function calibration(blends) {
    if (!blends.length) { $('calibration').innerHTML = '<p class="note">This deck has no blended digits.</p>'; return; }
    const points = tally(blends, (r) => Number(r.item.s), readAsTarget);
    const table = '<table><tr><th>strength s</th><th class="num">images</th>' + HEAD + '</tr>' +
      points.map((t) => `<tr data-s="${t.key}"><td>${t.key.toFixed(2)}</td><td class="kn">${t.n}</td>${cells(t)}</tr>`).join('') +
      '</table>';
    $('calibration').innerHTML = plot(points) + table;
  }

  function plot(points) {
    const W = 460, H = 260, L = 52, R = 18, T = 14, B = 46;
    const x = (s) => L + 10 + s * (W - L - R - 20), y = (p) => T + (1 - p) * (H - T - B);
    const f = (v) => v.toFixed(1);
    let svg = `<svg id="curve" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" ` +
      'aria-label="share read as its digit against blend strength">';
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      svg += `<line class="grid" x1="${L}" x2="${W - R}" y1="${f(y(v))}" y2="${f(y(v))}"/>`;
      svg += `<text x="${L - 8}" y="${f(y(v) + 4)}" text-anchor="end">${pct(v)}</text>`;
      svg += `<text x="${f(x(v))}" y="${H - B + 18}" text-anchor="middle">${v}</text>`;
    }
    svg += `<line class="chance" x1="${L}" x2="${W - R}" y1="${f(y(0.1))}" y2="${f(y(0.1))}"/>`;
    svg += `<text x="${W - R}" y="${f(y(0.1) - 5)}" text-anchor="end">1 in 10</text>`;
    svg += `<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`;
    svg += `<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/>`;
    svg += `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">blend strength s (0: noise only, 1: the clean digit)</text>`;
    svg += `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">read as its digit</text>`;
    svg += `<polyline class="curve" points="${points.map((t) => `${f(x(t.key))},${f(y(t.k / t.n))}`).join(' ')}"/>`;
    for (const t of points) {
      const [lo, hi] = wilson(t.k, t.n), cx = f(x(t.key));
      svg += `<line class="bar" x1="${cx}" x2="${cx}" y1="${f(y(lo))}" y2="${f(y(hi))}"/>`;
      for (const v of [lo, hi]) svg += `<line class="bar" x1="${cx - 4}" x2="${+cx + 4}" y1="${f(y(v))}" y2="${f(y(v))}"/>`;
      svg += `<circle cx="${cx}" cy="${f(y(t.k / t.n))}" r="4"><title>s = ${t.key}: ${t.k} of ${t.n}</title></circle>`;
    }
    return svg + '</svg>';
  }

  function negatives(negs) {
    if (!negs.length) { $('negatives').innerHTML = '<p class="note">This deck has no images without a digit.</p>'; return; }
    const sets = tally(negs, (r) => r.item.set, readAsDigit);
    const row = (t, cls, label) => `<tr ${cls}><td>${esc(label)}</td>${cells(t)}</tr>`;
    $('negatives').innerHTML = '<table><tr><th>images</th>' + HEAD.replace('read', 'read a digit') + '</tr>' +
      sets.map((t) => row(t, `data-set="${esc(t.key)}"`, t.key)).join('') +
      row(total(negs, readAsDigit), 'class="overall"', 'all') + '</table>';
  }

  function targets(fooling, means, eigen) {
    const parts = [
      ['Fooling images', fooling, readAsTarget, () => 'its target digit'],
      ['Mean images of fooling images', means, readAsTarget, (t) => `the digit ${t.item.target}`],
      ['Eigen-digits', eigen, readAsDigit, () => 'any digit'],
    ];
    let body = '';
    for (const [title, rows, hit, what] of parts) {
      if (!rows.length) continue;
      body += `<tr class="head"><td colspan="5">${title}</td></tr>`;
      for (const t of tally(rows, (r) => r.item.set, hit)) {
        body += `<tr data-group="${t.item.group}" data-set="${esc(t.key)}"><td>${esc(t.key)}</td>` +
          `<td>${what(t)}</td>${cells(t)}</tr>`;
      }
    }
    $('targets').innerHTML = body
      ? `<table><tr><th>images</th><th>read as</th>${HEAD}</tr>${body}</table>`
      : '<p class="note">This deck has none.</p>';
  }

  // ---------------------------------------------------------------- answer file
  function stamp(d) {
    const p = (v) => String(v).padStart(2, '0');
    return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-` +
      `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  }
  function answerFile() {
    return {
      format: 'mnist-fooling-reading/1', deck: DECK.id, display_s: DECK.display_s ?? null,
      screen: { width: window.screen.width, height: window.screen.height }, image_px: run.imagePx,
      started: run.started.toISOString(), finished: run.finished.toISOString(), answers: run.answers,
    };
  }
  function download() {
    const text = JSON.stringify(answerFile(), null, 1) + '\n';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    a.download = `reading-${DECK.id}-${stamp(run.finished)}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    downloaded = true;
  }

  // ---------------------------------------------------------------- wiring
  for (const key of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'N']) {
    const b = document.createElement('button');
    b.textContent = key;
    b.tabIndex = -1;
    if (key === 'N') { b.className = 'none'; b.title = 'no digit'; }
    b.addEventListener('pointerdown', (e) => e.preventDefault()); // never takes the focus
    b.addEventListener('click', () => answer(keyValue(key)));
    $('legend').appendChild(b);
  }
  $('start-btn').addEventListener('click', begin);
  $('again').addEventListener('click', again);
  $('download').addEventListener('click', download);
  window.addEventListener('beforeunload', (e) => {
    if (phase() !== 'start' && !(phase() === 'end' && downloaded)) { e.preventDefault(); e.returnValue = ''; }
  });
  startScreen();
})();
