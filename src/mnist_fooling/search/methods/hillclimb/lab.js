// Seed 003's hill climbing in the lab page (inside lab.js's closure: P, N, chunkOf, ...).
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
      yield { score: [cand, m, out] };
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
