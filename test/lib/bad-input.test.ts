/**
 * Regressions (issue 11, item 12): bad input that was silent, corrupting or
 * unclear in lib/. Each is refused at the call with an error that names the
 * call and the value.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Channel,
  Greenlet,
  GreenletExit,
  Pool,
  PriorityQueue,
  exitReason,
  getHub,
  run,
  sleep,
  spawn,
  spawnLater,
  withTimeout,
  type HubEvent,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';
import { errorSink, throwsExactly } from '../support.js';

const bad = suite('bad input in lib/');

const ASYNC_GENERATOR =
  'grove cannot run an async generator (async function*): write a generator function (function*) and wait for promises with yield* call(promise)';

bad('an async generator function is refused as a body, where it is given', () =>
  simulate(function* () {
    const body = async function* (): AsyncGenerator<number> {
      yield 1;
    } as never;
    const cases: [string, () => unknown][] = [
      ['spawn: fn', () => spawn(body)],
      ['spawnLater: fn', () => spawnLater(5, body)],
      ['new Greenlet: fn', () => new Greenlet(body)],
      ['run: main', () => run(body)],
      ['withTimeout: fn', () => withTimeout(5, body)],
      ['Pool.spawn: fn', () => new Pool(1).spawn(body)],
    ];
    for (const [what, make] of cases) throwsExactly(make, TypeError, `${what} is an async generator function; ${ASYNC_GENERATOR}`);
  }));

bad('a plain body that returns an AsyncGenerator fails its greenlet instead of "succeeding" with it', async () => {
  const sink = errorSink();
  const g = await simulate(
    function* () {
      const g = spawn((() => (async function* () {})()) as never);
      g.name = 'worker';
      yield* sleep(0);
      return g;
    },
    { onError: sink.onError },
  );
  assert.instance(g.exception, TypeError);
  assert.equal(sink.reports, [`worker: greenlet: TypeError: the body of worker returned an AsyncGenerator; ${ASYNC_GENERATOR}`]);
});

bad('PriorityQueue refuses NaN priorities, in tuples too, and a comparator that returns NaN', () => {
  const q = new PriorityQueue<[number, string]>();
  q.putNowait([3, 'c']);
  throwsExactly(() => q.putNowait([NaN, 'n']), TypeError, 'PriorityQueue: cannot order NaN (at [0])');
  q.putNowait([1, 'a']);
  assert.equal([q.getNowait(), q.getNowait()], [[1, 'a'], [3, 'c']]);
  throwsExactly(() => new PriorityQueue<unknown>().putNowait([1, [2, NaN]]), TypeError, 'PriorityQueue: cannot order NaN (at [1][1])');
  const custom = new PriorityQueue<number>({ compare: () => NaN });
  custom.putNowait(1);
  throwsExactly(() => custom.putNowait(2), TypeError, 'PriorityQueue: compare(2, 1) returned NaN; it must return a number (negative, 0 or positive)');
  assert.is(custom.qsize(), 1);
});

bad('Channel: new Channel(5) is refused; qsize()/empty() count an item handed by putNowait and not taken yet', () =>
  simulate(function* () {
    throwsExactly(() => new Channel(5 as never), TypeError, 'new Channel: a Channel takes no arguments (it holds no items), got 5; for a buffer use new Queue(5)');
    const ch = new Channel<string>();
    const getter = spawn(() => ch.get());
    yield* sleep(0);
    assert.is(ch.qsize(), 0);
    ch.putNowait('x');
    assert.is(ch.qsize(), 1);
    assert.not.ok(ch.empty());
    assert.is(yield* getter.get(), 'x');
    assert.is(ch.qsize(), 0);
    assert.ok(ch.empty());
  }));

bad('start() on a greenlet that already ran is an error; one killed before it started still does nothing', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    yield* g.join();
    throwsExactly(() => g.start(), Error, `Greenlet.start: ${g.name} already ran; a greenlet runs once (make a new one)`);
    throwsExactly(() => g.startLater(5), Error, `Greenlet.startLater: ${g.name} already ran; a greenlet runs once (make a new one)`);
    const k = new Greenlet(() => assert.unreachable('killed greenlet ran'));
    k.kill();
    k.start();
    yield* sleep(0);
    assert.not.ok(k.started);
  }));

bad('Pool.spawn from a member of its own full pool, every other member waiting too: LoopExit at the call, naming the pool', () =>
  simulate(function* () {
    const pool = new Pool(2);
    const errors: string[] = [];
    const job = function* (): Operation<void> {
      try {
        yield* pool.spawn(() => sleep(1));
      } catch (error) {
        errors.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    };
    const a = yield* pool.spawn(job);
    const b = yield* pool.spawn(job);
    // a asks first: b could still end and free a slot, so a waits. Then b asks, with a waiting: that can never end.
    yield* pool.join();
    assert.ok(a.successful() && b.successful());
    assert.equal(errors, [
      `LoopExit: This operation would block forever\n\tPool.spawn: ${b.name} is a member of this full pool (capacity 2) and every other member waits for a slot too: none can ever free one. Spawn from outside the pool, or raise its capacity.`,
    ]);
  }));

bad('exitReason(null) and a kill({ exception }) class that needs arguments give clear errors, not raw TypeErrors', () =>
  simulate(function* () {
    throwsExactly(() => exitReason(null as never), TypeError, 'exitReason: expected a Greenlet, got null');
    class Coded extends Error {
      constructor(readonly code: number) {
        super(code.toFixed(0));
      }
    }
    const g = spawn(() => sleep(10));
    throwsExactly(
      () => g.kill({ exception: Coded as never }),
      TypeError,
      "Greenlet.kill: exception Coded cannot be made with no arguments (Cannot read properties of undefined (reading 'toFixed')); pass an instance instead",
    );
    yield* g.kill();
    assert.instance(g.value, GreenletExit);
  }));

bad('a kill() from a "switch" subscriber before the body first runs: it never runs, and ends once', async () => {
  const exits: unknown[] = [];
  await simulate(function* () {
    const subscription = getHub().events$.subscribe((event: HubEvent) => {
      if (event.type === 'switch' && event.greenlet.name === 'victim') event.greenlet.kill();
      if (event.type === 'exit' && event.greenlet.name === 'victim') exits.push(event.reason);
    });
    const g = new Greenlet(() => assert.unreachable('the victim ran'));
    g.name = 'victim';
    g.start();
    yield* sleep(1);
    subscription.unsubscribe();
    assert.instance(g.value, GreenletExit);
  });
  assert.equal(exits, ['killed']);
});

bad.run();
