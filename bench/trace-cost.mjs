/**
 * The cost of tracing (grove/testing's `simulate(body, { trace: true })`)
 * on W1's ping-pong: two actors exchange N messages, on a virtual-clock hub,
 * untraced and traced, alternately, in one process. Prints the rate of each
 * per second of CPU time (the best of the repeats: the least disturbed by
 * other processes), the ratio, and the events recorded per message. Run on
 * the built bundle:
 *
 *   npm run build && node bench/trace-cost.mjs [N] [repeats]
 *
 * `GROVE_BENCH_DIST=/path/to/dist` measures another build. That tracing
 * costs nothing while off is measured by W1 itself (`npm run bench -- --only
 * W1`, this build against the one before the change): an untraced run has no
 * subscriber, so the hub builds no event objects.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.GROVE_BENCH_DIST ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/') : new URL('../dist/', import.meta.url);
const { Actor } = await import(new URL('actors.js', dist).href);
const { simulate } = await import(new URL('testing.js', dist).href);
const { joinAll } = await import(new URL('index.js', dist).href);

const n = Number(process.argv[2] ?? 200_000);
const repeats = Number(process.argv[3] ?? 7);

/** W1's player: receives i, sends i + 1 to its peer, stops after its last message. */
class Player extends Actor {
  peer = null;
  constructor(name, first) {
    super({ name });
    this.expected = first;
  }
  receive(i) {
    if (i !== this.expected) throw new Error(`${this.name}: got ${i}, expected ${this.expected}`);
    this.expected = i + 2;
    if (i + 1 < n) this.peer.send(i + 1);
    if (i + 2 >= n) this.stop();
  }
}

function* pingPong() {
  const pong = new Player('pong', 0);
  const ping = new Player('ping', 1);
  pong.peer = ping;
  ping.peer = pong;
  pong.start();
  ping.start();
  pong.send(0);
  yield* joinAll([pong, ping]);
}

/** One run; its rate counts the process's CPU time, which other processes on a shared machine disturb less than wall time. */
async function once(trace) {
  const start = process.cpuUsage();
  const result = await simulate(pingPong, trace ? { trace: true } : {});
  const used = process.cpuUsage(start);
  return { rate: n / ((used.user + used.system) / 1e6), events: trace ? result.trace.events.length : 0 };
}

// Warm-up: both paths, until the JIT has settled.
for (let i = 0; i < 3; i++) {
  await once(false);
  await once(true);
}
const best = { off: 0, on: 0 };
let events = 0;
for (let i = 0; i < repeats; i++) {
  best.off = Math.max(best.off, (await once(false)).rate);
  const traced = await once(true);
  best.on = Math.max(best.on, traced.rate);
  events = traced.events;
}
const fmt = (rate) => `${(rate / 1e6).toFixed(2)} M msg/s`;
console.log(`W1 ping-pong under simulate, ${n.toLocaleString('en')} messages, best of ${repeats}, per CPU second:`);
console.log(`  trace off  ${fmt(best.off)}`);
console.log(`  trace on   ${fmt(best.on)}  (${(best.off / best.on).toFixed(2)}× slower; ${(events / n).toFixed(2)} events per message, ${events.toLocaleString('en')} in all)`);
