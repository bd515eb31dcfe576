import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, ShutdownReason, exitReason, getHub, sleep, spawn, type Operation } from 'grove';
import { Actor, exit, link, monitor, type DownMessage } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, workerSpec } from '../support.js';

/** Logs each line with the virtual time: `[t] line`. */
function timedRecorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => void lines.push(`[${getHub().now()}] ${line}`) };
}

const protocol = suite('Supervisor: stopping a child (the shutdown protocol)');

protocol('children stop one at a time, last started first, each given its time', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({
      children: [workerSpec('a', log, {}, { cleanupMs: 10 }), workerSpec('b', log, {}, { cleanupMs: 20 }), workerSpec('c', log, {}, { cleanupMs: 30 })],
    }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines.slice(3), ['[30] stop c: shutdown', '[50] stop b: shutdown', '[60] stop a: shutdown']);
    assert.is(exitReason(sup), 'shutdown');
    assert.is(getHub().now(), 60);
  }));

protocol('a child that ignores its exit signal is killed plainly after its shutdown ms', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log, { shutdown: 500 }, { ignoreShutdown: true })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines, ['[0] start a', '[0] start b', '[0] b ignores shutdown', '[500] stop b: killed', '[500] stop a: shutdown']);
  }));

protocol("'brutal' kills at once, without asking", () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 'brutal' }, { ignoreShutdown: true, cleanupMs: 50 })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines, ['[0] start a', '[0] stop a: killed']);
  }));

protocol("'infinity' waits as long as the child takes (an hour here, instantly on the virtual clock)", () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 'infinity' }, { cleanupMs: 3_600_000 })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines, ['[0] start a', '[3600000] stop a: shutdown']);
  }));

protocol('a 0 ms shutdown kills a child that does not exit in the same instant', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, { shutdown: 0 }, { cleanupMs: 1 }), workerSpec('b', log, { shutdown: 0 })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.equal(lines.slice(2), ['[0] stop b: shutdown', '[0] stop a: killed']);
  }));

const ending = suite('Supervisor: how it ends');

ending('stop() stops its children in reverse and exits normal', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log)] }).start();
    yield* advance(0);
    sup.stop();
    yield* sup.join();
    assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown']);
    assert.is(exitReason(sup), 'normal');
  }));

ending('a plain kill kills its children plainly, last started first, and it exits killed', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log, {}, { ignoreShutdown: true }), workerSpec('b', log, { shutdown: 'infinity' }, { cleanupMs: 100 })] }).start();
    yield* advance(0);
    sup.kill();
    yield* sup.join();
    assert.equal(lines.slice(2), ['[0] stop b: killed', '[0] stop a: killed']);
    assert.is(exitReason(sup), 'killed');
  }));

ending('a plain kill while it stops a child the orderly way makes the rest plain kills', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({
      children: [workerSpec('a', log, { shutdown: 'infinity' }, { cleanupMs: 1000 }), workerSpec('b', log, { shutdown: 'infinity' }, { ignoreShutdown: true })],
    }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* advance(100);
    assert.equal(lines.slice(2), ['[0] b ignores shutdown']);
    sup.kill();
    yield* sup.join();
    assert.equal(lines.slice(3), ['[100] stop b: killed', '[100] stop a: killed']);
    assert.is(exitReason(sup), 'killed');
  }));

ending('another exit signal while it stops a child does not restart the wait: the deadline stands', () =>
  simulate(function* () {
    const { lines, log } = timedRecorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log, { shutdown: 500 }, { ignoreShutdown: true })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* advance(300);
    sup.kill({ exception: new ExitSignal('other') });
    yield* sup.join();
    assert.equal(lines.slice(2), ['[0] b ignores shutdown', '[500] stop b: killed', '[500] stop a: shutdown']);
    assert.is(exitReason(sup), 'shutdown');
  }));

