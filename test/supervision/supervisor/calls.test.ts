import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DroppedOperation, ExitSignal, Greenlet, NotInGreenlet, exitReason, getHub, run, sleep } from 'grove';
import { AskFailed } from 'grove/actors';
import { ChildRunning, ChildStartFailed, DuplicateChild, Supervisor, UnknownChild, type ChildSpec } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { Worker, childOf, running, workerSpec } from '../support.js';

/** Runs `body` and returns what it threw, checking its class and exact message. */
function* rejects(body: () => Generator<never, unknown, unknown> | Iterable<unknown>, type: new (...args: never[]) => Error, message: string) {
  try {
    yield* body() as Generator<never, unknown, unknown>;
  } catch (error) {
    assert.instance(error, type);
    assert.is((error as Error).message, message);
    return error as Error;
  }
  assert.unreachable(`expected ${type.name}: ${message}`);
  return undefined;
}

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

const startChild = suite('Supervisor.startChild');

startChild('adds the child last in the start order and returns once it is up', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] }).start();
    const b = yield* sup.startChild(workerSpec('b', log));
    assert.equal(lines, ['start a', 'start b']);
    assert.instance(b, Worker);
    assert.is(childOf(sup, 'b'), b);
    assert.is(running(sup), 'a b');
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines.slice(2), ['stop b: shutdown', 'stop a: shutdown']);
  }));

startChild('a child started later is supervised like the others', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'restForOne', children: [workerSpec('a', log)] }).start();
      yield* sup.startChild(workerSpec('b', log));
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(2), ['stop a: a crashed', 'stop b: shutdown', 'start a', 'start b']);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

startChild('a duplicate id is refused with DuplicateChild, running or stopped', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log), workerSpec('t', log, { restart: 'transient' })] }).start();
    yield* rejects(() => sup.startChild(workerSpec('a', log)), DuplicateChild, 'Supervisor.startChild: <Supervisor "top"> already has a child "a", running');
    yield* sup.terminateChild('t');
    const error = yield* rejects(
      () => sup.startChild(workerSpec('t', log)),
      DuplicateChild,
      'Supervisor.startChild: <Supervisor "top"> already has a child "t", stopped (restartChild starts it; deleteChild removes it)',
    );
    assert.is((error as DuplicateChild).id, 't');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

startChild('a child that fails to start is not kept: ChildStartFailed, and the supervisor runs on', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] }).start();
      const error = yield* rejects(
        () => sup.startChild(workerSpec('b', log, {}, { failOnStart: new Error('no port') })),
        ChildStartFailed,
        '<Supervisor "top">: child "b" failed to start: Error: no port',
      );
      assert.is((error as ChildStartFailed).id, 'b');
      assert.is(running(sup), 'a');
      assert.ok(!sup.dead);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

startChild('a bad spec throws at once, naming the field', () =>
  simulate(function* () {
    const sup = new Supervisor({ name: 'top' }).start();
    throwsExactly(() => sup.startChild({ id: '', start: () => new Greenlet(() => 1) }), TypeError, 'Supervisor.startChild: spec.id must be a non-empty string, got ""');
    throwsExactly(
      () => sup.startChild([1, 2]),
      TypeError,
      'Supervisor.startChild: <Supervisor "top"> is oneForOne: pass a child spec ({ id, start, ... }), got an array (arguments are for simpleOneForOne)',
    );
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

startChild('a call to a supervisor never started fails at once, naming the call; one made before it is up is answered once it is', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] });
    throwsExactly(
      () => sup.startChild(workerSpec('b', log)),
      Error,
      'Supervisor.startChild: <Supervisor "top"> was never started: call start() on it first (or give it to a supervisor)',
    );
    sup.start();
    const later = new Greenlet(function* () {
      return yield* sup.startChild(workerSpec('b', log));
    }).start();
    yield* later.join();
    assert.equal(lines, ['start a', 'start b']);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    yield* rejects(() => sup.startChild(workerSpec('c', log)), AskFailed, 'Supervisor.startChild: <Supervisor "top"> is not alive (noproc)');
  }));

const terminateChild = suite('Supervisor.terminateChild');

terminateChild('stops the child with its shutdown protocol and returns once it is dead; its spec stays', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 300 }, { ignoreShutdown: true }), workerSpec('b', log)] }).start();
    yield* advance(0);
    const a = childOf(sup, 'a');
    yield* sup.terminateChild('a');
    assert.is(getHub().now(), 300);
    assert.ok(a.dead);
    assert.equal(lines.slice(2), ['a ignores shutdown', 'stop a: killed']);
    assert.is(running(sup), '-a b');
    assert.equal(sup.countChildren(), { specs: 2, active: 1, supervisors: 0, workers: 2 });
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

