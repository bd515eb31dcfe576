import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DroppedOperation,
  Empty,
  Full,
  GreenletExit,
  JoinableQueue,
  LifoQueue,
  LoopExit,
  NotInGreenlet,
  PriorityQueue,
  Queue,
  QueueShutDown,
  Timeout,
  getHub,
  joinAll,
  sleep,
  spawn,
  spawnLater,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';
import { SIZE } from '../../lib/internal/keys.js';

/** Collects log lines. */
function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

/** Runs `op` and returns what it threw; fails if it returned. */
function* thrown(op: Operation<unknown>): Operation<unknown> {
  try {
    const value = yield* op;
    assert.unreachable(`expected an error, got ${String(value)}`);
  } catch (error) {
    if (error instanceof assert.Assertion) throw error;
    return error;
  }
}

/** Asserts `error` is a `Class` with exactly `message`. */
function isError(error: unknown, Class: new (...args: never[]) => Error, message: string): void {
  assert.instance(error, Class);
  assert.is((error as Error).message, message);
}

/** Expects `fn` to throw a `Class` with exactly `message`. */
function throwsExactly(fn: () => unknown, Class: new (...args: never[]) => Error, message: string): void {
  try {
    fn();
  } catch (error) {
    isError(error, Class, message);
    return;
  }
  assert.unreachable(`expected ${Class.name}: ${message}`);
}

// ---------------------------------------------------------------------------

const basics = suite('Queue');

basics('put and get keep FIFO order without switching; qsize, empty, full and maxsize follow', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    spawn(() => log('other ran'));
    const q = new Queue<string>();
    assert.is(q.maxsize, Infinity);
    assert.ok(q.empty());
    assert.not.ok(q.full());
    yield* q.put('a');
    q.putNowait('b');
    yield* q.put('c', { timeout: 0 });
    assert.is(q.qsize(), 3);
    assert.not.ok(q.empty());
    assert.is(yield* q.get(), 'a');
    assert.is(q.getNowait(), 'b');
    assert.is(yield* q.get({ timeout: 0 }), 'c');
    assert.ok(q.empty());
    assert.equal(lines, [], 'no call switched: the other greenlet has not run');
    yield* sleep(0);
    assert.equal(lines, ['other ran']);
  }));

basics('a bounded queue is full at maxsize; toString shows its state', () =>
  simulate(function* () {
    const q = new Queue<number>(2);
    assert.is(q.maxsize, 2);
    q.putNowait(1);
    assert.not.ok(q.full());
    q.putNowait(2);
    assert.ok(q.full());
    assert.is(String(q), '<Queue qsize=2 maxsize=2 getters=0 putters=0>');
    assert.is(String(new Queue()), '<Queue qsize=0 getters=0 putters=0>');
  }));

basics('getNowait on an empty queue throws Empty; putNowait on a full one throws Full', () =>
  simulate(function* () {
    const q = new Queue<number>(1);
    throwsExactly(() => q.getNowait(), Empty, 'Queue.getNowait: the queue is empty');
    throwsExactly(() => q.peekNowait(), Empty, 'Queue.peekNowait: the queue is empty');
    isError(yield* thrown(q.get({ timeout: 0 })), Empty, 'Queue.get: the queue is empty');
    isError(yield* thrown(q.peek({ timeout: 0 })), Empty, 'Queue.peek: the queue is empty');
    q.putNowait(1);
    throwsExactly(() => q.putNowait(2), Full, 'Queue.putNowait: the queue is full (maxsize 1)');
    isError(yield* thrown(q.put(2, { timeout: 0 })), Full, 'Queue.put: the queue is full (maxsize 1)');
    assert.is(q.qsize(), 1);
    assert.is(new Empty().name, 'Empty');
    assert.is(new Full().name, 'Full');
  }));

basics('blocked getters are served in the order they blocked, each running until it blocks', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<number>();
    const getters = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        log(`${name} got ${yield* q.get()}`);
        yield* sleep(0);
        log(`${name} carries on`);
      }),
    );
    yield* sleep(0);
    assert.is(q.getters[SIZE], 3);
    q.putNowait(1);
    yield* q.put(2);
    q.putNowait(3);
    log('put three');
    yield* joinAll(getters);
    assert.equal(lines, ['put three', 'a got 1', 'b got 2', 'c got 3', 'a carries on', 'b carries on', 'c carries on']);
  }));

basics('items stay in the queue, counted by qsize(), until the hub hands them to blocked getters', () =>
  simulate(function* () {
    const q = new Queue<string>();
    const got: string[] = [];
    spawn(function* () {
      got.push(yield* q.get());
    });
    yield* sleep(0);
    q.putNowait('x');
    assert.is(q.qsize(), 1, 'put() does not hand the item over itself');
    assert.equal(got, []);
    yield* sleep(0);
    assert.is(q.qsize(), 0);
    assert.equal(got, ['x']);
  }));

