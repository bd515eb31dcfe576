import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, exitReason, getHub, sleep } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { errorSink } from '../../support.js';
import { supervisionLog } from '../support.js';

/**
 * A simpleOneForOne supervisor whose children (named by their argument) run
 * until told to crash; once `broken.now` is set, every start of theirs fails.
 */
function pool(broken: { now: boolean }, backoff = { minMs: 100, maxMs: 100 }) {
  return new Supervisor({
    name: 'pool',
    strategy: 'simpleOneForOne',
    maxRestarts: 1000,
    withinMs: 60_000,
    backoff,
    children: [
      {
        id: 'conn',
        start: (name: string) => {
          if (broken.now) throw new Error(`${name}: cannot connect`);
          const g = new Greenlet(function* () {
            yield* sleep(1e9);
          });
          g.name = name;
          return g;
        },
      },
    ],
  });
}

const loops = suite('Supervisor: a dynamic child in a restart loop can be terminated');

loops('terminateChild(the greenlet startChild returned) ends the loop: the child is forgotten, no restart runs again', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const events = supervisionLog();
      const broken = { now: false };
      const sup = pool(broken).start();
      const first = yield* sup.startChild(['c1']);
      const other = yield* sup.startChild(['c2']);
      broken.now = true;
      yield* first.kill({ exception: new Error('c1 lost its connection') });
      yield* advance(350); // restarts due at 100, 200, 300 fail
      assert.equal((yield* sup.whichChildrenInTurn()).map((c) => c.greenlet), [undefined, other]);
      yield* sup.terminateChild(first);
      assert.equal((yield* sup.whichChildrenInTurn()).map((c) => c.greenlet), [other]);
      const before = events.lines.length;
      yield* advance(1000);
      assert.equal(events.lines.slice(before), [], 'nothing happened after the terminate');
      assert.equal(
        events.lines.filter((l) => l.includes('c1') || l.includes('restart')),
        [
          'pool: exit conn: c1 lost its connection',
          'pool: restart conn #1 in 100 ms',
          'pool: start of conn failed: c1: cannot connect',
          'pool: restart conn #2 in 100 ms',
          'pool: start of conn failed: c1: cannot connect',
          'pool: restart conn #3 in 100 ms',
          'pool: start of conn failed: c1: cannot connect',
          'pool: restart conn #4 in 100 ms',
        ],
      );
      assert.equal(sink.reports, ['c1: greenlet: Error: c1 lost its connection']);
      assert.not.ok(sup.dead);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      assert.is(exitReason(sup), 'shutdown');
    },
    { onError: sink.onError },
  );
});

loops('any incarnation names the child: terminating by an old greenlet stops the one running now', () =>
  simulate(
    function* () {
      const sup = pool({ now: false }, { minMs: 10, maxMs: 10 }).start();
      const first = yield* sup.startChild(['c1']);
      yield* first.kill({ exception: new Error('crash') });
      yield* advance(10);
      const [{ greenlet: second }] = yield* sup.whichChildrenInTurn();
      assert.ok(second !== undefined && second !== first && !second.dead);
      yield* sup.terminateChild(first);
      assert.ok(second!.dead);
      assert.is(exitReason(second!), 'shutdown');
      assert.equal(yield* sup.whichChildrenInTurn(), []);
      // The child is gone: its greenlets, dead, are as good as terminated (OTP's rule for a pid).
      yield* sup.terminateChild(first);
      yield* sup.terminateChild(second!);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: () => {} },
  ));

loops('a static child waiting to be restarted is stopped by id, and stays stopped (restartChild starts it again)', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      let attempts = 0;
      const sup = new Supervisor({
        name: 'top',
        maxRestarts: 1000,
        withinMs: 60_000,
        backoff: { minMs: 100, maxMs: 100 },
        children: [
          {
            id: 'db',
            start: () => {
              if (++attempts > 1 && attempts < 4) throw new Error('db down');
              return new Greenlet(function* () {
                yield* sleep(1e9);
              });
            },
          },
        ],
      }).start();
      yield* sup.up();
      yield* sup.whichChildren()[0].greenlet!.kill({ exception: new Error('crash') });
      yield* advance(250);
      yield* sup.terminateChild('db');
      yield* advance(1000);
      assert.is(attempts, 3);
      assert.equal((yield* sup.whichChildrenInTurn()).map((c) => [c.id, c.greenlet]), [['db', undefined]]);
      assert.is(sink.reports.length, 1);
      const db = yield* sup.restartChild('db');
      assert.ok(db !== undefined && !db.dead);
      assert.is(getHub().now(), 1250);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: sink.onError },
  );
});

loops.run();
