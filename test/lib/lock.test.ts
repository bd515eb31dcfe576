import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BoundedSemaphore,
  DroppedOperation,
  GreenletExit,
  Lock,
  LoopExit,
  NotInGreenlet,
  RLock,
  ReleaseError,
  Semaphore,
  Timeout,
  getHub,
  joinAll,
  sleep,
  spawn,
  withTimeout,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';

/** Collects log lines. */
function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

/** Expects `fn` to throw an instance of `Class` with exactly `message`. */
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

const semaphore = suite('Semaphore');

semaphore('acquire() takes permits without blocking while the counter is above 0; locked() at 0', () =>
  simulate(function* () {
    const sem = new Semaphore(2);
    assert.is(sem.counter, 2);
    assert.is(sem.locked(), false);
    assert.is(yield* sem.acquire(), true);
    assert.is(yield* sem.acquire(), true);
    assert.is(sem.counter, 0);
    assert.is(sem.locked(), true);
    sem.release();
    assert.is(sem.counter, 1);
    assert.is(new Semaphore().counter, 1, 'the default value is 1');
    assert.is(String(sem), '<Semaphore counter=1, 0 waiting>');
  }));

semaphore('blocked acquirers are served in the order they blocked, each running until it blocks', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    const workers = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        yield* sem.acquire();
        log(`${name} acquired`);
        yield* sleep(0);
        log(`${name} carries on`);
      }),
    );
    yield* sleep(0);
    assert.is(String(sem), '<Semaphore counter=0, 3 waiting>');
    sem.release();
    sem.release();
    sem.release();
    log('released three');
    yield* joinAll(workers);
    assert.equal(lines, [
      'released three',
      'a acquired',
      'b acquired',
      'c acquired',
      'a carries on',
      'b carries on',
      'c carries on',
    ]);
  }));

semaphore('one release wakes one acquirer; the others keep waiting', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    const workers = ['a', 'b'].map((name) =>
      spawn(function* () {
        yield* sem.acquire();
        log(`${name} at ${getHub().now()}`);
      }),
    );
    yield* sleep(0);
    sem.release();
    yield* sleep(10);
    sem.release();
    yield* joinAll(workers);
    assert.equal(lines, ['a at 0', 'b at 10']);
  }));

semaphore('release() never switches', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    const waiter = spawn(function* () {
      yield* sem.acquire();
      log('waiter');
    });
    yield* sleep(0);
    sem.release();
    log('releaser');
    yield* waiter.join();
    assert.equal(lines, ['releaser', 'waiter']);
  }));

semaphore('barging: a releaser that re-acquires at once gets it back, and the waiter keeps waiting', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(1);
    yield* sem.acquire();
    const waiter = spawn(function* () {
      yield* sem.acquire();
      log(`waiter acquired at ${getHub().now()}`);
    });
    yield* sleep(0);
    sem.release();
    assert.is(yield* sem.acquire({ timeout: 0 }), true);
    log('releaser re-acquired');
    yield* sleep(0);
    assert.is(sem.counter, 0);
    yield* sleep(5);
    sem.release();
    yield* waiter.join();
    assert.equal(lines, ['releaser re-acquired', 'waiter acquired at 5']);
  }));

semaphore('tryAcquire() takes a permit if one is free, never blocking; it works outside a greenlet', async () => {
  const sem = new Semaphore(1);
  assert.is(sem.tryAcquire(), true);
  assert.is(sem.tryAcquire(), false);
  sem.release();
  await simulate(function* () {
    assert.is(sem.tryAcquire(), true);
    assert.is(sem.tryAcquire(), false);
  });
});

semaphore('acquire({ timeout }) returns false when the time is up; { timeout: 0 } never blocks', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    spawn(() => log('other'));
    assert.is(yield* sem.acquire({ timeout: 0 }), false);
    assert.equal(lines, []);
    assert.is(yield* sem.acquire({ timeout: 40 }), false);
    assert.is(getHub().now(), 40);
    assert.is(String(sem), '<Semaphore counter=0, 0 waiting>');
    spawn(function* () {
      yield* sleep(10);
      sem.release();
    });
    assert.is(yield* sem.acquire({ timeout: 40 }), true);
    assert.is(getHub().now(), 50);
  }));