basics('barging: a greenlet that gets while items are present takes one at once; the waiter keeps waiting', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const got: number[] = [];
    const waiter = spawn(function* () {
      got.push(yield* q.get());
    });
    yield* sleep(0);
    q.putNowait(1);
    assert.is(q.getNowait(), 1, 'getNowait barges');
    q.putNowait(2);
    assert.is(yield* q.get(), 2, 'get barges too, without switching');
    yield* sleep(0);
    assert.equal(got, []);
    assert.is(q.getters[SIZE], 1, 'the waiter is still in line');
    q.putNowait(3);
    yield* waiter.join();
    assert.equal(got, [3]);
  }));

basics('a getter resumed by the hub takes every item it finds before it blocks (it runs until it blocks)', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const { lines, log } = recorder();
    spawn(function* () {
      for (;;) log(`a got ${yield* q.get()}`);
    });
    spawn(function* () {
      for (;;) log(`b got ${yield* q.get()}`);
    });
    yield* sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    yield* sleep(0);
    assert.equal(lines, ['a got 1', 'a got 2', 'a got 3']);
    q.putNowait(4);
    yield* sleep(0);
    assert.equal(lines.slice(3), ['b got 4'], 'a went to the back of the line when it blocked again');
  }));

basics('peek returns the next item without removing it; a blocked peeker waits in line', () =>
  simulate(function* () {
    const q = new Queue<string>();
    const { lines, log } = recorder();
    spawn(function* () {
      log(`peeked ${yield* q.peek()}`);
    });
    spawn(function* () {
      log(`got ${yield* q.get()}`);
    });
    yield* sleep(0);
    q.putNowait('x');
    yield* sleep(0);
    assert.equal(lines, ['peeked x', 'got x']);
    q.putNowait('y');
    assert.is(q.peekNowait(), 'y');
    assert.is(yield* q.peek(), 'y');
    assert.is(q.qsize(), 1);
  }));

basics('items of any type pass through, undefined and null included', () =>
  simulate(function* () {
    const q = new Queue<unknown>();
    const object = { a: 1 };
    for (const item of [undefined, null, 0, '', object]) q.putNowait(item);
    assert.is(q.qsize(), 5);
    assert.is(yield* q.get(), undefined);
    assert.is(yield* q.get(), null);
    assert.is(yield* q.get(), 0);
    assert.is(yield* q.get(), '');
    assert.is(yield* q.get(), object);
  }));

// ---------------------------------------------------------------------------

const bounded = suite('Queue: bounded put');

bounded('put blocks while the queue is full; blocked putters are let in FIFO, each as room frees', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<string>(1);
    q.putNowait('first');
    const putters = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        yield* q.put(name);
        log(`${name} put (qsize ${q.qsize()})`);
      }),
    );
    yield* sleep(0);
    assert.is(q.putters[SIZE], 3);
    assert.is(q.qsize(), 1);
    for (let i = 0; i < 4; i++) {
      log(`got ${yield* q.get()}`);
      yield* sleep(0);
    }
    yield* joinAll(putters);
    assert.equal(lines, ['got first', 'a put (qsize 1)', 'got a', 'b put (qsize 1)', 'got b', 'c put (qsize 1)', 'got c']);
  }));

bounded('a get that frees room lets the first blocked putter in when the hub runs, not during the get', () =>
  simulate(function* () {
    const q = new Queue<number>(2);
    q.putNowait(1);
    q.putNowait(2);
    const putter = spawn(function* () {
      yield* q.put(3);
    });
    yield* sleep(0);
    assert.is(q.getNowait(), 1);
    assert.is(q.qsize(), 1, 'the putter has not put yet');
    assert.not.ok(putter.dead);
    yield* sleep(0);
    assert.is(q.qsize(), 2);
    assert.ok(putter.dead);
    assert.equal([q.getNowait(), q.getNowait()], [2, 3]);
  }));

bounded('the boss/worker hand-off: the putter fills the queue each round, the getters take turns', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<number>(2);
    spawn(function* () {
      for (let i = 1; i <= 6; i++) yield* q.put(i);
      log('boss done');
    });
    const worker = function* (name: string): Operation<void> {
      for (let n = 0; n < 3; n++) {
        log(`${name} ${yield* q.get()}`);
        yield* sleep(0);
      }
    };
    yield* joinAll([spawn(worker, 'x'), spawn(worker, 'y')]);
    // The boss's last two puts fit in the round that lets it in after 'y 4': it finishes before 'x 5'.
    assert.equal(lines, ['x 1', 'y 2', 'x 3', 'y 4', 'boss done', 'x 5', 'y 6']);
  }));

