/**
 * `ShutdownReason`: the exit reason `'shutdown'` with information (OTP's
 * `{shutdown, Term}`), and every place that gives `'shutdown'` a meaning
 * treating it as `'shutdown'`: the hub's error report, links, monitors.
 * (Supervisors: test/supervision/supervisor/restart-types.test.ts.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, ShutdownReason, exitReason, isShutdown, sleep, spawn } from 'grove';
import { Actor, exit, link, monitor, type DownMessage, type ExitMessage } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { describeReason } from '../../lib/errors.js';
import { errorSink } from '../support.js';

const reason = suite('ShutdownReason');

reason('carries its info, frozen, and is written as shutdown (<info>)', () => {
  const info = { drained: 12 };
  const r = new ShutdownReason(info);
  assert.is(r.info, info);
  assert.ok(Object.isFrozen(r));
  assert.not.ok(Object.isFrozen(info), 'the info is kept as given');
  assert.is(String(r), 'shutdown ({"drained":12})');
  assert.is(describeReason(new ShutdownReason('config reloaded')), 'shutdown (config reloaded)');
  assert.is(new ExitSignal(r).message, 'exit: shutdown ({"drained":12})');
  assert.is(new ExitSignal(r).reason, r);
});

reason("isShutdown holds for 'shutdown' and any ShutdownReason only", () => {
  const reasons = ['shutdown', new ShutdownReason(undefined), new ShutdownReason('x'), 'normal', 'killed', 'shutdown2', { shutdown: 1 }, new Error('shutdown'), null];
  assert.equal(
    reasons.map((r) => isShutdown(r)),
    [true, true, true, false, false, false, false, false, false],
  );
});

const treated = suite("ShutdownReason is treated as 'shutdown'");

treated('a greenlet that ends with it exits with it and is not reported as a crash', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const r = new ShutdownReason('draining');
      const g = spawn(function* () {
        yield* sleep(1);
        throw new ExitSignal(r);
      });
      yield* sleep(5);
      assert.is(exitReason(g), r);
      assert.equal(sink.reports, []);
    },
    { onError: sink.onError },
  );
});

treated('links pass it on unchanged: a linked greenlet that does not trap exits ends with it, a trapping actor gets it in its EXIT', () => {
  const sink = errorSink();
  return simulate(
    function* () {
      const r = new ShutdownReason({ by: 'operator' });
      const plain = spawn(function* () {
        yield* sleep(1e9);
      });
      const trapping = new TestProbe<ExitMessage>('trapping');
      trapping.trapExit = true;
      const origin = spawn(function* () {
        yield* sleep(10);
        throw new ExitSignal(r);
      });
      link(origin, plain);
      link(origin, trapping);
      const message = yield* trapping.expectMessage((m) => m.type === 'EXIT');
      assert.equal({ ...message }, { type: 'EXIT', from: origin, reason: r });
      assert.ok(plain.dead);
      assert.is(exitReason(plain), r);
      assert.equal(sink.reports, []);
    },
    { onError: sink.onError },
  );
});

treated('a monitor gets it in its DOWN; exit(target, reason) delivers it', () =>
  simulate(function* () {
    const r = new ShutdownReason(42);
    const probe = new TestProbe<DownMessage>('watcher');
    const target = new Idle().start();
    const ref = monitor(probe, target);
    exit(target, r);
    const down = yield* probe.expectMessage((m) => m.type === 'DOWN');
    assert.equal({ ...down }, { type: 'DOWN', ref, target, reason: r });
  }));

/** An actor that waits for messages it never gets. */
class Idle extends Actor<never> {
  protected override receive(): void {}
}

reason.run();
treated.run();
