import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Channel,
  Empty,
  Full,
  GreenletExit,
  Hub,
  LoopExit,
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

const rendezvous = suite('Channel');

rendezvous('put blocks until a getter takes the item; the getter, arriving later, takes it without switching', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ch = new Channel<string>();
    const putter = spawn(function* () {
      log('put start');
      yield* ch.put('x');
      log('put returned');
    });
    yield* sleep(0);
    assert.is(ch.balance, 1);
    assert.not.ok(putter.dead, 'the putter waits for a getter');
    log(`got ${yield* ch.get()}`);
    log('getter carries on');
    yield* putter.join();
    assert.equal(lines, ['put start', 'got x', 'getter carries on', 'put returned']);
  }));

rendezvous('a getter blocked first is resumed by a round, takes the item, runs until it blocks; then the putter resumes', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ch = new Channel<string>();
    const getter = spawn(function* () {
      log(`got ${yield* ch.get()}`);
      yield* sleep(0);
      log('getter carries on');
    });
    yield* sleep(0);
    assert.is(ch.balance, -1);
    const putter = spawn(function* () {
      yield* ch.put('x');
      log('put returned');
    });
    yield* joinAll([getter, putter]);
    assert.equal(lines, ['got x', 'put returned', 'getter carries on']);
  }));

rendezvous('blocked putters and blocked getters are each served in the order they blocked', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ch = new Channel<number>();
    const putters = [1, 2, 3].map((n) =>
      spawn(function* () {
        yield* ch.put(n);
        log(`put ${n} returned`);
      }),
    );
    yield* sleep(0);
    log(`got ${yield* ch.get()}, ${yield* ch.get()}, ${yield* ch.get()}`);
    yield* joinAll(putters);
    const getters = ['a', 'b'].map((name) =>
      spawn(function* () {
        log(`${name} got ${yield* ch.get()}`);
      }),
    );
    yield* sleep(0);
    yield* ch.put(10);
    yield* ch.put(20);
    yield* joinAll(getters);
    assert.equal(lines, ['got 1, 2, 3', 'put 1 returned', 'put 2 returned', 'put 3 returned', 'a got 10', 'b got 20']);
  }));

rendezvous('putNowait hands an item to a waiting getter, else throws Full; put({ timeout: 0 }) does the same', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    throwsExactly(() => ch.putNowait('x'), Full, 'Channel.putNowait: no getter is waiting');
    isError(yield* thrown(ch.put('x', { timeout: 0 })), Full, 'Channel.put: no getter is waiting');
    const got: string[] = [];
    const getters = [0, 1].map(() =>
      spawn(function* () {
        got.push(yield* ch.get());
      }),
    );
    yield* sleep(0);
    ch.putNowait('a');
    yield* ch.put('b', { timeout: 0 });
    throwsExactly(() => ch.putNowait('c'), Full, 'Channel.putNowait: no getter is waiting');
    yield* joinAll(getters);
    assert.equal(got, ['a', 'b']);
  }));

rendezvous('getNowait takes a blocked putter\'s item, else throws Empty; get({ timeout: 0 }) does the same', () =>
  simulate(function* () {
    const ch = new Channel<number>();
    throwsExactly(() => ch.getNowait(), Empty, 'Channel.getNowait: no putter is waiting');
    isError(yield* thrown(ch.get({ timeout: 0 })), Empty, 'Channel.get: no putter is waiting');
    const putter = spawn(function* () {
      yield* ch.put(1);
      yield* ch.put(2);
    });
    yield* sleep(0);
    assert.is(ch.getNowait(), 1);
    assert.not.ok(putter.dead);
    yield* sleep(0);
    assert.is(yield* ch.get({ timeout: 0 }), 2);
    yield* putter.join();
  }));

rendezvous('a channel holds nothing: qsize 0, empty and full always, maxsize 0; toString shows the waiters', () =>
  simulate(function* () {
    const ch = new Channel<number>();
    assert.is(ch.maxsize, 0);
    assert.is(ch.qsize(), 0);
    assert.ok(ch.empty());
    assert.ok(ch.full());
    spawn(function* () {
      yield* ch.put(1);
    });
    yield* sleep(0);
    assert.is(ch.qsize(), 0);
    assert.is(String(ch), '<Channel getters=0 putters=1>');
    ch.getNowait();
  }));

// ---------------------------------------------------------------------------

const timing = suite('Channel: timeouts, kills and races');

