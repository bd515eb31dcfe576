import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AsyncResult,
  DroppedOperation,
  Event,
  GreenletExit,
  LoopExit,
  Timeout,
  call,
  getHub,
  joinAll,
  sleep,
  spawn,
  wait,
  withTimeout,
  type ErrorContext,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';

/** Collects log lines. */
function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

/** Collects the errors a hub reports, as `"<greenlet name or hub>: <where>: <Error>: <message>"`. */
function errorSink(): { reports: string[]; onError: (error: unknown, context: ErrorContext) => void } {
  const reports: string[] = [];
  return {
    reports,
    onError(error, context) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      reports.push(`${context.greenlet?.name ?? 'hub'}: ${context.where}: ${message}`);
    },
  };
}

const event = suite('Event');

event('starts cleared; set() and clear() change isSet() and ready()', () =>
  simulate(function* () {
    const ev = new Event();
    assert.is(ev.isSet(), false);
    assert.is(ev.ready(), false);
    ev.set();
    assert.is(ev.isSet(), true);
    assert.is(ev.ready(), true);
    ev.clear();
    assert.is(ev.isSet(), false);
    assert.is(String(ev), '<Event clear, 0 waiting>');
  }));

event('set() does not switch: the setter carries on before any waiter runs', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    spawn(function* () {
      yield* ev.wait();
      log('waiter');
    });
    yield* sleep(0);
    ev.set();
    log('setter after set');
    yield* sleep(0);
    assert.equal(lines, ['setter after set', 'waiter']);
  }));

event('wakes waiters in wait() order, each running until it blocks before the next wakes', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const waiters = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        const result = yield* ev.wait();
        log(`${name} woke with ${result}`);
        yield* sleep(0);
        log(`${name} after sleep(0)`);
      }),
    );
    yield* sleep(0);
    assert.is(String(ev), '<Event clear, 3 waiting>');
    ev.set();
    yield* joinAll(waiters);
    assert.equal(lines, [
      'a woke with true',
      'b woke with true',
      'c woke with true',
      'a after sleep(0)',
      'b after sleep(0)',
      'c after sleep(0)',
    ]);
  }));

event('wait() on a set Event returns true at once, without letting others run', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    ev.set();
    spawn(() => log('other'));
    assert.is(yield* ev.wait(), true);
    log('main');
    yield* sleep(0);
    assert.equal(lines, ['main', 'other']);
  }));

event('set() then clear() before the waiters run still wakes them all with true while isSet() is false', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const waiters = [1, 2, 3].map((n) =>
      spawn(function* () {
        const result = yield* ev.wait();
        log(`${n}: ${result}, isSet ${ev.isSet()}`);
      }),
    );
    yield* sleep(0);
    ev.set();
    ev.clear();
    yield* joinAll(waiters);
    assert.equal(lines, ['1: true, isSet false', '2: true, isSet false', '3: true, isSet false']);
  }));

event('a greenlet that waits on a set Event while a wake-up round is pending queues behind the pending waiters', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const early = spawn(function* () {
      yield* ev.wait();
      log('early waiter');
    });
    yield* sleep(0);
    ev.set();
    assert.is(yield* ev.wait(), true);
    log('late waiter');
    yield* early.join();
    assert.equal(lines, ['early waiter', 'late waiter']);
  }));

event('a waiter that waits again after clear() during the round waits for the next set()', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const g = spawn(function* () {
      yield* ev.wait();
      log(`first at ${getHub().now()}`);
      ev.clear();
      yield* ev.wait();
      log(`second at ${getHub().now()}`);
    });
    yield* sleep(0);
    ev.set();
    yield* sleep(10);
    ev.set();
    yield* g.join();
    assert.equal(lines, ['first at 0', 'second at 10']);
  }));

event('wait({ timeout }) returns false when the time is up, at that virtual time', () =>
  simulate(function* () {
    const ev = new Event();
    assert.is(yield* ev.wait({ timeout: 50 }), false);
    assert.is(getHub().now(), 50);
    spawn(function* () {
      yield* sleep(20);
      ev.set();
    });
    assert.is(yield* ev.wait({ timeout: 50 }), true);
    assert.is(getHub().now(), 70);
  }));

event('wait({ timeout: 0 }) never blocks: false when clear, true when set, even with a round pending', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    spawn(() => log('other'));
    assert.is(yield* ev.wait({ timeout: 0 }), false);
    const waiter = spawn(function* () {
      yield* ev.wait();
    });
    ev.set();
    assert.is(yield* ev.wait({ timeout: 0 }), true);
    assert.equal(lines, []);
    yield* waiter.join();
  }));