semaphore('a Timeout given as timeout is raised itself, and cancelled when acquire() returns first', () =>
  simulate(function* () {
    const sem = new Semaphore(0);
    const given = new Timeout(15);
    try {
      yield* sem.acquire({ timeout: given });
      assert.unreachable('acquire returned');
    } catch (error) {
      assert.is(error, given);
    }
    sem.release();
    const unused = new Timeout(15);
    assert.is(yield* sem.acquire({ timeout: unused }), true);
    assert.is(unused.pending, false);
  }));

semaphore('an outer Timeout firing inside acquire({ timeout: 1000 }) is raised, not turned into false', () =>
  simulate(function* () {
    const sem = new Semaphore(0);
    const outer = new Timeout(10).start();
    try {
      yield* sem.acquire({ timeout: 1000 });
      assert.unreachable('acquire returned');
    } catch (error) {
      assert.is(error, outer);
    }
    assert.is(getHub().now(), 10);
    assert.is(yield* withTimeout(10, () => sem.acquire({ timeout: 1000 }), { timeoutValue: 'outer' }), 'outer');
    assert.is(String(sem), '<Semaphore counter=0, 0 waiting>');
  }));

semaphore('an acquirer killed while blocked runs its finally, leaves the list, and takes no later release', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    const victim = spawn(function* () {
      try {
        yield* sem.acquire();
        log('victim acquired');
      } finally {
        log('victim finally');
      }
    });
    const next = spawn(function* () {
      yield* sem.acquire();
      log('next acquired');
    });
    yield* sleep(0);
    yield* victim.kill();
    assert.instance(victim.value, GreenletExit);
    sem.release();
    sem.release();
    yield* next.join();
    assert.equal(lines, ['victim finally', 'next acquired']);
    assert.is(sem.counter, 1, 'the second permit is still there');
  }));

semaphore('an acquirer killed after its release was queued does not swallow the permit', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new Semaphore(0);
    const victim = spawn(function* () {
      yield* sem.acquire();
      log('victim acquired');
    });
    const next = spawn(function* () {
      yield* sem.acquire();
      log('next acquired');
    });
    yield* sleep(0);
    sem.release();
    victim.kill();
    yield* next.join();
    assert.equal(lines, ['next acquired']);
    assert.is(sem.counter, 0);
  }));

semaphore('an acquirer that timed out does not swallow a later release', () =>
  simulate(function* () {
    const sem = new Semaphore(0);
    const impatient = spawn(function* () {
      return yield* sem.acquire({ timeout: 5 });
    });
    const patient = spawn(function* () {
      return yield* sem.acquire();
    });
    yield* sleep(10);
    sem.release();
    assert.equal(yield* joinAll([impatient, patient]), [impatient, patient]);
    assert.is(impatient.value, false);
    assert.is(patient.value, true);
    assert.is(sem.counter, 0);
  }));

semaphore('a plain Semaphore can be released more often than acquired: the counter grows', () =>
  simulate(function* () {
    const sem = new Semaphore(1);
    sem.release();
    sem.release();
    assert.is(sem.counter, 3);
  }));

semaphore('wait() blocks until a permit is free and returns the counter without taking one; 0 on timeout', () =>
  simulate(function* () {
    const sem = new Semaphore(0);
    assert.is(yield* sem.wait({ timeout: 20 }), 0);
    assert.is(getHub().now(), 20);
    spawn(function* () {
      yield* sleep(5);
      sem.release();
      sem.release();
    });
    assert.is(yield* sem.wait(), 2);
    assert.is(sem.counter, 2);
    assert.is(yield* sem.wait({ timeout: 0 }), 2);
  }));

semaphore('scope() holds a permit while the body runs and returns its value', () =>
  simulate(function* () {
    const sem = new Semaphore(1);
    const value = yield* sem.scope(function* () {
      assert.is(sem.counter, 0);
      yield* sleep(5);
      return 'body value';
    });
    assert.is(value, 'body value');
    assert.is(sem.counter, 1);
    assert.is(yield* sem.scope(() => 7), 7, 'a plain function body');
    assert.is(sem.counter, 1);
  }));

