/**
 * W6's load generator: N requests over C keep-alive connections to
 * 127.0.0.1, each connection sending its next request when the previous
 * answer is complete (a closed loop, as autocannon's default). It runs in a
 * worker thread, so the server under test has the child's main thread to
 * itself and the load is the same for every system. Returns the count of
 * good answers, a checksum of their bodies and the latency percentiles.
 *
 * The client is a few lines on `net` rather than `fetch` or `http.request`:
 * their per-request cost would be the bottleneck, and it is the server that
 * is measured. It understands what the workload's servers send: a status
 * line, headers with a Content-Length, and that many bytes of body.
 */
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { connect } from 'node:net';

const REQUEST = Buffer.from('GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

/** The body every W6 server answers. */
export const HELLO = 'hello world';

let worker = null;
let pending = null;

/** Runs the load against `port` in the worker thread; resolves with its observations. */
export function runLoad(port, { n, connections }) {
  if (worker === null) {
    worker = new Worker(new URL(import.meta.url));
    worker.unref();
    worker.on('message', (result) => {
      const done = pending;
      pending = null;
      done.resolve(result);
    });
    worker.on('error', (error) => pending?.reject(error));
  }
  return new Promise((resolve, reject) => {
    pending = { resolve, reject };
    worker.postMessage({ port, n, connections });
  });
}

/** In the worker: one run of the load. */
function load({ port, n, connections }) {
  return new Promise((resolve) => {
    const latencies = new Float64Array(n);
    let sent = 0;
    let answered = 0;
    let good = 0;
    let bodyBytes = 0;
    let errors = 0;
    let open = 0;
    let maxInFlight = 0;
    let inFlight = 0;
    const t0 = performance.now();

    function finish() {
      const sorted = latencies.slice(0, answered).sort();
      const at = (q) => (answered === 0 ? 0 : sorted[Math.min(answered - 1, Math.floor(q * answered))]);
      const r = (x) => Math.round(x * 1000) / 1000;
      resolve({
        responses: good,
        bodyBytes,
        errors,
        maxInFlight,
        extra: { p50Ms: r(at(0.5)), p99Ms: r(at(0.99)), loadMs: r(performance.now() - t0) },
      });
    }

    for (let c = 0; c < Math.min(connections, n); c++) {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      open++;
      let buffer = Buffer.alloc(0);
      let started = 0;
      let need = -1; // bytes of the current answer, once its head is parsed
      const next = () => {
        if (sent >= n) {
          socket.end();
          return;
        }
        sent++;
        inFlight++;
        if (inFlight > maxInFlight) maxInFlight = inFlight;
        started = performance.now();
        socket.write(REQUEST);
      };
      socket.on('connect', next);
      socket.on('data', (chunk) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          if (need < 0) {
            const end = buffer.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buffer.toString('latin1', 0, end);
            const match = /\r\ncontent-length: *(\d+)/i.exec(head);
            if (!head.startsWith('HTTP/1.1 200') || match === null) errors++;
            need = end + 4 + (match === null ? 0 : Number(match[1]));
          }
          if (buffer.length < need) return;
          const body = buffer.toString('latin1', buffer.indexOf('\r\n\r\n') + 4, need);
          if (body === HELLO) good++;
          else errors++;
          bodyBytes += body.length;
          latencies[answered++] = performance.now() - started;
          inFlight--;
          buffer = buffer.subarray(need);
          need = -1;
          next();
        }
      });
      socket.on('error', () => errors++);
      socket.on('close', () => {
        if (--open === 0) finish();
      });
    }
  });
}

if (!isMainThread) {
  parentPort.on('message', async (params) => parentPort.postMessage(await load(params)));
}