terminateChild('a temporary child is forgotten; a stopped one is left as it is', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('x', log, { restart: 'temporary' })] }).start();
    yield* sup.terminateChild('x');
    yield* sup.terminateChild('a');
    yield* sup.terminateChild('a');
    assert.is(running(sup), '-a');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

terminateChild('an unknown id is refused with UnknownChild', () =>
  simulate(function* () {
    const sup = new Supervisor({ name: 'top' }).start();
    const error = yield* rejects(() => sup.terminateChild('nope'), UnknownChild, 'Supervisor.terminateChild: no child "nope" in <Supervisor "top">');
    assert.is((error as UnknownChild).id, 'nope');
    throwsExactly(() => sup.terminateChild(7 as unknown as string), TypeError, 'Supervisor.terminateChild: id must be a non-empty string, got 7');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

terminateChild('calls off a pending restart', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ backoff: { minMs: 1000, maxMs: 1000 }, children: [workerSpec('a', log)] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* advance(10);
      yield* sup.terminateChild('a');
      yield* advance(5000);
      assert.equal(lines, ['start a', 'stop a: a crashed']);
      assert.is(running(sup), '-a');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

const restartChild = suite('Supervisor.restartChild');

restartChild('starts a stopped child again in its place and returns it once up', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log)] }).start();
    yield* sup.terminateChild('a');
    const a = yield* sup.restartChild('a');
    assert.is(childOf(sup, 'a'), a);
    assert.equal(lines, ['start a', 'start b', 'stop a: shutdown', 'start a']);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines.slice(4), ['stop b: shutdown', 'stop a: shutdown']);
  }));

restartChild('does not count towards the restart intensity', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ maxRestarts: 0, children: [workerSpec('a', log)] }).start();
    for (let i = 0; i < 3; i++) {
      yield* sup.terminateChild('a');
      yield* sup.restartChild('a');
    }
    assert.ok(!sup.dead);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

restartChild('a running child, one waiting to be restarted, an unknown one: typed refusals', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', backoff: { minMs: 1000, maxMs: 1000 }, children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      yield* rejects(() => sup.restartChild('a'), ChildRunning, 'Supervisor.restartChild: child "a" of <Supervisor "top"> is running');
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      yield* rejects(() => sup.restartChild('b'), ChildRunning, 'Supervisor.restartChild: child "b" of <Supervisor "top"> is waiting to be restarted');
      yield* rejects(() => sup.restartChild('c'), UnknownChild, 'Supervisor.restartChild: no child "c" in <Supervisor "top">');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

restartChild('a start that fails leaves the child stopped: ChildStartFailed', () =>
  simulate(function* () {
    let fail = false;
    const spec: ChildSpec = {
      id: 'a',
      start: () => {
        if (fail) throw new Error('disk full');
        return new Greenlet(function* () {
          yield* sleep(1e9);
        });
      },
    };
    const sup = new Supervisor({ name: 'top', children: [spec] }).start();
    yield* sup.terminateChild('a');
    fail = true;
    yield* rejects(() => sup.restartChild('a'), ChildStartFailed, '<Supervisor "top">: child "a" failed to start: Error: disk full');
    assert.is(running(sup), '-a');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

const deleteChild = suite('Supervisor.deleteChild');

deleteChild('removes the spec of a stopped child; never blocks', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log)] }).start();
    yield* sup.terminateChild('a');
    assert.is(sup.deleteChild('a'), undefined);
    assert.is(running(sup), 'b');
    assert.equal(sup.countChildren(), { specs: 1, active: 1, supervisors: 0, workers: 1 });
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

deleteChild('a running child or an unknown one: typed refusals', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] }).start();
    yield* advance(0);
    throwsExactly(() => sup.deleteChild('a'), ChildRunning, 'Supervisor.deleteChild: child "a" of <Supervisor "top"> is running (terminateChild stops it)');
    throwsExactly(() => sup.deleteChild('zz'), UnknownChild, 'Supervisor.deleteChild: no child "zz" in <Supervisor "top">');
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

const snapshots = suite('Supervisor.whichChildren and countChildren');