timing('get({ timeout }) throws Empty; put({ timeout }) throws Full and the item is never delivered', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    isError(yield* thrown(ch.get({ timeout: 50 })), Empty, 'Channel.get: no item within 50 ms');
    isError(yield* thrown(ch.put('lost', { timeout: 25 })), Full, 'Channel.put: no getter took the item within 25 ms');
    assert.is(getHub().now(), 75);
    assert.is(ch.balance, 0);
    throwsExactly(() => ch.getNowait(), Empty, 'Channel.getNowait: no putter is waiting');
  }));

timing('a Timeout given as timeout is raised itself; an outer Timeout is not lost', () =>
  simulate(function* () {
    const ch = new Channel<number>();
    const t = new Timeout(10);
    assert.is(yield* thrown(ch.put(1, { timeout: t })), t);
    const outer = new Timeout(20);
    outer.start();
    assert.is(yield* thrown(ch.get({ timeout: 1000 })), outer);
    assert.is(ch.balance, 0);
  }));

timing('a putter killed before a getter took its item never delivers it; its finally runs', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ch = new Channel<string>();
    const putter = spawn(function* () {
      try {
        yield* ch.put('x');
      } finally {
        log('finally');
      }
    });
    yield* sleep(0);
    yield* putter.kill();
    assert.equal(lines, ['finally']);
    assert.is(ch.balance, 0);
    throwsExactly(() => ch.getNowait(), Empty, 'Channel.getNowait: no putter is waiting');
  }));

timing('a putter killed after a getter took its item: the item was delivered once, and the putter sees the kill', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    const putter = spawn(function* () {
      yield* ch.put('x');
      return 'returned';
    });
    yield* sleep(0);
    assert.is(ch.getNowait(), 'x');
    putter.kill();
    yield* putter.join();
    assert.instance(putter.value, GreenletExit);
    throwsExactly(() => ch.getNowait(), Empty, 'Channel.getNowait: no putter is waiting');
  }));

timing('a putter whose timeout fires after a getter took its item, before it resumed, still returns normally', async () => {
  // On a virtual clock the due timers fire before anything runs at an instant, so this window never
  // opens; on a real clock it does: the take and the expiry fall in the same batch.
  const result = await new Hub().run(function* () {
    const ch = new Channel<string>();
    const putter = spawn(function* () {
      yield* ch.put('x', { timeout: 10 });
      return 'put';
    });
    yield* sleep(0);
    const hub = getHub();
    const taken = ch.getNowait();
    while (hub.now() < 15); // past the putter's deadline before the hub runs the round that resumes it
    return [taken, yield* putter.get()];
  });
  assert.equal(result, ['x', 'put']);
});

timing('a getter whose timeout fires in the tick a putter comes takes the item if the putter ran first', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    const putter = spawnLater(10, function* () {
      yield* ch.put('x');
      return 'delivered';
    });
    const getter = spawn(function* () {
      return yield* ch.get({ timeout: 10 });
    });
    assert.is(yield* getter.get(), 'x');
    assert.is(yield* putter.get(), 'delivered');
  }));

timing('a getter whose timeout fires in the tick a putter comes: Empty if it ran first; the putter keeps waiting', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    const getter = spawn(function* () {
      return yield* ch.get({ timeout: 10 });
    });
    yield* sleep(0);
    const putter = spawnLater(10, function* () {
      yield* ch.put('x');
    });
    isError(yield* thrown(getter.get()), Empty, 'Channel.get: no item within 10 ms');
    assert.is(ch.balance, 1);
    assert.is(ch.getNowait(), 'x');
    yield* putter.join();
  }));

timing('a getter killed while blocked leaves the line: an item offered to it goes to the next getter', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ch = new Channel<string>();
    const doomed = spawn(function* () {
      try {
        log(`doomed got ${yield* ch.get()}`);
      } finally {
        log('doomed finally');
      }
    });
    yield* sleep(0);
    ch.putNowait('offered');
    doomed.kill();
    assert.is(ch.balance, 0);
    yield* sleep(0);
    assert.equal(lines, ['doomed finally']);
    assert.is(yield* ch.get({ timeout: 0 }), 'offered', 'the offer is kept for the next getter');
  }));