bounded('the qsize of a bounded queue never exceeds maxsize, whatever the mix of puts and gets', () =>
  simulate(function* () {
    const q = new Queue<number>(3);
    let max = 0;
    const producers = [0, 1, 2].map((p) =>
      spawn(function* () {
        for (let i = 0; i < 10; i++) {
          yield* q.put(p * 100 + i);
          max = Math.max(max, q.qsize());
        }
      }),
    );
    const got: number[] = [];
    for (let i = 0; i < 30; i++) {
      got.push(yield* q.get());
      max = Math.max(max, q.qsize());
      if (i % 4 === 0) yield* sleep(0);
    }
    yield* joinAll(producers);
    assert.ok(max <= 3, `qsize reached ${max}`);
    assert.equal(got.slice().sort((a, b) => a - b), [0, 1, 2].flatMap((p) => [...Array(10).keys()].map((i) => p * 100 + i)));
    for (const p of [0, 1, 2]) {
      const mine = got.filter((n) => Math.floor(n / 100) === p);
      assert.equal(mine, mine.slice().sort((a, b) => a - b), 'each producer\'s items stay in order');
    }
  }));

// ---------------------------------------------------------------------------

const timeouts = suite('Queue: timeouts');

timeouts('get({ timeout }) throws Empty when no item came in time; put({ timeout }) throws Full', () =>
  simulate(function* () {
    const hub = getHub();
    const q = new Queue<number>(1);
    isError(yield* thrown(q.get({ timeout: 50 })), Empty, 'Queue.get: no item within 50 ms');
    assert.is(hub.now(), 50);
    isError(yield* thrown(q.peek({ timeout: 10 })), Empty, 'Queue.peek: no item within 10 ms');
    q.putNowait(1);
    isError(yield* thrown(q.put(2, { timeout: 25 })), Full, 'Queue.put: no room within 25 ms (maxsize 1)');
    assert.is(hub.now(), 85);
    assert.is(q.getters[SIZE] + q.putters[SIZE], 0, 'timed-out calls left the lists');
    assert.equal([q.qsize(), q.getNowait()], [1, 1], 'the timed-out put did not put its item');
  }));

timeouts('an item that comes in time is returned, and the timer is stopped', () =>
  simulate(function* () {
    const hub = getHub();
    const q = new Queue<string>();
    spawnLater(20, () => q.putNowait('late'));
    assert.is(yield* q.get({ timeout: 1000 }), 'late');
    assert.is(hub.now(), 20);
    yield* sleep(5000);
    assert.is(hub.now(), 5020, 'nothing fired at 1000 ms');
  }));

timeouts('a Timeout given as timeout is raised itself, and cancelled when the call returns', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const t = new Timeout(30);
    assert.is(yield* thrown(q.get({ timeout: t })), t);
    assert.is(getHub().now(), 30);
    const u = new Timeout(30);
    spawnLater(10, () => q.putNowait(7));
    assert.is(yield* q.get({ timeout: u }), 7);
    assert.not.ok(u.pending, 'cancelled on return');
    const full = new Queue<number>(1);
    full.putNowait(0);
    const v = new Timeout(5);
    assert.is(yield* thrown(full.put(1, { timeout: v })), v);
    assert.is(full.qsize(), 1);
  }));

timeouts('an outer Timeout firing while a greenlet is in get({ timeout: 1000 }) raises the outer Timeout, not Empty', () =>
  simulate(function* () {
    const q = new Queue<number>(1);
    const outer = new Timeout(50);
    outer.start();
    assert.is(yield* thrown(q.get({ timeout: 1000 })), outer);
    assert.is(q.getters[SIZE], 0);
    const scoped = new Timeout(20);
    q.putNowait(1);
    assert.is(yield* thrown(scoped.scope(q.put(2, { timeout: 1000 }))), scoped);
    assert.is(q.putters[SIZE], 0);
    assert.equal([q.qsize(), q.getNowait()], [1, 1]);
    // The reverse: the call's own timeout comes first, and the outer one stays armed.
    const later = new Timeout(100);
    later.start();
    isError(yield* thrown(q.get({ timeout: 10 })), Empty, 'Queue.get: no item within 10 ms');
    assert.ok(later.pending);
    later.cancel();
  }));

