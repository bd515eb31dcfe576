import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Timeout, exitReason, getHub, sleep, type Operation } from 'grove';
import { Actor, AskFailed, MailboxFull, StartFailed, ask, type ReplyTo } from 'grove/actors';
import { ChildStartFailed, Router, Supervisor, consistentHash, type RoutingStrategy } from 'grove/supervision';
import { advance, explore, simulate } from 'grove/testing';
import { errorSink } from '../support.js';

type Job =
  | { type: 'job'; n: number; ms?: number; user?: string }
  | { type: 'ask'; n: number; ms?: number; replyTo: ReplyTo<string> }
  | { type: 'crash' }
  | { type: 'quit' };

/** A worker that logs `<slot>:<n>` for each job it finishes (after `ms` of work), answers asks, crashes or quits on demand. */
class Worker extends Actor<Job> {
  constructor(
    readonly slot: number,
    private readonly log: string[],
    options: { mailbox?: number } = {},
  ) {
    super({ name: `w${slot}`, ...options });
  }
  protected *receive(job: Job): Operation<void> {
    if (job.type === 'crash') throw new Error(`w${this.slot} crashed`);
    if (job.type === 'quit') return this.stop();
    if (job.ms !== undefined) yield* sleep(job.ms);
    if (job.type === 'ask') job.replyTo.reply(`${this.slot}:${job.n}`);
    else this.log.push(`${this.slot}:${job.n}`);
  }
}

function pool(log: string[], strategy: RoutingStrategy<Job>, workers = 3, extra: Partial<ConstructorParameters<typeof Router<Job>>[0]> = {}): Router<Job> {
  return new Router<Job>({ name: 'pool', workers, worker: (slot) => new Worker(slot, log), strategy, ...extra });
}

function jobs(router: Router<Job>, ns: number[], extra: Partial<{ ms: number; user: string }> = {}): void {
  for (const n of ns) router.send({ type: 'job', n, ...extra });
}

const routing = suite('Router: strategies');

routing('roundRobin hands each message to the next live worker in turn; up() waits for every worker', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin').start();
    yield* router.up();
    assert.is(router.size, 3);
    assert.equal(router.workers().map((w) => w.name), ['w0', 'w1', 'w2']);
    jobs(router, [1, 2, 3, 4, 5, 6, 7]);
    yield* advance(0);
    assert.equal(log.sort(), ['0:1', '0:4', '0:7', '1:2', '1:5', '2:3', '2:6']);
    router.stop();
    yield* router.join();
  }));

routing('messages sent before the router is up wait in it and are handed on in order', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin', 2);
    router.start();
    jobs(router, [1, 2, 3]);
    assert.is(router.inbox.qsize(), 3);
    yield* router.up();
    jobs(router, [4]);
    yield* advance(0);
    assert.equal(log, ['0:1', '0:3', '1:2', '1:4']);
    router.stop();
  }));

routing('smallestMailbox prefers an idle worker, then the one with the fewest queued messages', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'smallestMailbox').start();
    yield* router.up();
    router.send({ type: 'job', n: 1, ms: 100 }); // w0 idle: takes it, busy until 100
    yield* advance(0);
    router.send({ type: 'job', n: 2, ms: 50 }); // w1 idle
    router.send({ type: 'job', n: 3, ms: 10 }); // w2 idle
    yield* advance(0);
    jobs(router, [4, 5, 6], { ms: 1 }); // all busy with empty inboxes: 4 to w0; then w1, w2 (one queued beats)
    yield* advance(1000);
    assert.equal(log, ['2:3', '2:6', '1:2', '1:5', '0:1', '0:4']);
    router.stop();
  }));

