import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Hub, getHub, sleep, spawn } from 'grove';
import { Supervisor, restartTotal, rootSupervisors, type ChildDescription } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, workerSpec } from '../support.js';

/** The children as `id status restarts [restartAt]` lines. */
function children(sup: Supervisor): string[] {
  return sup.describe().children.map((c: ChildDescription) => `${c.id} ${c.status} ${c.restarts}${c.restartAt === null ? '' : ` @${c.restartAt}`}`);
}

const describe = suite('Supervisor.describe()');

describe('strategy, intensity, and each child: id, type, restart type, status, restart count, greenlet', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({
      name: 'top',
      strategy: 'restForOne',
      maxRestarts: 3,
      withinMs: 1000,
      children: [workerSpec('a', log), workerSpec('b', log, { restart: 'transient' }), { ...workerSpec('c', log), type: 'worker' }],
    }).start();
    yield* sup.up();
    const d = sup.describe();
    assert.equal([d.strategy, d.maxRestarts, d.withinMs, d.recentRestarts, d.backoff], ['restForOne', 3, 1000, 0, null]);
    assert.equal(
      d.children.map((c) => [c.id, c.type, c.restart, c.status, c.restartAt, c.restarts, c.greenlet]),
      [
        ['a', 'worker', 'permanent', 'running', null, 0, childOf(sup, 'a')],
        ['b', 'worker', 'transient', 'running', null, 0, childOf(sup, 'b')],
        ['c', 'worker', 'permanent', 'running', null, 0, childOf(sup, 'c')],
      ],
    );
    assert.ok(Object.isFrozen(d) && Object.isFrozen(d.children) && Object.isFrozen(d.children[0]), 'a frozen snapshot');

    childOf(sup, 'b').send('return'); // transient, normal exit: not restarted
    yield* advance(0);
    assert.equal(children(sup), ['a running 0', 'b stopped 0', 'c running 0']);
    assert.is(sup.describe().children[1].greenlet, undefined);

    yield* advance(100);
    childOf(sup, 'a').send('crash'); // restForOne: a, and every kept spec after it, started again
    yield* advance(0);
    assert.equal(children(sup), ['a running 1', 'b running 0', 'c running 0'], 'only the child that crashed counts a restart');
    assert.is(sup.describe().recentRestarts, 1);
    yield* advance(1000);
    assert.is(sup.describe().recentRestarts, 1, 'exactly withinMs ago: still inside, as in OTP');
    yield* advance(1);
    assert.is(sup.describe().recentRestarts, 0, 'out of the intensity window');
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(children(sup), ['a stopped 1', 'b stopped 0', 'c stopped 0'], 'a dead supervisor: its specs, all stopped');
  }, { onError: () => {} }));

describe('backing off until restartAt, then running again with one more restart', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', maxRestarts: 10, withinMs: 60_000, backoff: { minMs: 500, maxMs: 5000 }, children: [workerSpec('a', log)] }).start();
      yield* sup.up();
      assert.equal(sup.describe().backoff, { minMs: 500, maxMs: 5000, jitter: 0 });
      yield* advance(200);
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      assert.equal(children(sup), ['a backingOff 1 @700']);
      yield* advance(499);
      assert.equal(children(sup), ['a backingOff 1 @700']);
      yield* advance(1);
      assert.equal(children(sup), ['a running 1']);
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      assert.equal(children(sup), ['a backingOff 2 @1700'], 'the second in a row waits twice as long');
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: () => {} },
  ));

describe('simpleOneForOne: every dynamic child under its template id, in start order', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'pool', strategy: 'simpleOneForOne', children: [workerSpec('w', log, { restart: 'temporary' })] }).start();
    yield* sup.up();
    assert.equal(sup.describe().children, []);
    const one = yield* sup.startChild([]);
    const two = yield* sup.startChild([]);
    assert.equal(sup.describe().children.map((c) => [c.id, c.restart, c.status, c.greenlet]), [['w', 'temporary', 'running', one], ['w', 'temporary', 'running', two]]);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

describe.run();

const roots = suite('rootSupervisors and restartTotal');

roots('the live supervisors no supervisor supervises, oldest first; nested ones are reached through describe()', () =>
  simulate(function* () {
    const { log } = recorder();
    const inner = () => new Supervisor({ name: 'inner', children: [workerSpec('x', log)] });
    const first = new Supervisor({ name: 'first', children: [{ id: 'inner', start: inner, type: 'supervisor' }] }).start();
    const second = new Supervisor({ name: 'second', children: [workerSpec('y', log)] }).start();
    const started = spawn(function* () {
      // A supervisor started by a plain greenlet is a root too.
      return new Supervisor({ name: 'third' }).start();
    });
    yield* first.up();
    const third = yield* started.get();
    assert.equal(rootSupervisors().map((s) => s.name), ['first', 'second', 'third']);
    const nested = first.describe().children[0].greenlet;
    assert.ok(nested instanceof Supervisor && nested.name === 'inner');
    assert.equal(rootSupervisors(getHub()), rootSupervisors(), 'the current hub by default');
    assert.equal(rootSupervisors(new Hub({ clock: 'virtual' })), [], 'another hub has its own');
    second.kill({ exception: new ExitSignal('shutdown') });
    yield* second.join();
    assert.equal(rootSupervisors().map((s) => s.name), ['first', 'third'], 'dead ones are gone');
    for (const sup of [first, third]) sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sleep(0);
  }));

roots('restartTotal counts every restart decided on the hub, those of supervisors since dead included', () =>
  simulate(
    function* () {
      const { log } = recorder();
      assert.is(restartTotal(), 0);
      const a = new Supervisor({ name: 'a', maxRestarts: 10, children: [workerSpec('w', log)] }).start();
      const b = new Supervisor({ name: 'b', maxRestarts: 10, children: [workerSpec('w', log)] }).start();
      yield* a.up();
      yield* b.up();
      for (const sup of [a, b, a]) {
        childOf(sup, 'w').send('crash');
        yield* advance(0);
      }
      assert.is(restartTotal(), 3);
      a.kill({ exception: new ExitSignal('shutdown') });
      yield* a.join();
      assert.is(restartTotal(getHub()), 3, 'still counted after a died');
      assert.is(restartTotal(new Hub({ clock: 'virtual' })), 0, 'per hub');
      b.kill({ exception: new ExitSignal('shutdown') });
      yield* b.join();
    },
    { onError: () => {} },
  ));

roots.run();
