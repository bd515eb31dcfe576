import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason, getHub, sleep } from 'grove';
import { Supervisor, type ChildSpec, type SupervisorOptions } from 'grove/supervision';
import { advance, explore, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { Worker, childOf, running, supervisionLog, workerSpec } from '../support.js';

const giveUp = suite('Supervisor: restart intensity');

giveUp('more than maxRestarts restarts within withinMs: it stops its children in reverse and exits shutdown', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({ name: 'top', maxRestarts: 2, withinMs: 1000, children: ['a', 'b', 'c'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      for (const at of [100, 200, 300]) {
        yield* advance(at - getHub().now());
        childOf(sup, 'a').send('crash');
      }
      yield* sup.join();
      assert.is(exitReason(sup), 'shutdown');
      assert.ok(sup.gaveUp);
      assert.equal(lines.slice(3), [
        'stop a: a crashed',
        'start a',
        'stop a: a crashed',
        'start a',
        'stop a: a crashed',
        'stop c: shutdown',
        'stop b: shutdown',
      ]);
      assert.equal(events.lines.slice(-4), [
        'top: exit a: a crashed',
        'top: give up (a; more than 2 in 1000 ms)',
        'top: exit c: shutdown',
        'top: exit b: shutdown',
      ]);
    },
    { onError: () => {} },
  ));

giveUp('the window slides: restarts spread out never add up, a burst does', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ maxRestarts: 1, withinMs: 1000, children: [workerSpec('a', log)] }).start();
      yield* advance(0);
      for (const at of [0, 1100, 2200, 3300]) {
        yield* advance(at - getHub().now());
        childOf(sup, 'a').send('crash');
        yield* advance(0);
        assert.ok(!sup.dead, `alive after the crash at ${at}`);
      }
      yield* advance(500);
      childOf(sup, 'a').send('crash');
      yield* sup.join();
      assert.is(getHub().now(), 3800);
      assert.is(exitReason(sup), 'shutdown');
    },
    { onError: () => {} },
  ));

giveUp('maxRestarts 0: the first restart wanted makes it give up', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 0, children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* sup.join();
      assert.equal(lines.slice(2), ['stop b: b crashed', 'stop a: shutdown']);
    },
    { onError: () => {} },
  ));

giveUp('exits that are not restarted do not count', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({
        maxRestarts: 0,
        children: [workerSpec('t', log, { restart: 'transient' }), workerSpec('x', log, { restart: 'temporary' }), workerSpec('a', log)],
      }).start();
      yield* advance(0);
      childOf(sup, 't').send('return');
      childOf(sup, 'x').send('crash');
      yield* advance(0);
      assert.ok(!sup.dead);
      assert.is(running(sup), '-t a');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

const retries = suite('Supervisor: a restart that fails to start');

/** A spec whose start throws on the calls listed in `failOn` (1-based) and logs each call. */
function flakySpec(id: string, log: (line: string) => void, failOn: number[]): ChildSpec {
  let calls = 0;
  return {
    id,
    start: () => {
      calls++;
      if (failOn.includes(calls)) {
        log(`start() ${id} #${calls} fails`);
        throw new Error(`${id} cannot start`);
      }
      return new Worker(id, log);
    },
  };
}

retries('is counted and retried until the child starts', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({ name: 'top', maxRestarts: 3, children: [flakySpec('a', log, [2, 3])] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      assert.equal(lines, ['start a', 'stop a: a crashed', 'start() a #2 fails', 'start() a #3 fails', 'start a']);
      assert.is(running(sup), 'a');
      assert.equal(events.lines, [
        'top: up a',
        'top: exit a: a crashed',
        'top: restart a #1 in 0 ms',
        'top: start of a failed: a cannot start',
        'top: restart a #2 in 0 ms',
        'top: start of a failed: a cannot start',
        'top: restart a #3 in 0 ms',
        'top: up a',
      ]);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

retries('each failed attempt counts towards the intensity: too many and it gives up', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 2, children: [workerSpec('b', log), flakySpec('a', log, [2, 3, 4])] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* sup.join();
      assert.equal(lines, ['start b', 'start a', 'stop a: a crashed', 'start() a #2 fails', 'start() a #3 fails', 'stop b: shutdown']);
      assert.is(exitReason(sup), 'shutdown');
    },
    { onError: () => {} },
  ));

retries('a retry waits behind the calls already queued, so the supervisor stays answerable', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 10, children: [flakySpec('a', log, [2, 3, 4, 5, 6, 7])] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      // Two turns: a crashes, then its EXIT reaches the supervisor's inbox. The call is queued behind it.
      yield* sleep(0);
      yield* sleep(0);
      yield* sup.terminateChild('a');
      assert.equal(lines, ['start a', 'stop a: a crashed', 'start() a #2 fails']);
      assert.is(running(sup), '-a');
      yield* advance(0);
      assert.is(lines.length, 3);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

retries('in a group restart, a failed start restarts the group again', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'oneForAll', maxRestarts: 3, children: [workerSpec('a', log), flakySpec('b', log, [2]), workerSpec('c', log)] }).start();
      yield* advance(0);
      childOf(sup, 'c').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), [
        'stop c: c crashed',
        'stop b: shutdown',
        'stop a: shutdown',
        'start a',
        'start() b #2 fails',
        // The retry is a restart of b by the strategy: the others are stopped again and all start.
        'stop a: shutdown',
        'start a',
        'start b',
        'start c',
      ]);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