routing('random: a seeded hub replays the same picks; every worker gets some', async () => {
  const run = (seed: number) =>
    simulate(
      function* () {
        const log: string[] = [];
        const router = pool(log, 'random', 4).start();
        yield* router.up();
        jobs(router, Array.from({ length: 40 }, (_, i) => i));
        yield* sleep(1);
        router.stop();
        return log.map((entry) => entry.split(':')[0]).join('');
      },
      { seed },
    );
  const a = await run(7);
  assert.is(await run(7), a, 'the same seed, the same picks');
  assert.is(a.length, 40);
  for (const slot of '0123') assert.ok(a.includes(slot), `worker ${slot} got some: ${a}`);
  assert.is.not(await run(8), a, 'another seed, other picks');
});

routing('random on an unseeded virtual clock repeats exactly too', async () => {
  const run = () =>
    simulate(function* () {
      const log: string[] = [];
      const router = pool(log, 'random', 3).start();
      yield* router.up();
      jobs(router, Array.from({ length: 20 }, (_, i) => i));
      yield* sleep(1);
      router.stop();
      return log.join(' ');
    });
  assert.is(await run(), await run());
});

routing('broadcast hands every message to every live worker; an ask gets the first reply', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'broadcast').start();
    yield* router.up();
    jobs(router, [1]);
    yield* advance(0);
    assert.equal(log.sort(), ['0:1', '1:1', '2:1']);
    const answer = yield* ask(router, (replyTo) => ({ type: 'ask', n: 2, replyTo }));
    assert.is(answer, '0:2');
    router.stop();
  }));

routing('consistentHash sends every message with the same key to the same worker', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, consistentHash((job: Job) => (job.type === 'job' ? job.user! : 'none')), 4).start();
    yield* router.up();
    const users = ['ann', 'bob', 'cy', 'dee', 'ed', 'flo', 'gus', 'hal'];
    for (let round = 0; round < 3; round++) users.forEach((user, i) => router.send({ type: 'job', n: i, user }));
    yield* advance(0);
    const slotOf = new Map<number, Set<string>>();
    for (const entry of log) {
      const [slot, n] = entry.split(':');
      (slotOf.get(Number(n)) ?? slotOf.set(Number(n), new Set()).get(Number(n))!).add(slot);
    }
    for (const [n, slots] of slotOf) assert.is(slots.size, 1, `user ${users[n]} always on one worker`);
    assert.ok(new Set(log.map((e) => e.split(':')[0])).size > 1, 'users spread over workers');
    router.stop();
  }));

routing('keyOf that returns something else than a string or number: the sender gets the TypeError', () =>
  simulate(function* () {
    const router = new Router<Job>({ workers: 1, worker: (slot) => new Worker(slot, []), strategy: consistentHash(() => ({}) as never) }).start();
    yield* router.up();
    assert.throws(
      () => router.send({ type: 'job', n: 1 }),
      (e: Error) => e instanceof TypeError && e.message === 'Router.send: keyOf must return a string or a number, got an object',
    );
    router.stop();
  }));

const failures = suite('Router: crashed workers');

failures('a crashed worker is restarted by its supervisor and skipped while it is down', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const log: string[] = [];
      // Backoff keeps w1 down for 100 ms after its crash.
      const router = pool(log, 'roundRobin', 3, { backoff: { minMs: 100, maxMs: 100 }, maxRestarts: 5 }).start();
      yield* router.up();
      const first = router.workers()[1];
      router.workers()[1].send({ type: 'crash' });
      yield* advance(10);
      assert.is(router.size, 3, 'down, but still in the pool');
      assert.equal(router.workers().map((w) => w.name), ['w0', 'w2']);
      jobs(router, [1, 2, 3, 4]);
      yield* advance(0);
      assert.equal(log.sort(), ['0:1', '0:3', '2:2', '2:4']);
      yield* advance(100);
      const again = router.workers()[1];
      assert.is.not(again, first, 'a new incarnation');
      jobs(router, [5, 6, 7]);
      yield* advance(0);
      assert.equal(log.slice(4).sort(), ['0:5', '1:6', '2:7']);
      router.stop();
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['w1: greenlet: Error: w1 crashed']);
});

