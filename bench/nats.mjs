/**
 * What the W9 rows (actors in two processes over NATS) share: a nats-server
 * on 127.0.0.1 with a port of the system's choosing, and the peer process
 * (the other node), both started once per measurement process, outside the
 * timing, and killed when it exits. Also the latency summary both systems
 * report. Without nats-server the rows read n/a, saying how to install it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { NotApplicable } from './workloads.mjs';

const NATS_SERVER = process.env.GROVE_NATS_SERVER ?? 'nats-server';
const started = [];
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Starts `command` and resolves with the first match of `pattern` in what it writes on `stream`, within 30 s. */
function startAndWait(command, args, stream, pattern) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')}: nothing matching ${pattern} within 30 s:\n${text}`)), 30_000);
    child[stream].on('data', (chunk) => {
      text += String(chunk);
      const found = pattern.exec(text);
      if (found !== null) {
        clearTimeout(timer);
        child[stream].resume();
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${text}`));
    });
    // The other stream is not read: drained so it never fills.
    child[stream === 'stdout' ? 'stderr' : 'stdout'].resume();
  });
}

let server = null;
/** The URL of this process's nats-server, started on first use. */
export async function natsUrl() {
  if (spawnSync(NATS_SERVER, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new NotApplicable(`no ${NATS_SERVER}: apt-get install -y nats-server (as root), or set GROVE_NATS_SERVER`);
  }
  server ??= startAndWait(NATS_SERVER, ['-a', '127.0.0.1', '-p', '-1'], 'stderr', /Listening for client connections on 127\.0\.0\.1:(\d+)/).then(
    ([, port]) => `nats://127.0.0.1:${port}`,
  );
  return server;
}

/** Starts `script` (a module path relative to bench/) as the peer process with the server's URL, and waits for its `up` line. */
export async function startPeer(script, url) {
  await startAndWait(process.execPath, [new URL(script, import.meta.url).pathname, url], 'stdout', /^up$/m);
}

/** Median and 99th percentile of `samples` (ms), as the runner prints them (`p50Ms`, `p99Ms`, rounded to µs). */
export function latency(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000) / 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}
