/* The lab's input preparation (inside lab.js's closure; page.py puts it there): MNIST-style
 * preprocessing of a drawing, a port of stages/classify/preprocess.py with Pillow's
 * resampling, and the searches' seeded random numbers. */
// ---------------------------------------------------------------- preprocessing
const INK = 0.1;
function pyRound(x) { // Python's round(): halves to even
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}
const FILTERS = {
  bilinear: { support: 1, f: (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; } },
  lanczos: {
    support: 3,
    f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0),
  },
};
function sinc(x) { if (x === 0) return 1; x *= Math.PI; return Math.sin(x) / x; }
function coeffs(inSize, outSize, filter) { // Pillow's precompute_coeffs
  const scale = inSize / outSize, fs = Math.max(scale, 1), support = filter.support * fs;
  const bounds = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale, ss = 1 / fs;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(Math.max(xmax, 0));
    let ww = 0;
    for (let x = 0; x < xmax; x++) { k[x] = filter.f((x + xmin - center + 0.5) * ss); ww += k[x]; }
    if (ww !== 0) for (let x = 0; x < xmax; x++) k[x] /= ww;
    bounds.push([xmin, k]);
  }
  return bounds;
}
/** Pillow's ``Image.resize`` of a mode-F image (horizontal pass, then vertical), then
 * clipped to [0, 1] as preprocess.resize does; LANCZOS when shrinking, else BILINEAR. */
function resize(img, h, w, oh, ow) {
  const filter = Math.min(h, w) > Math.max(oh, ow) ? FILTERS.lanczos : FILTERS.bilinear;
  let cur = img, cw = w;
  if (ow !== w) {
    const cx = coeffs(w, ow, filter), tmp = new Float32Array(h * ow);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const [x0, k] = cx[xx];
        let s = 0;
        for (let x = 0; x < k.length; x++) s += cur[y * w + x0 + x] * k[x];
        tmp[y * ow + xx] = s;
      }
    }
    cur = tmp; cw = ow;
  }
  if (oh !== h) {
    const cy = coeffs(h, oh, filter), tmp = new Float32Array(oh * cw);
    for (let yy = 0; yy < oh; yy++) {
      const [y0, k] = cy[yy];
      for (let x = 0; x < cw; x++) {
        let s = 0;
        for (let y = 0; y < k.length; y++) s += cur[(y0 + y) * cw + x] * k[y];
        tmp[yy * cw + x] = s;
      }
    }
    cur = tmp;
  }
  const out = new Float32Array(oh * ow);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, cur[i]));
  return out;
}
function median(v) {
  const s = Float64Array.from(v).sort(), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
/** preprocess.to_ink: invert when the border is light (dark ink on light paper). */
function toInk(grey, h, w) {
  const border = [];
  for (let x = 0; x < w; x++) border.push(grey[x], grey[(h - 1) * w + x]);
  for (let y = 0; y < h; y++) border.push(grey[y * w], grey[y * w + w - 1]);
  if (!(median(border) > 0.5)) return grey;
  const out = new Float32Array(grey.length);
  for (let i = 0; i < out.length; i++) out[i] = 1 - grey[i];
  return out;
}
function centreOfMass(img) { // preprocess.centre_of_mass_shift
  let total = 0, my = 0, mx = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) { const v = img[y * SIDE + x]; total += v; my += y * v; mx += x * v; }
  }
  if (!(total > 0)) return img;
  const dy = pyRound(13.5 - my / total), dx = pyRound(13.5 - mx / total);
  const out = new Float32Array(N);
  for (let y = 0; y < SIDE; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= SIDE) continue;
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < SIDE) out[y * SIDE + x] = img[sy * SIDE + sx];
    }
  }
  return out;
}
/** A greyscale image (h × w, values in [0, 1]) as the networks' input, or null if blank:
 * preprocess.prepare(raw=...) step by step. */
function prepare(grey, h, w, raw) {
  const ink = toInk(grey, h, w);
  let max = 0;
  for (let i = 0; i < ink.length; i++) if (ink[i] > max) max = ink[i];
  if (max < 0.05) return null;
  if (raw) return h === SIDE && w === SIDE ? Float32Array.from(ink) : resize(ink, h, w, SIDE, SIDE);
  const thr = INK * Math.max(max, 1e-6);
  let r0 = h, r1 = -1, c0 = w, c1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] > thr) {
        if (y < r0) r0 = y; if (y > r1) r1 = y; if (x < c0) c0 = x; if (x > c1) c1 = x;
      }
    }
  }
  if (r1 < 0) return null;
  const ch = r1 - r0 + 1, cw = c1 - c0 + 1, crop = new Float32Array(ch * cw);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = ink[(r0 + y) * w + c0 + x];
  const scale = 20 / Math.max(ch, cw);
  const fh = Math.max(1, pyRound(ch * scale)), fw = Math.max(1, pyRound(cw * scale));
  const fitted = resize(crop, ch, cw, fh, fw);
  const canvas = new Float32Array(N), top = Math.floor((SIDE - fh) / 2), left = Math.floor((SIDE - fw) / 2);
  for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) canvas[(top + y) * SIDE + left + x] = fitted[y * fw + x];
  return centreOfMass(canvas);
}
/** A canvas's pixels as Pillow's convert('L') / 255 sees them (white paper under alpha). */
function canvasGrey(cv) {
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  const g = new Float32Array(cv.width * cv.height);
  for (let i = 0, j = 0; i < g.length; i++, j += 4) {
    const a = d[j + 3], r = d[j] * a / 255 + 255 - a, gg = d[j + 1] * a / 255 + 255 - a,
      b = d[j + 2] * a / 255 + 255 - a;
    g[i] = ((Math.round(r) * 19595 + Math.round(gg) * 38470 + Math.round(b) * 7471 + 0x8000) >> 16) / 255;
  }
  return g;
}

// ---------------------------------------------------------------- random numbers
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