semaphore('scope() releases when the body throws, and the error propagates', () =>
  simulate(function* () {
    const sem = new Semaphore(1);
    const failure = new Error('body failed');
    try {
      yield* sem.scope(function* () {
        yield* sleep(1);
        throw failure;
      });
      assert.unreachable('scope returned');
    } catch (error) {
      assert.is(error, failure);
    }
    assert.is(sem.counter, 1);
  }));

semaphore('scope() releases when the greenlet is killed inside the body; a kill while waiting to acquire releases nothing', () =>
  simulate(function* () {
    const sem = new Semaphore(1);
    const holder = spawn(function* () {
      yield* sem.scope(sleep(1000));
    });
    const queued = spawn(function* () {
      yield* sem.scope(sleep(1000));
    });
    yield* sleep(0);
    assert.is(sem.counter, 0);
    yield* queued.kill();
    assert.is(sem.counter, 0, 'the queued greenlet never held it');
    yield* holder.kill();
    assert.is(sem.counter, 1);
  }));

semaphore('scope() given an Operation that must wait for the permit still runs that Operation with its own arguments', () =>
  simulate(function* () {
    const sem = new Semaphore(0);
    spawn(function* () {
      yield* sleep(10);
      sem.release();
    });
    yield* sem.scope(sleep(25));
    assert.is(getHub().now(), 35);
    assert.is(sem.counter, 1);
    const nested = new Semaphore(0);
    spawn(function* () {
      yield* sleep(3);
      nested.release();
    });
    yield* sem.acquire();
    spawn(function* () {
      yield* sleep(2);
      sem.release();
    });
    yield* sem.scope(nested.scope(sleep(5)));
    assert.is(getHub().now(), 35 + 3 + 5);
    assert.equal([sem.counter, nested.counter], [1, 1]);
  }));

semaphore('scope() used without yield* is caught at the next blocking call', () =>
  simulate(function* () {
    const sem = new Semaphore(1);
    sem.scope(() => 1);
    try {
      yield* sleep(0);
      assert.unreachable('sleep ran');
    } catch (error) {
      assert.instance(error, DroppedOperation);
      assert.match((error as Error).message, /^Semaphore\.scope\(\) was called without yield\*/);
    }
    assert.is(sem.counter, 1);
  }));

semaphore('no two greenlets are ever inside a Semaphore(2) scope beyond two, under 30 seeded interleavings', async () => {
  for (let seed = 1; seed <= 30; seed++) {
    await simulate(
      function* () {
        const sem = new Semaphore(2);
        let inside = 0;
        let most = 0;
        const workers = Array.from({ length: 6 }, (_, i) =>
          spawn(function* () {
            for (let round = 0; round < 3; round++) {
              yield* sem.scope(function* () {
                inside++;
                most = Math.max(most, inside);
                yield* sleep(i % 3);
                inside--;
              });
            }
          }),
        );
        yield* joinAll(workers);
        assert.is(most, 2, `seed ${seed}`);
        assert.is(sem.counter, 2);
      },
      { seed },
    );
  }
});

semaphore('an acquire nothing can end gets LoopExit naming Semaphore.acquire', async () => {
  try {
    await simulate(function* () {
      yield* new Semaphore(0).acquire();
    });
    assert.unreachable('simulate resolved');
  } catch (error) {
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, /blocked in Semaphore\.acquire\(\)/);
  }
});

semaphore('bad arguments are rejected with messages naming the call and the value', () =>
  simulate(function* () {
    throwsExactly(() => new Semaphore(-1), RangeError, 'new Semaphore: initial value must be an integer >= 0, got -1');
    throwsExactly(() => new Semaphore(1.5), RangeError, 'new Semaphore: initial value must be an integer >= 0, got 1.5');
    throwsExactly(() => new Semaphore('2' as never), TypeError, 'new Semaphore: initial value must be a number, got "2"');
    throwsExactly(() => new BoundedSemaphore(-3), RangeError, 'new BoundedSemaphore: initial value must be an integer >= 0, got -3');
    const sem = new Semaphore(1);
    throwsExactly(() => sem.acquire({ timeout: -5 }), RangeError, 'Semaphore.acquire: timeout must be a non-negative number of ms, got -5');
    throwsExactly(() => sem.wait({ timeout: 'x' as never }), TypeError, 'Semaphore.wait: timeout must be a number of ms or a Timeout, got "x"');
    throwsExactly(() => sem.acquire(3 as never), TypeError, 'Semaphore.acquire: options must be an object, got 3');
    throwsExactly(() => sem.scope(42 as never), TypeError, 'Semaphore.scope: body must be an Operation or a function, got 42');
    assert.is(sem.counter, 1);
  }));

