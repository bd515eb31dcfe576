/**
 * The floor: the same workloads as plain callbacks over array mailboxes,
 * with no generators and no scheduler beyond a run queue of actors. An
 * actor is an object with an array mailbox and a `receive` method; `send`
 * pushes and queues the actor once; the loop drains each queued actor's
 * whole mailbox. A "greenlet" that yields is a callback that re-posts its
 * continuation. Timers are Node's own setTimeout. Nothing can be killed,
 * timed out or linked: this is the cost of the work itself.
 */
import { Ring } from '../baseline/scheduler.mjs';
import { SleepLog, settledHeap } from '../workloads.mjs';

export const system = {
  name: 'callbacks',
  description: 'plain callbacks with array mailboxes (the floor)',
  fifo: true,
  version: null,
  na: {
    W6: "plain callbacks on node:http are W6's baseline row",
  },
};

/** The run queue: actors with mail, and posted continuations (functions). */
const runQueue = new Ring(1024);
let draining = false;

function post(fn) {
  runQueue.push(fn);
  if (!draining) drain();
}

function drain() {
  draining = true;
  while (runQueue.length > 0) {
    const item = runQueue.shift();
    if (typeof item === 'function') item();
    else item.drainMailbox();
  }
  draining = false;
}

class CbActor {
  constructor() {
    this.mailbox = [];
    this.scheduled = false;
  }
  send(message) {
    this.mailbox.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      runQueue.push(this);
      if (!draining) drain();
    }
  }
  drainMailbox() {
    const mailbox = this.mailbox;
    // Messages sent during the drain are appended and handled in this same pass.
    for (let i = 0; i < mailbox.length; i++) this.receive(mailbox[i]);
    mailbox.length = 0;
    this.scheduled = false;
  }
}

/** Resolves once `start(done)` calls `done(value)`, the loop having drained. */
function runToDone(start) {
  return new Promise((resolve) => {
    post(() => start(resolve));
  });
}

class Player extends CbActor {
  constructor(n, first, done) {
    super();
    this.peer = null;
    this.n = n;
    this.expected = first;
    this.received = 0;
    this.sum = 0;
    this.bad = 0;
    this.done = done;
  }
  receive(i) {
    if (i !== this.expected) this.bad++;
    this.expected = i + 2;
    this.received++;
    this.sum += i;
    if (i + 1 < this.n) this.peer.send(i + 1);
    if (i + 2 >= this.n) this.done();
  }
}

class Idle extends CbActor {
  constructor(stats) {
    super();
    this.stats = stats;
  }
  receive(m) {
    this.stats.handled++;
    this.stats.sum += m;
  }
}

class Worker extends CbActor {
  constructor(collector) {
    super();
    this.collector = collector;
    this.forwarded = 0;
  }
  receive(m) {
    this.collector.send(m);
    this.forwarded++;
  }
}

class Collector extends CbActor {
  constructor(total, done) {
    super();
    this.total = total;
    this.collected = 0;
    this.sum = 0;
    this.done = done;
  }
  receive(m) {
    this.sum += m;
    if (++this.collected === this.total) this.done();
  }
}

/** A bounded FIFO of small fixed capacity for W3 (a power-of-two ring). */
class Bounded {
  constructor(capacity) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.buf = new Array(size);
    this.capacity = capacity;
    this.head = 0;
    this.length = 0;
  }
  push(x) {
    this.buf[(this.head + this.length++) & (this.buf.length - 1)] = x;
  }
  shift() {
    const x = this.buf[this.head];
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return x;
  }
}

export const workloads = {
  switch: ({ n }) =>
    runToDone((done) => {
      const state = { last: -1, violations: 0 };
      const counts = [0, 0];
      let finished = 0;
      const half = n / 2;
      for (const id of [0, 1]) {
        const step = () => {
          if (counts[id] === half) {
            if (++finished === 2) done({ counts, violations: state.violations });
            return;
          }
          if (state.last === id) state.violations++;
          state.last = id;
          counts[id]++;
          post(step);
        };
        post(step);
      }
    }),

  W1: ({ n }) =>
    runToDone((done) => {
      let finished = 0;
      const finish = () => {
        if (++finished < 2) return;
        done({ received: [pong.received, ping.received], sum: pong.sum + ping.sum, orderErrors: pong.bad + ping.bad });
      };
      const pong = new Player(n, 0, finish);
      const ping = new Player(n, 1, finish);
      pong.peer = ping;
      ping.peer = pong;
      pong.send(0);
    }),

  W2: ({ n }) =>
    runToDone((done) => {
      let ran = 0;
      let joined = 0;
      let sum = 0;
      const join = (value) => {
        joined++;
        sum += value;
        if (joined === n) done({ ran, joined, sum });
      };
      for (let i = 0; i < n; i++) {
        post(() =>
          post(() => {
            ran++;
            join(i);
          }),
        );
      }
    }),

  W2mem: ({ n }) =>
    runToDone((done) => {
      const stats = { handled: 0, sum: 0 };
      const all = new Array(n).fill(null);
      const before = settledHeap();
      for (let i = 0; i < n; i++) all[i] = new Idle(stats);
      const bytes = settledHeap() - before;
      for (let i = 0; i < n; i++) all[i].send(i);
      post(() => done({ bytes, handled: stats.handled, sum: stats.sum }));
    }),

  W3: ({ n, capacity }) =>
    runToDone((done) => {
      // Each step moves what it can: the producer fills q0, each stage moves while its
      // input has items and its output has room, the sink empties q3.
      const qs = [new Bounded(capacity), new Bounded(capacity), new Bounded(capacity), new Bounded(capacity)];
      let produced = 0;
      let count = 0;
      let expected = 3;
      let sum = 0;
      let bad = 0;
      let maxAhead = 0;
      const pump = () => {
        const q0 = qs[0];
        while (produced < n && q0.length < capacity) {
          const ahead = produced - count;
          if (ahead > maxAhead) maxAhead = ahead;
          q0.push(produced++);
        }
        for (let s = 0; s < 3; s++) {
          const input = qs[s];
          const output = qs[s + 1];
          while (input.length > 0 && output.length < capacity) output.push(input.shift() + 1);
        }
        const q3 = qs[3];
        while (q3.length > 0) {
          const x = q3.shift();
          if (x !== expected) bad++;
          expected++;
          sum += x;
          count++;
        }
        if (count < n) post(pump);
        else done({ count, sum, orderErrors: bad, maxAhead });
      };
      post(pump);
    }),

  W4: ({ actors, perActor }) =>
    runToDone((done) => {
      const workers = new Array(actors);
      const collector = new Collector(actors * perActor, () => {
        let minPerActor = Infinity;
        let maxPerActor = 0;
        for (const w of workers) {
          minPerActor = Math.min(minPerActor, w.forwarded);
          maxPerActor = Math.max(maxPerActor, w.forwarded);
        }
        done({ collected: collector.collected, sum: collector.sum, minPerActor, maxPerActor });
      });
      for (let a = 0; a < actors; a++) workers[a] = new Worker(collector);
      let round = 0;
      const route = () => {
        for (let a = 0; a < actors; a++) workers[a].send(round * actors + a);
        if (++round < perActor) post(route);
      };
      post(route);
    }),

  W5: (p) =>
    new Promise((resolve) => {
      const log = new SleepLog(p);
      log.start();
      let left = p.count;
      for (let i = 0; i < p.count; i++) {
        const ms = log.delays[i];
        setTimeout(() => {
          log.woke(ms);
          if (--left === 0) resolve(log.result());
        }, ms);
      }
    }),
};
