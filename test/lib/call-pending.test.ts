/**
 * Regressions (issue 11, items 3 and 7): a `call()` on a promise that never
 * settles, on a virtual clock, and a kill racing its timeout.
 *
 * A virtual clock does not run ahead of real time while a promise is
 * pending: it reaches its next deadline once as much real time has passed,
 * so a timeout around a promise that never settles fires (after that many
 * real ms; the tests keep them small). When Node's event loop runs dry, no
 * pending promise can settle any more, and a `run()` main blocked in
 * `call()` with no timeout gets LoopExit naming it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GreenletExit, Timeout, call, getHub, joinAll, sleep, spawn, withTimeout } from 'grove';
import { explore, simulate } from 'grove/testing';
import { runScript } from '../support.js';

const never = (): Promise<never> => new Promise<never>(() => {});

const pending = suite('call() on a promise that never settles');

pending('under simulate, call(p, { timeout: 20 }) times out at virtual time 20 (after 20 real ms) and aborts its signal', () =>
  simulate(function* () {
    let seen: AbortSignal | undefined;
    try {
      yield* call(
        (signal) => {
          seen = signal;
          return never();
        },
        { timeout: 20 },
      );
      assert.unreachable('no timeout');
    } catch (error) {
      assert.instance(error, Timeout);
      assert.is((error as Timeout).message, '20 ms');
    }
    assert.is(getHub().now(), 20);
    assert.ok(seen?.aborted);
    assert.instance(seen?.reason, Timeout);
  }));

pending('under simulate, a Timeout around the call fires too; other timers keep their order', () =>
  simulate(function* () {
    const order: string[] = [];
    spawn(function* () {
      yield* sleep(10);
      order.push('sleeper at 10');
    });
    const value = yield* withTimeout(20, () => call(never()), { timeoutValue: 'gave up' });
    order.push(`${value} at ${getHub().now()}`);
    assert.equal(order, ['sleeper at 10', 'gave up at 20']);
  }));

pending('without a timeout, a script whose main waits on it gets LoopExit naming call(), real or virtual clock', () => {
  // In its own process: Node's event loop must run dry, which this test runner's own timers prevent.
  const script = `
    import { Hub, call } from 'grove';
    for (const clock of ['virtual', 'real']) {
      try {
        await new Hub({ clock }).run(function* () { yield* call(new Promise(() => {})); });
        console.log(clock + ': returned');
      } catch (error) {
        console.log(clock + ': ' + error.name + ': ' + error.message.replace(/\\s+/g, ' '));
      }
    }
  `;
  const child = runScript(script);
  assert.is(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim().split('\n'), [
    'virtual: LoopExit: This operation would block forever Greenlet-1 is blocked in call() and nothing can wake it',
    'real: LoopExit: This operation would block forever Greenlet-2 is blocked in call() and nothing can wake it',
  ]);
});

pending('a promise that settles while others are pending still counts: the clock waits for it', () =>
  simulate(function* () {
    const slow = spawn(() => call(new Promise<string>((resolve) => setTimeout(() => resolve('io done'), 5))));
    const sleeper = spawn(function* () {
      yield* sleep(60_000);
      return getHub().now();
    });
    assert.is(yield* slow.get(), 'io done');
    assert.is(getHub().now(), 0);
    assert.is(yield* sleeper.get(), 60_000);
  }));

const race = suite('a kill racing a call\'s timeout (item 3)');

race('a kill landing after the call timed out, before it resumed, still aborts the signal and releases the hub (100 seeds)', () =>
  explore(
    function* () {
      let seen: AbortSignal | undefined;
      const caller = spawn(() =>
        call(
          (signal) => {
            seen = signal;
            return never();
          },
          { timeout: 1 },
        ),
      );
      // Due at the same instant as the call's timeout: the seed decides what fires and runs first.
      const killer = spawn(function* () {
        yield* sleep(1);
        caller.kill();
      });
      yield* joinAll([caller, killer]);
      const outcome: unknown = caller.exception ?? caller.value;
      assert.ok(outcome instanceof Timeout || outcome instanceof GreenletExit, String(outcome));
      assert.ok(seen?.aborted, 'the signal is aborted');
      // The leak itself: the hub's count of pending waits (internal) is back to 0.
      assert.is(getHub().externals, 0);
    },
    { seeds: 100 },
  ));

pending.run();
race.run();
