/**
 * The workloads on grove, through its public API, loaded from the BUILT
 * bundle (dist/, `npm run build`) — never through tsx, whose keepNames
 * output makes V8 construct derived-class objects ~10x slower (see
 * bench/README.md). What users import is what is measured.
 *
 * W1, W4 and W2mem use actors (`grove/actors`: Actor, send) and W3 uses
 * `Queue`: they are written against DESIGN.md and report `n/a (not built
 * yet)` until dist/ has those exports, so the suite picks them up by itself
 * once lib/queue.ts and actors/ land. The sup rows use `grove/supervision`;
 * W7 and W8 use `grove/cluster`, with grove-thread.mjs as their threads' module;
 * W9 joins a cluster over NATS with grove-nats-peer.mjs as the other process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { NotApplicable, SleepLog, hashItems, settledHeap } from '../workloads.mjs';
import { HELLO, runLoad } from '../http-load.mjs';
import { latency, natsUrl, startPeer } from '../nats.mjs';

// GROVE_BENCH_DIST measures another build (a copy of dist/ from before a change, say).
const dist = process.env.GROVE_BENCH_DIST
  ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/')
  : new URL('../../dist/', import.meta.url);
if (!existsSync(new URL('index.js', dist))) {
  throw new Error(`grove: ${fileURLToPath(dist)}index.js is missing; run \`npm run build\` first (npm run bench does)`);
}
const grove = await import(new URL('index.js', dist).href);
const actorsModule = existsSync(new URL('actors.js', dist)) ? await import(new URL('actors.js', dist).href) : null;
const serverModule = existsSync(new URL('server.js', dist)) ? await import(new URL('server.js', dist).href) : null;
const supervisionModule = existsSync(new URL('supervision.js', dist)) ? await import(new URL('supervision.js', dist).href) : null;
const clusterModule = existsSync(new URL('cluster.js', dist)) ? await import(new URL('cluster.js', dist).href) : null;
const { run, spawn, sleep, joinAll, call } = grove;

// GROVE_BENCH_OBSERVER=1: every workload runs on a hub watched by grove/observer with a page open
// (its event stream read by a worker thread, as a browser would): compare with a run without it.
if (process.env.GROVE_BENCH_OBSERVER === '1') {
  const { serveObserver } = await import(new URL('observer.js', dist).href);
  const { openPage } = await import('../observer-page.mjs');
  const observer = await run(() => serveObserver());
  await openPage(observer.url);
}

export const system = {
  name: 'grove',
  description: 'grove, from the built bundle dist/index.js',
  fifo: true,
  version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
};

/** The export `name` of grove (or of grove/actors), or n/a naming what is missing. */
function need(module, name, where) {
  const value = module?.[name];
  if (value === undefined) {
    const file =
      module === actorsModule ? 'dist/actors.js' : module === serverModule ? 'dist/server.js' : module === supervisionModule ? 'dist/supervision.js'
        : module === clusterModule ? 'dist/cluster.js' : 'dist/index.js';
    throw new NotApplicable(`not built yet: ${file} has no ${name} (${where})`);
  }
  return value;
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

function* yieldOnce(i, stats) {
  yield* sleep(0);
  stats.ran++;
  return i;
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

function* sleeper(ms, log) {
  yield* sleep(ms);
  log.woke(ms);
}

/** The actor classes, made on first use (Actor may not exist yet). */
let actorClasses = null;
function actors(workloadId) {
  if (actorClasses !== null) return actorClasses;
  const Actor = need(actorsModule, 'Actor', `actors/, needed by ${workloadId}`);

  /** W1: receives message i, sends i + 1 to its peer; stops after its last message. */
  class Player extends Actor {
    #peer = null;
    #n;
    #expected;
    #received = 0;
    #sum = 0;
    #bad = 0;
    constructor(name, n, first) {
      super({ name });
      this.#n = n;
      this.#expected = first;
    }
    benchSetPeer(peer) {
      this.#peer = peer;
    }
    /** W9: times each round trip (from sending i to receiving i + 1). */
    benchTime(n) {
      this.#samples = new Float64Array(n >> 1);
      this.#sentAt = performance.now();
    }
    benchSamples() {
      return this.#samples;
    }
    #samples = null;
    #sentAt = 0;
    receive(i) {
      if (this.#samples !== null) {
        const now = performance.now();
        this.#samples[i >> 1] = now - this.#sentAt;
        this.#sentAt = now;
      }
      if (i !== this.#expected) this.#bad++;
      this.#expected = i + 2;
      this.#received++;
      this.#sum += i;
      if (i + 1 < this.#n) this.#peer.send(i + 1);
      if (i + 2 >= this.#n) this.stop();
    }
    benchReport(out, slot) {
      out.received[slot] = this.#received;
      out.sum += this.#sum;
      out.orderErrors += this.#bad;
    }
  }

  /** W2mem: idles on its inbox until its one message. */
  class Idle extends Actor {
    #stats;
    constructor(stats) {
      super();
      this.#stats = stats;
    }
    receive(m) {
      this.#stats.handled++;
      this.#stats.sum += m;
      this.stop();
    }
  }

  /** W4: forwards each message to the collector; stops after `perActor`. */
  class Worker extends Actor {
    #collector;
    #left;
    #forwarded = 0;
    constructor(collector, perActor) {
      super();
      this.#collector = collector;
      this.#left = perActor;
    }
    receive(m) {
      this.#collector.send(m);
      this.#forwarded++;
      if (--this.#left === 0) this.stop();
    }
    get benchForwarded() {
      return this.#forwarded;
    }
  }

  /** W4: sums what arrives; stops after `total`. */
  class Collector extends Actor {
    #left;
    #collected = 0;
    #sum = 0;
    constructor(total) {
      super({ name: 'collector' });
      this.#left = total;
    }
    receive(m) {
      this.#sum += m;
      this.#collected++;
      if (--this.#left === 0) this.stop();
    }
    benchResult() {
      return { collected: this.#collected, sum: this.#sum };
    }
  }

  /** sup rows: a dynamic child that idles on its inbox until it is stopped. */
  class Child extends Actor {
    receive() {}
  }

  /** W7fan: on the main thread, counts and sums what the worker thread's actors forward; reused across runs. */
  class FanIn extends Actor {
    #actors;
    #left = 0;
    #last = [];
    #sum = 0;
    #bad = 0;
    #done = null;
    constructor(actors) {
      super({ name: 'fan-in' });
      this.#actors = actors;
    }
    benchExpect(total, done) {
      this.#left = total;
      this.#last = new Array(this.#actors).fill(-1);
      this.#sum = 0;
      this.#bad = 0;
      this.#done = done;
    }
    receive(m) {
      const a = m % this.#actors;
      if (m < this.#last[a]) this.#bad++;
      this.#last[a] = m;
      this.#sum += m;
      if (--this.#left === 0) this.#done.set({ sum: this.#sum, orderErrors: this.#bad });
    }
  }

  return (actorClasses = { Player, Idle, Worker, Collector, Child, FanIn });
}

/**
 * The sup rows: start `n` dynamic children one startChild at a time, then
 * stop them one terminateChild at a time (the plain reads count them: they
 * exist on every build measured).
 */
function superviseChildren(workloadId, n) {
  const Supervisor = need(supervisionModule, 'Supervisor', `supervision/, needed by ${workloadId}`);
  const { Child } = actors(workloadId);
  return run(function* () {
    const sup = new Supervisor({ name: 'pool', strategy: 'simpleOneForOne', children: [{ id: 'child', start: () => new Child() }] }).start();
    yield* sup.up();
    const children = new Array(n);
    for (let i = 0; i < n; i++) children[i] = yield* sup.startChild([]);
    const started = sup.countChildren().active;
    for (let i = 0; i < n; i++) yield* sup.terminateChild(children[i]);
    let stopped = 0;
    for (const child of children) if (child.dead) stopped++;
    const left = sup.whichChildren().length;
    sup.stop();
    yield* sup.join();
    return { started, stopped, left };
  });
}

/** W7, W8: grove/cluster, a worker thread (and a pool) running bench/systems/grove-thread.mjs, started once per process. */
const threadModule = new URL('grove-thread.mjs', import.meta.url);
let benchThread = null;
let benchPool = null;
const fans = new Map();

function* theThread(workloadId) {
  const spawnThread = need(clusterModule, 'spawnThread', `cluster/, needed by ${workloadId}`);
  return (benchThread ??= yield* spawnThread(threadModule, { name: 'bench' }));
}

function* thePool(workloadId) {
  const spawnThreads = need(clusterModule, 'spawnThreads', `cluster/, needed by ${workloadId}`);
  if (benchPool === null) {
    const { spawnRemote, spawnable } = clusterModule;
    const pool = yield* spawnThreads(threadModule, { threads: availableParallelism(), name: 'hash' });
    const hashers = [];
    for (const thread of pool.nodes()) hashers.push(yield* spawnRemote(thread, spawnable('bench-hasher')));
    benchPool = { pool, hashers };
  }
  return benchPool;
}

/**
 * W7, W9: a ping actor here and a `bench-pong` actor spawned on `where` (a
 * thread, a node) exchange n messages; with `timed`, each round trip is
 * timed (the latency percentiles go in `extra`).
 */
function* pingPong(workloadId, n, where, timed) {
  const { Player } = actors(workloadId);
  const { ask } = actorsModule;
  const { spawnRemote, spawnable } = clusterModule;
  const ping = new Player('ping', n, 1).start();
  const pong = yield* spawnRemote(where, spawnable('bench-pong'), n, ping);
  ping.benchSetPeer(pong);
  if (timed) ping.benchTime(n);
  pong.send(0);
  yield* ping.join();
  const out = { received: [0, 0], sum: 0, orderErrors: 0 };
  ping.benchReport(out, 1);
  const [received, sum, bad] = yield* ask(pong, (report) => ({ report }));
  out.received[0] = received;
  out.sum += sum;
  out.orderErrors += bad;
  actorsModule.exit(pong, 'kill');
  return timed ? { ...out, extra: latency(ping.benchSamples()) } : out;
}

/** W9: this process joined to cluster `bench` over a nats-server, with the peer node (grove-nats-peer.mjs) up; once per process. */
let benchNode = null;
let benchEcho = null;

async function theCluster(workloadId) {
  const connectNode = need(clusterModule, 'connectNode', `cluster/ over NATS, needed by ${workloadId}`);
  benchNode ??= (async () => {
    const url = await natsUrl();
    await startPeer('systems/grove-nats-peer.mjs', url);
    return run(() => connectNode({ servers: url, name: 'bench', cluster: 'bench', registry: false }));
  })();
  return benchNode;
}

/** W9ask: the echo actor on the peer, spawned once. */
async function theEcho(workloadId) {
  await theCluster(workloadId);
  const { remoteNode, spawnRemote, spawnable } = clusterModule;
  benchEcho ??= run(() => spawnRemote(remoteNode('peer'), spawnable('bench-nats-echo')));
  return benchEcho;
}

/** Work done before a workload's warm-up, outside its timing (bench/child.mjs): starting the threads, joining the cluster. */
export const setup = {
  W7: () => run(() => theThread('W7')),
  W7fan: () => run(() => theThread('W7fan')),
  W8: () => run(() => thePool('W8')),
  W9: () => theCluster('W9'),
  W9ask: () => theEcho('W9ask'),
  W9ask100: () => theEcho('W9ask100'),
};

/** W9ask: `concurrency` greenlets ask the echo actor in turn, asker j asking j, j + c, j + 2c... below n. */
async function natsAsks({ n, concurrency }) {
  const echo = await benchEcho;
  const { ask } = actorsModule;
  const samples = new Float64Array(n);
  const out = { answered: 0, sum: 0, maxInFlight: 0 };
  let inFlight = 0;
  return run(function* () {
    const askers = [];
    for (let j = 0; j < concurrency; j++) {
      askers.push(spawn(function* () {
        for (let i = j; i < n; i += concurrency) {
          if (++inFlight > out.maxInFlight) out.maxInFlight = inFlight;
          const t0 = performance.now();
          const answer = yield* ask(echo, (replyTo) => ({ i, replyTo }));
          samples[i] = performance.now() - t0;
          inFlight--;
          out.answered++;
          out.sum += answer;
        }
      }));
    }
    yield* joinAll(askers, { raiseError: true });
    return { ...out, extra: latency(samples) };
  });
}

export const workloads = {
  switch: ({ n }) =>
    run(function* () {
      const state = { last: -1, violations: 0 };
      const gs = [spawn(switcher, 0, n / 2, state), spawn(switcher, 1, n / 2, state)];
      yield* joinAll(gs);
      return { counts: gs.map((g) => g.value), violations: state.violations };
    }),

  W1: ({ n }) => {
    const { Player } = actors('W1');
    return run(function* () {
      const out = { received: [0, 0], sum: 0, orderErrors: 0 };
      const pong = new Player('pong', n, 0);
      const ping = new Player('ping', n, 1);
      pong.benchSetPeer(ping);
      ping.benchSetPeer(pong);
      pong.start();
      ping.start();
      pong.send(0);
      yield* joinAll([pong, ping]);
      pong.benchReport(out, 0);
      ping.benchReport(out, 1);
      return out;
    });
  },

  W2: ({ n }) =>
    run(function* () {
      const stats = { ran: 0 };
      const gs = new Array(n);
      for (let i = 0; i < n; i++) gs[i] = spawn(yieldOnce, i, stats);
      const joined = yield* joinAll(gs);
      let sum = 0;
      for (const g of joined) sum += g.value;
      return { ran: stats.ran, joined: joined.length, sum };
    }),

  W2mem: ({ n }) => {
    const { Idle } = actors('W2mem');
    return run(function* () {
      const stats = { handled: 0, sum: 0 };
      const all = new Array(n).fill(null);
      const before = settledHeap();
      for (let i = 0; i < n; i++) all[i] = new Idle(stats).start();
      // Behind every actor in the ready queue: when this resumes, each has blocked on its inbox.
      yield* sleep(0);
      const bytes = settledHeap() - before;
      for (let i = 0; i < n; i++) all[i].send(i);
      yield* joinAll(all);
      return { bytes, handled: stats.handled, sum: stats.sum };
    });
  },

  W3: ({ n, capacity }) => {
    const Queue = need(grove, 'Queue', 'lib/queue.ts, needed by W3');
    return run(function* () {
      const progress = { sunk: 0, maxAhead: 0 };
      const qs = [new Queue(capacity), new Queue(capacity), new Queue(capacity), new Queue(capacity)];
      spawn(producer, qs[0], n, progress);
      for (let s = 0; s < 3; s++) spawn(stage, qs[s], qs[s + 1]);
      const result = yield* spawn(sink, qs[3], progress).get();
      return { ...result, maxAhead: progress.maxAhead };
    });
  },

  W4: ({ actors: count, perActor }) => {
    const { Worker, Collector } = actors('W4');
    return run(function* () {
      const collector = new Collector(count * perActor).start();
      const workers = new Array(count);
      for (let a = 0; a < count; a++) workers[a] = new Worker(collector, perActor).start();
      for (let r = 0; r < perActor; r++) {
        for (let a = 0; a < count; a++) workers[a].send(r * count + a);
        yield* sleep(0);
      }
      yield* joinAll([collector, ...workers]);
      let minPerActor = Infinity;
      let maxPerActor = 0;
      for (const w of workers) {
        minPerActor = Math.min(minPerActor, w.benchForwarded);
        maxPerActor = Math.max(maxPerActor, w.benchForwarded);
      }
      return { ...collector.benchResult(), minPerActor, maxPerActor };
    });
  },

  sup1k: ({ n }) => superviseChildren('sup1k', n),
  sup10k: ({ n }) => superviseChildren('sup10k', n),
  sup100k: ({ n }) => superviseChildren('sup100k', n),

  W5: (p) =>
    run(function* () {
      const log = new SleepLog(p);
      log.start();
      const gs = new Array(p.count);
      for (let i = 0; i < p.count; i++) gs[i] = spawn(sleeper, log.delays[i], log);
      yield* joinAll(gs);
      return log.result();
    }),

  W6: (p) => {
    const HttpServer = need(serverModule, 'HttpServer', 'server/, needed by W6');

    return run(function* () {
      const server = new HttpServer('127.0.0.1:0', function* (_request, response) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(HELLO);
      });
      yield* server.start();
      try {
        return yield* call(runLoad(server.port, p));
      } finally {
        yield* server.stop();
      }
    });
  },
  W7: ({ n }) =>
    run(function* () {
      const thread = yield* theThread('W7');
      return yield* pingPong('W7', n, thread, false);
    }),

  W7fan: ({ actors: count, perActor }) => {
    const { FanIn } = actors('W7fan');
    const { Event } = grove;
    return run(function* () {
      const thread = yield* theThread('W7fan');
      const { spawnRemote, spawnable } = clusterModule;
      // The actors there and the collector here are made once, outside the timed runs that follow the first.
      let setup = fans.get(count);
      if (setup === undefined) {
        const fanIn = new FanIn(count).start();
        const remote = new Array(count);
        for (let a = 0; a < count; a++) remote[a] = yield* spawnRemote(thread, spawnable('bench-fan'), fanIn);
        fans.set(count, (setup = { fanIn, remote }));
      }
      const done = new Event();
      const total = count * perActor;
      const result = { value: null, set(v) { this.value = v; done.set(); } };
      setup.fanIn.benchExpect(total, result);
      for (let r = 0; r < perActor; r++) {
        for (let a = 0; a < count; a++) setup.remote[a].send(r * count + a);
        yield* sleep(0);
      }
      yield* done.wait();
      return { collected: total, ...result.value };
    });
  },

  W9: ({ n }) =>
    run(function* () {
      yield* call(theCluster('W9'));
      return yield* pingPong('W9', n, clusterModule.remoteNode('peer'), true);
    }),
  W9ask: natsAsks,
  W9ask100: natsAsks,

  W8: ({ n, rounds, chunk }) => {
    const ask = need(actorsModule, 'ask', 'actors/, needed by W8');
    return run(function* () {
      const { hashers } = yield* thePool('W8');
      const items = hashItems(n);
      const results = new Array(n);
      let next = 0;
      // Two chunks in flight per thread: one is hashed while the next one's message travels.
      function* feed(hasher) {
        while (next < n) {
          const start = next;
          const end = (next = Math.min(n, next + chunk));
          const digests = yield* ask(hasher, (replyTo) => ({ items: items.slice(start, end), rounds, replyTo }));
          for (let k = 0; k < digests.length; k++) results[start + k] = digests[k];
        }
      }
      yield* joinAll(hashers.flatMap((h) => [spawn(feed, h), spawn(feed, h)]));
      return { results, extra: { threads: hashers.length } };
    });
  },
};
