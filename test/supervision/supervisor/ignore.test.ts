import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason } from 'grove';
import { DuplicateChild, Supervisor, type ChildSpec } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { Worker, childOf, running, supervisionLog, workerSpec } from '../support.js';

/** A spec whose start returns 'ignore' while `skip.now` is set, else a Worker logging to `log`. */
function optional(id: string, log: (line: string) => void, skip: { now: boolean }): ChildSpec<Worker | 'ignore'> {
  return { id, start: () => (skip.now ? 'ignore' : new Worker(id, log)) };
}

const ignore = suite("Supervisor: a start that returns 'ignore' (OTP's ignore)");

ignore('at the initial start the child is kept, not running, and the next ones start: the supervisor is up', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const events = supervisionLog();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log), optional('b', log, { now: true }), workerSpec('c', log)] }).start();
    yield* sup.up();
    assert.equal(lines, ['start a', 'start c']);
    assert.is(running(sup), 'a -b c');
    assert.equal(yield* sup.countChildrenInTurn(), { specs: 3, active: 2, supervisors: 0, workers: 3 });
    assert.equal(events.lines, ['top: up a', 'top: b ignored its start', 'top: up c']);
    assert.is(sup.child('b'), undefined);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    events.stop();
  }));

ignore('startChild returns undefined and keeps the spec, stopped; restartChild tries again; startChild again is a DuplicateChild', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const skip = { now: true };
    const sup = new Supervisor({ name: 'top' }).start();
    const started: Worker | undefined = yield* sup.startChild(optional('x', log, skip));
    assert.is(started, undefined);
    assert.is(running(sup), '-x');
    try {
      yield* sup.startChild(optional('x', log, skip));
      assert.unreachable('a second startChild of x was accepted');
    } catch (error) {
      assert.instance(error, DuplicateChild);
    }
    assert.is(yield* sup.restartChild('x'), undefined);
    skip.now = false;
    const x = yield* sup.restartChild('x');
    assert.instance(x, Worker);
    assert.is(running(sup), 'x');
    assert.equal(lines, ['start x']);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

ignore('simpleOneForOne: startChild(args) returns undefined and adds no child', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({
      name: 'pool',
      strategy: 'simpleOneForOne',
      children: [{ id: 'conn', start: (name: string) => (name.startsWith('-') ? 'ignore' : new Worker(name, log)) }],
    }).start();
    const one: Worker | undefined = yield* sup.startChild(['one']);
    assert.is(yield* sup.startChild(['-skipped']), undefined);
    assert.equal((yield* sup.whichChildrenInTurn()).map((c) => c.greenlet), [one]);
    assert.equal(yield* sup.countChildrenInTurn(), { specs: 1, active: 1, supervisors: 0, workers: 1 });
    assert.equal(lines, ['start one']);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

ignore('on a restart it leaves the child stopped (a dynamic one forgotten); the restart counted towards the intensity', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const events = supervisionLog();
      const skip = { now: false };
      const sup = new Supervisor({ name: 'top', maxRestarts: 1, children: [optional('a', log, skip), workerSpec('b', log)] }).start();
      yield* sup.up();
      skip.now = true;
      childOf(sup, 'a').send('crash');
      assert.is((yield* sup.whichChildrenInTurn()).map((c) => (c.greenlet === undefined ? `-${c.id}` : c.id)).join(' '), '-a b');
      // The restart that was ignored counted: one more restart is past the intensity.
      childOf(sup, 'b').send('crash');
      yield* sup.join();
      assert.is(exitReason(sup), 'shutdown');
      assert.equal(events.lines.slice(2, 6), ['top: exit a: a crashed', 'top: restart a #1 in 0 ms', 'top: a ignored its start', 'top: exit b: b crashed']);
      assert.ok(events.lines.includes('top: give up (b; more than 1 in 5000 ms)'));

      const pool = new Supervisor({
        name: 'pool',
        strategy: 'simpleOneForOne',
        children: [{ id: 'conn', start: (name: string) => (skip.now ? 'ignore' : new Worker(name, log)) }],
      }).start();
      skip.now = false;
      const conn = (yield* pool.startChild(['conn']))!;
      skip.now = true;
      conn.send('crash');
      assert.equal(yield* pool.whichChildrenInTurn(), []);
      pool.kill({ exception: new ExitSignal('shutdown') });
      yield* pool.join();
      events.stop();
    },
    { onError: () => {} },
  ));

ignore('oneForAll: a sibling that ignores its restart stays stopped; the others are restarted', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const skip = { now: false };
      const sup = new Supervisor({ name: 'top', strategy: 'oneForAll', maxRestarts: 5, children: [workerSpec('a', log), optional('b', log, skip), workerSpec('c', log)] }).start();
      yield* sup.up();
      skip.now = true;
      childOf(sup, 'c').send('crash');
      yield* advance(0);
      assert.is(running(sup), 'a -b c');
      assert.equal(lines.slice(3), ['stop c: c crashed', 'stop b: shutdown', 'stop a: shutdown', 'start a', 'start c']);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: () => {} },
  ));

ignore('typed: a start that may ignore makes startChild and child(spec) give `| undefined`', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top' }).start();
    const always: ChildSpec<Worker> = { id: 'always', start: () => new Worker('always', log) };
    const sometimes = optional('sometimes', log, { now: false });
    const w: Worker = yield* sup.startChild(always);
    const maybe: Worker | undefined = yield* sup.startChild(sometimes);
    // Type-level only (never called): a start that may ignore cannot give a plain Worker.
    const wrong = function* () {
      // @ts-expect-error Worker | undefined is not a Worker
      const sure: Worker = yield* sup.startChild(optional('x', log, { now: false }));
      void sure;
    };
    void wrong;
    const bySpec: Worker | undefined = sup.child(sometimes);
    assert.is(bySpec, maybe);
    assert.instance(w, Worker);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

ignore.run();