timeouts('bad timeouts and options are refused before anything happens', () =>
  simulate(function* () {
    const q = new Queue<number>();
    throwsExactly(() => q.get({ timeout: -1 }), RangeError, 'Queue.get: timeout must be a non-negative number of ms, got -1');
    throwsExactly(
      () => q.put(1, { timeout: 'soon' as unknown as number }),
      TypeError,
      'Queue.put: timeout must be a number of ms or a Timeout, got "soon"',
    );
    throwsExactly(() => q.peek(5 as never), TypeError, 'Queue.peek: options must be an object, got 5');
    throwsExactly(() => q.shutdown('now' as never), TypeError, 'Queue.shutdown: options must be an object, got "now"');
    assert.is(q.qsize(), 0);
    assert.not.ok(q.isShutdown);
    yield* sleep(0);
  }));

// ---------------------------------------------------------------------------

const races = suite('Queue: races');

races('a getter whose timeout fires in the tick an item arrives: the item is taken if the put ran first', () =>
  simulate(function* () {
    const q = new Queue<string>();
    // The producer's timer is armed first, so at t=10 it runs before the getter sees its timeout.
    spawnLater(10, () => q.putNowait('x'));
    const getter = spawn(function* () {
      return yield* q.get({ timeout: 10 });
    });
    assert.is(yield* getter.get(), 'x');
    assert.is(q.qsize(), 0);
  }));

races('a getter whose timeout fires in the tick an item arrives: Empty if it ran first, and the item stays', () =>
  simulate(function* () {
    const q = new Queue<string>();
    const getter = spawn(function* () {
      return yield* q.get({ timeout: 10 });
    });
    yield* sleep(0);
    spawnLater(10, () => q.putNowait('x'));
    const error = yield* thrown(getter.get());
    isError(error, Empty, 'Queue.get: no item within 10 ms');
    assert.is(q.qsize(), 1);
    assert.is(q.getNowait(), 'x');
  }));

races('a getter killed in the tick its item arrives takes nothing: the next getter gets it', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<number>();
    const a = spawn(function* () {
      try {
        log(`a got ${yield* q.get()}`);
      } finally {
        log('a finally');
      }
    });
    const b = spawn(function* () {
      log(`b got ${yield* q.get()}`);
    });
    yield* sleep(0);
    q.putNowait(1);
    a.kill();
    assert.is(q.getters[SIZE], 1, 'a left the line when killed');
    yield* joinAll([a, b]);
    // The round was queued by the put, before the kill queued a: b gets the item, then a dies.
    assert.equal(lines, ['b got 1', 'a finally']);
    assert.instance(a.value, GreenletExit);
  }));

races('a getter killed after its timeout fired but before it ran leaves the item in the queue', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const getter = spawn(function* () {
      return yield* q.get({ timeout: 10 });
    });
    // This sleep's timer is armed before the getter's: at t=10 this greenlet runs first, while the
    // getter, its timeout fired, is queued to run next.
    yield* sleep(10);
    assert.is(q.getters[SIZE], 0, 'the getter left the line when its timeout fired');
    q.putNowait(1);
    getter.kill();
    yield* getter.join();
    assert.instance(getter.value, GreenletExit);
    assert.is(q.qsize(), 1);
  }));

races('a putter killed while blocked on a full queue never puts its item, and its finally runs', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<string>(1);
    q.putNowait('kept');
    const putter = spawn(function* () {
      try {
        yield* q.put('dropped');
        log('put returned');
      } finally {
        log('putter finally');
      }
    });
    yield* sleep(0);
    assert.is(q.putters[SIZE], 1);
    putter.kill();
    assert.is(q.putters[SIZE], 0, 'it left the list when the kill was made');
    assert.is(q.getNowait(), 'kept');
    yield* sleep(0);
    assert.ok(putter.dead);
    assert.equal(lines, ['putter finally']);
    assert.is(q.qsize(), 0, 'the freed room did not let the dead putter in');
    yield* sleep(100);
    assert.is(q.qsize(), 0);
  }));

races('a putter whose timeout fires as room frees: it puts if the get ran first', () =>
  simulate(function* () {
    const q = new Queue<string>(1);
    q.putNowait('old');
    spawnLater(10, () => void q.getNowait());
    const putter = spawn(function* () {
      yield* q.put('new', { timeout: 10 });
      return 'put';
    });
    assert.is(yield* putter.get(), 'put');
    assert.equal([q.qsize(), q.getNowait()], [1, 'new']);
  }));

races('a putter whose timeout fires as room frees: Full if it ran first, and its item is not put', () =>
  simulate(function* () {
    const q = new Queue<string>(1);
    q.putNowait('old');
    const putter = spawn(function* () {
      yield* q.put('new', { timeout: 10 });
    });
    yield* sleep(0);
    spawnLater(10, () => void q.getNowait());
    isError(yield* thrown(putter.get()), Full, 'Queue.put: no room within 10 ms (maxsize 1)');
    assert.is(q.qsize(), 0);
  }));

