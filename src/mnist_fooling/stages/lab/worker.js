/* A Web Worker of the lab: its own copy of the networks (net.js, which the page puts before
 * this file in the worker's source), scoring the chunks of a search's candidates that the page
 * sends, their buffers transferred both ways. */
/* global labNets */
let nets = null;
onmessage = (e) => {
  const m = e.data;
  if (m.init) {
    try {
      const lab = labNets(m.init, { path: m.path });
      nets = lab.nets;
      postMessage({ ready: true, path: lab.path });
    } catch (err) {
      postMessage({ failed: String(err) });
    }
    return;
  }
  try {
    const out = new Float32Array(m.n * 10);
    nets[m.model].forward(new Float32Array(m.x), m.n, out);
    postMessage({ id: m.id, out }, [out.buffer]);
  } catch (err) {
    postMessage({ id: m.id, error: String(err) });
  }
};
