/**
 * The workloads on RxJS (grove's own dependency, pinned): an actor is a
 * Subject (its inbox) subscribed through `observeOn(queueScheduler)`, so a
 * message sent while another is being handled waits its turn instead of
 * recursing — RxJS's run-to-completion mailbox. Timers are `timer(ms)`.
 * RxJS has no tasks that suspend, so there is nothing to spawn, switch
 * between or hold back by a bounded queue.
 */
import { readFileSync } from 'node:fs';
import { Subject, observeOn, queueScheduler, timer } from 'rxjs';
import { SleepLog, settledHeap } from '../workloads.mjs';

export const system = {
  name: 'rxjs',
  description: 'RxJS Subjects as actor inboxes (observeOn(queueScheduler))',
  fifo: false,
  version: JSON.parse(readFileSync(new URL('../../node_modules/rxjs/package.json', import.meta.url), 'utf8')).version,
  na: {
    switch: 'no tasks that yield: an Observable is not a thread of control',
    W2: 'no tasks to spawn and join: subscriptions run to completion synchronously',
    W3: 'no bounded queue or backpressure: a Subject pushes, it never waits',
    W6: 'no HTTP server: W6 compares grove with plain node:http',
  },
};

/** An actor: a Subject inbox whose messages `handler` receives one at a time. */
function actor(handler) {
  const inbox = new Subject();
  inbox.pipe(observeOn(queueScheduler)).subscribe(handler);
  return inbox;
}

export const workloads = {
  W1: ({ n }) =>
    new Promise((resolve) => {
      const out = { received: [0, 0], sum: 0, orderErrors: 0 };
      let finished = 0;
      const player = (slot, first, peer) => {
        let expected = first;
        let received = 0;
        let sum = 0;
        let bad = 0;
        return (i) => {
          if (i !== expected) bad++;
          expected = i + 2;
          received++;
          sum += i;
          if (i + 1 < n) peer().next(i + 1);
          if (i + 2 >= n) {
            out.received[slot] = received;
            out.sum += sum;
            out.orderErrors += bad;
            if (++finished === 2) resolve(out);
          }
        };
      };
      const pong = actor(player(0, 0, () => ping));
      const ping = actor(player(1, 1, () => pong));
      pong.next(0);
    }),

  async W2mem({ n }) {
    const stats = { handled: 0, sum: 0 };
    const inboxes = new Array(n).fill(null);
    const handle = (m) => {
      stats.handled++;
      stats.sum += m;
    };
    const before = settledHeap();
    for (let i = 0; i < n; i++) inboxes[i] = actor(handle);
    const bytes = settledHeap() - before;
    for (let i = 0; i < n; i++) inboxes[i].next(i);
    return { bytes, handled: stats.handled, sum: stats.sum };
  },

  W4: ({ actors, perActor }) =>
    new Promise((resolve) => {
      const total = actors * perActor;
      let collected = 0;
      let sum = 0;
      const forwarded = new Array(actors).fill(0);
      const collector = actor((m) => {
        sum += m;
        if (++collected === total) {
          resolve({ collected, sum, minPerActor: Math.min(...forwarded), maxPerActor: Math.max(...forwarded) });
        }
      });
      const workers = new Array(actors);
      for (let a = 0; a < actors; a++) {
        workers[a] = actor((m) => {
          collector.next(m);
          forwarded[a]++;
        });
      }
      for (let r = 0; r < perActor; r++) {
        for (let a = 0; a < actors; a++) workers[a].next(r * actors + a);
      }
    }),

  W5: (p) =>
    new Promise((resolve) => {
      const log = new SleepLog(p);
      log.start();
      let left = p.count;
      for (let i = 0; i < p.count; i++) {
        const ms = log.delays[i];
        timer(ms).subscribe(() => {
          log.woke(ms);
          if (--left === 0) resolve(log.result());
        });
      }
    }),
};
