/* The lab's networks: the trained models' forward and backward passes over Float32Arrays, in
 * WebAssembly SIMD (gemm.wat: relaxed-SIMD fused multiply-adds where the browser has them,
 * plain SIMD otherwise) or in JavaScript. One factory, run twice: by the page (lab.js) and by
 * each of its Web Workers (worker.js), which score a search's candidates in parallel. */
/* exported labNets */
function labNets(D, opts) {
  'use strict';
  const N = 784;
  const BLOCK = 16; // images scored together by Net.forward (a search's candidates)
  /** The matrix-product kernel's builds that this browser compiles. */
  const KERNELS = {};
  for (const [path, key] of [['relaxed', 'gemm_relaxed'], ['simd', 'gemm']]) {
    try {
      const b = Uint8Array.from(atob(D.kernels[key]), (c) => c.charCodeAt(0));
      if (WebAssembly.validate(b)) KERNELS[path] = new WebAssembly.Module(b);
    } catch (e) { /* no WebAssembly here: the JavaScript path */ }
  }
  const PATHS = Object.keys(KERNELS).concat(['js']);
  // the fastest path, or the one asked for (the tests' every path) where the browser has it
  const PATH = opts && PATHS.includes(opts.path) ? opts.path : PATHS[0];
  const GEMM = PATH === 'js' ? null : KERNELS[PATH];
  const up = (n, k) => Math.ceil(n / k) * k;

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
    if (GEMM) this.plan = planWasm(this, BLOCK);
  }

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
    const co = l.cout, K = l.W, KP = l.KP, B = l.B, R = l.k * l.k * l.cin, P = l.oh * l.ow;
    const cols = l.cols;
    if (l.g) { convWasm(l, x, y); return; }
    unroll(l, x, 0, cols, 0);
    const relu = l.act === 'relu';
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
  /** Max pooling of one image: ``x`` from ``xo`` into ``y`` from ``yo`` (the argmax kept for
   * the gradient). */
  function poolForward(l, x, y, xo = 0, yo = 0) {
    const s = l.win, Wd = l.w, C = l.c, OH = l.oh, OW = l.ow, arg = l.arg;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity, bi = 0;
          for (let dy = 0; dy < s; dy++) {
            for (let dx = 0; dx < s; dx++) {
              const i = ((oy * s + dy) * Wd + ox * s + dx) * C + c;
              if (x[xo + i] > best) { best = x[xo + i]; bi = i; }
            }
          }
          const o = (oy * OW + ox) * C + c;
          y[yo + o] = best; arg[o] = bi;
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
    if (this.plan) {
      for (let i0 = 0; i0 < n; i0 += BLOCK) this.forwardWasm(X, i0, Math.min(BLOCK, n - i0), out);
      return out;
    }
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


  // ---------------------------------------------------------------- WebAssembly
  /** One image's convolution input ``x`` (from ``xo``, h × w × cin) unrolled into ``cols``
   * (from ``co``): a row of k·k·cin values per output position, zeros for the padding. */
  function unroll(l, x, xo, cols, co) {
    const H = l.h, Wd = l.w, ci = l.cin, k = l.k, p = l.pad, R = k * k * ci;
    for (let oy = 0, q = co; oy < l.oh; oy++) {
      for (let ox = 0; ox < l.ow; ox++, q += R) {
        for (let ky = 0, r = q; ky < k; ky++) {
          const iy = oy + ky - p;
          for (let kx = 0; kx < k; kx++, r += ci) {
            const ix = ox + kx - p;
            if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) { cols.fill(0, r, r + ci); continue; }
            const xi = xo + (iy * Wd + ix) * ci;
            for (let c = 0; c < ci; c++) cols[r + c] = x[xi + c];
          }
        }
      }
    }
  }
  /** Place each dense and convolution layer of ``net`` in one WebAssembly memory, for ``M``
   * images at a time: its kernel packed in blocks of 8 columns (zero columns up to a multiple
   * of 8), its bias, its input rows ``A`` (the unrolled input for a convolution, up to a
   * multiple of 4 rows) and its output rows. */
  function planWasm(net, M) {
    let bytes = 0;
    const alloc = (n) => { const at = bytes; bytes += up(4 * n, 16); return at; };
    const parts = [];
    for (const l of net.layers) {
      if (l.type === 'pool') continue;
      const conv = l.type === 'conv', R = conv ? l.k * l.k * l.cin : l.nin;
      const C = conv ? l.cout : l.nout, Cp = up(C, 8), rows = up(conv ? M * l.oh * l.ow : M, 4);
      const g = { R, C, Cp, kp: alloc(Cp * R), bias: alloc(Cp), A: alloc(rows * R), out: alloc(rows * Cp) };
      g.rows = rows;
      // rows of A per chunk: about 256 KB of them, so that they stay in cache while every
      // block of the kernel's columns passes over them
      g.qc = Math.max(4, 4 * Math.floor(65536 / (4 * R)));
      parts.push([l, g]);
    }
    const inst = new WebAssembly.Instance(GEMM, {}), mem = inst.exports.memory;
    mem.grow(Math.ceil(bytes / 65536));
    for (const [l, g] of parts) {
      const kp = new Float32Array(mem.buffer, g.kp, g.Cp * g.R);
      for (let d = 0; d < g.C; d++) {
        for (let r = 0; r < g.R; r++) kp[(d >> 3) * g.R * 8 + r * 8 + (d & 7)] = l.W[r * g.C + d];
      }
      new Float32Array(mem.buffer, g.bias, g.C).set(l.B);
      g.Av = new Float32Array(mem.buffer, g.A, g.rows * g.R);
      g.outv = new Float32Array(mem.buffer, g.out, g.rows * g.Cp);
      g.gemm = inst.exports.gemm;
      l.g = g;
    }
    return true;
  }
  /** Run layer ``l``'s product on its first ``n`` rows of ``A`` (ReLU fused). */
  function gemm(l, n) {
    const g = l.g;
    g.gemm(g.A, g.kp, g.bias, g.out, up(n, 4), g.R, g.Cp, g.qc, l.act === 'relu' ? 1 : 0);
  }
  /** The rows ``n`` of layer ``l``'s product, its activation applied, into ``y`` (n × C);
   * returns ``y``, or the product's own rows when nothing is left to do. */
  function finishRows(l, n, y) {
    const g = l.g, C = g.C, Cp = g.Cp, o = g.outv;
    if (Cp === C && (l.act === 'relu' || l.act === 'linear')) return o;
    for (let q = 0; q < n; q++) {
      if (l.act === 'relu' || l.act === 'linear') y.set(o.subarray(q * Cp, q * Cp + C), q * C);
      else finish(l.act, o.subarray(q * Cp, q * Cp + C), y, q * C, C);
    }
    return y;
  }
  /** One image's convolution through the WebAssembly product (the gradient's forward pass). */
  function convWasm(l, x, y) {
    const P = l.oh * l.ow;
    unroll(l, x, 0, l.g.Av, 0);
    gemm(l, P);
    const r = finishRows(l, P, y);
    if (r !== y) y.set(r.subarray(0, P * l.cout));
  }
  /** Outputs of images ``i0`` to ``i0 + m`` of ``X`` (m ≤ BLOCK) into ``out`` (m × 10 from
   * ``i0 · 10``), layer after layer over all ``m`` images at once. */
  Net.prototype.forwardWasm = function (X, i0, m, out) {
    let src = X, so = i0 * N;
    for (let k = 0; k < this.layers.length; k++) {
      const l = this.layers[k], next = this.layers[k + 1];
      if (!l.buf) l.buf = new Float32Array(BLOCK * l.size);
      if (l.type === 'pool') { // straight into the next dense layer's rows, where one follows
        const dst = next && next.type === 'dense' ? next.g.Av : l.buf;
        for (let b = 0; b < m; b++) poolForward(l, src, dst, so + b * l.insize, b * l.size);
        src = dst; so = 0;
        continue;
      }
      const g = l.g;
      let n = m;
      if (l.type === 'conv') {
        n = m * l.oh * l.ow;
        for (let b = 0; b < m; b++) unroll(l, src, so + b * l.insize, g.Av, b * l.oh * l.ow * g.R);
      } else if (src !== g.Av) g.Av.set(src.subarray(so, so + m * l.nin));
      gemm(l, n);
      src = finishRows(l, n, l.buf); so = 0;
    }
    out.set(src.subarray(0, m * 10), i0 * 10);
  };

  const nets = {};
  for (const name of D.order) nets[name] = new Net(name, D.models[name]);
  return { nets, path: PATH, paths: PATHS, kernels: KERNELS, decode, BLOCK };
}