races('under 200 seeded interleavings, with timeouts and kills, every item put is got exactly once or left queued', async () => {
  // Counted over all seeds, so the test cannot quietly stop exercising a race.
  const seen = { full: 0, empty: 0, left: 0, killedWhileWaiting: 0 };
  for (let seed = 1; seed <= 200; seed++) {
    await simulate(
      function* () {
        const q = new Queue<number>(2);
        const putOk: number[] = [];
        const got: number[] = [];
        const producers = [0, 1, 2, 3].map((p) =>
          spawn(function* () {
            for (let i = 0; i < 8; i++) {
              const item = p * 10 + i;
              try {
                yield* q.put(item, { timeout: item % 3 });
                putOk.push(item);
              } catch (error) {
                if (!(error instanceof Full)) throw error;
                seen.full++;
              }
              yield* sleep(item % 5);
            }
          }),
        );
        const consumers = [0, 1, 2].map((c) =>
          spawn(function* () {
            for (;;) {
              try {
                got.push(yield* q.get({ timeout: c + 1 }));
              } catch (error) {
                if (!(error instanceof Empty)) throw error;
                seen.empty++;
              }
              yield* sleep(c * 2);
            }
          }),
        );
        // Kill some of each at seed-dependent moments: often while blocked in put or get.
        yield* sleep(1 + (seed % 3));
        seen.killedWhileWaiting += q.getters[SIZE] + q.putters[SIZE];
        consumers[0].kill();
        producers[3].kill();
        yield* sleep(seed % 5);
        seen.killedWhileWaiting += q.getters[SIZE] + q.putters[SIZE];
        consumers[1].kill();
        producers[2].kill();
        yield* joinAll(producers);
        yield* sleep(seed % 16);
        consumers[2].kill();
        const left: number[] = [];
        while (!q.empty()) left.push(q.getNowait());
        seen.left += left.length;
        const out = [...got, ...left].sort((a, b) => a - b);
        assert.equal(out, putOk.slice().sort((a, b) => a - b), `seed ${seed}: every item put is out exactly once`);
        assert.is(new Set(out).size, out.length, `seed ${seed}: no item twice`);
        assert.is(q.getters[SIZE] + q.putters[SIZE], 0, `seed ${seed}: the lists are empty`);
      },
      { seed },
    );
  }
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `no seed exercised ${what}`);
});

// ---------------------------------------------------------------------------

const blocking = suite('Queue: kill, LoopExit and misuse');

blocking('a greenlet killed while blocked in get runs its finally and leaves the list; a later put is not consumed', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new Queue<number>();
    const g = spawn(function* () {
      try {
        yield* q.get();
      } finally {
        log('finally');
      }
    });
    yield* sleep(0);
    assert.is(q.getters[SIZE], 1);
    yield* g.kill();
    assert.equal(lines, ['finally']);
    assert.is(q.getters[SIZE], 0);
    q.putNowait(1);
    yield* sleep(0);
    assert.is(q.qsize(), 1);
  }));

blocking('get on an empty queue nobody will fill gives LoopExit, naming the call', async () => {
  const error = await simulate(function* () {
    yield* new Queue<number>().get();
  }).catch((e: unknown) => e);
  assert.instance(error, LoopExit);
  assert.match((error as Error).message, /This operation would block forever/);
  assert.match((error as Error).message, /blocked in Queue\.get\(\)/);
});

blocking('put on a full queue nobody will drain gives LoopExit, and the item is not put', async () => {
  const q = new PriorityQueue<number>(1);
  const error = await simulate(function* () {
    q.putNowait(1);
    yield* q.put(2);
  }).catch((e: unknown) => e);
  assert.instance(error, LoopExit);
  assert.match((error as Error).message, /blocked in PriorityQueue\.put\(\)/);
  assert.is(q.qsize(), 1);
  assert.is(q.putters[SIZE], 0);
});

blocking('a get() made without yield* is caught at the next blocking call; outside a greenlet it throws NotInGreenlet', async () => {
  const error = await simulate(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    void q.get();
    yield* sleep(0);
  }).catch((e: unknown) => e);
  assert.instance(error, DroppedOperation);
  assert.match((error as Error).message, /^Queue\.get\(\) was called without yield\*/);
  throwsExactly(() => new Queue().get(), NotInGreenlet, 'Queue.get() must be called inside a greenlet: start one with run(function* () { ... }) or spawn()');
});