event('a Timeout given as timeout is raised itself, and cancelled when wait() returns first', () =>
  simulate(function* () {
    const ev = new Event();
    const timeout = new Timeout(30);
    try {
      yield* ev.wait({ timeout });
      assert.unreachable('wait returned');
    } catch (error) {
      assert.is(error, timeout);
    }
    assert.is(getHub().now(), 30);
    spawn(function* () {
      yield* sleep(10);
      ev.set();
    });
    const second = new Timeout(30);
    assert.is(yield* ev.wait({ timeout: second }), true);
    assert.is(second.pending, false);
    yield* sleep(100);
    assert.is(getHub().now(), 140);
  }));

event('an outer Timeout firing inside wait({ timeout: 1000 }) is raised, not turned into false', () =>
  simulate(function* () {
    const ev = new Event();
    const outer = new Timeout(10).start();
    try {
      yield* ev.wait({ timeout: 1000 });
      assert.unreachable('wait returned');
    } catch (error) {
      assert.is(error, outer);
    }
    assert.is(getHub().now(), 10);
    assert.is(String(ev), '<Event clear, 0 waiting>');
    const result = yield* withTimeout(10, () => ev.wait({ timeout: 1000 }), { timeoutValue: 'outer' });
    assert.is(result, 'outer');
  }));

event('a waiter killed while blocked runs its finally, leaves the waiters, and misses the later set()', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const victim = spawn(function* () {
      try {
        yield* ev.wait();
        log('victim woke');
      } finally {
        log('victim finally');
      }
    });
    const other = spawn(function* () {
      log(`other woke with ${yield* ev.wait()}`);
    });
    yield* sleep(0);
    yield* victim.kill();
    assert.instance(victim.value, GreenletExit);
    assert.is(String(ev), '<Event clear, 1 waiting>');
    ev.set();
    yield* other.join();
    assert.equal(lines, ['victim finally', 'other woke with true']);
  }));

event('link callbacks run on set(), in turn with the waiters in registration order', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ev = new Event();
    const first = spawn(function* () {
      yield* ev.wait();
      log('waiter 1');
    });
    yield* sleep(0);
    ev.link((source) => log(`link, same event: ${source === ev}`));
    const second = spawn(function* () {
      yield* ev.wait();
      log('waiter 2');
    });
    const removed = (): void => log('unlinked callback ran');
    ev.link(removed);
    ev.unlink(removed);
    yield* sleep(0);
    ev.set();
    yield* joinAll([first, second]);
    assert.equal(lines, ['waiter 1', 'link, same event: true', 'waiter 2']);
    ev.link(() => log('linked when already set'));
    assert.equal(lines.length, 3);
    yield* sleep(0);
    assert.equal(lines[3], 'linked when already set');
  }));

event('a link callback that throws is reported, and the other links and waiters still run', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { lines, log } = recorder();
      const ev = new Event();
      ev.link(() => {
        throw new Error('bad link');
      });
      const g = spawn(function* () {
        yield* ev.wait();
        log('waiter');
      });
      yield* sleep(0);
      ev.set();
      yield* g.join();
      assert.equal(lines, ['waiter']);
      assert.equal(sink.reports, ['hub: link: Error: bad link']);
    },
    { onError: sink.onError },
  );
});

event('set() from outside any greenlet wakes the waiters on their own hub', () =>
  simulate(function* () {
    const ev = new Event();
    const waiter = spawn(function* () {
      return yield* ev.wait();
    });
    yield* call(
      new Promise<void>((resolve) => {
        setTimeout(() => {
          ev.set();
          resolve();
        }, 1);
      }),
    );
    assert.is(yield* waiter.get(), true);
  }));

event('a wait nothing can end gets LoopExit naming Event.wait', async () => {
  try {
    await simulate(function* () {
      yield* new Event().wait();
    });
    assert.unreachable('simulate resolved');
  } catch (error) {
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, /blocked in Event\.wait\(\)/);
  }
});

event('bad arguments are rejected with messages naming the call and the value', () =>
  simulate(function* () {
    const ev = new Event();
    assert.throws(
      () => ev.wait({ timeout: -1 }),
      (e: Error) => e instanceof RangeError && e.message === 'Event.wait: timeout must be a non-negative number of ms, got -1',
    );
    assert.throws(
      () => ev.wait({ timeout: '5' as never }),
      (e: Error) => e instanceof TypeError && e.message === 'Event.wait: timeout must be a number of ms or a Timeout, got "5"',
    );
    assert.throws(() => ev.wait(5 as never), /^Event.wait: options must be an object, got 5$/);
    assert.throws(() => ev.link('x' as never), /Event.link: callback must be a function, got "x"/);
  }));

event('wait() called without yield* is caught at the next blocking call', () =>
  simulate(function* () {
    const ev = new Event();
    ev.wait();
    try {
      yield* sleep(0);
      assert.unreachable('sleep ran');
    } catch (error) {
      assert.instance(error, DroppedOperation);
      assert.match((error as Error).message, /^Event\.wait\(\) was called without yield\*/);
    }
  }));

