import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, exitReason, getHub, sleep, spawn } from 'grove';
import { Supervisor, UnknownChild, WrongStrategy } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { Worker, type WorkerOptions } from '../support.js';

/** A simpleOneForOne supervisor whose template starts `new Worker(name, log, options)` from startChild([name, options]). */
function pool(log: (line: string) => void, fields: { restart?: 'permanent' | 'transient' | 'temporary'; shutdown?: number | 'infinity' } = {}) {
  return new Supervisor({
    name: 'pool',
    strategy: 'simpleOneForOne',
    maxRestarts: 5,
    children: [{ id: 'conn', start: (name: string, options?: WorkerOptions) => new Worker(name, log, options), ...fields }],
  });
}

const dynamic = suite('Supervisor: simpleOneForOne');

dynamic('starts no child by itself; startChild(args) calls the template with them and returns once up', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = pool(log).start();
    yield* advance(0);
    assert.equal(sup.whichChildren(), []);
    const one = yield* sup.startChild(['one']);
    const two = yield* sup.startChild(['two']);
    assert.equal(lines, ['start one', 'start two']);
    assert.equal(
      sup.whichChildren().map((c) => [c.id, c.greenlet, c.type]),
      [
        ['conn', one, 'worker'],
        ['conn', two, 'worker'],
      ],
    );
    assert.equal(sup.countChildren(), { specs: 1, active: 2, supervisors: 0, workers: 2 });
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

dynamic('a child that crashes is restarted with the same arguments, in its place', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = pool(log).start();
      const one = (yield* sup.startChild(['one'])) as Worker;
      const args = { cleanupMs: 5 };
      yield* sup.startChild(['two', args]);
      one.send('crash');
      yield* advance(0);
      assert.equal(lines, ['start one', 'start two', 'stop one: one crashed', 'start one']);
      assert.equal(sup.whichChildren().map((c) => (c.greenlet as Worker).tag), ['one', 'two']);
      assert.is.not(sup.whichChildren()[0].greenlet, one);
      // The arguments are passed as given: not copied, not frozen.
      assert.not.ok(Object.isFrozen(args));
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

dynamic('terminateChild(greenlet) stops that child and forgets it, whatever its restart type', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = pool(log).start();
    const one = yield* sup.startChild(['one']);
    yield* sup.startChild(['two']);
    yield* sup.terminateChild(one);
    assert.ok(one.dead);
    assert.equal(lines, ['start one', 'start two', 'stop one: shutdown']);
    assert.equal(sup.countChildren(), { specs: 1, active: 1, supervisors: 0, workers: 1 });
    // Terminating a greenlet that is no longer alive is fine (OTP's rule for a pid).
    yield* sup.terminateChild(one);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

dynamic('a child that is not restarted is forgotten: temporary ones when they exit, transient ones after a normal exit', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const temporary = pool(log, { restart: 'temporary' }).start();
      const t = (yield* temporary.startChild(['t'])) as Worker;
      t.send('crash');
      yield* advance(0);
      assert.equal(temporary.whichChildren(), []);
      const transient = pool(log, { restart: 'transient' }).start();
      const n = (yield* transient.startChild(['n'])) as Worker;
      n.send('return');
      yield* advance(0);
      assert.equal(transient.whichChildren(), []);
      assert.equal(transient.countChildren(), { specs: 1, active: 0, supervisors: 0, workers: 0 });
      temporary.kill({ exception: new ExitSignal('shutdown') });
      transient.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

dynamic('on shutdown its children are all asked at once, then awaited with the template shutdown (OTP)', () =>
  simulate(function* () {
    const lines: string[] = [];
    const log = (line: string) => void lines.push(`[${getHub().now()}] ${line}`);
    const sup = pool(log, { shutdown: 100 }).start();
    yield* sup.startChild(['a', { cleanupMs: 30 }]);
    yield* sup.startChild(['b', { cleanupMs: 10 }]);
    yield* sup.startChild(['c', { ignoreShutdown: true }]);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines.slice(3), ['[0] c ignores shutdown', '[10] stop b: shutdown', '[30] stop a: shutdown', '[100] stop c: killed']);
    assert.is(exitReason(sup), 'shutdown');
  }));

dynamic('misuse: ids, spec objects, deleteChild and restartChild are refused', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = pool(log).start();
    const calls: [() => unknown, new (...args: never[]) => Error, string][] = [
      [() => sup.terminateChild('conn'), WrongStrategy, `Supervisor.terminateChild: <Supervisor "pool"> is simpleOneForOne: give the child's greenlet, not an id`],
      [() => sup.restartChild('conn'), WrongStrategy, 'Supervisor.restartChild: not supported by <Supervisor "pool">, a simpleOneForOne supervisor (its children go when they stop)'],
      [() => sup.deleteChild('conn'), WrongStrategy, 'Supervisor.deleteChild: not supported by <Supervisor "pool">, a simpleOneForOne supervisor (its children go when they stop)'],
      [
        () => sup.startChild({ id: 'x', start: () => new Greenlet(() => 1) }),
        TypeError,
        `Supervisor.startChild: <Supervisor "pool"> is simpleOneForOne: pass the arguments of its template's start as an array, got an object`,
      ],
      [() => sup.terminateChild(3 as unknown as Greenlet<unknown>), TypeError, 'Supervisor.terminateChild: child must be a greenlet, got 3'],
    ];
    for (const [call, type, message] of calls) {
      try {
        call();
        assert.unreachable(message);
      } catch (error) {
        assert.instance(error, type);
        assert.is((error as Error).message, message);
      }
    }
    const stranger = spawn(function* () {
      yield* sleep(1e9);
    });
    try {
      yield* sup.terminateChild(stranger);
      assert.unreachable('a stranger was terminated');
    } catch (error) {
      assert.instance(error, UnknownChild);
      assert.is((error as Error).message, `Supervisor.terminateChild: ${stranger} is not a child of <Supervisor "pool">`);
    }
    stranger.kill();
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

dynamic('many children: each start and exit is handled, and all stop together', () =>
  simulate(function* () {
    const sup = new Supervisor({
      strategy: 'simpleOneForOne',
      children: [
        {
          id: 'n',
          restart: 'temporary',
          start: (i: number) =>
            new Greenlet(function* () {
              yield* sleep(1000 + i);
            }),
        },
      ],
    }).start();
    for (let i = 0; i < 500; i++) yield* sup.startChild([i]);
    assert.is(sup.countChildren().active, 500);
    yield* advance(1250);
    assert.is(sup.countChildren().active, 249);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.is(getHub().now(), 1250);
    assert.equal(sup.whichChildren(), []);
  }));

dynamic.run();