blocking('maxsize must be a positive integer or omitted; the message names the value', () => {
  throwsExactly(() => new Queue(-1), RangeError, 'new Queue: maxsize must be a positive integer (or omitted: unbounded), got -1');
  throwsExactly(() => new Queue(1.5), RangeError, 'new Queue: maxsize must be a positive integer (or omitted: unbounded), got 1.5');
  throwsExactly(() => new Queue(NaN), RangeError, 'new Queue: maxsize must be a positive integer (or omitted: unbounded), got NaN');
  throwsExactly(
    () => new Queue(0),
    RangeError,
    'new Queue: maxsize must be a positive integer (or omitted: unbounded), got 0 (a rendezvous queue is a Channel)',
  );
  throwsExactly(() => new Queue('3' as unknown as number), TypeError, 'new Queue: maxsize must be a positive integer (or omitted: unbounded), got "3"');
  throwsExactly(() => new LifoQueue(-2), RangeError, 'new LifoQueue: maxsize must be a positive integer (or omitted: unbounded), got -2');
  assert.is(new Queue(null).maxsize, Infinity);
  assert.is(new Queue(Infinity).maxsize, Infinity);
});

// ---------------------------------------------------------------------------

const shutdown = suite('Queue: shutdown');

shutdown('after shutdown, puts throw QueueShutDown and gets drain the items left, then throw it', () =>
  simulate(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.shutdown();
    assert.ok(q.isShutdown);
    throwsExactly(() => q.putNowait(3), QueueShutDown, 'Queue.putNowait: the queue is shut down');
    isError(yield* thrown(q.put(3)), QueueShutDown, 'Queue.put: the queue is shut down');
    assert.is(yield* q.get(), 1);
    assert.is(q.peekNowait(), 2);
    assert.is(q.getNowait(), 2);
    isError(yield* thrown(q.get()), QueueShutDown, 'Queue.get: the queue is shut down');
    isError(yield* thrown(q.peek({ timeout: 0 })), QueueShutDown, 'Queue.peek: the queue is shut down');
    throwsExactly(() => q.getNowait(), QueueShutDown, 'Queue.getNowait: the queue is shut down');
    throwsExactly(() => q.peekNowait(), QueueShutDown, 'Queue.peekNowait: the queue is shut down');
    assert.is(String(q), '<Queue qsize=0 getters=0 putters=0 shut down>');
  }));

shutdown('blocked getters and putters are woken with QueueShutDown, in a round, and blocked items are not put', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const empty = new Queue<number>();
    const full = new Queue<number>(1);
    full.putNowait(0);
    const waiter = (name: string, op: () => Operation<unknown>) =>
      spawn(function* () {
        try {
          yield* op();
        } catch (error) {
          log(`${name}: ${(error as Error).name}: ${(error as Error).message}`);
        }
      });
    const gs = [
      waiter('getter', () => empty.get()),
      waiter('putter 1', () => full.put(1)),
      waiter('putter 2', () => full.put(2)),
    ];
    yield* sleep(0);
    empty.shutdown();
    full.shutdown();
    assert.equal(lines, [], 'shutdown does not switch');
    yield* joinAll(gs);
    assert.equal(lines, [
      'getter: QueueShutDown: Queue.get: the queue is shut down',
      'putter 1: QueueShutDown: Queue.put: the queue is shut down',
      'putter 2: QueueShutDown: Queue.put: the queue is shut down',
    ]);
    assert.equal([full.qsize(), full.getNowait()], [1, 0], 'the items already queued stay');
  }));

shutdown('immediate drops the items left; the first cause is kept on every error', () =>
  simulate(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    const cause = new Error('producer failed');
    q.shutdown({ cause });
    q.shutdown({ immediate: true, cause: new Error('ignored') });
    assert.is(q.qsize(), 0);
    assert.is(q.shutdownCause, cause);
    const error = yield* thrown(q.get());
    isError(error, QueueShutDown, 'Queue.get: the queue is shut down');
    assert.is((error as Error).cause, cause);
    assert.is(new QueueShutDown().name, 'QueueShutDown');
  }));

shutdown('a getter blocked on a queue shut down with items still to hand out gets an item first', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const got: unknown[] = [];
    spawn(function* () {
      for (;;) {
        try {
          got.push(yield* q.get());
        } catch (error) {
          got.push((error as Error).name);
          return;
        }
      }
    });
    yield* sleep(0);
    q.putNowait(1);
    q.shutdown();
    yield* sleep(0);
    assert.equal(got, [1, 'QueueShutDown']);
  }));

// ---------------------------------------------------------------------------

const lifo = suite('LifoQueue');