failures("an ask whose request went to a worker that crashes fails at once, naming the worker; its queued jobs are dead letters", async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const log: string[] = [];
      const router = pool(log, 'roundRobin', 2, { maxRestarts: 5 }).start();
      yield* router.up();
      router.send({ type: 'crash' }); // to w0, which crashes when it gets to it
      const started = getHub().now();
      let failure: unknown;
      try {
        // To w1, then to w0 behind the crash.
        router.send({ type: 'job', n: 1 });
        yield* ask(router, (replyTo) => ({ type: 'ask', n: 2, replyTo }), { timeout: 60_000 });
      } catch (error) {
        failure = error;
      }
      assert.instance(failure, AskFailed);
      assert.is((failure as AskFailed).message, 'ask: <Worker "w0"> exited with Error: w0 crashed before replying');
      assert.is((failure as AskFailed).target.name, 'w0');
      assert.is(getHub().now(), started, 'at once, not at the timeout');
      router.stop();
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports.length, 2);
  assert.is(sink.reports[0], 'w0: greenlet: Error: w0 crashed');
  assert.match(sink.reports[1], /^w0: deadLetter: DeadLetter: dead letter #1: \{ type: 'ask', n: 2, replyTo: <ReplyTo .*> \} was still queued in <Worker "w0">, which exited with Error: w0 crashed$/);
});

failures('past the restart intensity the supervisor gives up and the router exits with reason shutdown', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const router = pool([], 'roundRobin', 2, { maxRestarts: 1, withinMs: 1000 }).start();
      yield* router.up();
      router.workers()[0].send({ type: 'crash' });
      yield* advance(1);
      router.workers()[0].send({ type: 'crash' });
      yield* router.join();
      assert.is(exitReason(router), 'shutdown');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['w0: greenlet: Error: w0 crashed', 'w0: greenlet: Error: w0 crashed']);
});

failures('a worker that ends normally on its own leaves the pool; resize brings the count back', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin', 3).start();
    yield* router.up();
    router.workers()[2].send({ type: 'quit' });
    yield* advance(10);
    assert.is(router.size, 2);
    jobs(router, [1, 2, 3]);
    yield* advance(0);
    assert.equal(log.sort(), ['0:1', '0:3', '1:2']);
    yield* router.resize(3);
    assert.equal(router.workers().map((w) => w.name), ['w0', 'w1', 'w2']);
    router.stop();
  }));

failures('a worker that fails to start fails the router start (up() throws StartFailed)', async () => {
  await simulate(function* () {
    const router = new Router<Job>({ name: 'pool', workers: 2, worker: (slot) => (slot === 1 ? ('nope' as never) : new Worker(slot, [])) }).start();
    let error: unknown;
    try {
      yield* router.up();
    } catch (e) {
      error = e;
    }
    assert.instance(error, StartFailed);
    const cause = (error as StartFailed).reason as ChildStartFailed;
    assert.instance(cause, ChildStartFailed);
    assert.is(cause.message, '<Supervisor "pool.workers">: child "worker" failed to start: TypeError: <Router "pool">: worker(1) must return a new Actor, got "nope"');
    yield* advance(10);
    assert.equal(getHub().greenlets().filter((g) => g.name !== 'Greenlet-main').length, 1, 'only the main greenlet is left');
  }, { onError: () => {} });
});

const resizing = suite('Router: resize');

resizing('growing starts workers in the next slots and returns once they are up', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin', 2).start();
    yield* router.up();
    yield* router.resize(4);
    assert.is(router.size, 4);
    jobs(router, [1, 2, 3, 4]);
    yield* advance(0);
    assert.equal(log.sort(), ['0:1', '1:2', '2:3', '3:4']);
    router.stop();
  }));

