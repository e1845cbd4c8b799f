/* The lab: the trained models' forward and backward passes over Float32Arrays, MNIST-style
 * preprocessing of a drawing (a port of stages/classify/preprocess.py, Pillow's resampling
 * included), and four fooling searches run live as generators, time-sliced on the page.
 * No network, no library: everything the page needs is in this file and its JSON. */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const holder = $('lab-data');
  const D = JSON.parse(holder.textContent);
  holder.textContent = ''; // the weights live on as typed arrays only
  const N = 784, SIDE = 28;

  // ---------------------------------------------------------------- weights
  function half(h) {
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
    if (e === 0) return s * m * 5.960464477539063e-8; // 2^-24
    if (e === 31) return m ? NaN : s * Infinity;
    return s * (1 + m / 1024) * Math.pow(2, e - 15);
  }
  function decode(b64, precision) {
    const s = atob(b64), n = s.length, bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
    if (precision === 'float32') return new Float32Array(bytes.buffer);
    const h = new Uint16Array(bytes.buffer), f = new Float32Array(h.length);
    for (let i = 0; i < h.length; i++) f[i] = half(h[i]);
    return f;
  }

  // ---------------------------------------------------------------- networks
  function act(name, z) {
    if (name === 'relu') return z > 0 ? z : 0;
    if (name === 'sigmoid') return 1 / (1 + Math.exp(-z));
    return z; // linear (softmax is applied to the whole layer)
  }
  /** The convolution kernel in WebAssembly SIMD (conv.wat), or null where the browser lacks
   * it: then convForward's JavaScript does the same sums. */
  const CONV = (() => {
    try {
      const b = Uint8Array.from(atob(D.kernels.conv), (c) => c.charCodeAt(0));
      return WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
    } catch (e) { return null; }
  })();
  /** Give each convolution of ``net`` with positions in fours and channels in eights its
   * place in one WebAssembly memory: the packed kernel, the bias, the unrolled input (which
   * becomes the layer's ``cols``) and the output. */
  function wasmConv(net) {
    const convs = net.layers.filter((l) => l.type === 'conv' && (l.oh * l.ow) % 4 === 0 && l.cout % 8 === 0);
    if (!CONV || !convs.length) return;
    let bytes = 0;
    const plan = convs.map((l) => {
      const R = l.k * l.k * l.cin, P = l.oh * l.ow, at = {};
      for (const [key, n] of [['kp', R * l.cout], ['bias', l.cout], ['cols', P * R], ['out', P * l.cout]]) {
        at[key] = bytes; bytes += 4 * n + 16 - ((4 * n) % 16);
      }
      return [l, R, P, at];
    });
    const inst = new WebAssembly.Instance(CONV, {}), mem = inst.exports.memory;
    mem.grow(Math.ceil(bytes / 65536));
    for (const [l, R, P, at] of plan) {
      const kp = new Float32Array(mem.buffer, at.kp, R * l.cout);
      for (let d = 0; d < l.cout; d++) for (let r = 0; r < R; r++) kp[(d >> 3) * R * 8 + r * 8 + (d & 7)] = l.W[r * l.cout + d];
      new Float32Array(mem.buffer, at.bias, l.cout).set(l.B);
      l.cols = new Float32Array(mem.buffer, at.cols, P * R);
      l.wasm = { gemm: inst.exports.gemm, at, out: new Float32Array(mem.buffer, at.out, P * l.cout) };
    }
  }
  function Net(name, spec) {
    this.name = name;
    this.layers = spec.layers.map((l) => {
      const o = Object.assign({}, l);
      o.W = decode(l.kernel || '', spec.precision);
      o.B = decode(l.bias || '', spec.precision);
      delete o.kernel; delete o.bias;
      if (o.type === 'dense') { o.nin = l.nin; o.size = l.nout; o.insize = l.nin; }
      if (o.type === 'conv') {
        o.size = l.oh * l.ow * l.cout; o.insize = l.h * l.w * l.cin;
        o.cols = new Float32Array(l.oh * l.ow * l.k * l.k * l.cin);
        // the kernel's columns in blocks of four, read in order by convForward
        const R = l.k * l.k * l.cin, C4 = l.cout - (l.cout % 4);
        o.KP = new Float32Array(R * C4);
        for (let d = 0; d < C4; d++) for (let r = 0; r < R; r++) o.KP[(d >> 2) * R * 4 + r * 4 + (d & 3)] = o.W[r * l.cout + d];
      }
      if (o.type === 'pool') {
        o.win = l.size; o.oh = Math.floor(l.h / l.size); o.ow = Math.floor(l.w / l.size);
        o.size = o.oh * o.ow * l.c; o.insize = l.h * l.w * l.c; o.arg = new Int32Array(o.size);
      }
      return o;
    });
    this.acts = [new Float32Array(N)].concat(this.layers.map((l) => new Float32Array(l.size)));
    this.deltas = [new Float64Array(N)].concat(this.layers.map((l) => new Float64Array(l.size)));
    const widest = Math.max.apply(null, this.layers.map((l) => l.type === 'conv' ? l.cout : l.size));
    this.acc = new Float64Array(widest);
    this.softmax = this.layers[this.layers.length - 1].act === 'softmax';
    this.macs = this.layers.reduce((s, l) => s + (l.type === 'dense' ? l.nin * l.nout :
      l.type === 'conv' ? l.oh * l.ow * l.k * l.k * l.cin * l.cout : 0), 0);
    wasmConv(this);
  }

  let useWasm = true; // lab.useWasm(false): the JavaScript convolution, for the tests
  const BLOCK = 16; // images scored together by Net.forward (a search's candidates)
  function denseForward(l, x, y, acc) {
    const nin = l.nin, nout = l.nout, W = l.W, B = l.B;
    for (let j = 0; j < nout; j++) acc[j] = B[j];
    for (let i = 0; i < nin; i++) {
      const v = x[i];
      if (v === 0) continue; // blank pixels, ReLU zeros: nothing to add
      const o = i * nout;
      for (let j = 0; j < nout; j++) acc[j] += v * W[o + j];
    }
    finish(l.act, acc, y, 0, nout);
  }
  /** A dense layer on ``m`` images at once (inputs ``x``, m × nin; outputs ``y``, m × nout):
   * each image's nonzero inputs listed first, then eight outputs at a time in local
   * variables, image after image, so that those eight columns of the kernel are read from
   * the cache for all ``m`` images rather than streamed from memory for each. */
  function denseBlock(l, x, m, y, acc, nzi, nzv, nzn) {
    const nin = l.nin, nout = l.nout, W = l.W, B = l.B, J8 = nout - (nout % 8);
    for (let b = 0; b < m; b++) {
      let c = 0;
      for (let i = 0, o = b * nin, z = b * nin; i < nin; i++) {
        const v = x[o + i];
        if (v !== 0) { nzi[z + c] = i * nout; nzv[z + c] = v; c++; }
      }
      nzn[b] = c;
    }
    for (let j = 0; j < J8; j += 8) {
      for (let b = 0; b < m; b++) {
        let s0 = B[j], s1 = B[j + 1], s2 = B[j + 2], s3 = B[j + 3];
        let s4 = B[j + 4], s5 = B[j + 5], s6 = B[j + 6], s7 = B[j + 7];
        for (let t = b * nin, e = t + nzn[b]; t < e; t++) {
          const v = nzv[t], w = nzi[t] + j;
          s0 += v * W[w]; s1 += v * W[w + 1]; s2 += v * W[w + 2]; s3 += v * W[w + 3];
          s4 += v * W[w + 4]; s5 += v * W[w + 5]; s6 += v * W[w + 6]; s7 += v * W[w + 7];
        }
        const o = b * nout + j;
        acc[o] = s0; acc[o + 1] = s1; acc[o + 2] = s2; acc[o + 3] = s3;
        acc[o + 4] = s4; acc[o + 5] = s5; acc[o + 6] = s6; acc[o + 7] = s7;
      }
    }
    for (let j = J8; j < nout; j++) {
      for (let b = 0; b < m; b++) {
        let s0 = B[j];
        for (let t = b * nin, e = t + nzn[b]; t < e; t++) s0 += nzv[t] * W[nzi[t] + j];
        acc[b * nout + j] = s0;
      }
    }
    for (let b = 0; b < m; b++) finish(l.act, acc.subarray(b * nout, (b + 1) * nout), y, b * nout, nout);
  }
  function finish(name, acc, y, off, n) {
    if (name === 'softmax') {
      let m = -Infinity, s = 0;
      for (let j = 0; j < n; j++) if (acc[j] > m) m = acc[j];
      for (let j = 0; j < n; j++) { acc[j] = Math.exp(acc[j] - m); s += acc[j]; }
      for (let j = 0; j < n; j++) y[off + j] = acc[j] / s;
    } else if (name === 'relu') {
      for (let j = 0; j < n; j++) y[off + j] = acc[j] > 0 ? acc[j] : 0;
    } else {
      for (let j = 0; j < n; j++) y[off + j] = act(name, acc[j]);
    }
  }
  /** A convolution as a matrix product: the layer's input unrolled (im2col) into
   * ``cols`` (positions × k·k·cin, zeros for the padding), times the kernel (k·k·cin × cout,
   * Keras' layout), four positions × four output channels at a time in local variables
   * (sums in double precision, as the other layers). */
  function convForward(l, x, y) {
    const H = l.h, Wd = l.w, ci = l.cin, co = l.cout, k = l.k, p = l.pad, OH = l.oh, OW = l.ow;
    const K = l.W, KP = l.KP, B = l.B, R = k * k * ci, P = OH * OW, cols = l.cols;
    for (let oy = 0, q = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, q += R) {
        for (let ky = 0, r = q; ky < k; ky++) {
          const iy = oy + ky - p;
          for (let kx = 0; kx < k; kx++, r += ci) {
            const ix = ox + kx - p;
            if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) { cols.fill(0, r, r + ci); continue; }
            const xo = (iy * Wd + ix) * ci;
            for (let c = 0; c < ci; c++) cols[r + c] = x[xo + c];
          }
        }
      }
    }
    const relu = l.act === 'relu';
    if (l.wasm && useWasm) {
      const at = l.wasm.at, o = l.wasm.out;
      l.wasm.gemm(at.cols, at.kp, at.bias, at.out, P, R, co);
      if (relu) { for (let j = 0, n = P * co; j < n; j++) y[j] = o[j] > 0 ? o[j] : 0; }
      else { for (let j = 0, n = P * co; j < n; j++) y[j] = act(l.act, o[j]); }
      return;
    }
    const P4 = P - (P % 4), C4 = co - (co % 4);
    for (let q = 0; q < P4; q += 4) {
      const a0 = q * R, a1 = a0 + R, a2 = a1 + R, a3 = a2 + R;
      for (let d = 0; d < C4; d += 4) {
        let s00 = B[d], s01 = B[d + 1], s02 = B[d + 2], s03 = B[d + 3];
        let s10 = s00, s11 = s01, s12 = s02, s13 = s03;
        let s20 = s00, s21 = s01, s22 = s02, s23 = s03;
        let s30 = s00, s31 = s01, s32 = s02, s33 = s03;
        for (let r = 0, w = d * R; r < R; r++, w += 4) {
          const w0 = KP[w], w1 = KP[w + 1], w2 = KP[w + 2], w3 = KP[w + 3];
          const v0 = cols[a0 + r], v1 = cols[a1 + r], v2 = cols[a2 + r], v3 = cols[a3 + r];
          s00 += v0 * w0; s01 += v0 * w1; s02 += v0 * w2; s03 += v0 * w3;
          s10 += v1 * w0; s11 += v1 * w1; s12 += v1 * w2; s13 += v1 * w3;
          s20 += v2 * w0; s21 += v2 * w1; s22 += v2 * w2; s23 += v2 * w3;
          s30 += v3 * w0; s31 += v3 * w1; s32 += v3 * w2; s33 += v3 * w3;
        }
        const o = q * co + d;
        y[o] = s00; y[o + 1] = s01; y[o + 2] = s02; y[o + 3] = s03;
        y[o + co] = s10; y[o + co + 1] = s11; y[o + co + 2] = s12; y[o + co + 3] = s13;
        y[o + 2 * co] = s20; y[o + 2 * co + 1] = s21; y[o + 2 * co + 2] = s22; y[o + 2 * co + 3] = s23;
        y[o + 3 * co] = s30; y[o + 3 * co + 1] = s31; y[o + 3 * co + 2] = s32; y[o + 3 * co + 3] = s33;
      }
    }
    // the positions and channels left over from the blocks of four, one at a time
    for (let q = 0; q < P; q++) {
      for (let d = q < P4 ? C4 : 0; d < co; d++) {
        let s0 = B[d];
        for (let r = 0, a = q * R, w = d; r < R; r++, w += co) s0 += cols[a + r] * K[w];
        y[q * co + d] = s0;
      }
    }
    // the activation, on the float32 sums as before
    if (relu) { for (let j = 0, n = P * co; j < n; j++) if (!(y[j] > 0)) y[j] = 0; }
    else if (l.act !== 'linear') { for (let j = 0, n = P * co; j < n; j++) y[j] = act(l.act, y[j]); }
  }
  function poolForward(l, x, y) {
    const s = l.win, Wd = l.w, C = l.c, OH = l.oh, OW = l.ow, arg = l.arg;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity, bi = 0;
          for (let dy = 0; dy < s; dy++) {
            for (let dx = 0; dx < s; dx++) {
              const i = ((oy * s + dy) * Wd + ox * s + dx) * C + c;
              if (x[i] > best) { best = x[i]; bi = i; }
            }
          }
          const o = (oy * OW + ox) * C + c;
          y[o] = best; arg[o] = bi;
        }
      }
    }
  }
  /** The ten outputs of image ``off`` (pixel offset) of ``X``; a view of the net's buffer. */
  Net.prototype.run = function (X, off) {
    const a = this.acts;
    for (let i = 0; i < N; i++) a[0][i] = X[off + i];
    for (let k = 0; k < this.layers.length; k++) {
      const l = this.layers[k];
      if (l.type === 'dense') denseForward(l, a[k], a[k + 1], this.acc);
      else if (l.type === 'conv') convForward(l, a[k], a[k + 1]);
      else poolForward(l, a[k], a[k + 1]);
    }
    return a[a.length - 1];
  };
  /** Outputs ``(n, 10)`` of ``n`` images ``(n, 784)`` into ``out`` (Float32Array). */
  Net.prototype.forward = function (X, n, out) {
    if (n === 1) { out.set(this.run(X, 0).subarray(0, 10)); return out; }
    const L = this.layers.length, M = BLOCK;
    if (!this.block) { // buffers for M images: each layer's outputs, the dense layers' lists
      const nin = Math.max.apply(null, this.layers.map((l) => l.type === 'dense' ? l.nin : 0));
      this.block = {
        acts: [null].concat(this.layers.map((l) => new Float32Array(M * l.size))),
        acc: new Float64Array(M * Math.max.apply(null, this.layers.map((l) => l.size))),
        nzi: new Int32Array(M * nin), nzv: new Float64Array(M * nin), nzn: new Int32Array(M),
      };
    }
    const bk = this.block, a = this.acts;
    for (let i0 = 0; i0 < n; i0 += M) {
      const m = Math.min(M, n - i0);
      let src = X.subarray(i0 * N, (i0 + m) * N), stride = N;
      for (let k = 0; k < L; k++) {
        const l = this.layers[k], dst = bk.acts[k + 1];
        if (l.type === 'dense') {
          denseBlock(l, src, m, dst, bk.acc, bk.nzi, bk.nzv, bk.nzn);
        } else { // image after image, through the net's own one-image buffers
          for (let b = 0; b < m; b++) {
            const x = a[k]; x.set(src.subarray(b * stride, (b + 1) * stride));
            if (l.type === 'conv') convForward(l, x, a[k + 1]); else poolForward(l, x, a[k + 1]);
            dst.set(a[k + 1], b * l.size);
          }
        }
        src = dst; stride = l.size;
      }
      out.set(src.subarray(0, m * 10), i0 * 10);
    }
    return out;
  };
  /** d objective / d pixels of one image into ``g`` (784); returns its outputs (a copy).
   * The objective is log p(target) for softmax outputs, the target's logit otherwise: the
   * white-box attacks' objective (search/engine.py, Scorer.target_gradient). */
  Net.prototype.gradient = function (X, off, target, g) {
    const y = Float32Array.from(this.run(X, off));
    const L = this.layers.length, a = this.acts, dl = this.deltas;
    const top = dl[L];
    for (let j = 0; j < 10; j++) top[j] = (j === target ? 1 : 0) - (this.softmax ? y[j] : 0);
    for (let k = L - 1; k >= 0; k--) {
      const l = this.layers[k], dout = dl[k + 1], din = dl[k], out = a[k + 1];
      if (k < L - 1 && l.type !== 'pool') { // through the activation of layer k
        if (l.act === 'relu') { for (let j = 0; j < l.size; j++) if (!(out[j] > 0)) dout[j] = 0; }
        else if (l.act === 'sigmoid') { for (let j = 0; j < l.size; j++) dout[j] *= out[j] * (1 - out[j]); }
      }
      if (l.type === 'dense') {
        const nout = l.nout, W = l.W;
        for (let i = 0; i < l.nin; i++) {
          let s = 0;
          const o = i * nout;
          for (let j = 0; j < nout; j++) s += W[o + j] * dout[j];
          din[i] = s;
        }
      } else if (l.type === 'pool') {
        din.fill(0);
        for (let o = 0; o < l.size; o++) din[l.arg[o]] += dout[o];
      } else {
        const H = l.h, Wd = l.w, ci = l.cin, co = l.cout, kk = l.k, p = l.pad, K = l.W, kco = ci * co;
        din.fill(0);
        for (let oy = 0; oy < l.oh; oy++) {
          for (let ox = 0; ox < l.ow; ox++) {
            const yo = (oy * l.ow + ox) * co;
            for (let ky = 0; ky < kk; ky++) {
              const iy = oy + ky - p;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < kk; kx++) {
                const ix = ox + kx - p;
                if (ix < 0 || ix >= Wd) continue;
                const xo = (iy * Wd + ix) * ci, wo = (ky * kk + kx) * kco;
                for (let c = 0; c < ci; c++) {
                  let s = 0;
                  const w0 = wo + c * co;
                  for (let d = 0; d < co; d++) s += K[w0 + d] * dout[yo + d];
                  din[xo + c] += s;
                }
              }
            }
          }
        }
      }
    }
    for (let i = 0; i < N; i++) g[i] = dl[0][i];
    return y;
  };

  const NETS = {};
  for (const name of D.order) NETS[name] = new Net(name, D.models[name]);

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

  // ---------------------------------------------------------------- searches
  const P = D.methods;
  /** Images per yield: about 20 M multiply-adds, so the page stays responsive. */
  const chunkOf = (net) => Math.max(1, Math.min(500, Math.floor(2e7 / net.macs)));
  function noise(rng) { const x = new Float32Array(N); for (let i = 0; i < N; i++) x[i] = rng(); return x; }
  const tolOf = (tol, t) => (Array.isArray(tol) ? tol[t] : tol);

  /* Every search is a generator over a state object s: it yields after each chunk of work
   * and yields {step: true} after each step (one row of the plot). s.best, s.conf (the best
   * target output so far), s.evaluations, s.status ('running', 'converged', 'stuck',
   * 'out of budget'). */
  function* hillclimb(s) { // seed 003: random masks added to a blank base, keep the best
    const p = P.hillclimb, net = s.net, t = s.target, C = p.candidates, chunk = chunkOf(net);
    const base = s.start ? Float32Array.from(s.start) : new Float32Array(N); // the post: blank
    const cand = new Float32Array(Math.min(chunk, C) * N);
    s.origin = Float32Array.from(base);
    const out = new Float32Array(Math.min(chunk, C) * 10), bestImg = new Float32Array(N);
    s.conf = net.forward(base, 1, new Float32Array(10))[t]; s.best.set(base); s.evaluations = 1;
    let stalled = 0;
    for (s.step = 0; s.step < p.steps && s.conf < p.threshold; ) {
      let bestConf = s.conf, found = false;
      for (let c0 = 0; c0 < C; c0 += chunk) {
        const m = Math.min(chunk, C - c0);
        for (let j = 0; j < m; j++) {
          const o = j * N;
          for (let i = 0; i < N; i++) {
            let v = base[i];
            if (s.rng() < p.density) v = Math.min(1, Math.max(0, v + p.amplitude * (2 * s.rng() - 1)));
            cand[o + i] = v;
          }
        }
        net.forward(cand, m, out);
        for (let j = 0; j < m; j++) {
          if (out[j * 10 + t] > bestConf) { bestConf = out[j * 10 + t]; bestImg.set(cand.subarray(j * N, j * N + N)); found = true; }
        }
        s.evaluations += m;
        yield {};
      }
      s.step++;
      if (found) { base.set(bestImg); s.best.set(bestImg); s.conf = bestConf; stalled = 0; } else stalled++;
      if (stalled >= p.patience && s.conf < p.threshold) { s.status = 'stuck'; yield { step: true }; return; }
      yield { step: true };
    }
    s.status = s.conf >= p.threshold ? 'converged' : 'out of budget';
  }

  function* genetic(s) { // seed 000: keep the 5 lowest-cost of 100 children, crossover + mutation
    const p = P.genetic, net = s.net, t = s.target, S = p.selected, M = p.population;
    const chunk = chunkOf(net), tol = tolOf(p.tol, t);
    const parents = new Float32Array(S * N), pcost = new Float64Array(S), pconf = new Float64Array(S);
    const kids = new Float32Array(M * N), out = new Float32Array(M * 10), cost = new Float64Array(M);
    const order = new Int32Array(M);
    s.evaluations = 0; s.conf = 0;
    let uniformStart = true; // the post: a first generation of uniform noise
    if (s.start) { // or all five kept images are the start, and the first children its mutants
      const y = net.forward(s.start, 1, new Float32Array(10));
      let c = 0;
      for (let d = 0; d < 10; d++) c += Math.abs(y[d] - (d === t ? 1 : 0));
      for (let k = 0; k < S; k++) { parents.set(s.start, k * N); pcost[k] = c; pconf[k] = y[t]; }
      s.conf = y[t]; s.cost = c; s.evaluations = 1; s.best.set(s.start);
      s.origin = Float32Array.from(s.start); uniformStart = false;
    }
    for (s.step = 0; s.step < p.max_iter; ) {
      const fresh = s.step === 0 && uniformStart, rate = Math.min(0.5, 0.01 * pcost[0] * p.mutate_factor);
      for (let j = 0; j < M; j++) {
        const o = j * N;
        if (fresh) { for (let i = 0; i < N; i++) kids[o + i] = s.rng(); continue; }
        const i1 = Math.floor(s.rng() * S), i2 = (i1 + 1 + Math.floor(s.rng() * (S - 1))) % S;
        const a = i1 * N, b = i2 * N;
        for (let i = 0; i < N; i++) kids[o + i] = s.rng() < 0.5 ? parents[a + i] : parents[b + i];
        if (rate > 0) for (let i = 0; i < N; i++) if (s.rng() < rate) kids[o + i] = s.rng();
      }
      for (let c0 = 0; c0 < M; c0 += chunk) {
        const m = Math.min(chunk, M - c0);
        net.forward(kids.subarray(c0 * N, (c0 + m) * N), m, out.subarray(c0 * 10, (c0 + m) * 10));
        s.evaluations += m;
        yield {};
      }
      for (let j = 0; j < M; j++) {
        let c = 0;
        for (let d = 0; d < 10; d++) c += Math.abs(out[j * 10 + d] - (d === t ? 1 : 0));
        cost[j] = c; order[j] = j;
      }
      const sorted = Array.from(order).sort((x, y) => cost[x] - cost[y] || x - y); // stable
      for (let k = 0; k < S; k++) {
        const j = sorted[k];
        parents.set(kids.subarray(j * N, j * N + N), k * N);
        pcost[k] = cost[j]; pconf[k] = out[j * 10 + t];
      }
      s.step++;
      if (pconf[0] > s.conf) s.conf = pconf[0];
      s.best.set(parents.subarray(0, N)); s.cost = pcost[0];
      yield { step: true };
      if (pcost[0] < tol) { s.status = 'converged'; return; }
    }
    s.status = 'out of budget';
  }

  function* gradientSign(s) { // ours: signed-gradient ascent on log p(target) from noise
    const p = P.gradient_sign, net = s.net, t = s.target, g = new Float32Array(N);
    const x = s.start ? Float32Array.from(s.start) : noise(s.rng);
    s.origin = Float32Array.from(x);
    s.conf = net.forward(x, 1, new Float32Array(10))[t]; s.best.set(x); s.evaluations = 1;
    for (s.step = 0; s.step < p.steps && s.conf < p.threshold; ) {
      const y = net.gradient(x, 0, t, g);
      if (y[t] > s.conf) { s.conf = y[t]; s.best.set(x); }
      const eta = p.step_size * Math.pow(p.decay, s.step);
      for (let i = 0; i < N; i++) x[i] = Math.min(1, Math.max(0, x[i] + eta * Math.sign(g[i])));
      s.evaluations += 2; s.step++;
      yield { step: true };
    }
    s.status = s.conf >= p.threshold ? 'converged' : 'out of budget';
  }

  function* squareSearch(s) { // ours: black-box greedy search with black or white squares
    const p = P.square_search, net = s.net, t = s.target, C = p.candidates;
    const x = s.start ? Float32Array.from(s.start) : noise(s.rng);
    const cand = new Float32Array(C * N), out = new Float32Array(C * 10);
    s.origin = Float32Array.from(x);
    const logOdds = (q) => Math.log(Math.max(q, 1e-300)) - Math.log(Math.max(1 - q, 1e-300));
    s.conf = net.forward(x, 1, out)[t]; s.best.set(x); s.evaluations = 1;
    let score = logOdds(s.conf);
    for (s.step = 0; s.step < p.steps && s.conf < p.threshold; ) {
      const side = Math.max(p.min_square, pyRound(p.square * Math.sqrt(Math.max(0, 1 - s.step / p.shrink_over))));
      for (let c = 0; c < C; c++) {
        const o = c * N;
        cand.set(x, o);
        const top = Math.floor(s.rng() * (29 - side)), left = Math.floor(s.rng() * (29 - side));
        const v = s.rng() < 0.5 ? 0 : 1;
        for (let y = 0; y < side; y++) for (let xx = 0; xx < side; xx++) cand[o + (top + y) * SIDE + left + xx] = v;
      }
      net.forward(cand, C, out);
      let bc = 0;
      for (let c = 0; c < C; c++) {
        if (out[c * 10 + t] > s.conf) { s.conf = out[c * 10 + t]; s.best.set(cand.subarray(c * N, c * N + N)); }
        if (logOdds(out[c * 10 + t]) > logOdds(out[bc * 10 + t])) bc = c;
      }
      const sc = logOdds(out[bc * 10 + t]);
      if (sc > score) { score = sc; x.set(cand.subarray(bc * N, bc * N + N)); }
      s.evaluations += C; s.step++;
      yield { step: true };
    }
    s.status = s.conf >= p.threshold ? 'converged' : 'out of budget';
  }
  const METHODS = { hillclimb, genetic, gradient_sign: gradientSign, square_search: squareSearch };
  /** The most steps a run of ``method`` takes (its config's cap). */
  const stepCap = (method) => (method === 'genetic' ? P.genetic.max_iter : P[method].steps);

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
  /** Advance the search by up to ``ms`` milliseconds of work, or to the end of one step. */
  function advance(ms, oneStep) {
    if (!search || search.status !== 'running') return;
    const t0 = performance.now();
    for (;;) {
      const r = search.gen.next();
      if (r.done) { search.history.push([search.step, search.conf]); stop(); break; }
      if (r.value.step) { search.history.push([search.step, search.conf]); if (oneStep) break; }
      if (!oneStep && performance.now() - t0 > ms) break;
    }
    search.busy += performance.now() - t0;
    show();
  }
  function loop() { advance(40, false); if (search && search.status === 'running' && timer !== null) timer = setTimeout(loop, 0); }
  function run() { if (!search || search.status !== 'running') newSearch(); if (timer === null) { timer = setTimeout(loop, 0); } $('run').disabled = true; $('pause').disabled = false; }
  function stop() { if (timer !== null) clearTimeout(timer); timer = null; $('run').disabled = false; $('pause').disabled = true; }
  function show() {
    const s = search;
    paintImage($('best'), s.best, false);
    $('sstatus').textContent = s.status;
    $('sstep').textContent = s.step.toLocaleString('en');
    $('sevals').textContent = s.evaluations.toLocaleString('en');
    $('sconf').textContent = s.conf.toPrecision(6);
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
  $('step').addEventListener('click', () => { stop(); if (!search || search.status !== 'running') newSearch(); advance(0, true); });
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
      try { img = b64ToImage(q.get('image')); } catch (e) { img = null; }
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
    nets: NETS, prepare, resize, canvasGrey, decode, refresh, load, methods: METHODS, mulberry32,
    forward(name, X, n) { return NETS[name].forward(X, n, new Float32Array(n * 10)); },
    gradient(name, X, n, targets) {
      const g = new Float32Array(n * N), one = new Float32Array(N);
      for (let i = 0; i < n; i++) { NETS[name].gradient(X, i * N, targets[i], one); g.set(one, i * N); }
      return g;
    },
    /** Images per second of ``name`` on ``n`` images, best of ``repeats``. */
    speed(name, X, n, repeats) {
      const out = new Float32Array(n * 10);
      let best = Infinity;
      for (let r = 0; r < repeats; r++) { // each timing at least 100 ms: the clock is coarse
        const t0 = performance.now(); let k = 0, t = 0;
        do { NETS[name].forward(X, n, out); k++; t = performance.now() - t0; } while (t < 100);
        best = Math.min(best, t / k);
      }
      return 1000 * n / best;
    },
    search() { return search; }, input() { return input; }, advance, newSearch, run, stop, stroke, undo, show,
    useWasm(on) { useWasm = !!on; return CONV !== null; },
  };
})();