lifo('hands out the most recently put item first; peek shows it', () =>
  simulate(function* () {
    const q = new LifoQueue<number>(3);
    for (const i of [1, 2, 3]) yield* q.put(i);
    assert.ok(q.full());
    assert.is(q.peekNowait(), 3);
    assert.equal([yield* q.get(), q.getNowait(), yield* q.get()], [3, 2, 1]);
    assert.is(String(q), '<LifoQueue qsize=0 maxsize=3 getters=0 putters=0>');
  }));

lifo('blocked getters and putters follow the same FIFO hand-off as Queue', () =>
  simulate(function* () {
    const q = new LifoQueue<string>(1);
    const got: string[] = [];
    const getters = ['a', 'b'].map((name) =>
      spawn(function* () {
        got.push(`${name}:${yield* q.get()}`);
      }),
    );
    yield* sleep(0);
    q.putNowait('x');
    yield* q.put('y');
    yield* joinAll(getters);
    assert.equal(got, ['a:x', 'b:y']);
  }));

// ---------------------------------------------------------------------------

const priority = suite('PriorityQueue');

priority('hands out numbers and strings smallest first, and equal items in the order they were put', () =>
  simulate(function* () {
    const q = new PriorityQueue<number>();
    for (const n of [5, 1, 4, 1, 5, 9, 2, 6, 5, 3]) q.putNowait(n);
    const out: number[] = [];
    while (!q.empty()) out.push(yield* q.get());
    assert.equal(out, [1, 1, 2, 3, 4, 5, 5, 5, 6, 9]);
    const s = new PriorityQueue<string>();
    for (const w of ['pear', 'apple', 'fig']) s.putNowait(w);
    assert.equal([s.getNowait(), s.getNowait(), s.getNowait()], ['apple', 'fig', 'pear']);
  }));

priority('[priority, payload] tuples order by priority, then FIFO; payload objects are never compared', () =>
  simulate(function* () {
    const q = new PriorityQueue<[number, { job: string }]>();
    const jobs = ['a', 'b', 'c', 'd', 'e', 'f'].map((job) => ({ job }));
    const priorities = [2, 1, 2, 0, 1, 2];
    jobs.forEach((job, i) => q.putNowait([priorities[i], job]));
    assert.is(q.peekNowait()[1].job, 'd');
    const out: string[] = [];
    while (!q.empty()) out.push((yield* q.get())[1].job);
    assert.equal(out, ['d', 'b', 'e', 'a', 'c', 'f']);
  }));

priority('FIFO among equal priorities holds over many items (a stable heap)', () =>
  simulate(function* () {
    const q = new PriorityQueue<[number, number]>();
    for (let i = 0; i < 200; i++) q.putNowait([(i * 7) % 5, i]);
    const out: Array<[number, number]> = [];
    while (!q.empty()) out.push(q.getNowait());
    const expected = [...Array(200).keys()].map((i): [number, number] => [(i * 7) % 5, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.equal(out, expected);
  }));

priority('a comparator orders anything; both constructor forms take one', () =>
  simulate(function* () {
    type Job = { name: string; urgency: number };
    const byUrgency = (a: Job, b: Job) => b.urgency - a.urgency;
    const q = new PriorityQueue<Job>({ compare: byUrgency, maxsize: 2 });
    assert.is(q.maxsize, 2);
    q.putNowait({ name: 'low', urgency: 1 });
    q.putNowait({ name: 'high', urgency: 9 });
    assert.ok(q.full());
    assert.is(q.getNowait().name, 'high');
    const p = new PriorityQueue<Job>(null, { compare: byUrgency });
    p.putNowait({ name: 'x', urgency: 1 });
    p.putNowait({ name: 'y', urgency: 2 });
    assert.is(p.getNowait().name, 'y');
    assert.is(String(p), '<PriorityQueue qsize=1 getters=0 putters=0>');
  }));

priority('items the default order cannot place are refused when put; a bad comparator is refused', () =>
  simulate(function* () {
    const q = new PriorityQueue<unknown>();
    throwsExactly(() => q.putNowait({}), TypeError, 'PriorityQueue: cannot order an object by default (numbers, strings, bigints or arrays); pass { compare }');
    throwsExactly(() => q.putNowait(NaN), TypeError, 'PriorityQueue: cannot order NaN');
    q.putNowait(1);
    throwsExactly(() => q.putNowait('a'), TypeError, 'PriorityQueue: cannot order "a" against 1; pass { compare }');
    assert.is(q.qsize(), 1, 'a refused item is not put');
    throwsExactly(() => new PriorityQueue<number>(null, { compare: 3 as never }), TypeError, 'new PriorityQueue: compare must be a function, got 3');
    throwsExactly(() => new PriorityQueue<number>(0), RangeError, 'new PriorityQueue: maxsize must be a positive integer (or omitted: unbounded), got 0 (a rendezvous queue is a Channel)');
  }));

priority('a comparator that throws loses no item', () =>
  simulate(function* () {
    let fail = false;
    const q = new PriorityQueue<number>(null, {
      compare: (a, b) => {
        if (fail) throw new Error('compare failed');
        return a - b;
      },
    });
    for (const n of [3, 1, 4, 1, 5, 9, 2, 6]) q.putNowait(n);
    fail = true;
    throwsExactly(() => q.putNowait(0), Error, 'compare failed');
    throwsExactly(() => q.getNowait(), Error, 'compare failed');
    assert.is(q.qsize(), 8);
    fail = false;
    const out: number[] = [];
    while (!q.empty()) out.push(q.getNowait());
    assert.equal(out.slice().sort((a, b) => a - b), [1, 1, 2, 3, 4, 5, 6, 9]);
  }));

priority('a getter blocked on an empty PriorityQueue gets the smallest of the items put before the hub ran', () =>
  simulate(function* () {
    const q = new PriorityQueue<number>();
    const getter = spawn(function* () {
      return yield* q.get();
    });
    yield* sleep(0);
    q.putNowait(5);
    q.putNowait(2);
    q.putNowait(8);
    assert.is(yield* getter.get(), 2);
  }));

// ---------------------------------------------------------------------------

const joinable = suite('JoinableQueue');

joinable('join() waits until every item put has been marked done; unfinishedTasks counts them', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new JoinableQueue<number>();
    assert.is(yield* q.join(), true, 'nothing unfinished: at once');
    for (const i of [1, 2, 3]) q.putNowait(i);
    assert.is(q.unfinishedTasks, 3);
    spawn(function* () {
      for (;;) {
        const item = yield* q.get();
        yield* sleep(10);
        log(`done ${item}`);
        q.taskDone();
      }
    });
    assert.is(yield* q.join(), true);
    log('joined');
    assert.equal(lines, ['done 1', 'done 2', 'done 3', 'joined']);
    assert.is(q.unfinishedTasks, 0);
    assert.is(getHub().now(), 30);
    assert.is(String(q), '<JoinableQueue qsize=0 getters=1 putters=0 unfinished=0>');
  }));

