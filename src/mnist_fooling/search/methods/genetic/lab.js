// Seed 000's genetic algorithm in the lab page (inside lab.js's closure: P, N, chunkOf, ...).
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
      yield { score: [kids.subarray(c0 * N, (c0 + m) * N), m, out.subarray(c0 * 10, (c0 + m) * 10)] };
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