ending('a linked greenlet that crashes ends it the orderly way, with that reason; a normal exit does not', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      const calm = spawn(() => 'done');
      link(sup, calm);
      const buggy = spawn(function* (): Operation<void> {
        yield* sleep(10);
        throw new Error('peer broke');
      });
      link(sup, buggy);
      yield* advance(0);
      assert.is(running(sup), 'a b');
      yield* sup.join();
      assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown']);
      assert.is((exitReason(sup) as Error).message, 'peer broke');
    },
    { onError: () => {} },
  ));

ending("exit(supervisor, 'shutdown') from any greenlet stops it (Erlang's exit/2)", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log)] }).start();
    yield* advance(0);
    exit(sup, 'normal');
    yield* advance(0);
    assert.ok(!sup.dead);
    exit(sup, 'shutdown');
    yield* sup.join();
    assert.equal(lines, ['start a', 'stop a: shutdown']);
    assert.is(exitReason(sup), 'shutdown');
  }));

ending("exit(supervisor, new ShutdownReason(info)) stops it the orderly way, with that reason; a transient child supervisor so stopped is not restarted", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const reason = new ShutdownReason('maintenance');
    const top = new Supervisor({
      name: 'top',
      children: [
        {
          id: 'sub',
          type: 'supervisor',
          restart: 'transient',
          start: () => new Supervisor({ name: 'sub', children: [workerSpec('a', log), workerSpec('b', log)] }),
        },
      ],
    }).start();
    yield* top.up();
    const sub = top.child('sub', Supervisor)!;
    exit(sub, reason);
    yield* sub.join();
    assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown']);
    assert.is(exitReason(sub), reason);
    assert.equal((yield* top.whichChildrenInTurn()).map((c) => [c.id, c.greenlet]), [['sub', undefined]]);
    top.kill({ exception: new ExitSignal('shutdown') });
    yield* top.join();
  }));

ending('it can be monitored: the watcher gets its exit reason', () =>
  simulate(function* () {
    const downs: unknown[] = [];
    class Watcher extends Actor<DownMessage> {
      receive(message: DownMessage): void {
        downs.push(message.reason);
      }
    }
    const watcher = new Watcher().start();
    const sup = new Supervisor({ children: [] }).start();
    monitor(watcher, sup);
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* advance(0);
    assert.equal(downs, ['shutdown']);
    watcher.stop();
  }));

ending('once dead it holds no running child', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ children: [workerSpec('a', log), workerSpec('x', log, { restart: 'temporary' })] }).start();
    yield* advance(0);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    assert.is(running(sup), '-a');
    assert.equal(sup.countChildren(), { specs: 1, active: 0, supervisors: 0, workers: 1 });
  }));

const restarting = suite('Supervisor: killed while restarting a child');

restarting('during a backoff: the pending restart never happens; the others stop in reverse', () =>
  simulate(
    function* () {
      const { lines, log } = timedRecorder();
      const sup = new Supervisor({ backoff: { minMs: 60_000, maxMs: 600_000 }, children: ['a', 'b', 'c'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(1000);
      assert.is(running(sup), 'a -b c');
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      yield* advance(120_000);
      assert.equal(lines.slice(3), ['[0] stop b: b crashed', '[1000] stop c: shutdown', '[1000] stop a: shutdown']);
      assert.is(exitReason(sup), 'shutdown');
    },
    { onError: () => {} },
  ));

restarting('while it stops the group for a oneForAll restart: the stop goes on with its deadline, nothing restarts', () =>
  simulate(
    function* () {
      const { lines, log } = timedRecorder();
      const sup = new Supervisor({
        strategy: 'oneForAll',
        children: [workerSpec('a', log), workerSpec('b', log), workerSpec('c', log, { shutdown: 1000 }, { ignoreShutdown: true })],
      }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(200);
      assert.equal(lines.slice(3), ['[0] stop b: b crashed', '[0] c ignores shutdown']);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      assert.equal(lines.slice(5), ['[1000] stop c: killed', '[1000] stop a: shutdown']);
      assert.is(exitReason(sup), 'shutdown');
      assert.is(running(sup), '-a -b -c');
    },
    { onError: () => {} },
  ));

protocol.run();
ending.run();
restarting.run();
