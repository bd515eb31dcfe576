import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, Timeout, getHub } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, workerSpec } from '../support.js';

function throwsExactly(fn: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, type);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${type.name}: ${message}`);
}

/** Runs `body` and returns the Timeout it threw, and the hub time it threw it at. */
function* timesOut(body: () => Iterable<unknown>): Generator<never, { error: Timeout; at: number }, unknown> {
  try {
    yield* body() as Generator<never, unknown, unknown>;
  } catch (error) {
    assert.instance(error, Timeout);
    return { error: error as Timeout, at: getHub().now() };
  }
  throw new Error('expected a Timeout');
}

const timeouts = suite('Supervisor calls: { timeout }');

timeouts('terminateChild throws Timeout after timeout ms; the child is still stopped', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 300 }, { ignoreShutdown: true })] }).start();
    yield* advance(0);
    const a = childOf(sup, 'a');
    const { error, at } = yield* timesOut(() => sup.terminateChild('a', { timeout: 100 }));
    assert.is(error.message, '100 ms');
    assert.is(at, 100);
    assert.ok(!a.dead);
    yield* a.join();
    yield* advance(0);
    assert.is(getHub().now(), 300);
    assert.equal(lines, ['start a', 'a ignores shutdown', 'stop a: killed']);
    assert.is(running(sup), '-a');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

timeouts('startChild and restartChild behind a slow call time out; the supervisor carries them out in turn', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 300 }, { ignoreShutdown: true }), workerSpec('b', log)] }).start();
    yield* advance(0);
    yield* sup.terminateChild('b');
    // The supervisor is busy stopping 'a' for 300 ms: calls made meanwhile wait their turn.
    const stopping = new Greenlet(() => sup.terminateChild('a')).start();
    yield* advance(0);
    assert.is((yield* timesOut(() => sup.startChild(workerSpec('c', log), { timeout: 50 }))).at, 50);
    assert.is((yield* timesOut(() => sup.restartChild('b', { timeout: new Timeout(20) }))).at, 70);
    yield* stopping.join();
    yield* advance(0);
    assert.equal(lines.slice(2), ['stop b: shutdown', 'a ignores shutdown', 'stop a: killed', 'start c', 'start b']);
    assert.is(running(sup), '-a b c');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

timeouts('a call answered within its timeout returns as without one', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log)] }).start();
    const b = yield* sup.startChild(workerSpec('b', log), { timeout: 10 });
    assert.is(childOf(sup, 'b'), b);
    yield* sup.terminateChild('b', { timeout: 10 });
    assert.is(yield* sup.restartChild('b', { timeout: 10 }), childOf(sup, 'b'));
    yield* advance(100);
    assert.is(running(sup), 'a b');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

timeouts('a bad option throws at once, naming the call', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log)] }).start();
    yield* advance(0);
    throwsExactly(
      () => sup.startChild(workerSpec('b', log), { timeout: -1 }),
      RangeError,
      'Supervisor.startChild: timeout must be a non-negative number of ms, got -1',
    );
    throwsExactly(
      () => sup.terminateChild('a', { timeout: '1s' as never }),
      TypeError,
      'Supervisor.terminateChild: timeout must be a number of ms or a Timeout, got "1s"',
    );
    throwsExactly(() => sup.restartChild('a', 5 as never), TypeError, 'Supervisor.restartChild: options must be an object, got 5');
    assert.is(running(sup), 'a');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

timeouts.run();