event.run();

const result = suite('AsyncResult');

result('get() blocks until set(value), then every getter gets the value, woken in get() order', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const r = new AsyncResult<string>();
    const getters = ['a', 'b', 'c'].map((name) =>
      spawn(function* () {
        log(`${name} got ${yield* r.get()} at ${getHub().now()}`);
      }),
    );
    spawn(function* () {
      yield* sleep(3000);
      r.set('Hello!');
      log('set');
    });
    yield* joinAll(getters);
    assert.equal(lines, ['set', 'a got Hello! at 3000', 'b got Hello! at 3000', 'c got Hello! at 3000']);
  }));

result('state before and after set(): ready(), successful(), value, exception', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    assert.is(r.ready(), false);
    assert.is(r.successful(), false);
    assert.is(r.value, undefined);
    assert.is(r.exception, undefined);
    assert.is(String(r), '<AsyncResult unset, 0 waiting>');
    r.set(42);
    assert.is(r.ready(), true);
    assert.is(r.successful(), true);
    assert.is(r.value, 42);
    assert.is(r.exception, undefined);
    assert.is(String(r), '<AsyncResult value, 0 waiting>');
  }));

result('setException(e) wakes the getters, and each get() throws that same instance', () =>
  simulate(function* () {
    const failure = new Error('no luck');
    const r = new AsyncResult<string>();
    const caught: unknown[] = [];
    const getters = [1, 2].map(() =>
      spawn(function* () {
        try {
          yield* r.get();
        } catch (error) {
          caught.push(error);
        }
      }),
    );
    yield* sleep(0);
    r.setException(failure);
    yield* joinAll(getters);
    assert.equal(caught.length, 2);
    assert.is(caught[0], failure);
    assert.is(caught[1], failure);
    assert.is(r.ready(), true);
    assert.is(r.successful(), false);
    assert.is(r.exception, failure);
    assert.is(r.value, undefined);
    assert.throws(() => r.getNowait(), (e: unknown) => e === failure);
  }));

result('wait() never throws: it returns the value, or undefined for an error', () =>
  simulate(function* () {
    const ok = new AsyncResult<number>();
    const bad = new AsyncResult<number>();
    const waiter = spawn(function* () {
      return [yield* ok.wait(), yield* bad.wait()];
    });
    yield* sleep(0);
    ok.set(7);
    bad.setException(new Error('x'));
    assert.equal(yield* waiter.get(), [7, undefined]);
  }));

result('get() on a ready result returns at once, without letting others run', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const r = new AsyncResult<number>();
    r.set(1);
    spawn(() => log('other'));
    assert.is(yield* r.get(), 1);
    log('main');
    yield* sleep(0);
    assert.equal(lines, ['main', 'other']);
  }));

result('get({ timeout }) throws Timeout when the time is up; get({ timeout: 0 }) never blocks', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    try {
      yield* r.get({ timeout: 50 });
      assert.unreachable('get returned');
    } catch (error) {
      assert.instance(error, Timeout);
      assert.is((error as Timeout).message, '50 ms');
    }
    assert.is(getHub().now(), 50);
    try {
      yield* r.get({ timeout: 0 });
      assert.unreachable('get returned');
    } catch (error) {
      assert.instance(error, Timeout);
      assert.is((error as Timeout).message, '0 ms');
    }
    assert.is(getHub().now(), 50);
    r.set(3);
    assert.is(yield* r.get({ timeout: 0 }), 3);
  }));

result('getNowait() returns the value, or throws Timeout with an empty message while not ready', () =>
  simulate(function* () {
    const r = new AsyncResult<string>();
    assert.throws(() => r.getNowait(), (e: Error) => e instanceof Timeout && e.message === '');
    r.set('v');
    assert.is(r.getNowait(), 'v');
  }));

result('wait({ timeout }) returns undefined when the time is up', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    assert.is(yield* r.wait({ timeout: 25 }), undefined);
    assert.is(getHub().now(), 25);
    assert.is(yield* r.wait({ timeout: 0 }), undefined);
  }));

result('a value, once set, wins over a later setException(); successful() stays true; exception records it', () =>
  simulate(function* () {
    const r = new AsyncResult<string>();
    r.set('kept');
    const late = new Error('too late');
    r.setException(late);
    assert.is(yield* r.get(), 'kept');
    assert.is(r.getNowait(), 'kept');
    assert.is(yield* r.wait(), 'kept');
    assert.is(r.successful(), true);
    assert.is(r.value, 'kept');
    // Issue 13: gevent records it (this read undefined before).
    assert.is(r.exception, late);
  }));