const escalation = suite('Supervisor: escalation up the tree');

/** A supervisor spec named `id` whose children are `children`. */
function supervisorSpec(id: string, options: SupervisorOptions, restart: ChildSpec['restart'] = 'permanent'): ChildSpec {
  return { id, type: 'supervisor', restart, start: () => new Supervisor({ name: id, ...options }) };
}

escalation('a child supervisor that gives up exits shutdown; its parent restarts it by its restart type, two levels up', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const bottom = supervisorSpec('bottom', { maxRestarts: 0, children: [workerSpec('w', log)] });
      const middle = supervisorSpec('middle', { maxRestarts: 0, children: [workerSpec('m', log), bottom] });
      const top = new Supervisor({ name: 'top', maxRestarts: 1, children: [workerSpec('t', log), middle] }).start();
      yield* advance(0);
      assert.equal(lines, ['start t', 'start m', 'start w']);
      const w = childOf(childOf<Supervisor>(childOf<Supervisor>(top, 'middle'), 'bottom'), 'w');
      w.send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), ['stop w: w crashed', 'stop m: shutdown', 'start m', 'start w']);
      assert.equal(events.lines.slice(5), [
        'bottom: exit w: w crashed',
        'bottom: give up (w; more than 0 in 5000 ms)',
        'middle: exit bottom: shutdown',
        'middle: escalated from bottom: shutdown',
        'middle: give up (bottom; more than 0 in 5000 ms)',
        'middle: exit m: shutdown',
        'top: exit middle: shutdown',
        'top: escalated from middle: shutdown',
        'top: restart middle #1 in 0 ms',
        'middle: up m',
        'bottom: up w',
        'middle: up bottom',
        'top: up middle',
      ]);
      assert.ok(!top.dead);
      top.kill({ exception: new ExitSignal('shutdown') });
      yield* top.join();
      assert.equal(lines.slice(7), ['stop w: shutdown', 'stop m: shutdown', 'stop t: shutdown']);
    },
    { onError: () => {} },
  ));

