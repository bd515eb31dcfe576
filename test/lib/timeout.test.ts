import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Interrupt, Timeout, getHub, sleep, spawn, withTimeout, type Operation } from 'grove';
import { simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

const timeout = suite('Timeout');

timeout('messages say the ms: "50 ms", "50 ms (silent)", "50 ms: <message>", and "" without ms', () => {
  assert.is(new Timeout(50).message, '50 ms');
  assert.is(new Timeout(50, { silent: true }).message, '50 ms (silent)');
  assert.is(new Timeout(50, { exception: new Error('too slow') }).message, '50 ms: too slow');
  assert.is(new Timeout().message, '');
  assert.is(new Timeout(5).name, 'Timeout');
  assert.instance(new Timeout(5), Interrupt);
});

timeout('a started Timeout raises itself in the greenlet that started it, where it is blocked', () =>
  simulate(function* () {
    const t = new Timeout(30).start();
    assert.ok(t.pending);
    try {
      yield* sleep(100);
      assert.unreachable('sleep finished');
    } catch (e) {
      assert.is(e, t);
    }
    assert.is(getHub().now(), 30);
    assert.not.ok(t.pending);
  }));

timeout('nested timeouts: whichever expires first is raised, and identity tells them apart', () =>
  simulate(function* () {
    const outer = new Timeout(100);
    const inner = new Timeout(40);
    const result = yield* outer.scope(function* () {
      try {
        yield* inner.scope(sleep(1000));
        return 'no timeout';
      } catch (e) {
        return e === inner ? 'inner' : e === outer ? 'outer' : 'other';
      }
    });
    assert.is(result, 'inner');
    const t1 = new Timeout(20);
    const t2 = new Timeout(500);
    try {
      yield* t1.scope(t2.scope(sleep(1000)));
    } catch (e) {
      assert.is(e, t1);
    }
    assert.is(getHub().now(), 60);
  }));

timeout('a Timeout without ms never fires; a fired Timeout can be started again', () =>
  simulate(function* () {
    const never = new Timeout(null).start();
    yield* sleep(10_000);
    assert.not.ok(never.pending);
    const t = new Timeout(10);
    for (let round = 0; round < 2; round++) {
      t.start();
      try {
        yield* sleep(50);
      } catch (e) {
        assert.is(e, t);
      }
    }
    assert.is(getHub().now(), 10_020);
  }));

timeout('cancel() means nothing is raised, then or later; start() on a pending Timeout is an error', () =>
  simulate(function* () {
    const t = Timeout.startNew(10);
    assert.throws(() => t.start(), /Timeout.start: this Timeout \(10 ms\) is already pending; cancel it first/);
    t.cancel();
    t.cancel();
    yield* sleep(100);
  }));

timeout('exception: a class is instantiated when it fires, an instance is raised as is', () =>
  simulate(function* () {
    class TooLong extends Error {}
    const instance = new Error('given');
    try {
      yield* new Timeout(5, { exception: TooLong }).scope(sleep(100));
      assert.unreachable('no raise');
    } catch (e) {
      assert.instance(e, TooLong);
    }
    try {
      yield* new Timeout(5, { exception: instance }).scope(sleep(100));
      assert.unreachable('no raise');
    } catch (e) {
      assert.is(e, instance);
    }
  }));

timeout('scope() returns the body value, cancels the timer when the body ends, and a silent Timeout gives undefined', () =>
  simulate(function* () {
    const t = new Timeout(50);
    const value = yield* t.scope(function* () {
      yield* sleep(10);
      return 'done';
    });
    assert.is(value, 'done');
    assert.not.ok(t.pending);
    yield* sleep(100);
    const silent = yield* new Timeout(20, { silent: true }).scope(function* () {
      yield* sleep(100);
      return 'never';
    });
    assert.is(silent, undefined);
    assert.is(yield* new Timeout(20).scope(() => 7), 7);
  }));

timeout('scopes are cooperative: a greenlet that never blocks is never interrupted, and leaving cancels', () =>
  simulate(function* () {
    const real = new Timeout(0);
    let spins = 0;
    yield* real.scope(() => {
      for (let i = 0; i < 1000; i++) spins++;
      return spins;
    });
    yield* sleep(10); // the expired, cancelled Timeout is never raised
    assert.is(spins, 1000);
  }));

timeout('an outer Timeout is not lost: it interrupts a call that has a longer timeout of its own', () =>
  simulate(function* () {
    const slow = spawn(function* () {
      yield* sleep(10_000);
    });
    const outer = new Timeout(30).start();
    try {
      yield* slow.join({ timeout: 1000 });
      assert.unreachable('join returned');
    } catch (e) {
      assert.is(e, outer);
    }
    assert.is(getHub().now(), 30);
  }));

timeout('an uncaught Timeout fails the greenlet and is reported', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const g = spawn(function* () {
        new Timeout(10).start();
        yield* sleep(100);
      });
      g.name = 'timed-out';
      yield* sleep(50);
      assert.instance(g.exception, Timeout);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['timed-out: greenlet: Timeout: 10 ms']);
});

