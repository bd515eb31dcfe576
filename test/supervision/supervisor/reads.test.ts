import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, Timeout, exitReason, getHub, sleep, spawn, type Suspend } from 'grove';
import { Actor, AskFailed, exit } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { errorSink, recorder } from '../../support.js';
import { Worker, childOf, workerSpec } from '../support.js';

/** A spec whose child sleeps `ms` and then crashes (on every start). */
function crashesAfter(id: string, ms: number, log: (line: string) => void) {
  return {
    id,
    start: () => {
      const greenlet = new Greenlet(function* () {
        log(`start ${id}`);
        yield* sleep(ms);
        throw new Error(`${id} crashed`);
      });
      greenlet.name = id;
      return greenlet;
    },
  };
}

const inTurn = suite('Supervisor: reads in turn (OTP which_children, count_children)');

inTurn('right after a child died, the in-turn reads already show its restart; the plain reads show what is handled so far', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ name: 'top', maxRestarts: 5, children: [workerSpec('a', log), crashesAfter('b', 10, log)] }).start();
      yield* sup.up();
      const before = childOf<Greenlet<unknown>>(sup, 'b');
      // The child's timer was started before ours: at 10 it dies first, and its EXIT is queued in the supervisor's inbox.
      yield* sleep(10);
      assert.ok(before.dead);
      const plain = sup.whichChildren();
      assert.is(plain[1].greenlet, before, 'the plain read still lists the dead greenlet');
      assert.equal(sup.countChildren(), { specs: 2, active: 1, supervisors: 0, workers: 2 });
      const counts = yield* sup.countChildrenInTurn();
      assert.equal(counts, { specs: 2, active: 2, supervisors: 0, workers: 2 });
      const children = yield* sup.whichChildrenInTurn();
      assert.equal(children.map((c) => c.id), ['a', 'b']);
      assert.ok(children[1].greenlet !== undefined && children[1].greenlet !== before && !children[1].greenlet.dead);
      assert.ok(Object.isFrozen(children) && Object.isFrozen(children[1]));
      assert.equal(lines, ['start a', 'start b', 'start b']);
      assert.equal(sink.reports, ['b: greenlet: Error: b crashed']);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: sink.onError },
  );
});

inTurn('with backoff, a child that died shows as waiting to be restarted (no greenlet), then restarted', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', maxRestarts: 5, backoff: { minMs: 100, maxMs: 1000 }, children: [crashesAfter('b', 10, log)] }).start();
      yield* sup.up();
      yield* sleep(10);
      assert.equal((yield* sup.whichChildrenInTurn()).map((c) => [c.id, c.greenlet]), [['b', undefined]]);
      assert.equal(yield* sup.countChildrenInTurn(), { specs: 1, active: 0, supervisors: 0, workers: 1 });
      yield* advance(100);
      const [b] = yield* sup.whichChildrenInTurn();
      assert.ok(b.greenlet !== undefined && !b.greenlet.dead);
      assert.is(sink.reports.length, 1);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: sink.onError },
  );
});

inTurn('a read is answered after the calls queued before it: a child started by startChild is in it', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] }).start();
    yield* sup.up();
    const adding = spawn(() => sup.startChild(workerSpec('b', log)));
    yield* sleep(0); // the call is in the supervisor's inbox
    assert.equal(sup.whichChildren().map((c) => c.id), ['a']);
    assert.equal((yield* sup.whichChildrenInTurn()).map((c) => c.id), ['a', 'b']);
    yield* adding.join();
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

inTurn('a read made while the supervisor starts its children waits until they are all up', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log), { id: 'slow', start: () => new SlowInit(50) }, workerSpec('c', log)] }).start();
    assert.equal(yield* sup.countChildrenInTurn(), { specs: 3, active: 3, supervisors: 0, workers: 3 });
    assert.is(getHub().now(), 50);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

inTurn('a death the hub has not delivered yet is seen too: the child is dead when the read is answered', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ name: 'top', maxRestarts: 5, children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      yield* sup.up();
      const a = childOf(sup, 'a');
      // Neither waited for: the crash and the exit signal land before the supervisor answers.
      a.send('crash');
      exit(childOf(sup, 'b'), 'boom');
      const children = yield* sup.whichChildrenInTurn();
      assert.ok(children.every((c) => c.greenlet !== undefined && !c.greenlet.dead));
      assert.is.not(children[0].greenlet, a);
      assert.equal(lines, ['start a', 'start b', 'stop a: a crashed', 'stop b: boom', 'start a', 'start b']);
      // The EXITs that arrive afterwards are an old incarnation's: ignored, no second restart.
      yield* advance(0);
      assert.equal(sup.whichChildren(), children);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { onError: () => {} },
  ));

