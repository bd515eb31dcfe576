/**
 * What an open grove/observer page costs a busy program: W1 (two actors
 * ping-ponging N messages, from bench/systems/grove.mjs) in one process,
 * rounds alternating between no page and a page open on the hub's observer
 * (its event stream read by a worker thread, as a browser in another
 * process would; updates every second, the default). Alternating in one
 * process keeps V8's tiering and the machine's load from favouring either
 * side. Prints each round and the medians; the goal is within 10%.
 *
 *     npm run build && node bench/observer-cost.mjs [rounds] [n]
 */
import { workloads } from './systems/grove.mjs';
import { openPage } from './observer-page.mjs';

const dist = new URL('../dist/', import.meta.url);
const { run } = await import(new URL('index.js', dist).href);
const { serveObserver } = await import(new URL('observer.js', dist).href);

const rounds = Number(process.argv[2] ?? 10);
const n = Number(process.argv[3] ?? 2_000_000);

async function w1() {
  const start = performance.now();
  const out = await workloads.W1({ n });
  const seconds = (performance.now() - start) / 1000;
  if (out.received[0] + out.received[1] !== n) throw new Error('W1 did not deliver every message');
  return n / seconds;
}

const observer = await run(() => serveObserver());
for (let i = 0; i < 3; i++) await w1(); // warm up
const closed = [];
const open = [];
for (let round = 0; round < rounds; round++) {
  closed.push(await w1());
  const page = await openPage(observer.url);
  open.push(await w1());
  await page.terminate();
  console.log(`round ${round + 1}: no page ${(closed.at(-1) / 1e6).toFixed(2)} M msg/s, page open ${(open.at(-1) / 1e6).toFixed(2)} M msg/s`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = median(open) / median(closed);
console.log(`W1 medians: no page ${(median(closed) / 1e6).toFixed(2)} M msg/s, page open ${(median(open) / 1e6).toFixed(2)} M msg/s: ${(ratio * 100).toFixed(1)}% (${((1 - ratio) * 100).toFixed(1)}% slower)`);
await observer.close();
process.exit(0);
