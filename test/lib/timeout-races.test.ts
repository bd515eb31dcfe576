/**
 * Regressions (issue 11, items 1 and 2): Timeout races, under seeded
 * interleavings. A call that completed returns its result even if a Timeout
 * fires before the greenlet resumes (the Timeout waits for the next blocking
 * call, or is withdrawn when its scope ends); a cancelled Timeout is never
 * raised later.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Channel, Empty, Queue, Timeout, getHub, joinAll, sleep, spawn, withTimeout, type Operation } from 'grove';
import { explore, simulate } from 'grove/testing';

/** The three ways to put a Timeout around one call. */
const FORMS: [string, <T>(op: () => Operation<T>, pass: (timeout: Timeout) => Operation<T>) => Operation<T | undefined>][] = [
  ['{ timeout: new Timeout(0) }', (_op, pass) => pass(new Timeout(0))],
  ['withTimeout(0, ...)', (op) => withTimeout(0, op)],
  ['new Timeout(0).scope(...)', (op) => new Timeout(0).scope(op)],
];

const completed = suite('a call that completed returns its result (item 1)');

completed('Channel.put: the putter succeeds exactly when the getter took its item (3 forms x 300 seeds)', () =>
  explore(
    function* () {
      for (const [form, around] of FORMS) {
        const ch = new Channel<string>();
        let put = false;
        let got: string | undefined;
        const putter = spawn(function* () {
          try {
            yield* around(() => ch.put('x'), (timeout) => ch.put('x', { timeout }));
            put = true;
          } catch (error) {
            if (!(error instanceof Timeout)) throw error;
          }
          // A Timeout raised late, out of its scope, would surface here.
          yield* sleep(5);
        });
        const getter = spawn(function* () {
          try {
            got = yield* ch.get({ timeout: 5 });
          } catch (error) {
            if (!(error instanceof Empty)) throw error;
          }
        });
        yield* joinAll([putter, getter], { raiseError: true });
        assert.is(put, got === 'x', `${form}: put ${put ? 'succeeded' : 'failed'} but the getter ${got === undefined ? 'got nothing' : `got ${got}`}`);
      }
    },
    { seeds: 300 },
  ));

completed('the Timeout of a completed call is raised at the next blocking call while its scope lasts', () =>
  simulate(function* () {
    const ch = new Channel<string>();
    const t = new Timeout(0);
    const log: string[] = [];
    const putter = spawn(function* () {
      try {
        yield* t.scope(function* () {
          yield* ch.put('x');
          log.push(`put done at ${getHub().now()}`);
          yield* sleep(5);
          log.push('slept');
        });
      } catch (error) {
        log.push(error === t ? `Timeout at ${getHub().now()}` : `other: ${String(error)}`);
      }
    });
    // Runs after the putter blocked, in the same turn, so the Timeout (due now) fires after the item is taken.
    spawn(function* () {
      log.push(`got ${yield* ch.get()}`);
    });
    yield* putter.join();
    assert.equal(log, ['got x', 'put done at 0', 'Timeout at 0']);
  }));

const stale = suite('a cancelled or out-of-scope Timeout is never raised later (item 2)');

stale('nested Timeouts due in the same turn: after the outer one is caught, nothing else is raised (3 nestings x 300 seeds)', () =>
  explore(
    function* () {
      const nestings: [string, () => Operation<unknown>][] = [
        ['withTimeout in withTimeout', () => withTimeout(50, () => withTimeout(50, () => sleep(100)))],
        ['scope in scope', () => new Timeout(50).scope(new Timeout(50).scope(sleep(100)))],
        ['{ timeout } in scope', () => new Timeout(50).scope(() => new Queue<number>().get({ timeout: new Timeout(50) }))],
      ];
      for (const [name, nested] of nestings) {
        const start = getHub().now();
        try {
          yield* nested();
          assert.unreachable(`${name}: no Timeout`);
        } catch (error) {
          if (!(error instanceof Timeout)) throw error;
        }
        try {
          yield* sleep(10);
        } catch (error) {
          assert.unreachable(`${name}: sleep(10) after the scopes threw ${String(error)}`);
        }
        assert.is(getHub().now() - start, 60, name);
      }
    },
    { seeds: 300 },
  ));

stale('two Timeouts due at once: cancel() withdraws the one not yet raised; one not cancelled is raised at the next blocking call', () =>
  simulate(function* () {
    const a = new Timeout(20).start();
    const b = new Timeout(20).start();
    try {
      yield* sleep(100);
    } catch (error) {
      assert.is(error, a);
    }
    b.cancel();
    yield* sleep(10);
    assert.is(getHub().now(), 30);

    const c = new Timeout(20).start();
    const d = new Timeout(20).start();
    try {
      yield* sleep(100);
    } catch (error) {
      assert.is(error, c);
    }
    // d is still in force: it is raised by the next blocking call.
    try {
      yield* sleep(10);
      assert.unreachable('d was not raised');
    } catch (error) {
      assert.is(error, d);
    }
    assert.is(getHub().now(), 50);
  }));

completed.run();
stale.run();