resizing("shrinking stops the highest slots' workers and hands their queued messages to the others", () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin', 3).start();
    yield* router.up();
    const removed = router.workers()[2];
    jobs(router, [1, 2, 3, 4, 5, 6], { ms: 10 }); // w2 has 3 and 6: 3 in hand, 6 queued
    yield* advance(1);
    yield* router.resize(2);
    assert.is(router.size, 2);
    assert.ok(removed.dead);
    assert.is(exitReason(removed), 'shutdown');
    yield* advance(1000);
    // 3 was in hand when w2 was stopped (it does not trap exits): lost with it. 6 moved on, to the next in turn.
    assert.equal(log.sort(), ['0:1', '0:4', '1:2', '1:5', '1:6']);
    router.stop();
  }, { onError: () => {} }));

resizing('a request moved off a removed worker is answered by the one it moves to, not failed by the removal', () =>
  simulate(function* () {
    const log: string[] = [];
    const router = pool(log, 'roundRobin', 2).start();
    yield* router.up();
    jobs(router, [1], { ms: 10 }); // w0
    jobs(router, [2], { ms: 10 }); // w1: busy until 10
    jobs(router, [3]); // w0
    let answer: unknown;
    const asker = new (class extends Actor<never> {
      protected receive(): void {}
      protected override *init(): Operation<void> {
        try {
          answer = yield* ask(router, (replyTo) => ({ type: 'ask', n: 4, replyTo })); // w1, queued behind job 2
        } catch (error) {
          answer = error;
        }
      }
    })().start();
    yield* advance(1);
    assert.is(router.workers()[1].inbox.qsize(), 1, 'the request waits in w1');
    yield* router.resize(1); // w1 goes: job 2 in hand is lost with it, the request moves to w0
    yield* asker.up();
    assert.is(answer, '0:4');
    assert.equal(log, ['0:1', '0:3']);
    router.stop();
  }));

resizing('a resize while the initial workers start waits for them; resizes run one at a time', () =>
  simulate(function* () {
    const router = pool([], 'roundRobin', 2).start();
    yield* router.resize(3);
    assert.is(router.size, 3);
    router.stop();
  }));

/** A worker 100 ms long to start. */
class Slow extends Worker {
  protected override *init(): Operation<void> {
    yield* sleep(100);
  }
}

resizing('a resize that takes too long throws Timeout and goes on', () =>
  simulate(function* () {
    const router = new Router<Job>({ workers: 1, worker: (slot) => new Slow(slot, []) }).start();
    yield* router.up();
    let error: unknown;
    try {
      yield* router.resize(2, { timeout: 50 });
    } catch (e) {
      error = e;
    }
    assert.instance(error, Timeout);
    assert.is(getHub().now(), 150);
    yield* advance(100);
    assert.is(router.workers().length, 2);
    router.stop();
  }));

resizing('a Timeout already running, given to resize, covers it as it covers any call: not restarted, raised itself', () =>
  simulate(function* () {
    const router = new Router<Job>({ workers: 1, worker: (slot) => new Slow(slot, []) }).start();
    yield* router.up();
    const deadline = new Timeout(30).start();
    yield* sleep(10);
    let error: unknown;
    try {
      yield* router.resize(2, { timeout: deadline });
    } catch (e) {
      error = e;
    }
    assert.is(error, deadline);
    assert.is(getHub().now(), 130);
    assert.is(deadline.pending, false);
    router.stop();
  }));

const lifecycle = suite('Router: stopping');

lifecycle('stop() stops the workers with their shutdown protocol; stop({ drain: true }) lets them finish first', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const log: string[] = [];
      const router = pool(log, 'roundRobin', 2).start();
      yield* router.up();
      jobs(router, [1, 2, 3, 4], { ms: 10 });
      const workers = router.workers();
      router.stop({ drain: true });
      yield* router.join();
      assert.equal(log, ['0:1', '1:2', '0:3', '1:4']);
      assert.is(getHub().now(), 20);
      assert.ok(workers.every((w) => w.dead && exitReason(w) === 'normal'));
      assert.is(exitReason(router), 'normal');

      const log2: string[] = [];
      const other = pool(log2, 'roundRobin', 2).start();
      yield* other.up();
      jobs(other, [1, 2, 3, 4], { ms: 10 });
      other.stop();
      yield* other.join();
      assert.equal(log2, []);
      assert.ok(other.workers().length === 0);
    },
    { onError: sink.onError },
  );
  // The second pool's jobs 3 and 4 were still queued in its workers, stopped together, the last started first.
  assert.equal(sink.reports, [
    'w1: deadLetter: DeadLetter: dead letter #1: { type: \'job\', n: 4, ms: 10 } was still queued in <Worker "w1">, which exited with shutdown',
    'w0: deadLetter: DeadLetter: dead letter #2: { type: \'job\', n: 3, ms: 10 } was still queued in <Worker "w0">, which exited with shutdown',
  ]);
});

