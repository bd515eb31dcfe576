import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, exitReason, sleep, type Operation } from 'grove';
import { ChildStartFailed, Supervisor, type ChildSpec } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { errorSink, recorder } from '../../support.js';
import { Worker, running, supervisionLog, workerSpec } from '../support.js';

/** A spec whose start logs `start() <id>` and whose greenlet logs `<id> runs`, then blocks for `blockMs`. */
function loggedSpec(id: string, log: (line: string) => void, blockMs = 1e9): ChildSpec {
  return {
    id,
    start: () => {
      log(`start() ${id}`);
      return new Greenlet(function* (): Operation<void> {
        log(`${id} runs`);
        yield* sleep(blockMs);
        log(`${id} woke`);
        yield* sleep(1e9);
      });
    },
  };
}

const start = suite('Supervisor: starting its children');

start('starts its children one at a time, in order, each run to its first blocking point before the next', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [loggedSpec('a', log, 5), loggedSpec('b', log), loggedSpec('c', log)] }).start();
    yield* advance(0);
    assert.equal(lines, ['start() a', 'a runs', 'start() b', 'b runs', 'start() c', 'c runs']);
    assert.is(running(sup), 'a b c');
    yield* advance(5);
    assert.equal(lines.slice(6), ['a woke']);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

start('a child supervisor is up once all its own children are: the next sibling starts after them', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sub: ChildSpec = {
      id: 'sub',
      type: 'supervisor',
      start: () => {
        log('start() sub');
        return new Supervisor({ name: 'sub', children: [loggedSpec('y', log), loggedSpec('z', log)] });
      },
    };
    const sup = new Supervisor({ children: [loggedSpec('x', log), sub, loggedSpec('w', log)] }).start();
    yield* advance(0);
    assert.equal(lines, ['start() x', 'x runs', 'start() sub', 'start() y', 'y runs', 'start() z', 'z runs', 'start() w', 'w runs']);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

start('a start that throws stops the children already started, last first, and ends the supervisor with ChildStartFailed', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const noDb = new Error('no database');
      const sup = new Supervisor({
        name: 'top',
        children: [
          workerSpec('a', log),
          workerSpec('b', log),
          {
            id: 'c',
            start: () => {
              throw noDb;
            },
          },
          workerSpec('d', log),
        ],
      }).start();
      yield* sup.join();
      assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown']);
      const error = sup.exception as ChildStartFailed;
      assert.instance(error, ChildStartFailed);
      assert.is(error.message, '<Supervisor "top">: child "c" failed to start: Error: no database');
      assert.is(error.id, 'c');
      assert.is(error.reason, noDb);
      assert.is(error.cause, noDb);
      assert.is(exitReason(sup), error);
      assert.equal(events.lines, [
        'top: up a',
        'top: up b',
        'top: start of c failed: no database',
        'top: exit b: shutdown',
        'top: exit a: shutdown',
      ]);
      assert.is(running(sup), '-a -b -c -d');
    },
    { onError: sink.onError },
  ).then(() => {
    // The test joined the supervisor, so its failure counts as seen; nothing crashed on its own.
    assert.equal(sink.reports, []);
  });
});

start('a child that crashes before its first blocking point failed to start', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({
        name: 'top',
        children: [workerSpec('a', log), workerSpec('b', log, {}, { failOnStart: new Error('bad config') })],
      }).start();
      yield* sup.join();
      assert.equal(lines, ['start a', 'start b', 'stop b: bad config', 'stop a: shutdown']);
      assert.is((sup.exception as Error).message, '<Supervisor "top">: child "b" failed to start: Error: bad config');
    },
    { onError: sink.onError },
  ).then(() => {
    // The crash of b is reported where it happened (as Erlang logs it); the supervisor's end was joined.
    assert.equal(sink.reports, ['b: greenlet: Error: bad config']);
  });
});

start('start must return a live greenlet: anything else is a failed start saying what came back', () =>
  simulate(
    function* () {
      const sup = new Supervisor({ name: 'top', children: [{ id: 'c', start: () => 42 as unknown as Greenlet<unknown> }] }).start();
      yield* sup.join();
      const error = sup.exception as ChildStartFailed;
      assert.is(error.message, '<Supervisor "top">: child "c" failed to start: TypeError: child "c": start must return a greenlet or \'ignore\', got 42');
      assert.instance(error.reason, TypeError);
    },
    { onError: () => {} },
  ));

start('a child that returns at once was up; a transient one is then left stopped, a temporary one forgotten', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const quick = (id: string, restart: 'transient' | 'temporary'): ChildSpec => ({
      id,
      restart,
      start: () => new Greenlet(() => log(`${id} done`)),
    });
    const sup = new Supervisor({ children: [quick('t', 'transient'), quick('x', 'temporary'), workerSpec('w', log)] }).start();
    yield* advance(0);
    assert.equal(lines, ['t done', 'x done', 'start w']);
    assert.is(running(sup), '-t w');
    assert.ok(!sup.dead);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

start('start may return a greenlet already spawned: it is supervised the same', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [{ id: 'a', start: () => new Worker('a', log).start() }] }).start();
    yield* advance(0);
    assert.equal(lines, ['start a']);
    assert.is(running(sup), 'a');
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines, ['start a', 'stop a: shutdown']);
  }));

start('a supervisor killed while it starts its children stops the ones it started and starts no more', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [loggedSpec('a', log), loggedSpec('b', log)] }).start();
    // One turn: the supervisor has called a's start and waits for a to run.
    yield* sleep(0);
    assert.equal(lines, ['start() a']);
    const a = sup.whichChildren()[0].greenlet!;
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    // a got to run before the supervisor saw the signal; it was then stopped. b was never started.
    assert.equal(lines, ['start() a', 'a runs']);
    assert.is(exitReason(a), 'shutdown');
    assert.is(exitReason(sup), 'shutdown');
    assert.is(running(sup), '-a -b');
  }));

start('a supervisor killed before it runs starts nothing', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [loggedSpec('a', log)] }).start();
    sup.kill();
    yield* advance(0);
    assert.ok(sup.dead);
    assert.equal(lines, []);
  }));

start.run();