escalation('a transient child supervisor that gives up is not restarted: shutdown is a normal exit', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sub = supervisorSpec('sub', { maxRestarts: 0, children: [workerSpec('w', log)] }, 'transient');
      const top = new Supervisor({ name: 'top', maxRestarts: 0, children: [workerSpec('t', log), sub] }).start();
      yield* advance(0);
      childOf(childOf<Supervisor>(top, 'sub'), 'w').send('crash');
      yield* advance(0);
      assert.ok(!top.dead);
      assert.is(running(top), 't -sub');
      top.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

escalation('a failure that keeps escalating takes the whole tree down, each level in reverse order', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const bottom = supervisorSpec('bottom', { maxRestarts: 0, children: [workerSpec('w1', log), workerSpec('w2', log)] });
      const middle = supervisorSpec('middle', { maxRestarts: 0, children: [workerSpec('m', log), bottom] });
      const top = new Supervisor({ name: 'top', maxRestarts: 0, children: [workerSpec('t', log), middle] }).start();
      yield* advance(0);
      childOf(childOf(childOf<Supervisor>(top, 'middle'), 'bottom') as Supervisor, 'w1').send('crash');
      yield* top.join();
      assert.equal(lines.slice(4), ['stop w1: w1 crashed', 'stop w2: shutdown', 'stop m: shutdown', 'stop t: shutdown']);
      assert.is(exitReason(top), 'shutdown');
    },
    { onError: () => {} },
  ));

escalation('a child supervisor whose restart fails to start is retried like any child', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      let starts = 0;
      const sub: ChildSpec = {
        id: 'sub',
        type: 'supervisor',
        start: () => {
          starts++;
          return new Supervisor({ name: 'sub', children: [workerSpec('w', log, {}, starts === 2 ? { failOnStart: new Error('not yet') } : {})] });
        },
      };
      const top = new Supervisor({ name: 'top', maxRestarts: 5, children: [sub] }).start();
      yield* advance(0);
      const events = supervisionLog();
      childOf<Supervisor>(top, 'sub').kill({ exception: new ExitSignal('boom') });
      yield* advance(0);
      // sub's second start fails (its child w does); the retry, a third start, succeeds.
      assert.equal(lines, ['start w', 'stop w: shutdown', 'start w', 'stop w: not yet', 'start w']);
      assert.equal(events.lines.slice(4), [
        'top: start of sub failed: <Supervisor "sub">: child "w" failed to start: Error: not yet',
        'top: restart sub #2 in 0 ms',
        'sub: up w',
        'top: up sub',
      ]);
      assert.is(running(top), 'sub');
      assert.equal(childOf<Supervisor>(top, 'sub').countChildren(), { specs: 1, active: 1, supervisors: 0, workers: 1 });
      top.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

escalation('under any interleaving, crashes at two levels at once leave the whole tree running, each start matched by a stop', () =>
  explore(
    function* () {
      const { lines, log } = recorder();
      const bottom = supervisorSpec('bottom', { maxRestarts: 0, children: [workerSpec('w1', log), workerSpec('w2', log)] });
      const middle = supervisorSpec('middle', { strategy: 'oneForAll', maxRestarts: 0, children: [workerSpec('m', log), bottom] });
      // Two restarts either way: z's own, and middle's (which restarts z too unless z's came first).
      const top = new Supervisor({ name: 'top', strategy: 'restForOne', maxRestarts: 2, children: [workerSpec('t', log), middle, workerSpec('z', log)] }).start();
      yield* advance(0);
      childOf(childOf<Supervisor>(childOf<Supervisor>(top, 'middle'), 'bottom'), 'w1').send('crash');
      childOf(top, 'z').send('crash');
      yield* advance(0);
      assert.is(running(top), 't middle z');
      const mid = childOf<Supervisor>(top, 'middle');
      assert.is(running(mid), 'm bottom');
      assert.is(running(childOf<Supervisor>(mid, 'bottom')), 'w1 w2');
      top.kill({ exception: new ExitSignal('shutdown') });
      yield* top.join();
      const count = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).length;
      assert.is(count('start'), count('stop'));
    },
    { seeds: 100, onError: () => {} },
  ));

giveUp.run();
retries.run();
escalation.run();