timeout('bad input: negative or NaN ms, a bad exception, start() outside a greenlet', () => {
  assert.throws(() => new Timeout(-1), (e: Error) => e instanceof RangeError && e.message === 'new Timeout: ms must be a non-negative number of ms, got -1');
  assert.throws(() => new Timeout(NaN), /got NaN/);
  assert.throws(() => new Timeout('5' as never), (e: Error) => e instanceof TypeError && /new Timeout: ms must be a number of ms, got "5"/.test(e.message));
  assert.throws(() => new Timeout(5, { exception: 'x' as never }), /new Timeout: exception must be an Error class or instance, got "x"/);
  assert.throws(() => new Timeout(5).start(), /Timeout.start\(\) must be called inside a greenlet/);
});

timeout.run();

const withTimeoutSuite = suite('withTimeout');

withTimeoutSuite('returns the value when the function finishes in time', () =>
  simulate(function* () {
    assert.is(yield* withTimeout(100, function* () {
      yield* sleep(10);
      return 'in time';
    }), 'in time');
    assert.is(yield* withTimeout(100, () => 3), 3);
  }));

withTimeoutSuite('raises the Timeout when the time is up', () =>
  simulate(function* () {
    try {
      yield* withTimeout(20, () => sleep(100));
      assert.unreachable('no timeout');
    } catch (e) {
      assert.instance(e, Timeout);
      assert.is((e as Timeout).message, '20 ms');
    }
  }));

withTimeoutSuite('returns timeoutValue instead, undefined included when given', () =>
  simulate(function* () {
    assert.is(yield* withTimeout(20, () => sleep(100), { timeoutValue: 'fallback' }), 'fallback');
    const given: { timeoutValue: undefined } = { timeoutValue: undefined };
    assert.is(yield* withTimeout(20, () => sleep(100), given), undefined);
  }));

withTimeoutSuite('a Timeout from elsewhere passes through, even with timeoutValue', () =>
  simulate(function* () {
    const outer = new Timeout(10).start();
    try {
      yield* withTimeout(1000, () => sleep(100), { timeoutValue: 'not this' });
      assert.unreachable('no raise');
    } catch (e) {
      assert.is(e, outer);
    }
  }));

withTimeoutSuite('bad input names the argument', () =>
  simulate(function* () {
    assert.throws(() => withTimeout(-5, () => 1), /withTimeout: ms must be a non-negative number of ms, got -5/);
    assert.throws(() => withTimeout(5, 'nope' as never), /withTimeout: fn must be a function, got "nope"/);
  }));

withTimeoutSuite.run();

const tutorial = suite('Timeout tutorial patterns');

tutorial('three greenlets time out one after the other (join, get, withTimeout)', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    function* wait(): Operation<void> {
      yield* sleep(2000);
    }
    const timer = new Timeout(1000).start();
    try {
      yield* spawn(wait).join({ timeout: timer });
    } catch (e) {
      if (e === timer) log('Thread 1 timed out');
    }
    const timer2 = Timeout.startNew(1000);
    try {
      yield* spawn(wait).get({ timeout: timer2 });
    } catch (e) {
      if (e === timer2) log('Thread 2 timed out');
    }
    try {
      yield* withTimeout(1000, wait);
    } catch (e) {
      if (e instanceof Timeout) log('Thread 3 timed out');
    }
    assert.equal(lines, ['Thread 1 timed out', 'Thread 2 timed out', 'Thread 3 timed out']);
    assert.is(getHub().now(), 3000);
  }));

tutorial.run();
