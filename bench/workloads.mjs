/**
 * The workloads of the benchmark suite (issue 7, plus issue 2's `switch`):
 * what each one measures, its sizes, its unit, and how its result is
 * verified. Every system's implementation (bench/systems/*.mjs) returns raw
 * observations — counts, checksums, order errors — and the same `verify`
 * here checks them, so no system is held to a weaker standard than another.
 *
 * Plain JavaScript on purpose: workload code runs in a plain `node` child
 * process, never through tsx (see bench/README.md, "Why plain JavaScript").
 */
import { createHash } from 'node:crypto';

/** Thrown by a system for a workload it cannot do; the child reports `n/a` with the message. */
export class NotApplicable extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'NotApplicable';
  }
}

/** A failed verification: the work was not really done. */
export class CheckFailed extends Error {
  constructor(message) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** Counts passed checks and throws on the first failed one. */
export class Checks {
  passed = 0;
  that(condition, message) {
    if (!condition) throw new CheckFailed(message);
    this.passed++;
  }
  equal(actual, expected, what) {
    this.that(actual === expected, `${what}: expected ${expected}, got ${actual}`);
  }
}

/** mulberry32: the seeded PRNG the W5 delays are drawn from (the same draws for every system). */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** W5's delays: `count` integers drawn from 0..maxMs inclusive, seeded. */
export function timerDelays(count, maxMs, seed) {
  const random = mulberry32(seed);
  const delays = new Array(count);
  for (let i = 0; i < count; i++) delays[i] = Math.floor(random() * (maxMs + 1));
  return delays;
}

/**
 * W5's bookkeeping, the same for every system: `start()` when the first
 * sleeper is about to be created, `woke(ms)` in each sleeper as it wakes,
 * `result()` when all are done. Lateness is counted from `start()`, the
 * instant a user asked for all the sleeps.
 */
export class SleepLog {
  constructor(p) {
    this.delays = timerDelays(p.count, p.maxMs, p.seed);
    this.t0 = 0;
    this.woken = 0;
    this.sum = 0;
    this.lateSum = 0;
    this.lateMax = 0;
    this.early = 0;
  }
  start() {
    this.t0 = performance.now();
  }
  woke(ms) {
    const late = performance.now() - this.t0 - ms;
    this.woken++;
    this.sum += ms;
    this.lateSum += late;
    if (late > this.lateMax) this.lateMax = late;
    // Its sleep began after t0, so waking over 1 ms before t0 + ms is early for sure.
    if (late < -1) this.early++;
  }
  result() {
    const wallMs = performance.now() - this.t0;
    const r = (x) => Math.round(x * 100) / 100;
    return {
      woken: this.woken,
      sum: this.sum,
      wallMs,
      idealMs: Math.max(...this.delays),
      extra: { meanLateMs: r(this.lateSum / Math.max(1, this.woken)), maxLateMs: r(this.lateMax), earlyWakes: this.early },
    };
  }
}

/** W8's unit of CPU work: `rounds` chained sha256 digests of `item`, hex (the same function for every system). */
export function hashItem(item, rounds) {
  let digest = item;
  for (let r = 0; r < rounds; r++) digest = createHash('sha256').update(digest).digest('hex');
  return digest;
}

/** W8's items: `item-0`, `item-1`... */
export function hashItems(count) {
  return Array.from({ length: count }, (_, i) => `item-${i}`);
}

/** Measures the heap in bytes after full collections (needs `node --expose-gc`). */
export function settledHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('memory workloads need node --expose-gc');
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** The sum 0 + 1 + ... + (n - 1), exactly (n stays far below 2^26). */
/** The checks of a ping-pong across a boundary (W7, W9): every message arrived, half of them `there`, in order. */
function pingPongChecks(id, there) {
  return (p, obs, checks) => {
    checks.equal(obs.received[0] + obs.received[1], p.n, `${id}: messages received`);
    checks.equal(obs.received[0], p.n / 2, `${id}: messages received ${there}`);
    checks.equal(obs.sum, triangle(p.n), `${id}: checksum of message numbers`);
    checks.equal(obs.orderErrors, 0, `${id}: messages received out of order`);
  };
}

function triangle(n) {
  return (n * (n - 1)) / 2;
}

/**
 * The workloads, in report order. Fields:
 * - `kind`: `rate` (ops/s, higher is better; the child times the run and
 *   may scale `n` down for slow systems, see `calibrate`), `memory` (bytes
 *   per idle actor, lower is better), `overhead` (ms over the ideal,
 *   lower is better) or `perItem` (µs of the whole run per item, lower is
 *   better).
 * - `group` (optional): `--only <group>` selects every workload of it.
 * - `threads` (optional): a grove/cluster workload; systems without threads are n/a.
 * - `full` / `quick`: parameters for a full run and for `--quick`.
 * - `verify(params, obs, checks, system)`: throws CheckFailed unless the
 *   observations prove the work was done.
 */
export const WORKLOADS = [
  {
    id: 'switch',
    title: 'switch: two greenlets ping with sleep(0)',
    kind: 'rate',
    unit: 'switches/s',
    calibrate: true,
    full: { n: 2_000_000 },
    quick: { n: 200_000 },
    verify(p, obs, checks, system) {
      checks.equal(obs.counts.length, 2, 'switch: greenlets that ran');
      checks.equal(obs.counts[0], p.n / 2, 'switch: iterations of the first greenlet');
      checks.equal(obs.counts[1], p.n / 2, 'switch: iterations of the second greenlet');
      // FIFO schedulers must alternate strictly (gevent's rule); peers just report it.
      if (system.fifo) checks.equal(obs.violations, 0, 'switch: turns taken out of strict alternation');
    },
  },
  {
    id: 'W1',
    title: 'W1 ping-pong: two actors exchange N messages through their inboxes',
    kind: 'rate',
    unit: 'msg/s',
    calibrate: true,
    full: { n: 2_000_000 },
    quick: { n: 200_000 },
    verify(p, obs, checks) {
      checks.equal(obs.received[0] + obs.received[1], p.n, 'W1: messages received');
      checks.equal(obs.received[0], p.n / 2, 'W1: messages received by pong');
      checks.equal(obs.sum, triangle(p.n), 'W1: checksum of message numbers');
      checks.equal(obs.orderErrors, 0, 'W1: messages received out of order');
    },
  },
  {
    id: 'W2',
    title: 'W2 spawn: N greenlets each yield once, then join all',
    kind: 'rate',
    unit: 'greenlets/s',
    calibrate: true,
    full: { n: 200_000 },
    quick: { n: 20_000 },
    verify(p, obs, checks) {
      checks.equal(obs.ran, p.n, 'W2: greenlets that resumed after their yield');
      checks.equal(obs.joined, p.n, 'W2: greenlets joined');
      checks.equal(obs.sum, triangle(p.n), 'W2: checksum of the joined values');
    },
  },
  {
    id: 'W2mem',
    title: 'W2 memory: N actors alive at once, each blocked on its inbox',
    kind: 'memory',
    unit: 'B/actor',
    full: { n: 50_000 },
    quick: { n: 2_000 },
    verify(p, obs, checks) {
      checks.that(obs.bytes > 0, `W2mem: heap grew by ${obs.bytes} bytes for ${p.n} actors`);
      checks.equal(obs.handled, p.n, 'W2mem: actors that handled their one message after the measurement');
      checks.equal(obs.sum, triangle(p.n), 'W2mem: checksum of the messages handled');
    },
  },
  {
    id: 'W3',
    title: 'W3 pipeline: producer -> 3 stages -> sink over bounded queues of 64',
    kind: 'rate',
    unit: 'items/s',
    calibrate: true,
    full: { n: 1_000_000, capacity: 64 },
    quick: { n: 100_000, capacity: 64 },
    verify(p, obs, checks) {
      checks.equal(obs.count, p.n, 'W3: items reaching the sink');
      checks.equal(obs.orderErrors, 0, 'W3: items reaching the sink out of order or unchanged by a stage');
      checks.equal(obs.sum, triangle(p.n) + 3 * p.n, 'W3: checksum (each of 3 stages adds 1)');
      // Backpressure: between producer and sink sit 4 queues of `capacity` and one item per stage in hand.
      const bound = 4 * p.capacity + 8;
      checks.that(obs.maxAhead <= bound, `W3: the producer ran ${obs.maxAhead} items ahead of the sink (bounded queues allow ${bound})`);
    },
  },
  {
    id: 'W4',
    title: 'W4 fan-out/fan-in: a router sends M messages to each of K actors (100 × 10,000 in a full run), each forwards to one collector',
    kind: 'rate',
    unit: 'msg/s',
    full: { actors: 10_000, perActor: 100 },
    quick: { actors: 500, perActor: 20 },
    warmup: { actors: 500, perActor: 10 },
    ops: (p) => p.actors * p.perActor,
    verify(p, obs, checks) {
      const total = p.actors * p.perActor;
      checks.equal(obs.collected, total, 'W4: messages reaching the collector');
      checks.equal(obs.sum, triangle(total), 'W4: checksum of the messages collected');
      checks.equal(obs.minPerActor, p.perActor, 'W4: fewest messages an actor forwarded');
      checks.equal(obs.maxPerActor, p.perActor, 'W4: most messages an actor forwarded');
    },
  },
  {
    id: 'W5',
    title: 'W5 timers: N greenlets each sleep a seeded 0-20 ms, wall time over the longest sleep',
    kind: 'overhead',
    unit: 'ms over ideal',
    full: { count: 10_000, maxMs: 20, seed: 7 },
    quick: { count: 1_000, maxMs: 20, seed: 7 },
    warmup: 'same',
    verify(p, obs, checks) {
      checks.equal(obs.woken, p.count, 'W5: sleepers that woke');
      checks.equal(obs.sum, timerDelays(p.count, p.maxMs, p.seed).reduce((a, b) => a + b, 0), 'W5: checksum of the delays slept');
      const ideal = Math.max(...timerDelays(p.count, p.maxMs, p.seed));
      // A loose sanity bound: nobody can finish all sleeps well before the longest one.
      checks.that(obs.wallMs >= ideal - 2, `W5: all sleeps done in ${obs.wallMs} ms, before the longest sleep (${ideal} ms)`);
    },
  },
  {
    id: 'W6',
    title: 'W6 HTTP: N small GETs over C keep-alive connections on loopback (the baseline row is plain node:http)',
    kind: 'rate',
    unit: 'req/s',
    // A fixed count, not calibrated: every system answers the same N requests.
    full: { n: 50_000, connections: 50 },
    quick: { n: 5_000, connections: 50 },
    warmup: { n: 5_000, connections: 50 },
    verify(p, obs, checks) {
      checks.equal(obs.errors, 0, 'W6: bad answers or connection errors');
      checks.equal(obs.responses, p.n, 'W6: requests answered "hello world"');
      checks.equal(obs.bodyBytes, p.n * 'hello world'.length, 'W6: body bytes received');
      checks.that(obs.maxInFlight <= p.connections, `W6: ${obs.maxInFlight} requests in flight over ${p.connections} connections`);
    },
  },
  {
    id: 'W7',
    title: 'W7 ping-pong between threads: an actor on the main thread and one on a worker thread exchange N messages',
    kind: 'rate',
    unit: 'msg/s',
    calibrate: true,
    threads: true,
    group: 'w7',
    full: { n: 200_000 },
    quick: { n: 20_000 },
    verify: pingPongChecks('W7', 'on the worker thread'),
  },
  {
    id: 'W7fan',
    title: 'W7 fan-out/fan-in between threads: the main thread sends M messages to each of K actors on a worker thread, each forwards to a collector on the main thread',
    kind: 'rate',
    unit: 'msg/s',
    threads: true,
    group: 'w7',
    full: { actors: 100, perActor: 2_000 },
    quick: { actors: 100, perActor: 200 },
    warmup: { actors: 100, perActor: 200 },
    ops: (p) => p.actors * p.perActor,
    verify(p, obs, checks) {
      const total = p.actors * p.perActor;
      checks.equal(obs.collected, total, 'W7fan: messages reaching the collector');
      checks.equal(obs.sum, triangle(total), 'W7fan: checksum of the messages collected');
      checks.equal(obs.orderErrors, 0, 'W7fan: messages of one actor collected out of order');
    },
  },
  {
    id: 'W8',
    title: 'W8 CPU-bound: N items, each hashed `rounds` times (sha256), on every core (a pool of os.availableParallelism() threads) against one thread',
    kind: 'rate',
    unit: 'items/s',
    calibrate: true,
    threads: true,
    full: { n: 10_000, rounds: 100, chunk: 50 },
    quick: { n: 1_000, rounds: 100, chunk: 50 },
    verify(p, obs, checks) {
      checks.equal(obs.results.length, p.n, 'W8: items hashed');
      // Every 97th result, recomputed here: the work was really done, on the right item.
      for (let i = 0; i < p.n; i += 97) checks.equal(obs.results[i], hashItem(`item-${i}`, p.rounds), `W8: the digest of item ${i}`);
    },
  },
  {
    id: 'W9',
    title: 'W9 ping-pong between processes over NATS: an actor here and one in another process exchange N messages through a nats-server on loopback (the baseline row is the raw NATS client, publish/subscribe)',
    kind: 'rate',
    unit: 'msg/s',
    calibrate: true,
    nats: true,
    group: 'w9',
    full: { n: 100_000 },
    quick: { n: 4_000 },
    verify: pingPongChecks('W9', 'in the other process'),
  },
  natsAsk('W9ask', 1),
  natsAsk('W9ask100', 100),
];

/**
 * A W9 ask row: `concurrency` askers here each ask an actor in another
 * process (through a nats-server on loopback) N / concurrency times in
 * turn; the baseline is the raw NATS client's request/reply.
 */
function natsAsk(id, concurrency) {
  return {
    id,
    title: `W9 ask between processes over NATS, ${concurrency} asker${concurrency === 1 ? '' : 's'} at a time: N request/replies to an actor in another process (the baseline row is the raw NATS client, request())`,
    kind: 'rate',
    unit: 'asks/s',
    calibrate: true,
    nats: true,
    group: 'w9',
    full: { n: 200_000, concurrency },
    quick: { n: 2_000, concurrency },
    verify(p, obs, checks) {
      checks.equal(obs.answered, p.n, `${id}: asks answered`);
      checks.equal(obs.sum, triangle(p.n), `${id}: checksum of the answers`);
      checks.that(obs.maxInFlight <= p.concurrency, `${id}: ${obs.maxInFlight} asks in flight for ${p.concurrency} askers`);
    },
  };
}

/**
 * The supervisor scaling rows (issue 12): a simpleOneForOne supervisor starts
 * N dynamic children (actors idle on their inboxes) one `startChild` at a
 * time, then stops them one `terminateChild` at a time. One row per N, so the
 * time per child shows how it scales: flat means O(1) per child.
 */
function supervisorRow(id, n, quickN) {
  return {
    id,
    group: 'sup',
    title: `supervisor: start then stop N dynamic children (N = ${n.toLocaleString('en-US')})`,
    kind: 'perItem',
    unit: 'µs/child',
    full: { n },
    quick: { n: quickN },
    verify(p, obs, checks) {
      checks.equal(obs.started, p.n, 'sup: children running after the starts');
      checks.equal(obs.stopped, p.n, 'sup: children dead after the terminates');
      checks.equal(obs.left, 0, 'sup: children the supervisor still lists');
    },
  };
}

WORKLOADS.push(supervisorRow('sup1k', 1_000, 1_000), supervisorRow('sup10k', 10_000, 2_000), supervisorRow('sup100k', 100_000, 5_000));

export const WORKLOAD_IDS = WORKLOADS.map((w) => w.id);

export function workload(id) {
  const w = WORKLOADS.find((x) => x.id === id);
  if (w === undefined) throw new Error(`unknown workload ${JSON.stringify(id)}; known: ${WORKLOAD_IDS.join(', ')}`);
  return w;
}
