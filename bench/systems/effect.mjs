/**
 * The workloads on Effect (the pinned devDependency; v4 API): fibers made
 * with `Effect.forkChild` inside `Effect.gen`, joined with `Fiber.join` /
 * `Fiber.joinAll`; inboxes are `Queue.unbounded`, pipeline queues
 * `Queue.bounded(64)` (backpressure by suspension), yields `Effect.yieldNow`,
 * sleeps `Effect.sleep`. Run with `Effect.runPromise` and the default
 * runtime, as an application would.
 */
import { readFileSync } from 'node:fs';
import { Effect, Fiber, Queue } from 'effect';
import { SleepLog, settledHeap } from '../workloads.mjs';

export const system = {
  name: 'effect',
  description: 'Effect: Fiber, Queue, Effect.gen',
  fifo: false,
  version: JSON.parse(readFileSync(new URL('../../node_modules/effect/package.json', import.meta.url), 'utf8')).version,
  na: {
    W6: 'its HTTP server is in @effect/platform, not a dependency here: W6 compares grove with plain node:http',
  },
};

const switcher = (id, n, state) =>
  Effect.gen(function* () {
    let k = 0;
    for (; k < n; k++) {
      if (state.last === id) state.violations++;
      state.last = id;
      yield* Effect.yieldNow;
    }
    return k;
  });

const player = (me, peer, n, first, out) =>
  Effect.gen(function* () {
    let expected = first;
    let received = 0;
    let sum = 0;
    let bad = 0;
    for (;;) {
      const i = yield* Queue.take(me);
      if (i !== expected) bad++;
      expected = i + 2;
      received++;
      sum += i;
      if (i + 1 < n) yield* Queue.offer(peer, i + 1);
      if (i + 2 >= n) break;
    }
    out.received[first] = received;
    out.sum += sum;
    out.orderErrors += bad;
  });

const yieldOnce = (i, stats) =>
  Effect.gen(function* () {
    yield* Effect.yieldNow;
    stats.ran++;
    return i;
  });

const idle = (inbox, stats) =>
  Effect.gen(function* () {
    stats.started++;
    const m = yield* Queue.take(inbox);
    stats.handled++;
    stats.sum += m;
  });

const producer = (out, n, progress) =>
  Effect.gen(function* () {
    let maxAhead = 0;
    for (let i = 0; i < n; i++) {
      const ahead = i - progress.sunk;
      if (ahead > maxAhead) maxAhead = ahead;
      yield* Queue.offer(out, i);
    }
    yield* Queue.offer(out, -1);
    progress.maxAhead = maxAhead;
  });

const stage = (input, output) =>
  Effect.gen(function* () {
    for (;;) {
      const x = yield* Queue.take(input);
      if (x < 0) {
        yield* Queue.offer(output, x);
        return;
      }
      yield* Queue.offer(output, x + 1);
    }
  });

const sink = (input, progress) =>
  Effect.gen(function* () {
    let expected = 3;
    let count = 0;
    let sum = 0;
    let bad = 0;
    for (;;) {
      const x = yield* Queue.take(input);
      if (x < 0) break;
      if (x !== expected) bad++;
      expected++;
      sum += x;
      progress.sunk = ++count;
    }
    return { count, sum, orderErrors: bad };
  });

const worker = (inbox, collector, perActor) =>
  Effect.gen(function* () {
    let forwarded = 0;
    while (forwarded < perActor) {
      const m = yield* Queue.take(inbox);
      yield* Queue.offer(collector, m);
      forwarded++;
    }
    return forwarded;
  });

const collect = (inbox, total) =>
  Effect.gen(function* () {
    let sum = 0;
    for (let k = 0; k < total; k++) sum += yield* Queue.take(inbox);
    return sum;
  });

const sleeper = (ms, log) =>
  Effect.gen(function* () {
    yield* Effect.sleep(ms);
    log.woke(ms);
  });

export const workloads = {
  switch: ({ n }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const state = { last: -1, violations: 0 };
        const a = yield* Effect.forkChild(switcher(0, n / 2, state));
        const b = yield* Effect.forkChild(switcher(1, n / 2, state));
        const counts = yield* Fiber.joinAll([a, b]);
        return { counts, violations: state.violations, extra: { alternationViolations: state.violations } };
      }),
    ),

  W1: ({ n }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const out = { received: [0, 0], sum: 0, orderErrors: 0 };
        const pingInbox = yield* Queue.unbounded();
        const pongInbox = yield* Queue.unbounded();
        const pong = yield* Effect.forkChild(player(pongInbox, pingInbox, n, 0, out));
        const ping = yield* Effect.forkChild(player(pingInbox, pongInbox, n, 1, out));
        yield* Queue.offer(pongInbox, 0);
        yield* Fiber.joinAll([pong, ping]);
        return out;
      }),
    ),

  W2: ({ n }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const stats = { ran: 0 };
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(yieldOnce(i, stats));
        const values = yield* Fiber.joinAll(fibers);
        let sum = 0;
        for (const v of values) sum += v;
        return { ran: stats.ran, joined: values.length, sum };
      }),
    ),

  W2mem: ({ n }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const stats = { started: 0, handled: 0, sum: 0 };
        const fibers = new Array(n).fill(null);
        const inboxes = new Array(n).fill(null);
        const before = settledHeap();
        for (let i = 0; i < n; i++) {
          const inbox = yield* Queue.unbounded();
          inboxes[i] = inbox;
          fibers[i] = yield* Effect.forkChild(idle(inbox, stats));
        }
        while (stats.started < n) yield* Effect.yieldNow;
        const bytes = settledHeap() - before;
        for (let i = 0; i < n; i++) yield* Queue.offer(inboxes[i], i);
        yield* Fiber.joinAll(fibers);
        return { bytes, handled: stats.handled, sum: stats.sum };
      }),
    ),

  W3: ({ n, capacity }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const progress = { sunk: 0, maxAhead: 0 };
        const qs = [];
        for (let s = 0; s < 4; s++) qs.push(yield* Queue.bounded(capacity));
        yield* Effect.forkChild(producer(qs[0], n, progress));
        for (let s = 0; s < 3; s++) yield* Effect.forkChild(stage(qs[s], qs[s + 1]));
        const result = yield* Fiber.join(yield* Effect.forkChild(sink(qs[3], progress)));
        return { ...result, maxAhead: progress.maxAhead };
      }),
    ),

  W4: ({ actors, perActor }) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const total = actors * perActor;
        const collectorInbox = yield* Queue.unbounded();
        const collector = yield* Effect.forkChild(collect(collectorInbox, total));
        const inboxes = new Array(actors);
        const workers = new Array(actors);
        for (let a = 0; a < actors; a++) {
          inboxes[a] = yield* Queue.unbounded();
          workers[a] = yield* Effect.forkChild(worker(inboxes[a], collectorInbox, perActor));
        }
        for (let r = 0; r < perActor; r++) {
          for (let a = 0; a < actors; a++) yield* Queue.offer(inboxes[a], r * actors + a);
          yield* Effect.yieldNow;
        }
        const sum = yield* Fiber.join(collector);
        const forwarded = yield* Fiber.joinAll(workers);
        return { collected: total, sum, minPerActor: Math.min(...forwarded), maxPerActor: Math.max(...forwarded) };
      }),
    ),

  W5: (p) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const log = new SleepLog(p);
        log.start();
        const fibers = new Array(p.count);
        for (let i = 0; i < p.count; i++) fibers[i] = yield* Effect.forkChild(sleeper(log.delays[i], log));
        yield* Fiber.joinAll(fibers);
        return log.result();
      }),
    ),
};