result('set() twice overwrites the value; set() after setException() makes it a success', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    r.set(1);
    r.set(2);
    assert.is(yield* r.get(), 2);
    const s = new AsyncResult<number>();
    s.setException(new Error('first'));
    s.set(5);
    assert.is(yield* s.get(), 5);
    assert.is(s.successful(), true);
    assert.is((s.exception as Error).message, 'first', 'still recorded, as gevent does');
  }));

result('a Timeout given as timeout is raised itself; an outer Timeout inside get({ timeout: 1000 }) is not lost', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    const given = new Timeout(20);
    try {
      yield* r.get({ timeout: given });
      assert.unreachable('get returned');
    } catch (error) {
      assert.is(error, given);
    }
    const outer = new Timeout(10).start();
    try {
      yield* r.get({ timeout: 1000 });
      assert.unreachable('get returned');
    } catch (error) {
      assert.is(error, outer);
    }
    const outer2 = new Timeout(10).start();
    try {
      yield* r.wait({ timeout: 1000 });
      assert.unreachable('wait returned');
    } catch (error) {
      assert.is(error, outer2);
    }
    assert.is(getHub().now(), 40);
  }));

result('a getter killed while blocked runs its finally and leaves the waiters', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const r = new AsyncResult<number>();
    const victim = spawn(function* () {
      try {
        log(`victim got ${yield* r.get()}`);
      } finally {
        log('victim finally');
      }
    });
    const other = spawn(function* () {
      log(`other got ${yield* r.get()}`);
    });
    yield* sleep(0);
    yield* victim.kill();
    assert.is(String(r), '<AsyncResult unset, 1 waiting>');
    r.set(9);
    yield* other.join();
    assert.equal(lines, ['victim finally', 'other got 9']);
  }));

result("a greenlet's outcome can be passed on through link()", () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    const g = spawn(function* () {
      yield* sleep(5);
      return 11;
    });
    g.link((done) => (done.successful() ? r.set(done.value as number) : r.setException(done.exception)));
    assert.is(yield* r.get(), 11);
    const fed = new AsyncResult<number>();
    fed.link((source) => assert.is(source, fed));
    fed.set(1);
    assert.is(yield* fed.get(), 1);
  }));

result('a get nothing can end gets LoopExit naming AsyncResult.get', async () => {
  try {
    await simulate(function* () {
      yield* new AsyncResult().get();
    });
    assert.unreachable('simulate resolved');
  } catch (error) {
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, /blocked in AsyncResult\.get\(\)/);
  }
});

result('bad arguments are rejected with messages naming the call and the value', () =>
  simulate(function* () {
    const r = new AsyncResult<number>();
    assert.throws(
      () => r.setException(undefined),
      (e: Error) => e instanceof TypeError && e.message === 'AsyncResult.setException: error must not be undefined',
    );
    assert.is(r.ready(), false);
    assert.throws(() => r.get({ timeout: NaN }), /AsyncResult.get: timeout must be a non-negative number of ms, got NaN/);
    assert.throws(() => r.wait({ timeout: {} as never }), /AsyncResult.wait: timeout must be a number of ms or a Timeout, got an object/);
    assert.throws(() => r.get(null as never), /AsyncResult.get: options must be an object, got null/);
  }));

result('the value type flows through get(): AsyncResult<T> gives T', () =>
  simulate(function* (): Operation<void> {
    const r = new AsyncResult<{ n: number }>();
    r.set({ n: 4 });
    const got: { n: number } = yield* r.get();
    const waited: { n: number } | undefined = yield* r.wait();
    assert.is(got.n + (waited?.n ?? 0), 8);
  }));

result.run();

const many = suite('wait(objects) over events and results');

many('returns an Event, an AsyncResult and a Greenlet in the order they became ready', () =>
  simulate(function* () {
    const ev = new Event();
    const r = new AsyncResult<number>();
    const g = spawn(function* () {
      yield* sleep(20);
    });
    spawn(function* () {
      yield* sleep(10);
      r.set(1);
      yield* sleep(20);
      ev.set();
    });
    const done = yield* wait([ev, r, g]);
    assert.equal(done, [r, g, ev]);
    assert.is(getHub().now(), 30);
  }));

many('count and timeout return the ready subset; already-ready objects come first', () =>
  simulate(function* () {
    const ready = new Event();
    ready.set();
    const later = new AsyncResult<void>();
    const never = new Event();
    spawn(function* () {
      yield* sleep(5);
      later.set();
    });
    assert.equal(yield* wait([never, later, ready], { count: 2 }), [ready, later]);
    assert.equal(yield* wait([never, ready], { timeout: 50 }), [ready]);
    assert.is(getHub().now(), 55);
    assert.is(String(never), '<Event clear, 0 waiting>');
  }));

many('an Event set and cleared before the round still counts as ready for wait()', () =>
  simulate(function* () {
    const ev = new Event();
    spawn(() => {
      ev.set();
      ev.clear();
    });
    assert.equal(yield* wait([ev]), [ev]);
  }));

many.run();
