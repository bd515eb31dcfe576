/**
 * The workloads on XState v5 (the pinned devDependency): each actor is a
 * state machine from `setup().createMachine()`, run by `createActor`,
 * messaged with `actor.send` and the `sendTo` action, its state kept with
 * `assign`, delays as `after` transitions, completion seen as the actor
 * reaching its final state. XState delivers an event at once unless the
 * target is already processing one (then it waits in its mailbox).
 */
import { readFileSync } from 'node:fs';
import { assign, createActor, enqueueActions, setup, toPromise } from 'xstate';
import { SleepLog, settledHeap } from '../workloads.mjs';

export const system = {
  name: 'xstate',
  description: 'XState v5 actors (state machines)',
  fifo: false,
  version: JSON.parse(readFileSync(new URL('../../node_modules/xstate/package.json', import.meta.url), 'utf8')).version,
  na: {
    switch: 'actors have no way to yield to the scheduler: they only react to events',
    W3: 'no bounded mailbox or backpressure: send never waits',
    W6: 'no HTTP server: W6 compares grove with plain node:http',
  },
};

/** W1: receives msg i, sends i + 1 to its peer; final after its last message. */
const player = setup({
  guards: {
    last: ({ context, event }) => event.i + 2 >= context.n,
  },
  actions: {
    count: assign(({ context, event }) => ({
      expected: event.i + 2,
      received: context.received + 1,
      sum: context.sum + event.i,
      bad: event.i === context.expected ? context.bad : context.bad + 1,
    })),
    reply: enqueueActions(({ context, event, enqueue }) => {
      if (event.i + 1 < context.n) enqueue.sendTo(context.peer, { type: 'msg', i: event.i + 1 });
    }),
  },
}).createMachine({
  context: ({ input }) => ({ n: input.n, expected: input.first, peer: null, received: 0, sum: 0, bad: 0 }),
  initial: 'playing',
  states: {
    playing: {
      on: {
        peer: { actions: assign({ peer: ({ event }) => event.ref }) },
        msg: [
          { guard: 'last', target: 'done', actions: ['count', 'reply'] },
          { actions: ['count', 'reply'] },
        ],
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ received: context.received, sum: context.sum, bad: context.bad }),
});

/** W2: started, then one event takes it to its final state, with its number as output. */
const once = setup({}).createMachine({
  context: ({ input }) => ({ i: input.i }),
  initial: 'waiting',
  states: {
    waiting: { on: { go: 'done' } },
    done: { type: 'final' },
  },
  output: ({ context }) => context.i,
});

/** W2mem: idles until its one message. */
const idle = setup({}).createMachine({
  context: ({ input }) => ({ stats: input.stats }),
  initial: 'waiting',
  states: {
    waiting: {
      on: {
        msg: {
          target: 'done',
          actions: ({ context, event }) => {
            context.stats.handled++;
            context.stats.sum += event.i;
          },
        },
      },
    },
    done: { type: 'final' },
  },
});

/** W4: forwards each message to the collector; final after `left` of them. */
const worker = setup({
  actions: {
    forward: enqueueActions(({ context, event, enqueue }) => {
      enqueue.sendTo(context.collector, { type: 'msg', v: event.v });
      enqueue.assign({ left: context.left - 1, forwarded: context.forwarded + 1 });
    }),
  },
  guards: { lastOne: ({ context }) => context.left === 1 },
}).createMachine({
  context: ({ input }) => ({ collector: input.collector, left: input.perActor, forwarded: 0 }),
  initial: 'forwarding',
  states: {
    forwarding: {
      on: {
        msg: [{ guard: 'lastOne', target: 'done', actions: 'forward' }, { actions: 'forward' }],
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => context.forwarded,
});

/** W4: sums what arrives; final after `total`. */
const collector = setup({
  actions: {
    add: assign(({ context, event }) => ({ collected: context.collected + 1, sum: context.sum + event.v })),
  },
  guards: { lastOne: ({ context }) => context.collected + 1 === context.total },
}).createMachine({
  context: ({ input }) => ({ total: input.total, collected: 0, sum: 0 }),
  initial: 'collecting',
  states: {
    collecting: {
      on: { msg: [{ guard: 'lastOne', target: 'done', actions: 'add' }, { actions: 'add' }] },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ collected: context.collected, sum: context.sum }),
});

/** W5: sleeps `ms` with an `after` transition. */
const sleeper = setup({
  delays: { nap: ({ context }) => context.ms },
}).createMachine({
  context: ({ input }) => ({ ms: input.ms, log: input.log }),
  initial: 'sleeping',
  states: {
    sleeping: { after: { nap: 'done' } },
    done: { type: 'final', entry: ({ context }) => context.log.woke(context.ms) },
  },
});

export const workloads = {
  async W1({ n }) {
    const pong = createActor(player, { input: { n, first: 0 } }).start();
    const ping = createActor(player, { input: { n, first: 1 } }).start();
    const done = Promise.all([toPromise(pong), toPromise(ping)]);
    pong.send({ type: 'peer', ref: ping });
    ping.send({ type: 'peer', ref: pong });
    pong.send({ type: 'msg', i: 0 });
    const [a, b] = await done;
    return { received: [a.received, b.received], sum: a.sum + b.sum, orderErrors: a.bad + b.bad };
  },

  async W2({ n }) {
    const actors = new Array(n);
    let joined = 0;
    let sum = 0;
    const all = new Promise((resolve) => {
      for (let i = 0; i < n; i++) {
        const actor = createActor(once, { input: { i } });
        actor.subscribe({
          complete() {
            joined++;
            sum += actor.getSnapshot().output;
            if (joined === n) resolve();
          },
        });
        actors[i] = actor.start();
      }
    });
    let ran = 0;
    for (let i = 0; i < n; i++) {
      actors[i].send({ type: 'go' });
      ran++;
    }
    await all;
    return { ran, joined, sum };
  },

  async W2mem({ n }) {
    const stats = { handled: 0, sum: 0 };
    const actors = new Array(n).fill(null);
    const before = settledHeap();
    for (let i = 0; i < n; i++) actors[i] = createActor(idle, { input: { stats } }).start();
    const bytes = settledHeap() - before;
    for (let i = 0; i < n; i++) actors[i].send({ type: 'msg', i });
    return { bytes, handled: stats.handled, sum: stats.sum };
  },

  async W4({ actors, perActor }) {
    const sink = createActor(collector, { input: { total: actors * perActor } }).start();
    const collected = toPromise(sink);
    const workers = new Array(actors);
    for (let a = 0; a < actors; a++) workers[a] = createActor(worker, { input: { collector: sink, perActor } }).start();
    const forwarded = Promise.all(workers.map((w) => toPromise(w)));
    for (let r = 0; r < perActor; r++) {
      for (let a = 0; a < actors; a++) workers[a].send({ type: 'msg', v: r * actors + a });
    }
    const { collected: count, sum } = await collected;
    const counts = await forwarded;
    return { collected: count, sum, minPerActor: Math.min(...counts), maxPerActor: Math.max(...counts) };
  },

  W5: (p) =>
    new Promise((resolve) => {
      const log = new SleepLog(p);
      log.start();
      let left = p.count;
      for (let i = 0; i < p.count; i++) {
        const actor = createActor(sleeper, { input: { ms: log.delays[i], log } });
        actor.subscribe({
          complete() {
            if (--left === 0) resolve(log.result());
          },
        });
        actor.start();
      }
    }),
};
