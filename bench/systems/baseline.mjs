/**
 * The workloads on the hand-written baseline scheduler
 * (bench/baseline/scheduler.mjs): grove's design at the speed of light.
 * An actor is a task and its unbounded inbox Queue. W6's baseline is no
 * scheduler at all: plain `node:http`, the server grove's HttpServer wraps;
 * W7's is raw `worker_threads` (one postMessage per message), W8's a
 * plain loop on one thread, and W9's the raw NATS client
 * (`@nats-io/transport-node`) with baseline/nats-peer.mjs as the other
 * process.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Queue, Scheduler, get, join, put, sleep, sleep0, spawn } from '../baseline/scheduler.mjs';
import { Worker } from 'node:worker_threads';
import { SleepLog, hashItem, hashItems, settledHeap } from '../workloads.mjs';
import { HELLO, runLoad } from '../http-load.mjs';
import { latency, natsUrl, startPeer } from '../nats.mjs';

export const system = {
  name: 'baseline',
  description: 'minimal hand-written generator scheduler (bench/baseline/scheduler.mjs)',
  fifo: true,
  version: null,
};

const sched = new Scheduler();

function* switcher(id, n, state) {
  let k = 0;
  for (; k < n; k++) {
    if (state.last === id) state.violations++;
    state.last = id;
    yield sleep0;
  }
  return k;
}

function* player(me, peer, n, first, out) {
  let expected = first;
  let received = 0;
  let sum = 0;
  let bad = 0;
  for (;;) {
    const i = yield get(me);
    if (i !== expected) bad++;
    expected = i + 2;
    received++;
    sum += i;
    if (i + 1 < n) yield put(peer, i + 1);
    if (i + 2 >= n) break;
  }
  out.received[first] = received;
  out.sum += sum;
  out.orderErrors += bad;
}

function* yieldOnce(i, stats) {
  yield sleep0;
  stats.ran++;
  return i;
}

function* idle(inbox, stats) {
  stats.started++;
  const m = yield get(inbox);
  stats.handled++;
  stats.sum += m;
}

function* producer(out, n, progress) {
  let maxAhead = 0;
  for (let i = 0; i < n; i++) {
    const ahead = i - progress.sunk;
    if (ahead > maxAhead) maxAhead = ahead;
    yield put(out, i);
  }
  yield put(out, -1);
  progress.maxAhead = maxAhead;
}

function* stage(input, output) {
  for (;;) {
    const x = yield get(input);
    if (x < 0) {
      yield put(output, x);
      return;
    }
    yield put(output, x + 1);
  }
}

function* sink(input, progress) {
  let expected = 3;
  let count = 0;
  let sum = 0;
  let bad = 0;
  for (;;) {
    const x = yield get(input);
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
    const m = yield get(inbox);
    yield put(collector, m);
    forwarded++;
  }
  return forwarded;
}

function* collect(inbox, total) {
  let sum = 0;
  for (let k = 0; k < total; k++) sum += yield get(inbox);
  return sum;
}

function* sleeper(ms, log) {
  yield sleep(ms);
  log.woke(ms);
}

export const workloads = {
  switch: ({ n }) =>
    sched.run(function* () {
      const state = { last: -1, violations: 0 };
      const a = yield spawn(switcher(0, n / 2, state));
      const b = yield spawn(switcher(1, n / 2, state));
      const counts = [yield join(a), yield join(b)];
      return { counts, violations: state.violations };
    }),

  W1: ({ n }) =>
    sched.run(function* () {
      const out = { received: [0, 0], sum: 0, orderErrors: 0 };
      const pingInbox = new Queue();
      const pongInbox = new Queue();
      const pong = yield spawn(player(pongInbox, pingInbox, n, 0, out));
      const ping = yield spawn(player(pingInbox, pongInbox, n, 1, out));
      yield put(pongInbox, 0);
      yield join(pong);
      yield join(ping);
      return out;
    }),

  W2: ({ n }) =>
    sched.run(function* () {
      const stats = { ran: 0 };
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = yield spawn(yieldOnce(i, stats));
      let sum = 0;
      let joined = 0;
      for (let i = 0; i < n; i++) {
        sum += yield join(tasks[i]);
        joined++;
      }
      return { ran: stats.ran, joined, sum };
    }),

  W2mem: ({ n }) =>
    sched.run(function* () {
      const stats = { started: 0, handled: 0, sum: 0 };
      const tasks = new Array(n).fill(null);
      const inboxes = new Array(n).fill(null);
      const before = settledHeap();
      for (let i = 0; i < n; i++) {
        const inbox = new Queue();
        inboxes[i] = inbox;
        tasks[i] = yield spawn(idle(inbox, stats));
      }
      while (stats.started < n) yield sleep0;
      const bytes = settledHeap() - before;
      for (let i = 0; i < n; i++) yield put(inboxes[i], i);
      for (let i = 0; i < n; i++) yield join(tasks[i]);
      return { bytes, handled: stats.handled, sum: stats.sum };
    }),

  W3: ({ n, capacity }) =>
    sched.run(function* () {
      const progress = { sunk: 0, maxAhead: 0 };
      const qs = [new Queue(capacity), new Queue(capacity), new Queue(capacity), new Queue(capacity)];
      yield spawn(producer(qs[0], n, progress));
      for (let s = 0; s < 3; s++) yield spawn(stage(qs[s], qs[s + 1]));
      const result = yield join(yield spawn(sink(qs[3], progress)));
      return { ...result, maxAhead: progress.maxAhead };
    }),

  W4: ({ actors, perActor }) =>
    sched.run(function* () {
      const total = actors * perActor;
      const collectorInbox = new Queue();
      const collector = yield spawn(collect(collectorInbox, total));
      const inboxes = new Array(actors);
      const workers = new Array(actors);
      for (let a = 0; a < actors; a++) {
        inboxes[a] = new Queue();
        workers[a] = yield spawn(worker(inboxes[a], collectorInbox, perActor));
      }
      for (let r = 0; r < perActor; r++) {
        for (let a = 0; a < actors; a++) yield put(inboxes[a], r * actors + a);
        yield sleep0;
      }
      const sum = yield join(collector);
      let minPerActor = Infinity;
      let maxPerActor = 0;
      for (let a = 0; a < actors; a++) {
        const forwarded = yield join(workers[a]);
        if (forwarded < minPerActor) minPerActor = forwarded;
        if (forwarded > maxPerActor) maxPerActor = forwarded;
      }
      return { collected: total, sum, minPerActor, maxPerActor };
    }),

  W5: (p) =>
    sched.run(function* () {
      const log = new SleepLog(p);
      log.start();
      const tasks = new Array(p.count);
      for (let i = 0; i < p.count; i++) tasks[i] = yield spawn(sleeper(log.delays[i], log));
      for (let i = 0; i < p.count; i++) yield join(tasks[i]);
      return log.result();
    }),

  W6: async (p) => {
    const server = createServer((_request, response) => {
      // grove's end(body) sends the length too: the same bytes on the wire.
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': HELLO.length }).end(HELLO);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      return await runLoad(server.address().port, p);
    } finally {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  },
  // W7: raw worker_threads, one postMessage per message (bench/baseline/port-worker.mjs is the other side).
  W7: ({ n }) =>
    new Promise((resolve) => {
      const thread = portWorker();
      const out = { received: [0, 0], sum: 0, orderErrors: 0 };
      let expected = 1;
      const onMessage = (message) => {
        if (typeof message !== 'number') {
          thread.off('message', onMessage);
          const [, received, sum, bad] = message;
          out.received[0] = received;
          out.sum += sum;
          out.orderErrors += bad;
          resolve(out);
          return;
        }
        if (message !== expected) out.orderErrors++;
        expected = message + 2;
        out.received[1]++;
        out.sum += message;
        if (message + 1 < n) thread.postMessage(message + 1);
        if (message + 2 >= n) thread.postMessage(['report']);
      };
      thread.on('message', onMessage);
      thread.postMessage(['start', n]);
      thread.postMessage(0);
    }),

  W7fan: ({ actors, perActor }) =>
    new Promise((resolve) => {
      const thread = portWorker();
      const total = actors * perActor;
      const last = new Array(actors).fill(-1);
      let collected = 0;
      let sum = 0;
      let bad = 0;
      const onMessage = (m) => {
        const a = m % actors;
        if (m < last[a]) bad++;
        last[a] = m;
        sum += m;
        if (++collected === total) {
          thread.off('message', onMessage);
          resolve({ collected, sum, orderErrors: bad });
        }
      };
      thread.on('message', onMessage);
      for (let r = 0; r < perActor; r++) for (let a = 0; a < actors; a++) thread.postMessage([a, r * actors + a]);
    }),

  // W9: the raw NATS client, one publish per message, the peer process answering on another subject.
  W9: async ({ n }) => {
    const nc = await theConnection();
    await nc.request('bench.start', '');
    const samples = new Float64Array(n >> 1);
    const out = { received: [0, 0], sum: 0, orderErrors: 0 };
    await new Promise((resolve) => {
      let expected = 1;
      let sentAt = performance.now();
      const sub = nc.subscribe('bench.ping', {
        callback: (_error, msg) => {
          const i = Number(msg.string());
          const now = performance.now();
          samples[i >> 1] = now - sentAt;
          sentAt = now;
          if (i !== expected) out.orderErrors++;
          expected = i + 2;
          out.received[1]++;
          out.sum += i;
          if (i + 1 < n) nc.publish('bench.pong', String(i + 1));
          if (i + 2 >= n) {
            sub.unsubscribe();
            resolve();
          }
        },
      });
      nc.publish('bench.pong', '0');
    });
    const [received, sum, bad] = (await nc.request('bench.report', '')).string().split(' ').map(Number);
    out.received[0] = received;
    out.sum += sum;
    out.orderErrors += bad;
    return { ...out, extra: latency(samples) };
  },
  W9ask: natsRequests,
  W9ask100: natsRequests,

  // W8: the same hashing on one thread, in a plain loop.
  W8: ({ n, rounds }) => {
    const items = hashItems(n);
    const results = new Array(n);
    for (let i = 0; i < n; i++) results[i] = hashItem(items[i], rounds);
    return { results };
  },
};

let echoThread = null;
/** W7's worker thread, started once per process (the child exits when the measurement is done). */
function portWorker() {
  return (echoThread ??= new Worker(new URL('../baseline/port-worker.mjs', import.meta.url)));
}