lifecycle('after stop({ drain: true }) a message sent to the router is a dead letter, not handed to a worker', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const log: string[] = [];
      const router = pool(log, 'roundRobin', 1).start();
      yield* router.up();
      jobs(router, [1], { ms: 10 });
      router.stop({ drain: true });
      jobs(router, [2]);
      yield* advance(1); // the router reached its stop mark and drains its worker
      jobs(router, [3]);
      yield* router.join();
      assert.equal(log, ['0:1']);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    "pool: deadLetter: DeadLetter: dead letter #1: { type: 'job', n: 2 } was still queued in <Router \"pool\">, which exited with normal",
    "pool: deadLetter: DeadLetter: dead letter #2: { type: 'job', n: 3 } was still queued in <Router \"pool\">, which exited with normal",
  ]);
});

lifecycle('a router is a supervisor child like any actor; its parent stops the whole pool', () =>
  simulate(function* () {
    const log: string[] = [];
    const top = new Supervisor({ children: [{ id: 'pool', type: 'supervisor', start: () => pool(log, 'roundRobin', 2) }] }).start();
    yield* top.up();
    const router = top.child('pool', Router)! as Router<Job>;
    assert.is(router.workers().length, 2);
    const workers = router.workers();
    top.stop();
    yield* top.join();
    assert.ok(router.dead && workers.every((w) => w.dead));
    assert.is(exitReason(router), 'shutdown');
  }));

lifecycle('after the router died, a message sent to it is a dead letter', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const router = pool([], 'roundRobin', 1).start();
      yield* router.up();
      router.stop();
      yield* router.join();
      router.send({ type: 'job', n: 1 });
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ["pool: deadLetter: DeadLetter: dead letter #1: { type: 'job', n: 1 } was sent to <Router \"pool\">, which exited with normal"]);
});

lifecycle('any seed: every job is done exactly once while workers crash and the pool grows', () =>
  explore(
    function* () {
      const log: string[] = [];
      const router = pool(log, 'roundRobin', 2, { maxRestarts: 100 }).start();
      yield* router.up();
      jobs(router, [1, 2, 3]);
      router.workers()[0].send({ type: 'crash' });
      yield* router.resize(3);
      jobs(router, [4, 5, 6]);
      yield* sleep(10);
      router.stop({ drain: true });
      yield* router.join();
      const done = log.map((entry) => Number(entry.split(':')[1])).sort();
      // Jobs 1 and 3 are ahead of the crash in w0; a later job routed to w0 before it crashed is a dead letter.
      assert.ok(done.every((n, i) => i === 0 || n !== done[i - 1]), `no job twice: ${done}`);
      assert.ok([1, 2, 3].every((n) => done.includes(n)), `the first three done: ${done}`);
      assert.ok(done.length >= 5, `at most one lost: ${done}`);
    },
    { seeds: 30, onError: () => {} },
  ));

const bad = suite('Router: bad input');

