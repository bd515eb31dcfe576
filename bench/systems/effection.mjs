/**
 * The workloads on Effection (the pinned devDependency; v4 API): tasks from
 * `spawn` inside `run`, joined with `yield* task`; inboxes are
 * `createQueue()` (unbounded, synchronous `add`, `yield* queue.next()`).
 *
 * Effection has no bounded queue, so W3's queues of 64 are two
 * createQueue()s — the items and the free slots (64 tokens) — which is how
 * backpressure is composed from its primitives. It has no yield to the
 * scheduler either: `sleep(0)` is a setTimeout, so `switch` and W2 measure
 * that, and W4's router yields between rounds with it.
 */
import { readFileSync } from 'node:fs';
import { createQueue, run, sleep, spawn } from 'effection';
import { SleepLog, settledHeap } from '../workloads.mjs';

export const system = {
  name: 'effection',
  description: 'Effection: spawn, createQueue, sleep',
  fifo: false,
  version: JSON.parse(readFileSync(new URL('../../node_modules/effection/package.json', import.meta.url), 'utf8')).version,
  na: {
    W6: 'no HTTP server: W6 compares grove with plain node:http',
  },
};

/** A bounded queue: items, plus a queue of free-slot tokens a put must take first. */
function boundedQueue(capacity) {
  const items = createQueue();
  const slots = createQueue();
  for (let i = 0; i < capacity; i++) slots.add(true);
  return {
    *put(item) {
      yield* slots.next();
      items.add(item);
    },
    *get() {
      const next = yield* items.next();
      slots.add(true);
      return next.value;
    },
  };
}

function* receive(inbox) {
  return (yield* inbox.next()).value;
}

function* switcher(id, n, state) {
  let k = 0;
  for (; k < n; k++) {
    if (state.last === id) state.violations++;
    state.last = id;
    yield* sleep(0);
  }
  return k;
}

function* player(me, peer, n, first, out) {
  let expected = first;
  let received = 0;
  let sum = 0;
  let bad = 0;
  for (;;) {
    const i = yield* receive(me);
    if (i !== expected) bad++;
    expected = i + 2;
    received++;
    sum += i;
    if (i + 1 < n) peer.add(i + 1);
    if (i + 2 >= n) break;
  }
  out.received[first] = received;
  out.sum += sum;
  out.orderErrors += bad;
}

function* producer(out, n, progress) {
  let maxAhead = 0;
  for (let i = 0; i < n; i++) {
    const ahead = i - progress.sunk;
    if (ahead > maxAhead) maxAhead = ahead;
    yield* out.put(i);
  }
  yield* out.put(-1);
  progress.maxAhead = maxAhead;
}

function* stage(input, output) {
  for (;;) {
    const x = yield* input.get();
    if (x < 0) {
      yield* output.put(x);
      return;
    }
    yield* output.put(x + 1);
  }
}

function* sink(input, progress) {
  let expected = 3;
  let count = 0;
  let sum = 0;
  let bad = 0;
  for (;;) {
    const x = yield* input.get();
    if (x < 0) break;
    if (x !== expected) bad++;
    expected++;
    sum += x;
    progress.sunk = ++count;
  }
  return { count, sum, orderErrors: bad };
}

function* worker(inbox, collector, perActor) {
  let forwarded = 0;
  while (forwarded < perActor) {
    collector.add(yield* receive(inbox));
    forwarded++;
  }
  return forwarded;
}

function* collect(inbox, total) {
  let sum = 0;
  for (let k = 0; k < total; k++) sum += yield* receive(inbox);
  return sum;
}

export const workloads = {
  switch: ({ n }) =>
    run(function* () {
      const state = { last: -1, violations: 0 };
      const a = yield* spawn(() => switcher(0, n / 2, state));
      const b = yield* spawn(() => switcher(1, n / 2, state));
      const counts = [yield* a, yield* b];
      return { counts, violations: state.violations, extra: { alternationViolations: state.violations } };
    }),

  W1: ({ n }) =>
    run(function* () {
      const out = { received: [0, 0], sum: 0, orderErrors: 0 };
      const pingInbox = createQueue();
      const pongInbox = createQueue();
      const pong = yield* spawn(() => player(pongInbox, pingInbox, n, 0, out));
      const ping = yield* spawn(() => player(pingInbox, pongInbox, n, 1, out));
      pongInbox.add(0);
      yield* pong;
      yield* ping;
      return out;
    }),

  W2: ({ n }) =>
    run(function* () {
      const stats = { ran: 0 };
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) {
        tasks[i] = yield* spawn(function* () {
          yield* sleep(0);
          stats.ran++;
          return i;
        });
      }
      let sum = 0;
      let joined = 0;
      for (const task of tasks) {
        sum += yield* task;
        joined++;
      }
      return { ran: stats.ran, joined, sum };
    }),

  W2mem: ({ n }) =>
    run(function* () {
      const stats = { started: 0, handled: 0, sum: 0 };
      const tasks = new Array(n).fill(null);
      const inboxes = new Array(n).fill(null);
      const before = settledHeap();
      for (let i = 0; i < n; i++) {
        const inbox = createQueue();
        inboxes[i] = inbox;
        tasks[i] = yield* spawn(function* () {
          stats.started++;
          const m = yield* receive(inbox);
          stats.handled++;
          stats.sum += m;
        });
      }
      while (stats.started < n) yield* sleep(0);
      const bytes = settledHeap() - before;
      for (let i = 0; i < n; i++) inboxes[i].add(i);
      for (const task of tasks) yield* task;
      return { bytes, handled: stats.handled, sum: stats.sum };
    }),

  W3: ({ n, capacity }) =>
    run(function* () {
      const progress = { sunk: 0, maxAhead: 0 };
      const qs = [boundedQueue(capacity), boundedQueue(capacity), boundedQueue(capacity), boundedQueue(capacity)];
      yield* spawn(() => producer(qs[0], n, progress));
      for (let s = 0; s < 3; s++) yield* spawn(() => stage(qs[s], qs[s + 1]));
      const result = yield* yield* spawn(() => sink(qs[3], progress));
      return { ...result, maxAhead: progress.maxAhead };
    }),

  W4: ({ actors, perActor }) =>
    run(function* () {
      const total = actors * perActor;
      const collectorInbox = createQueue();
      const collector = yield* spawn(() => collect(collectorInbox, total));
      const inboxes = new Array(actors);
      const workers = new Array(actors);
      for (let a = 0; a < actors; a++) {
        const inbox = createQueue();
        inboxes[a] = inbox;
        workers[a] = yield* spawn(() => worker(inbox, collectorInbox, perActor));
      }
      for (let r = 0; r < perActor; r++) {
        for (let a = 0; a < actors; a++) inboxes[a].add(r * actors + a);
        yield* sleep(0);
      }
      const sum = yield* collector;
      let minPerActor = Infinity;
      let maxPerActor = 0;
      for (const w of workers) {
        const forwarded = yield* w;
        minPerActor = Math.min(minPerActor, forwarded);
        maxPerActor = Math.max(maxPerActor, forwarded);
      }
      return { collected: total, sum, minPerActor, maxPerActor };
    }),

  W5: (p) =>
    run(function* () {
      const log = new SleepLog(p);
      log.start();
      const tasks = new Array(p.count);
      for (let i = 0; i < p.count; i++) {
        const ms = log.delays[i];
        tasks[i] = yield* spawn(function* () {
          yield* sleep(ms);
          log.woke(ms);
        });
      }
      for (const task of tasks) yield* task;
      return log.result();
    }),
};