semaphore.run();

const bounded = suite('BoundedSemaphore');

bounded('releasing past the initial value throws ReleaseError and leaves the counter unchanged', () =>
  simulate(function* () {
    const sem = new BoundedSemaphore(2);
    assert.is(sem.bound, 2);
    yield* sem.acquire();
    sem.release();
    throwsExactly(
      () => sem.release(),
      ReleaseError,
      'BoundedSemaphore.release: released too many times (the counter is already at its initial value, 2)',
    );
    assert.is(sem.counter, 2);
    assert.instance(sem, Semaphore);
  }));

bounded("serves the tutorial's workers two at a time, with and without scope()", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sem = new BoundedSemaphore(2);
    function* worker1(n: number): Operation<void> {
      yield* sem.acquire();
      log(`Worker ${n} acquired semaphore`);
      yield* sleep(0);
      sem.release();
      log(`Worker ${n} released semaphore`);
    }
    function* worker2(n: number): Operation<void> {
      yield* sem.scope(function* () {
        log(`Worker ${n} acquired semaphore`);
        yield* sleep(0);
      });
      log(`Worker ${n} released semaphore`);
    }
    yield* joinAll([0, 1].map((n) => spawn(worker1, n)));
    yield* joinAll([3, 4, 5].map((n) => spawn(worker2, n)));
    assert.equal(lines, [
      'Worker 0 acquired semaphore',
      'Worker 1 acquired semaphore',
      'Worker 0 released semaphore',
      'Worker 1 released semaphore',
      'Worker 3 acquired semaphore',
      'Worker 4 acquired semaphore',
      'Worker 3 released semaphore',
      'Worker 4 released semaphore',
      'Worker 5 acquired semaphore',
      'Worker 5 released semaphore',
    ]);
  }));

bounded('its calls are labelled BoundedSemaphore in messages', () =>
  simulate(function* () {
    const sem = new BoundedSemaphore(1);
    throwsExactly(() => sem.acquire({ timeout: -1 }), RangeError, 'BoundedSemaphore.acquire: timeout must be a non-negative number of ms, got -1');
  }));

bounded.run();

const lock = suite('Lock');

lock('has one permit: a second acquirer blocks until release()', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const l = new Lock();
    assert.is(l.locked(), false);
    yield* l.acquire();
    assert.is(l.locked(), true);
    const other = spawn(function* () {
      yield* l.acquire();
      log(`other acquired at ${getHub().now()}`);
      l.release();
    });
    yield* sleep(30);
    l.release();
    yield* other.join();
    assert.equal(lines, ['other acquired at 30']);
    assert.is(l.locked(), false);
  }));

lock('any greenlet may release it (it has no owner)', () =>
  simulate(function* () {
    const l = new Lock();
    yield* l.acquire();
    yield* spawn(() => l.release()).join();
    assert.is(l.locked(), false);
  }));

lock('releasing a Lock that is not held throws ReleaseError', () =>
  simulate(function* () {
    const l = new Lock();
    throwsExactly(() => l.release(), ReleaseError, 'Lock.release: the lock is not held');
    assert.is(l.counter, 1);
  }));

lock('keeps two greenlets from interleaving inside scope()', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const l = new Lock();
    function* critical(name: string): Operation<void> {
      yield* l.scope(function* () {
        log(`${name} in`);
        yield* sleep(1);
        log(`${name} out`);
      });
    }
    yield* joinAll([spawn(critical, 'a'), spawn(critical, 'b')]);
    assert.equal(lines, ['a in', 'a out', 'b in', 'b out']);
  }));