snapshots('whichChildren is an immutable snapshot of { id, greenlet, type } in start order', () =>
  simulate(function* () {
    const { log } = recorder();
    const sub: ChildSpec = { id: 'sub', type: 'supervisor', start: () => new Supervisor({ name: 'sub' }) };
    const sup = new Supervisor({ children: [workerSpec('a', log), sub, workerSpec('b', log)] });
    const before = sup.whichChildren();
    assert.equal(before, [
      { id: 'a', greenlet: undefined, type: 'worker' },
      { id: 'sub', greenlet: undefined, type: 'supervisor' },
      { id: 'b', greenlet: undefined, type: 'worker' },
    ]);
    sup.start();
    yield* advance(0);
    const after = sup.whichChildren();
    assert.ok(Object.isFrozen(after) && Object.isFrozen(after[0]));
    assert.instance(after[1].greenlet, Supervisor);
    assert.is(before[0].greenlet, undefined);
    // The same snapshot until something changes.
    assert.is(sup.whichChildren(), after);
    assert.throws(() => (after as unknown[]).push(1));
    assert.equal(sup.countChildren(), { specs: 3, active: 3, supervisors: 1, workers: 2 });
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

const misuse = suite('Supervisor: calls and their misuse');

misuse('calls to a dead supervisor fail with AskFailed (noproc)', () =>
  simulate(function* () {
    const sup = new Supervisor({ name: 'top' }).start();
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    yield* rejects(() => sup.terminateChild('a'), AskFailed, 'Supervisor.terminateChild: <Supervisor "top"> is not alive (noproc)');
  }));

misuse('a call the supervisor cannot answer because it ends fails with its exit reason', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log, { shutdown: 'infinity' }, { cleanupMs: 100 })] }).start();
    yield* advance(0);
    const caller = new Greenlet(function* () {
      yield* sup.terminateChild('a');
    }).start();
    yield* advance(10);
    sup.kill({ exception: new ExitSignal('going away') });
    yield* caller.join();
    assert.instance(caller.exception, AskFailed);
    assert.is((caller.exception as AskFailed).reason, 'going away');
  }));

misuse("a child's start that calls its own supervisor is refused, not a deadlock", () =>
  simulate(
    function* () {
      const sup: Supervisor = new Supervisor({
        name: 'top',
        children: [
          {
            id: 'a',
            start: () => {
              void sup.startChild({ id: 'b', start: () => new Greenlet(() => 1) });
              return new Greenlet(() => 1);
            },
          },
        ],
      }).start();
      yield* sup.join();
      assert.is(
        (sup.exception as ChildStartFailed).message,
        '<Supervisor "top">: child "a" failed to start: Error: Supervisor.startChild: <Supervisor "top"> cannot call itself (a child\'s start function runs in the supervisor\'s greenlet)',
      );
    },
    { onError: () => {} },
  ));

misuse('blocking calls made outside a greenlet throw NotInGreenlet', () => {
  const sup = new Supervisor({ name: 'top' });
  throwsExactly(
    () => sup.restartChild('a'),
    NotInGreenlet,
    'Supervisor.restartChild() must be called inside a greenlet: start one with run(function* () { ... }) or spawn()',
  );
});

misuse('a blocking call made without yield* is caught (DroppedOperation)', () =>
  simulate(function* () {
    const sup = new Supervisor({ name: 'top' }).start();
    const forgot = new Greenlet(function* () {
      sup.terminateChild('a');
      yield* advance(0);
    }).start();
    yield* forgot.join();
    assert.instance(forgot.exception, DroppedOperation);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

misuse('a supervisor always traps exits', () => {
  const sup = new Supervisor({ name: 'top' });
  assert.ok(sup.trapExit);
  throwsExactly(() => {
    sup.trapExit = false;
  }, TypeError, 'Supervisor.trapExit: a supervisor always traps exits, got false');
});

misuse('options are checked when it is made', () => {
  throwsExactly(() => new Supervisor({ strategy: 'oneForMany' as 'oneForOne' }), TypeError, `new Supervisor: strategy must be 'oneForOne', 'oneForAll', 'restForOne' or 'simpleOneForOne', got "oneForMany"`);
});

misuse('it works on the real clock too', async () => {
  const { lines, log } = recorder();
  await run(function* () {
    const sup = new Supervisor({ children: [workerSpec('a', log)] }).start();
    yield* sup.startChild(workerSpec('b', log));
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.is(exitReason(sup), 'shutdown');
  });
  assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown']);
});

startChild.run();
terminateChild.run();
restartChild.run();
deleteChild.run();
snapshots.run();
misuse.run();
