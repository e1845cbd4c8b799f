/* The lab: MNIST-style preprocessing of a drawing (a port of stages/classify/preprocess.py,
 * Pillow's resampling included), and four fooling searches run live as generators, their
 * candidates scored by Web Workers (one per core) or time-sliced on the page. The networks are
 * net.js's. No network, no library: everything the page needs is in the page. */
/* global labNets */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const holder = $('lab-data');
  const D = JSON.parse(holder.textContent);
  holder.textContent = ''; // the weights live on as typed arrays only
  const N = 784, SIDE = 28;

  // ---------------------------------------------------------------- networks and workers
  let LAB = labNets(D, {}), NETS = LAB.nets; // net.js: the fastest path this browser has
  /** The reader's cores: Web Workers, each with its own copy of the networks, score a search's
   * candidates in parallel, in chunks whose buffers are transferred rather than copied (no
   * SharedArrayBuffer: the page works from file://). ``pool.ready`` is empty until they say
   * they are ready, and where they cannot start: then the page scores on its own thread. */
  const CAP = 8, pool = { workers: [], ready: [], jobs: new Map(), next: 0 };
  const cores = () => Math.max(1, Math.min(CAP, navigator.hardwareConcurrency || 1));
  function startWorkers(k) {
    for (const w of pool.workers) w.terminate();
    for (const job of pool.jobs.values()) job.reject(new Error('the workers were restarted'));
    pool.workers = []; pool.ready = []; pool.jobs.clear();
    if (!(k >= 1) || typeof Worker === 'undefined' || typeof Blob === 'undefined') return Promise.resolve(0);
    let url;
    try {
      const src = $('lab-net').textContent + '\n' + $('lab-worker').textContent;
      url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    } catch (e) { return Promise.resolve(0); }
    const started = [];
    for (let i = 0; i < k; i++) {
      started.push(new Promise((resolve) => {
        let w;
        try { w = new Worker(url); } catch (e) { resolve(null); return; }
        pool.workers.push(w);
        w.onerror = (e) => { e.preventDefault(); resolve(null); };
        w.onmessage = (e) => {
          if (!e.data.ready) { resolve(null); return; }
          w.onmessage = answered;
          resolve(w);
        };
        w.postMessage({ init: D, path: LAB.path });
      }));
    }
    const these = pool.workers;
    return Promise.all(started).then((ws) => {
      if (pool.workers === these) pool.ready = ws.filter(Boolean);
      return pool.ready.length;
    });
  }
  function answered(e) {
    const job = pool.jobs.get(e.data.id);
    if (!job) return;
    pool.jobs.delete(e.data.id);
    if (e.data.error) job.reject(new Error('a worker failed: ' + e.data.error));
    else job.resolve(e.data.out);
  }
  /** Outputs ``(n, 10)`` of ``n`` images ``X`` into ``out``, split evenly over the workers. */
  function scoreInWorkers(name, X, n, out) {
    const k = Math.min(pool.ready.length, n), per = Math.ceil(n / k), parts = [];
    for (let i = 0, w = 0; i < n; i += per, w++) {
      const m = Math.min(per, n - i), x = X.slice(i * N, (i + m) * N), id = ++pool.next;
      parts.push(new Promise((resolve, reject) => {
        pool.jobs.set(id, { resolve: (o) => { out.set(o, i * 10); resolve(); }, reject });
        pool.ready[w].postMessage({ id, model: name, x: x.buffer, n: m }, [x.buffer]);
      }));
    }
    return Promise.all(parts).then(() => out);
  }
  /** Whether the workers score ``net``'s candidates: for a network of over 1 M multiply-adds
   * an image (the CNN); below that, sending an image to a worker and back costs about as much
   * as scoring it here (benchmarks/lab: the MLP's rate on one worker is below the page's). */
  const inWorkers = (net) => pool.ready.length > 0 && net.macs >= 1e6;
  /** Score ``m`` candidates: in the workers (a promise), or on this thread (null). */
  function score(net, X, m, out) {
    if (m > 1 && inWorkers(net)) return scoreInWorkers(net.name, X, m, out);
    net.forward(X, m, out);
    return null;
  }
  const ENGINES = { relaxed: 'WebAssembly relaxed SIMD', simd: 'WebAssembly SIMD', js: 'JavaScript' };
  /** What scores ``net``'s candidates, in words. */
  const engine = (net) => (inWorkers(net) ? pool.ready.length + (pool.ready.length > 1 ? ' workers' : ' worker')
    : "the page's thread") + ', ' + ENGINES[LAB.path];
  startWorkers(cores());

  /* __PREPARE__: page.py puts prepare.js here (preprocessing, random numbers). */

  // ---------------------------------------------------------------- searches
  const P = D.methods;
  /** Candidates per request to score: all of them where workers score them; on the page's
   * own thread about 100 M multiply-adds (16 CNN images), so that it stays responsive. */
  const chunkOf = (net) => (inWorkers(net) ? Infinity
    : Math.max(LAB.path === 'js' ? 1 : LAB.BLOCK, Math.min(500, Math.floor(1e8 / net.macs))));
  function noise(rng) { const x = new Float32Array(N); for (let i = 0; i < N; i++) x[i] = rng(); return x; }
  const tolOf = (tol, t) => (Array.isArray(tol) ? tol[t] : tol);

  /* Every search is a generator over a state object s: it yields {score: [X, m, out]} for its
   * candidates' outputs (written into out before it resumes), {} after each chunk of work
   * and {step: true} after each step (one row of the plot). s.best, s.conf (the best
   * target output so far), s.evaluations, s.status ('running', 'converged', 'stuck',
   * 'out of budget'). */
  /* __SEARCHES__: page.py puts each lab method's generator here (search/methods/<name>/lab.js,
   * ``function* <name>(s)``), then METHODS (name -> generator) and CAPS (name -> the parameter
   * that caps its steps, from the method registry). */
  /** The most steps a run of ``method`` takes (its config's cap). */
  const stepCap = (method) => P[method][CAPS[method]];

  // ---------------------------------------------------------------- page: drawing and bars
  const draw = $('draw'), dctx = draw.getContext('2d');
  // loaded: the canvas shows a 28 × 28 image (load); edited: strokes drawn on it since
  let input = new Float32Array(N), loaded = false, edited = false, pending = false;
  function clearCanvas() {
    dctx.fillStyle = '#fff'; dctx.fillRect(0, 0, draw.width, draw.height);
    loaded = edited = false; input = new Float32Array(N); refresh();
  }
  const undoStack = []; // the canvas and input before each stroke, clear or load (at most 30)
  function snapshot() {
    undoStack.push({ img: dctx.getImageData(0, 0, draw.width, draw.height), loaded, edited, input: Float32Array.from(input) });
    if (undoStack.length > 30) undoStack.shift();
    $('undo').disabled = false;
  }
  function undo() {
    const h = undoStack.pop();
    if (!h) return;
    dctx.putImageData(h.img, 0, 0);
    loaded = h.loaded; edited = h.edited; input = h.input;
    $('undo').disabled = undoStack.length === 0;
    refresh();
  }
  /** A loaded image after strokes: the canvas averaged over 28 × 28 blocks (ink = 1), as
   * painted (one block a pixel), so an unedited block keeps its grey level. */
  function blocks(grey, h, w) {
    const x = new Float32Array(N), by = h / SIDE, bx = w / SIDE;
    for (let i = 0; i < SIDE; i++) {
      for (let j = 0; j < SIDE; j++) {
        let sum = 0;
        for (let y = 0; y < by; y++) for (let xx = 0; xx < bx; xx++) sum += 1 - grey[(i * by + y) * w + j * bx + xx];
        x[i * SIDE + j] = sum / (by * bx);
      }
    }
    return x;
  }
  function paintImage(cv, img, signed) {
    const c = cv.getContext('2d'), id = c.createImageData(SIDE, SIDE);
    let m = 1e-12;
    if (signed) for (let i = 0; i < N; i++) m = Math.max(m, Math.abs(img[i]));
    for (let i = 0; i < N; i++) {
      let r, g, b;
      if (signed) { const v = img[i] / m; r = v < 0 ? 255 + 255 * v : 255; b = v > 0 ? 255 - 255 * v : 255; g = 255 - 255 * Math.abs(v); }
      else { r = g = b = 255 - 255 * img[i]; }
      id.data[4 * i] = r; id.data[4 * i + 1] = g; id.data[4 * i + 2] = b; id.data[4 * i + 3] = 255;
    }
    const tmp = document.createElement('canvas');
    tmp.width = tmp.height = SIDE;
    tmp.getContext('2d').putImageData(id, 0, 0);
    c.imageSmoothingEnabled = false;
    c.drawImage(tmp, 0, 0, cv.width, cv.height);
  }
  function bars(el, y, target) {
    let top = 0;
    for (let d = 1; d < 10; d++) if (y[d] > y[top]) top = d;
    const cells = el.querySelectorAll('i');
    for (let d = 0; d < 10; d++) {
      cells[d].style.height = (100 * Math.max(0, Math.min(1, y[d]))).toFixed(1) + '%';
      cells[d].className = d === top ? 'top' : d === target ? 't' : '';
      cells[d].title = d + ': ' + y[d].toPrecision(6);
    }
    return top;
  }
  function barsHtml() {
    let h = '<div class="bars">';
    for (let d = 0; d < 10; d++) h += '<span><i></i></span>';
    h += '</div><div class="ticks">';
    for (let d = 0; d < 10; d++) h += '<span>' + d + '</span>';
    return h + '</div>';
  }
  const readers = $('readers');
  for (const name of D.order) {
    const row = document.createElement('div');
    row.className = 'reader'; row.id = 'reader-' + name;
    row.innerHTML = '<div class="name">' + name + '</div>' + barsHtml() +
      '<div class="verdict"><b class="digit">–</b><span class="p"></span></div>';
    readers.appendChild(row);
  }
  function refresh() {
    if (!loaded) {
      const g = canvasGrey(draw), x = prepare(g, draw.height, draw.width, $('raw').checked);
      input = x || new Float32Array(N);
      $('blank').hidden = !!x;
    } else if (edited) input = blocks(canvasGrey(draw), draw.height, draw.width);
    paintImage($('preview'), input, false);
    const result = {};
    for (const name of D.order) {
      const y = Float32Array.from(NETS[name].run(input, 0)), row = $('reader-' + name);
      const top = bars(row, y, -1);
      row.querySelector('.digit').textContent = top;
      row.querySelector('.p').textContent = (100 * y[top]).toFixed(2) + '%';
      result[name] = Array.from(y);
    }
    const net = NETS[$('gmodel').value], g = new Float32Array(N);
    const y = net.gradient(input, 0, +$('gdigit').value, g);
    paintImage($('grad'), g, true);
    $('gnote').textContent = 'output ' + y[+$('gdigit').value].toPrecision(4);
    return result;
  }
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; refresh(); }); } }
  let last = null;
  function pos(e) {
    const r = draw.getBoundingClientRect();
    return [(e.clientX - r.left) * draw.width / r.width, (e.clientY - r.top) * draw.height / r.height];
  }
  function stroke(a, b) {
    dctx.strokeStyle = '#000'; dctx.lineWidth = +$('brush').value; dctx.lineCap = dctx.lineJoin = 'round';
    dctx.beginPath(); dctx.moveTo(a[0], a[1]); dctx.lineTo(b[0], b[1]); dctx.stroke();
  }
  draw.addEventListener('pointerdown', (e) => {
    snapshot();
    if (loaded) edited = true; // brush strokes edit a loaded image
    last = pos(e); stroke(last, last);
    try { draw.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic pointer */ }
    schedule();
  });
  draw.addEventListener('pointermove', (e) => { if (!last) return; const p = pos(e); stroke(last, p); last = p; schedule(); });
  const up = () => { last = null; };
  draw.addEventListener('pointerup', up); draw.addEventListener('pointercancel', up);
  $('clear').addEventListener('click', () => { snapshot(); clearCanvas(); });
  $('undo').addEventListener('click', undo);
  $('raw').addEventListener('change', refresh);
  $('gmodel').addEventListener('change', refresh);
  $('gdigit').addEventListener('change', refresh);
  /** Show a 28 × 28 image (values in [0, 1]) as the input, instead of the drawing. */
  function load(img) {
    input = Float32Array.from(img); loaded = true; edited = false;
    dctx.fillStyle = '#fff'; dctx.fillRect(0, 0, draw.width, draw.height);
    paintImage(draw, input, false);
    $('blank').hidden = true;
    refresh();
  }

  // ---------------------------------------------------------------- page: live search
  let search = null, timer = null;
  const plot = $('plot'), pctx = plot.getContext('2d');
  function newSearch() {
    stop();
    const net = NETS[$('smodel').value], method = $('smethod').value;
    search = {
      net, method, target: +$('starget').value, rng: mulberry32(+$('seed').value),
      best: new Float32Array(N), conf: 0, evaluations: 0, step: 0, status: 'running',
      history: [], started: performance.now(), busy: 0, origin: null,
    };
    const start = $('sstart').value; // 'own': the method's own (blank or noise)
    search.start = start === 'noise' ? noise(search.rng) : start === 'blank' ? new Float32Array(N)
      : start === 'drawing' ? Float32Array.from(input) : null;
    search.gen = METHODS[method](search);
    show();
  }
  /** Advance the search by up to ``ms`` milliseconds of work, or to the end of one step
   * (a promise: its candidates may be out with the workers); ``looping``: Run's loop, which
   * Pause ends as soon as the workers answer. */
  async function advance(ms, oneStep, looping) {
    const s = search;
    if (!s || s.status !== 'running' || s.advancing) return;
    s.advancing = true;
    const t0 = performance.now();
    try {
      for (;;) {
        const r = s.gen.next();
        if (r.done) { s.history.push([s.step, s.conf]); if (search === s) stop(); break; }
        if (r.value.score) {
          const wait = score(s.net, ...r.value.score);
          if (wait) await wait;
          if (search !== s) return; // replaced while the workers scored
          if (looping && timer === null) break; // paused meanwhile: resume from here on Run
          continue;
        }
        if (r.value.step) { s.history.push([s.step, s.conf]); if (oneStep) break; }
        if (!oneStep && performance.now() - t0 > ms) break;
      }
    } finally { s.advancing = false; }
    s.busy += performance.now() - t0;
    if (search === s) show();
  }
  async function loop() {
    await advance(40, false, true);
    if (search && search.status === 'running' && timer !== null) timer = setTimeout(loop, 0);
  }
  function run() { if (!search || search.status !== 'running') newSearch(); if (timer === null) { timer = setTimeout(loop, 0); } $('run').disabled = true; $('pause').disabled = false; }
  function stop() { if (timer !== null) clearTimeout(timer); timer = null; $('run').disabled = false; $('pause').disabled = true; }
  function show() {
    const s = search;
    paintImage($('best'), s.best, false);
    $('sstatus').textContent = s.status;
    $('sstep').textContent = s.step.toLocaleString('en');
    $('sevals').textContent = s.evaluations.toLocaleString('en');
    $('sconf').textContent = s.conf.toPrecision(6);
    $('sengine').textContent = engine(s.net);
    $('stime').textContent = (s.busy / 1000).toFixed(2) + ' s';
    $('srate').textContent = s.busy > 0 ? Math.round(1000 * s.evaluations / s.busy).toLocaleString('en') : '–';
    showEstimate(s);
    $('schanged').textContent = s.origin ? changed(s.origin, s.best)
      : s.method === 'genetic' && !s.start ? '– (a population of noise)' : '–';
    if (s.shownStep !== s.step) { // a CNN pass costs ~20 ms: once a step, not once a slice
      bars($('sbars'), Float32Array.from(s.net.run(s.best, 0)), s.target);
      s.shownStep = s.step;
    }
    drawPlot(s);
  }
  /** Time left to the step cap at this run's speed; a note when a step takes over half a second. */
  function showEstimate(s) {
    const cap = stepCap(s.method), ms = s.step > 0 ? s.busy / s.step : 0;
    const sec = (x) => (x < 60 ? x.toFixed(1) + ' s' : (x / 60).toFixed(1) + ' min');
    if (s.status !== 'running') $('seta').textContent = 'ended';
    else if (!s.step) $('seta').textContent = '– (after the first step)';
    else $('seta').textContent = 'at most ' + sec(ms * (cap - s.step) / 1000) + ' (' + cap.toLocaleString('en') + ' steps, ' + sec(ms / 1000) + ' a step)';
    const per = s.step > 0 ? Math.round(s.evaluations / s.step) : 0;
    $('sslow').textContent = ms > 500 ? 'Slow in a browser: each step scores ' + per.toLocaleString('en') +
      ' images on the ' + $('smodel').value + ' (' + sec(ms / 1000) + ' a step here); it runs in slices, so the page stays usable, and Pause holds it.' : '';
  }
  /** How far ``best`` is from ``origin``: pixels changed by more than half a grey level. */
  function changed(origin, best) {
    let k = 0, l2 = 0, linf = 0;
    for (let i = 0; i < N; i++) {
      const d = Math.abs(best[i] - origin[i]);
      if (d > 0.5 / 255) k++;
      l2 += d * d; linf = Math.max(linf, d);
    }
    return k + ' of 784 (L2 ' + Math.sqrt(l2).toFixed(2) + ', largest ' + linf.toFixed(2) + ')';
  }
  function drawPlot(s) {
    const w = plot.width, h = plot.height, L = 34, B = 18, thr = P[s.method].threshold;
    pctx.clearRect(0, 0, w, h);
    pctx.strokeStyle = '#bbb'; pctx.fillStyle = '#555'; pctx.font = '11px sans-serif'; pctx.lineWidth = 1;
    pctx.strokeRect(L, 4, w - L - 4, h - B - 4);
    const n = Math.max(10, s.history.length ? s.history[s.history.length - 1][0] : 0);
    const X = (i) => L + (w - L - 4) * i / n, Y = (c) => 4 + (h - B - 4) * (1 - c);
    for (const c of [0, 0.5, 1]) pctx.fillText(String(c), 4, Y(c) + 4);
    pctx.fillText('0', L, h - 4); pctx.fillText(n.toLocaleString('en') + ' steps', w - 80, h - 4);
    if (thr !== undefined && thr <= 1) {
      pctx.setLineDash([4, 3]); pctx.strokeStyle = '#c33';
      pctx.beginPath(); pctx.moveTo(L, Y(thr)); pctx.lineTo(w - 4, Y(thr)); pctx.stroke(); pctx.setLineDash([]);
    }
    pctx.strokeStyle = '#2060c0'; pctx.lineWidth = 2; pctx.beginPath();
    s.history.forEach(([i, c], k) => (k ? pctx.lineTo(X(i), Y(c)) : pctx.moveTo(X(i), Y(c))));
    pctx.stroke();
  }
  $('run').addEventListener('click', run);
  $('pause').addEventListener('click', stop);
  $('step').addEventListener('click', () => { stop(); if (!search || search.status !== 'running') newSearch(); return advance(0, true); });
  $('reset').addEventListener('click', newSearch);
  for (const id of ['smodel', 'smethod', 'starget', 'seed', 'sstart']) $(id).addEventListener('change', newSearch);
  $('touse').addEventListener('click', () => { snapshot(); load(search.best); });

  // ---------------------------------------------------------------- fragment: #model=&image=&...
  function b64ToImage(s) {
    const raw = atob(s.replace(/-/g, '+').replace(/_/g, '/')), img = new Float32Array(N);
    if (raw.length !== N) return null;
    for (let i = 0; i < N; i++) img[i] = raw.charCodeAt(i) / 255;
    return img;
  }
  function readHash() {
    const q = new URLSearchParams(location.hash.slice(1));
    const model = q.get('model'), digit = q.get('target');
    if (model && NETS[model]) { $('smodel').value = model; $('gmodel').value = model; }
    if (digit && /^[0-9]$/.test(digit)) { $('starget').value = digit; $('gdigit').value = digit; }
    if (q.get('method') && METHODS[q.get('method')]) $('smethod').value = q.get('method');
    if (['own', 'noise', 'blank', 'drawing'].includes(q.get('start'))) $('sstart').value = q.get('start');
    if (q.get('image')) {
      let img = null;
      try { img = b64ToImage(q.get('image')); } catch { /* not an image: none */ }
      if (img) load(img);
    }
    newSearch();
    if (q.get('run') === '1') run();
  }
  window.addEventListener('hashchange', readHash);
  clearCanvas();
  readHash();

  // ---------------------------------------------------------------- for tests and benchmarks
  window.lab = {
    get nets() { return NETS; }, prepare, resize, canvasGrey, decode: LAB.decode, refresh, load,
    methods: METHODS, mulberry32,
    /** Outputs of ``n`` images on the page's thread, or in the workers (a promise) with
     * ``workers`` true. */
    forward(name, X, n, workers) {
      const out = new Float32Array(n * 10);
      return workers ? scoreInWorkers(name, X, n, out) : NETS[name].forward(X, n, out);
    },
    gradient(name, X, n, targets) {
      const g = new Float32Array(n * N), one = new Float32Array(N);
      for (let i = 0; i < n; i++) { NETS[name].gradient(X, i * N, targets[i], one); g.set(one, i * N); }
      return g;
    },
    /** Images per second of ``name`` on ``n`` images, best of ``repeats``, on the page's
     * thread or (``workers`` true) in the workers. */
    async speed(name, X, n, repeats, workers) {
      const out = new Float32Array(n * 10);
      let best = Infinity;
      for (let r = 0; r < repeats; r++) { // each timing at least 100 ms: the clock is coarse
        const t0 = performance.now(); let k = 0, t;
        do {
          if (workers) await scoreInWorkers(name, X, n, out); else NETS[name].forward(X, n, out);
          k++; t = performance.now() - t0;
        } while (t < 100);
        best = Math.min(best, t / k);
      }
      return 1000 * n / best;
    },
    /** Multiply-adds per second of gemm.wat's ``peak`` loop (``path``'s build) on this
     * thread: the kernel's bound in this browser, timed over at least 200 ms. */
    peak(path) {
      const mod = LAB.kernels[path || LAB.path];
      if (!mod) return null;
      const f = new WebAssembly.Instance(mod, {}).exports.peak;
      f(100000); // compiled and warm
      let n = 1000000, t;
      for (;;) {
        const t0 = performance.now(); f(n); t = performance.now() - t0;
        if (t > 200 || n > 5e8) break;
        n *= 4;
      }
      return 32 * n / (t / 1000);
    },
    /** The paths this browser runs ('relaxed', 'simd', 'js') and the one in use. */
    paths() { return { paths: LAB.paths, path: LAB.path, workers: pool.ready.length, cores: cores(), engines: Object.fromEntries(D.order.map((m) => [m, inWorkers(NETS[m]) ? 'workers' : 'page'])) }; },
    /** Switch to ``path`` (the networks rebuilt, the workers restarted on it); a promise of
     * the number of workers ready. */
    usePath(path, workers) {
      LAB = labNets(D, { path }); NETS = LAB.nets;
      return startWorkers(workers === undefined ? pool.workers.length : workers);
    },
    /** Restart with ``k`` workers (0: none); a promise of the number ready. */
    workers(k) { return startWorkers(k); },
    search() { return search; }, input() { return input; }, advance, newSearch, run, stop, stroke, undo, show,
  };
})();