bad('options are checked at construction, naming the field', () => {
  const worker = (slot: number) => new Worker(slot, []);
  const cases: [unknown, string][] = [
    [undefined, 'TypeError: new Router: options must be an object ({ workers, worker, strategy, ... }), got undefined'],
    [{ workers: 0, worker }, 'RangeError: new Router: workers must be a positive integer, got 0'],
    [{ workers: 1.5, worker }, 'RangeError: new Router: workers must be a positive integer, got 1.5'],
    [{ workers: '2', worker }, 'RangeError: new Router: workers must be a positive integer, got "2"'],
    [{ workers: 2 }, 'TypeError: new Router: worker must be a function, got undefined'],
    [{ workers: 2, worker, strategy: 'fastest' }, "TypeError: new Router: strategy must be 'roundRobin', 'smallestMailbox', 'random', 'broadcast' or consistentHash(keyOf), got \"fastest\""],
    [{ workers: 2, worker, wokers: 3 }, 'TypeError: new Router: unknown option "wokers" (options are workers, worker, strategy, name, mailbox, maxRestarts, withinMs, backoff, shutdown)'],
    [{ workers: 2, worker, maxRestarts: -1 }, 'RangeError: new Router: maxRestarts must be a non-negative integer, got -1'],
    [{ workers: 2, worker, shutdown: -5 }, "RangeError: new Router: shutdown must be a non-negative, finite number of ms ('infinity' to wait forever), got -5"],
    [{ workers: 2, worker, mailbox: 0 }, 'RangeError: new Actor: mailbox must be a positive integer (or omitted: unbounded), got 0'],
  ];
  for (const [options, expected] of cases) {
    try {
      new Router(options as never);
      assert.unreachable(`no error for ${expected}`);
    } catch (error) {
      assert.is(`${(error as Error).name}: ${(error as Error).message}`, expected);
    }
  }
});

bad('resize takes a positive integer, and a started, living router', () =>
  simulate(function* () {
    const router = pool([], 'roundRobin', 1);
    assert.throws(() => router.resize(2), /^Router\.resize: <Router "pool"> was never started/);
    router.start();
    yield* router.up();
    for (const [n, shown] of [[0, '0'], [-1, '-1'], [2.5, '2.5'], [NaN, 'NaN']] as const) {
      assert.throws(() => router.resize(n), (e: Error) => e instanceof RangeError && e.message === `Router.resize: n must be a positive integer, got ${shown}`);
    }
    assert.throws(() => router.resize(2, { timout: 5 } as never), /Router\.resize: unknown option "timout" \(options are timeout\)/);
    router.stop();
    yield* router.join();
    assert.throws(() => router.resize(2), /^Router\.resize: <Router "pool"> is not running$/);
  }));

bad("a bounded worker that is full: the sender gets MailboxFull; a broadcast then reaches no worker", () =>
  simulate(function* () {
    const log: string[] = [];
    const router = new Router<Job>({ workers: 2, worker: (slot) => new Worker(slot, log, { mailbox: 1 }), strategy: 'broadcast' }).start();
    yield* router.up();
    router.workers()[1].send({ type: 'job', n: 0, ms: 10 });
    yield* advance(0);
    router.workers()[1].send({ type: 'job', n: 1 });
    assert.throws(() => router.send({ type: 'job', n: 2 }), (e: Error) =>
      e instanceof MailboxFull && e.message === 'Router.send: the inbox of <Worker "w1"> is full (mailbox 1); the broadcast was not sent to any worker');
    yield* advance(100);
    assert.equal(log, ['1:0', '1:1']);
    router.stop();
  }));

bad('send and ask are typed with the workers\' message type', () =>
  simulate(function* () {
    const router = pool([], 'roundRobin', 1).start();
    yield* router.up();
    // @ts-expect-error not a Job
    router.send({ type: 'other' });
    const answer: string = yield* ask(router, (replyTo) => ({ type: 'ask', n: 1, replyTo }));
    assert.is(answer, '0:1');
    yield* advance(0);
    router.stop();
    // The wrong message above reached worker 0, which ignored it as an unknown job: nothing else to check.
    void ExitSignal;
  }, { onError: () => {} }));

routing.run();
failures.run();
resizing.run();
lifecycle.run();
bad.run();