joinable('a surplus taskDone() throws a RangeError and changes nothing', () =>
  simulate(function* () {
    const q = new JoinableQueue<number>();
    q.putNowait(1);
    q.getNowait();
    q.taskDone();
    throwsExactly(
      () => q.taskDone(),
      RangeError,
      'JoinableQueue.taskDone: called more times than items were put (task_done() called too many times)',
    );
    assert.is(q.unfinishedTasks, 0);
  }));

joinable('join({ timeout }) returns false when tasks are still unfinished; a Timeout is raised itself', () =>
  simulate(function* () {
    const q = new JoinableQueue<number>();
    q.putNowait(1);
    assert.is(yield* q.join({ timeout: 20 }), false);
    assert.is(getHub().now(), 20);
    const t = new Timeout(5);
    assert.is(yield* thrown(q.join({ timeout: t })), t);
    throwsExactly(() => q.join({ timeout: -5 }), RangeError, 'JoinableQueue.join: timeout must be a non-negative number of ms, got -5');
  }));

joinable('every joiner blocked when the count reaches 0 is woken, in order, even if an item is put before they run', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const q = new JoinableQueue<string>();
    q.putNowait('task');
    const joiners = ['a', 'b'].map((name) =>
      spawn(function* () {
        log(`${name} joined: ${yield* q.join()}`);
      }),
    );
    yield* sleep(0);
    q.getNowait();
    q.taskDone();
    q.putNowait('another');
    yield* joinAll(joiners);
    assert.equal(lines, ['a joined: true', 'b joined: true'], "gevent's Event: set then cleared still wakes the waiters");
    assert.is(q.unfinishedTasks, 1);
  }));

joinable('a joiner killed while blocked leaves the list; immediate shutdown counts the dropped items as done', () =>
  simulate(function* () {
    const q = new JoinableQueue<number>(5);
    q.putNowait(1);
    q.putNowait(2);
    const killed = spawn(function* () {
      yield* q.join();
    });
    const joiner = spawn(function* () {
      return yield* q.join();
    });
    yield* sleep(0);
    killed.kill();
    q.shutdown({ immediate: true });
    assert.is(q.unfinishedTasks, 0);
    assert.is(yield* joiner.get(), true);
    assert.instance(killed.value, GreenletExit);
  }));

basics.run();
bounded.run();
timeouts.run();
races.run();
blocking.run();
shutdown.run();
lifo.run();
priority.run();
joinable.run();