/** W9: a raw NATS connection to this process's nats-server, with the peer process (baseline/nats-peer.mjs) up; once per process. */
let natsConnection = null;
function theConnection() {
  natsConnection ??= (async () => {
    const url = await natsUrl();
    await startPeer('baseline/nats-peer.mjs', url);
    const { connect } = await import('@nats-io/transport-node');
    return connect({ servers: url });
  })();
  return natsConnection;
}

/** W9ask: `concurrency` loops call request() in turn, loop j asking j, j + c, j + 2c... below n. */
async function natsRequests({ n, concurrency }) {
  const nc = await theConnection();
  const samples = new Float64Array(n);
  const out = { answered: 0, sum: 0, maxInFlight: 0 };
  let inFlight = 0;
  const loop = async (j) => {
    for (let i = j; i < n; i += concurrency) {
      if (++inFlight > out.maxInFlight) out.maxInFlight = inFlight;
      const t0 = performance.now();
      const answer = Number((await nc.request('bench.echo', String(i))).string());
      samples[i] = performance.now() - t0;
      inFlight--;
      out.answered++;
      out.sum += answer;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, j) => loop(j)));
  return { ...out, extra: latency(samples) };
}

/** Work done before a workload's warm-up, outside its timing (bench/child.mjs). */
export const setup = {
  W7: portWorker,
  W7fan: portWorker,
  W9: theConnection,
  W9ask: theConnection,
  W9ask100: theConnection,
};
