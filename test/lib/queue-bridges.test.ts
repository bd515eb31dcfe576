import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Subject, interval, of, take, throwError, concat, toArray, firstValueFrom, type Observable } from 'rxjs';
import {
  Channel,
  Full,
  LoopExit,
  type Greenlet,
  PriorityQueue,
  Queue,
  QueueShutDown,
  fromObservable,
  joinAll,
  run,
  sleep,
  spawn,
  toObservable,
} from 'grove';
import { simulate } from 'grove/testing';
import { SIZE } from '../../lib/internal/keys.js';

/** Expects `fn` to throw a `Class` with exactly `message`. */
function throwsExactly(fn: () => unknown, Class: new (...args: never[]) => Error, message: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, Class);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${Class.name}: ${message}`);
}

/** Every value an Observable emits, and how it ended. */
function record<T>(source: Observable<T>): { values: T[]; end: string[] } {
  const values: T[] = [];
  const end: string[] = [];
  source.subscribe({
    next: (value) => values.push(value),
    error: (error: unknown) => end.push(`error: ${(error as Error).message}`),
    complete: () => end.push('complete'),
  });
  return { values, end };
}

const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------

const iteration = suite('Queue: for await from async code');

iteration('a for await loop outside greenlets gets what greenlets put, and ends when the queue is shut down', async () => {
  const q = new Queue<number>();
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const item of q) seen.push(item);
    return 'ended';
  })();
  await simulate(function* () {
    for (const i of [1, 2, 3]) {
      q.putNowait(i);
      yield* sleep(10);
    }
    q.shutdown();
  });
  assert.is(await consumer, 'ended');
  assert.equal(seen, [1, 2, 3]);
  assert.is(q.qsize(), 0);
});

iteration('items already queued are taken at once; a waiting next() is served in line with blocked greenlets', async () => {
  const [first, second] = await simulate(function* () {
    const q = new Queue<string>();
    q.putNowait('ready');
    const it = q[Symbol.asyncIterator]();
    const first = it.next();
    assert.is(q.qsize(), 0, 'taken when next() was called');
    const second = it.next(); // nothing queued: it waits in line
    const greenlet = spawn(function* () {
      return yield* q.get();
    });
    yield* sleep(0);
    assert.is(q.getters[SIZE], 2);
    q.putNowait('a');
    q.putNowait('b');
    assert.is(yield* greenlet.get(), 'b', 'the iterator was first in line');
    return [first, second];
  });
  assert.equal(await first, { done: false, value: 'ready' });
  assert.equal(await second, { done: false, value: 'a' });
});

iteration('next() calls made before any item comes are answered in call order', async () => {
  const q = new Queue<number>();
  const it = q[Symbol.asyncIterator]();
  const results = [it.next(), it.next(), it.next()];
  q.putNowait(1);
  q.putNowait(2);
  q.shutdown();
  assert.equal(await Promise.all(results), [
    { done: false, value: 1 },
    { done: false, value: 2 },
    { done: true, value: undefined },
  ]);
});

iteration('the loop throws the cause the queue was shut down with, after the items left', async () => {
  const q = new Queue<number>();
  q.putNowait(1);
  const cause = new Error('producer failed');
  q.shutdown({ cause });
  const seen: number[] = [];
  const error = await (async () => {
    for await (const item of q) seen.push(item);
  })().catch((e: unknown) => e);
  assert.is(error, cause);
  assert.equal(seen, [1]);
});

iteration('breaking out of the loop stops consuming and leaves the queue as it is; return() ends a pending next()', async () => {
  const q = new Queue<number>();
  for (const i of [1, 2, 3]) q.putNowait(i);
  for await (const item of q) {
    assert.is(item, 1);
    break;
  }
  assert.is(q.qsize(), 2);
  assert.not.ok(q.isShutdown);
  const empty = new Queue<number>();
  const it = empty[Symbol.asyncIterator]();
  const pending = it.next();
  assert.is(empty.getters[SIZE], 1);
  assert.equal(await it.return!(), { done: true, value: undefined });
  assert.equal(await pending, { done: true, value: undefined });
  assert.is(empty.getters[SIZE], 0, 'the waiter left the line');
  empty.putNowait(9);
  assert.equal(await it.next(), { done: true, value: undefined });
  assert.is(empty.qsize(), 1, 'a finished iterator takes nothing');
});

iteration('over a Channel, the loop takes the items of blocked putters, which then resume', async () => {
  const ch = new Channel<string>();
  let putter: Greenlet<string> | null = null;
  // The simulation ends with the putter blocked; the loop below, outside any greenlet, drives the rest.
  await simulate(function* () {
    putter = spawn(function* () {
      yield* ch.put('a');
      yield* ch.put('b');
      ch.shutdown();
      return 'putter done';
    });
    yield* sleep(0);
  });
  const seen: string[] = [];
  for await (const item of ch) seen.push(item);
  assert.equal(seen, ['a', 'b']);
  assert.is(putter!.value, 'putter done');
});

iteration('on a real-clock hub, a greenlet blocked on a queue an async consumer drains does not get LoopExit', async () => {
  const q = new Queue<number>(1);
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const item of q) {
      seen.push(item);
      await realDelay(2); // the hub sits idle, the greenlet blocked in put, meanwhile
    }
  })();
  await run(function* () {
    for (const i of [1, 2, 3, 4]) yield* q.put(i);
    q.shutdown();
  });
  await consumer;
  assert.equal(seen, [1, 2, 3, 4]);
});

iteration('once the last async consumer ends, a greenlet nothing else can wake gets LoopExit (no silent hang)', async () => {
  for (const ending of ['shutdown', 'return'] as const) {
    const other = new Queue<number>();
    const it = other[Symbol.asyncIterator]();
    const pending = it.next();
    let settled = false;
    const main = run(function* () {
      yield* new Queue<number>().get();
    }).finally(() => (settled = true));
    await realDelay(5);
    assert.not.ok(settled, 'held while the consumer may still act');
    // Ended from the hub (a round serves the shutdown) or from plain code (the loop broke off).
    if (ending === 'shutdown') other.shutdown();
    else await it.return!();
    const error = await main.catch((e: unknown) => e);
    assert.instance(error, LoopExit, ending);
    assert.equal(await pending, { done: true, value: undefined });
  }
});

// ---------------------------------------------------------------------------

const observe = suite('toObservable');

observe('emits the items queued at once, then each item put; it consumes them', () =>
  simulate(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    const { values, end } = record(toObservable(q));
    assert.equal(values, [1, 2], 'emitted synchronously on subscribe');
    assert.is(q.qsize(), 0);
    q.putNowait(3);
    assert.equal(values, [1, 2], 'emitted from the hub, not inside put()');
    yield* sleep(0);
    assert.equal(values, [1, 2, 3]);
    q.putNowait(4);
    q.putNowait(5);
    yield* sleep(0);
    assert.equal(values, [1, 2, 3, 4, 5]);
    assert.equal(end, []);
  }));

observe('completes when the queue is shut down and empty; errors with the shutdown cause', () =>
  simulate(function* () {
    const q = new Queue<string>();
    const a = record(toObservable(q));
    q.putNowait('last');
    q.shutdown();
    yield* sleep(0);
    assert.equal(a.values, ['last']);
    assert.equal(a.end, ['complete']);
    const failed = new Queue<string>();
    failed.shutdown({ cause: new Error('boom') });
    assert.equal(record(toObservable(failed)).end, ['error: boom'], 'at once on a shut-down queue');
  }));

observe('a subscription waits in line with greenlets blocked in get: each item goes to exactly one', () =>
  simulate(function* () {
    const q = new Queue<string>();
    const greenlet = spawn(function* () {
      return yield* q.get();
    });
    yield* sleep(0);
    const { values } = record(toObservable(q));
    q.putNowait('first');
    q.putNowait('second');
    assert.is(yield* greenlet.get(), 'first', 'the greenlet blocked first');
    assert.equal(values, ['second']);
  }));

observe('take(n) unsubscribes after n items: the rest stay queued and the subscription leaves the line', async () => {
  const [result] = await simulate(function* () {
    const q = new Queue<number>();
    const result = firstValueFrom(toObservable(q).pipe(take(2), toArray()));
    assert.is(q.getters[SIZE], 1);
    for (const i of [1, 2, 3, 4]) q.putNowait(i);
    yield* sleep(0);
    assert.is(q.getters[SIZE], 0);
    assert.equal([q.qsize(), q.getNowait()], [2, 3]);
    return [result];
  });
  assert.equal(await result, [1, 2]);
});

observe('over a Channel it takes the items of blocked putters, resuming them', () =>
  simulate(function* () {
    const ch = new Channel<number>();
    const putters = [1, 2].map((n) =>
      spawn(function* () {
        yield* ch.put(n);
        return `put ${n}`;
      }),
    );
    yield* sleep(0);
    const { values } = record(toObservable(ch));
    assert.equal(values, [1, 2]);
    yield* joinAll(putters);
    assert.equal(
      putters.map((p) => p.value),
      ['put 1', 'put 2'],
    );
  }));

observe('refuses what is not a Queue or a Channel', () => {
  throwsExactly(() => toObservable([] as never), TypeError, 'toObservable: queue must be a Queue or a Channel, got an array');
});

// ---------------------------------------------------------------------------

const feed = suite('fromObservable');

feed('puts every value into a new queue, and shuts it down when the source completes', () =>
  simulate(function* () {
    const q = fromObservable(of(1, 2, 3));
    assert.instance(q, Queue);
    assert.is(q.qsize(), 3);
    assert.ok(q.isShutdown);
    const got: unknown[] = [];
    for (;;) {
      try {
        got.push(yield* q.get());
      } catch (error) {
        got.push((error as Error).name);
        break;
      }
    }
    assert.equal(got, [1, 2, 3, 'QueueShutDown']);
  }));

feed('values emitted later reach greenlets blocked in get, in the order they blocked', () =>
  simulate(function* () {
    const subject = new Subject<string>();
    const q = fromObservable(subject);
    const getters = ['a', 'b'].map((name) =>
      spawn(function* () {
        return `${name}:${yield* q.get()}`;
      }),
    );
    yield* sleep(0);
    subject.next('x');
    subject.next('y');
    yield* joinAll(getters);
    assert.equal(
      getters.map((g) => g.value),
      ['a:x', 'b:y'],
    );
    subject.complete();
    assert.ok(q.isShutdown);
    assert.not.ok(subject.observed);
  }));

feed('a source that errors shuts the queue down with the error as cause: get, for await and toObservable see it', () =>
  simulate(function* () {
    const boom = new Error('source failed');
    const q = fromObservable(concat(of(1), throwError(() => boom)));
    assert.is(q.shutdownCause, boom);
    const copy = fromObservable(concat(of(1), throwError(() => boom)));
    const { values, end } = record(toObservable(copy));
    assert.equal(values, [1]);
    assert.equal(end, ['error: source failed'], 'a round trip keeps the error');
    assert.is(yield* q.get(), 1);
    const error = yield* (function* () {
      try {
        yield* q.get();
      } catch (e) {
        return e;
      }
    })();
    assert.instance(error, QueueShutDown);
    assert.is((error as Error).cause, boom);
  }));

feed('a bounded queue that overflows ends the feed: the source is unsubscribed, the queue shut down with Full', () =>
  simulate(function* () {
    const subject = new Subject<number>();
    const q = fromObservable(subject, new Queue<number>(2));
    subject.next(1);
    subject.next(2);
    subject.next(3);
    assert.not.ok(subject.observed, 'unsubscribed');
    assert.ok(q.isShutdown);
    assert.instance(q.shutdownCause, Full);
    assert.is(
      (q.shutdownCause as Error).message,
      'fromObservable: the queue is full (maxsize 2): the source emits faster than the queue is drained',
    );
    assert.equal([yield* q.get(), yield* q.get()], [1, 2], 'what fitted is still handed out');
  }));

feed('shutting the queue down unsubscribes from the source', () =>
  simulate(function* () {
    const subject = new Subject<number>();
    const q = fromObservable(subject);
    assert.ok(subject.observed);
    q.shutdown();
    assert.not.ok(subject.observed);
    subject.next(1);
    assert.is(q.qsize(), 0);
    yield* sleep(0);
  }));

feed('fills the queue it is given, which keeps its own order; a value the queue refuses ends the feed with that error', () =>
  simulate(function* () {
    const pq = fromObservable(of(5, 1, 3), new PriorityQueue<number>());
    assert.instance(pq, PriorityQueue);
    assert.equal([yield* pq.get(), yield* pq.get(), yield* pq.get()], [1, 3, 5]);
    const mixed: Observable<unknown> = of(1, {});
    const bad = fromObservable(mixed, new PriorityQueue<unknown>());
    assert.instance(bad.shutdownCause, TypeError);
    assert.is(bad.qsize(), 1);
  }));

feed('refuses a bad source, a target that is not a Queue, and a queue already shut down', () => {
  throwsExactly(() => fromObservable(42 as never), TypeError, 'fromObservable: source must be an Observable (or an array, promise or iterable), got 42');
  throwsExactly(() => fromObservable(of(1), new Channel<number>() as never), TypeError, 'fromObservable: queue must be a Queue, got a Channel');
  const shut = new Queue<number>();
  shut.shutdown();
  throwsExactly(() => fromObservable(of(1), shut), QueueShutDown, 'fromObservable: the queue is shut down');
});

feed('on a real-clock hub, a greenlet waiting on a queue fed by a timer-driven source does not get LoopExit', async () => {
  const got = await run(function* () {
    const q = fromObservable(interval(2).pipe(take(3)));
    const values: number[] = [];
    for (;;) {
      try {
        values.push(yield* q.get());
      } catch (error) {
        if (error instanceof QueueShutDown) return values;
        throw error;
      }
    }
  });
  assert.equal(got, [0, 1, 2]);
});

feed('on a virtual-clock hub, a greenlet waiting only on a real-time source gets LoopExit (a test must not wait on the world)', async () => {
  const error = await simulate(function* () {
    const q = fromObservable(interval(2).pipe(take(3)));
    try {
      return yield* q.get();
    } finally {
      q.shutdown();
    }
  }).catch((e: unknown) => e);
  assert.instance(error, LoopExit);
});

iteration.run();
observe.run();
feed.run();
