// Square search (ours) in the lab page (inside lab.js's closure: P, N, SIDE, noise, ...).
function* square_search(s) { // ours: black-box greedy search with black or white squares
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
    yield { score: [cand, C, out] };
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
