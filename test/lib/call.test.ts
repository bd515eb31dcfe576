import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GreenletExit, Hub, Timeout, call, getHub, joinAll, sleep, spawn } from 'grove';
import { simulate } from 'grove/testing';
import { recorder } from '../support.js';

const delay = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

const callSuite = suite('call');

callSuite('returns what the promise resolves to; the hub runs other greenlets meanwhile', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const other = spawn(function* () {
      for (let i = 0; i < 3; i++) {
        log(`other ${i}`);
        yield* sleep(0);
      }
    });
    log('calling');
    const value = yield* call(delay(5, 'resolved'));
    log(value);
    yield* other.join();
    assert.equal(lines, ['calling', 'other 0', 'other 1', 'other 2', 'resolved']);
  }));

callSuite('throws what the promise rejects with', () =>
  simulate(function* () {
    const reason = new Error('rejected');
    try {
      yield* call(Promise.reject(reason));
      assert.unreachable('no throw');
    } catch (e) {
      assert.is(e, reason);
    }
  }));

callSuite('a function gets an AbortSignal that aborts with the Timeout when { timeout } expires (real clock)', async () => {
  let seen: AbortSignal | undefined;
  // On a virtual clock time stands still while a promise is pending, so this needs real time.
  await new Hub().run(function* () {
    try {
      yield* call(
        (signal) => {
          seen = signal;
          return delay(50, 'late');
        },
        { timeout: 10 },
      );
      assert.unreachable('no timeout');
    } catch (e) {
      assert.instance(e, Timeout);
      assert.is((e as Timeout).message, '10 ms');
    }
  });
  assert.ok(seen?.aborted);
  assert.instance(seen?.reason, Timeout);
});

callSuite('killing the caller aborts the signal with GreenletExit and ignores the late result', () =>
  simulate(function* () {
    let seen: AbortSignal | undefined;
    const g = spawn(function* () {
      return yield* call((signal) => {
        seen = signal;
        return delay(20, 'late');
      });
    });
    yield* sleep(0);
    yield* g.kill();
    assert.ok(seen?.aborted);
    assert.instance(seen?.reason, GreenletExit);
    assert.instance(g.value, GreenletExit);
    yield* call(delay(30, null));
  }));

callSuite('many greenlets wait on promises at once', () =>
  simulate(function* () {
    const gs = [15, 5, 10].map((ms) => spawn(() => call(delay(ms, ms))));
    const done = yield* joinAll(gs);
    assert.equal(done.map((g) => g.value), [5, 10, 15]);
  }));

callSuite('a virtual clock stands still while the promise is pending', () =>
  simulate(function* () {
    yield* call(delay(10, 0));
    assert.is(getHub().now(), 0);
  }));

callSuite('bad input: not a promise, or a function that returns none', () =>
  simulate(function* () {
    assert.throws(() => call(5 as never), /call: expected a promise or a function returning one, got 5/);
    try {
      yield* call((() => 'no promise') as never);
      assert.unreachable('no throw');
    } catch (e) {
      assert.match((e as Error).message, /call: the function must return a promise, got "no promise"/);
    }
  }));

callSuite('bad options name the call: call(promise, 5) is not call(promise, { timeout: 5 })', () =>
  simulate(function* () {
    assert.throws(() => call(Promise.resolve(1), 5 as never), /call: options must be an object, got 5/);
    assert.throws(() => call(Promise.resolve(1), { timeout: -1 }), /call: timeout must be a non-negative number of ms, got -1/);
  }));

callSuite.run();