inTurn('on a supervisor that has ended, the in-turn reads fail with noproc; the plain reads give the state it left', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log)] }).start();
    yield* sup.up();
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
    for (const read of [() => sup.whichChildrenInTurn(), () => sup.countChildrenInTurn()]) {
      try {
        yield* read();
        assert.unreachable('a read of a dead supervisor answered');
      } catch (error) {
        assert.instance(error, AskFailed);
        assert.is((error as AskFailed).reason, 'noproc');
        assert.ok((error as AskFailed).notAlive);
      }
    }
    try {
      yield* sup.whichChildrenInTurn();
    } catch (error) {
      assert.is((error as Error).message, 'Supervisor.whichChildrenInTurn: <Supervisor "top"> is not alive (noproc)');
    }
    assert.equal(sup.whichChildren().map((c) => [c.id, c.greenlet]), [['a', undefined]]);
    assert.equal(sup.countChildren(), { specs: 1, active: 0, supervisors: 0, workers: 1 });
  }));

inTurn('a supervisor that ends before answering fails the read with its exit reason', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log, { shutdown: 100 }, { cleanupMs: 30 })] }).start();
      yield* sup.up();
      const terminating = spawn(() => sup.terminateChild('a')); // keeps the supervisor busy for 30 ms
      yield* sleep(0);
      const reading = spawn(() => sup.whichChildrenInTurn());
      yield* sleep(0);
      // Interrupted while it waits for the child to stop: it stops its children and ends, the read unanswered.
      sup.kill({ exception: new ExitSignal('boom') });
      yield* reading.join();
      assert.instance(reading.exception, AskFailed);
      assert.is((reading.exception as Error).message, 'Supervisor.whichChildrenInTurn: <Supervisor "top"> exited with boom before replying');
      yield* terminating.join();
      assert.is(exitReason(sup), 'boom');
      assert.equal(sink.reports, [
        `top: deadLetter: DeadLetter: dead letter #1: { type: 'whichChildren', replyTo: <ReplyTo ${reading.name} <- top> } was still queued in <Supervisor "top">, which exited with boom`,
        `${terminating.name}: greenlet: AskFailed: Supervisor.terminateChild: <Supervisor "top"> exited with boom before replying`,
      ]);
    },
    { onError: sink.onError },
  );
});

inTurn('a timeout gives up waiting: Timeout, and the supervisor still answers in its turn (discarded)', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log, { shutdown: 100 }, { cleanupMs: 30 })] }).start();
    yield* sup.up();
    const terminating = spawn(() => sup.terminateChild('a'));
    yield* sleep(0);
    try {
      yield* sup.whichChildrenInTurn({ timeout: 10 });
      assert.unreachable('the read did not time out');
    } catch (error) {
      assert.instance(error, Timeout);
    }
    yield* terminating.join();
    assert.equal((yield* sup.whichChildrenInTurn({ timeout: 10 })).map((c) => [c.id, c.greenlet]), [['a', undefined]]);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

inTurn('bad use throws at the call: never started, a bad timeout, from its own greenlet', () =>
  simulate(function* () {
    const { log } = recorder();
    const idle = new Supervisor({ name: 'idle', children: [workerSpec('a', log)] });
    assert.throws(
      () => idle.whichChildrenInTurn(),
      (e: Error) => e.message === 'Supervisor.whichChildrenInTurn: <Supervisor "idle"> was never started: call start() on it first (or give it to a supervisor)',
    );
    const sup: Supervisor = new Supervisor({ name: 'top', children: [{ id: 'self', start: (): Worker => selfRead(sup) }] }).start();
    assert.throws(
      () => sup.countChildrenInTurn({ timeout: -1 }),
      (e: Error) => e instanceof RangeError && e.message.startsWith('Supervisor.countChildrenInTurn: timeout must be'),
    );
    yield* sup.join();
    assert.match(String((exitReason(sup) as Error).message), /Supervisor.whichChildrenInTurn: <Supervisor "top"> cannot call itself/);
  }));

/** A start function that reads its own supervisor in turn (from the supervisor's greenlet): refused. */
function selfRead(sup: Supervisor): Worker {
  sup.whichChildrenInTurn();
  throw new Error('unreachable');
}

/** An actor whose init takes `ms` (it is up only then). */
class SlowInit extends Actor<never> {
  constructor(private readonly ms: number) {
    super();
  }
  protected override *init(): Generator<Suspend, void, unknown> {
    yield* sleep(this.ms);
  }
  protected override receive(): void {}
}

inTurn.run();