lock('its calls are labelled Lock in messages and LoopExit', async () => {
  await simulate(function* () {
    const l = new Lock();
    throwsExactly(() => l.acquire({ timeout: -1 }), RangeError, 'Lock.acquire: timeout must be a non-negative number of ms, got -1');
  });
  try {
    await simulate(function* () {
      const l = new Lock();
      yield* l.acquire();
      yield* l.acquire();
    });
    assert.unreachable('simulate resolved');
  } catch (error) {
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, /blocked in Lock\.acquire\(\)/);
  }
});

lock.run();

const rlock = suite('RLock');

rlock('its owner may acquire it again without blocking, and must release it as many times', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const r = new RLock();
    yield* r.acquire();
    assert.is(yield* r.acquire({ timeout: 0 }), true);
    assert.is(r.tryAcquire(), true);
    const me = r.owner;
    assert.ok(me !== null);
    assert.is(String(r), `<RLock owned by ${me!.name} x3, 0 waiting>`);
    const other = spawn(function* () {
      yield* r.acquire();
      log(`other acquired at ${getHub().now()}`);
      r.release();
    });
    yield* sleep(10);
    r.release();
    r.release();
    yield* sleep(10);
    assert.equal(lines, []);
    assert.is(r.locked(), true);
    r.release();
    assert.is(r.locked(), false);
    assert.is(r.owner, null);
    yield* other.join();
    assert.equal(lines, ['other acquired at 20']);
  }));

rlock('a greenlet that does not own it cannot take it without blocking, nor release it', () =>
  simulate(function* () {
    const r = new RLock();
    yield* r.acquire();
    const ownerName = r.owner!.name;
    const intruder = spawn(function* () {
      assert.is(r.tryAcquire(), false);
      assert.is(yield* r.acquire({ timeout: 5 }), false);
      throwsExactly(
        () => r.release(),
        ReleaseError,
        `RLock.release: cannot release a lock owned by ${ownerName} (called from Intruder-${intruder.id})`,
      );
    });
    intruder.name = `Intruder-${intruder.id}`;
    yield* intruder.get();
    assert.is(r.locked(), true);
  }));

rlock('releasing an RLock that is not held throws ReleaseError', () =>
  simulate(function* () {
    throwsExactly(() => new RLock().release(), ReleaseError, 'RLock.release: the lock is not held');
  }));

rlock('blocked acquirers are served in the order they blocked', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const r = new RLock();
    yield* r.acquire();
    const workers = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        yield* r.acquire();
        log(name);
        yield* sleep(1);
        r.release();
      }),
    );
    yield* sleep(0);
    r.release();
    yield* joinAll(workers);
    assert.equal(lines, ['a', 'b', 'c']);
  }));

rlock('scope() nests for its owner and frees the lock when the outer scope ends', () =>
  simulate(function* () {
    const r = new RLock();
    const depth = yield* r.scope(function* () {
      return yield* r.scope(function* () {
        yield* sleep(1);
        return String(r).includes('x2');
      });
    });
    assert.is(depth, true);
    assert.is(r.locked(), false);
  }));

rlock('an owner killed inside scope() releases it, and the next acquirer gets it', () =>
  simulate(function* () {
    const r = new RLock();
    const holder = spawn(function* () {
      yield* r.scope(sleep(1000));
    });
    const next = spawn(function* () {
      yield* r.acquire();
      return getHub().now();
    });
    yield* sleep(5);
    holder.kill();
    assert.is(yield* next.get(), 5);
    assert.is(r.owner, next);
  }));

rlock('acquiring or releasing outside a greenlet throws NotInGreenlet', () => {
  const r = new RLock();
  assert.throws(() => r.tryAcquire(), (e: Error) => e instanceof NotInGreenlet && /^RLock\.tryAcquire\(\) must be called inside a greenlet/.test(e.message));
  assert.throws(() => r.acquire(), (e: Error) => e instanceof NotInGreenlet && /^RLock\.acquire\(\) must be called inside a greenlet/.test(e.message));
  assert.throws(() => r.release(), (e: Error) => e instanceof NotInGreenlet && /^RLock\.release\(\) must be called inside a greenlet/.test(e.message));
});

rlock.run();
