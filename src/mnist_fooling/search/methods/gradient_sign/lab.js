// The signed gradient (ours) in the lab page (inside lab.js's closure: P, N, noise, ...).
function* gradient_sign(s) { // ours: signed-gradient ascent on log p(target) from noise
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