timing('under 100 seeded interleavings, every item is either delivered once or its put failed', async () => {
  for (let seed = 1; seed <= 100; seed++) {
    await simulate(
      function* () {
        const ch = new Channel<number>();
        const delivered: number[] = [];
        const got: number[] = [];
        const putters = [0, 1, 2].map((p) =>
          spawn(function* () {
            for (let i = 0; i < 5; i++) {
              const item = p * 10 + i;
              try {
                yield* ch.put(item, { timeout: 1 + (item % 3) });
                delivered.push(item);
              } catch (error) {
                if (!(error instanceof Full)) throw error;
              }
              yield* sleep(item % 2);
            }
          }),
        );
        const getters = [0, 1].map((c) =>
          spawn(function* () {
            for (;;) {
              try {
                got.push(yield* ch.get({ timeout: 1 + c }));
              } catch (error) {
                if (!(error instanceof Empty)) throw error;
              }
              yield* sleep(c);
            }
          }),
        );
        yield* sleep(seed % 4);
        putters[2].kill();
        getters[0].kill();
        yield* joinAll(putters);
        yield* sleep(5);
        getters[1].kill();
        // A killed putter whose item was taken just before the kill did deliver it.
        const dead = got.filter((n) => !delivered.includes(n));
        assert.ok(dead.every((n) => Math.floor(n / 10) === 2), `seed ${seed}: only the killed putter's items may be unconfirmed`);
        assert.equal(
          got.filter((n) => delivered.includes(n)).sort((a, b) => a - b),
          delivered.slice().sort((a, b) => a - b),
          `seed ${seed}: every confirmed put was got`,
        );
        assert.is(new Set(got).size, got.length, `seed ${seed}: nothing got twice`);
      },
      { seed },
    );
  }
});

// ---------------------------------------------------------------------------

const ending = suite('Channel: shutdown and LoopExit');

ending('after shutdown every call throws QueueShutDown; blocked putters and getters are woken with it', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const puts = new Channel<number>();
    const gets = new Channel<number>();
    const waiter = (name: string, op: () => Operation<unknown>) =>
      spawn(function* () {
        try {
          yield* op();
        } catch (error) {
          log(`${name}: ${(error as Error).name}: ${(error as Error).message}`);
        }
      });
    const gs = [waiter('putter', () => puts.put(1)), waiter('getter', () => gets.get())];
    yield* sleep(0);
    const cause = new Error('closing');
    puts.shutdown({ cause });
    gets.shutdown();
    assert.ok(puts.isShutdown);
    assert.is(puts.shutdownCause, cause);
    yield* joinAll(gs);
    assert.equal(lines, [
      'putter: QueueShutDown: Channel.put: the channel is shut down',
      'getter: QueueShutDown: Channel.get: the channel is shut down',
    ]);
    throwsExactly(() => puts.getNowait(), QueueShutDown, 'Channel.getNowait: the channel is shut down');
    throwsExactly(() => puts.putNowait(2), QueueShutDown, 'Channel.putNowait: the channel is shut down');
    const error = yield* thrown(puts.get());
    assert.is((error as Error).cause, cause);
    assert.is(String(puts), '<Channel getters=0 putters=0 shut down>');
  }));

ending('items offered to waiting getters are still handed out after a shutdown, unless immediate', () =>
  simulate(function* () {
    const got: unknown[] = [];
    const ch = new Channel<string>();
    const getter = (c: Channel<string>) =>
      spawn(function* () {
        try {
          got.push(yield* c.get());
        } catch (error) {
          got.push((error as Error).name);
        }
      });
    const a = getter(ch);
    yield* sleep(0);
    ch.putNowait('offered');
    ch.shutdown();
    yield* a.join();
    const other = new Channel<string>();
    const b = getter(other);
    yield* sleep(0);
    other.putNowait('dropped');
    other.shutdown({ immediate: true });
    yield* b.join();
    assert.equal(got, ['offered', 'QueueShutDown']);
  }));

ending('put with no getter, or get with no putter, that nothing can complete gives LoopExit', async () => {
  for (const call of ['put', 'get'] as const) {
    const ch = new Channel<number>();
    const error = await simulate(function* () {
      if (call === 'put') yield* ch.put(1);
      else yield* ch.get();
    }).catch((e: unknown) => e);
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, new RegExp(`blocked in Channel\\.${call}\\(\\)`));
    assert.is(ch.balance, 0, 'the call left the line');
  }
});

ending('bad options are refused', () =>
  simulate(function* () {
    const ch = new Channel<number>();
    throwsExactly(() => ch.put(1, { timeout: -3 }), RangeError, 'Channel.put: timeout must be a non-negative number of ms, got -3');
    throwsExactly(() => ch.get(null as never), TypeError, 'Channel.get: options must be an object, got null');
    throwsExactly(() => ch.shutdown(1 as never), TypeError, 'Channel.shutdown: options must be an object, got 1');
    yield* sleep(0);
  }));

rendezvous.run();
timing.run();
ending.run();
