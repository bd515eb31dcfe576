import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason, getHub, sleep, spawn, type Operation } from 'grove';
import { Actor, MonitorRef, demonitor, exit, link, monitor, type DownMessage } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { recorder } from '../support.js';

/** Logs the DOWN messages it gets. */
class Watcher extends Actor<DownMessage | string> {
  constructor(private readonly log: (line: string) => void) {
    super({ name: 'watcher' });
  }
  receive(message: DownMessage | string): void {
    if (typeof message === 'string') {
      this.log(`got ${message}`);
      return;
    }
    this.log(`DOWN ${String(message.ref)} ${message.target.name} ${String(message.reason)}`);
  }
}

function sleeper(name: string, ms: number, reason?: string) {
  const g = spawn(function* () {
    yield* sleep(ms);
    if (reason !== undefined) throw new ExitSignal(reason);
  });
  g.name = name;
  return g;
}

/** Works for the ms it is sent, then exits with reason 'done working'. */
class Worker extends Actor<number> {
  *receive(ms: number): Operation<void> {
    yield* sleep(ms);
    throw new ExitSignal('done working');
  }
}

const monitors = suite('monitor');

monitors('the watcher gets one DOWN with ref, target and reason when the target exits, then nothing', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const target = sleeper('target', 5, 'shutdown');
    const ref = monitor(probe, target);
    assert.instance(ref, MonitorRef);
    assert.is(ref.watcher, probe);
    assert.is(ref.target, target);
    const down = yield* probe.expectMessage({ type: 'DOWN', ref, target, reason: 'shutdown' });
    assert.is(getHub().now(), 5, 'when the target died');
    assert.ok(Object.isFrozen(down));
    assert.match(String(ref), /^#Ref<\d+>$/);
    yield* probe.expectNoMessage(1000);
  }));

monitors('an actor monitored by a probe: one DOWN with its exit reason, at the time it died, and no second one', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const worker = new Worker({ name: 'worker' }).start();
    const ref = monitor(probe, worker);
    worker.send(250);
    yield* probe.expectNoMessage(249);
    const down = yield* probe.expectMessage((m) => m.type === 'DOWN', { timeout: 10 });
    assert.equal({ ...down }, { type: 'DOWN', ref, target: worker, reason: 'done working' });
    assert.is(getHub().now(), 250);
    exit(worker, 'again'); // signals to a dead actor do nothing
    yield* probe.expectNoMessage(10_000);
    assert.not.ok(demonitor(ref), 'the monitor ended with its DOWN');
    assert.not.ok(probe.dead, 'a DOWN never kills the watcher');
  }));

monitors('DOWNs arrive in the order the targets died, whatever the order of the monitors', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const slow = sleeper('slow', 30);
    const fast = sleeper('fast', 10, 'crashed');
    const middle = sleeper('middle', 20);
    monitor(probe, slow);
    monitor(probe, middle);
    monitor(probe, fast);
    const downs = yield* probe.receiveN(3, { timeout: 50 });
    assert.equal(
      downs.map((d) => `${d.target.name} ${String(d.reason)}`),
      ['fast crashed', 'middle normal', 'slow normal'],
    );
    assert.equal(probe.history.map((a) => a.at), [10, 20, 30], 'each at the time its target died');
  }));

monitors("monitoring a dead actor delivers a DOWN with 'noproc' at once, not its exit reason", () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const dead = new Worker({ name: 'dead' }).start();
    yield* sleep(100);
    dead.stop();
    yield* dead.join();
    assert.is(exitReason(dead), 'normal');
    const ref = monitor(probe, dead);
    assert.is(probe.inbox.qsize(), 1, 'queued at once');
    yield* probe.expectMessage({ type: 'DOWN', ref, target: dead, reason: 'noproc' });
    assert.is(getHub().now(), 100, 'no time passed');
    assert.not.ok(demonitor(ref), 'its DOWN is already delivered');
    yield* probe.expectNoMessage(1000);
  }));

monitors('demonitor before the death means no DOWN; it returns true, then false', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const target = sleeper('target', 5);
    const ref = monitor(probe, target);
    assert.ok(demonitor(ref));
    assert.not.ok(demonitor(ref));
    yield* probe.expectNoMessage(20);
    assert.ok(target.dead, 'the target died meanwhile');
  }));

monitors('demonitor with flush removes a DOWN already queued, leaving the other messages', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log);
    const target = sleeper('target', 0);
    const ref = monitor(w, target);
    w.send('before');
    yield* target.join();
    yield* sleep(0);
    w.send('after');
    assert.is(w.inbox.qsize(), 3);
    assert.not.ok(demonitor(ref, { flush: true }));
    assert.is(w.inbox.qsize(), 2);
    w.start();
    yield* sleep(0);
    assert.equal(lines, ['got before', 'got after']);
    w.stop();
  }));

monitors('each monitor is its own: two monitors on one target give two DOWNs', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    const target = sleeper('target', 5);
    const first = monitor(probe, target);
    const second = monitor(probe, target);
    assert.is.not(first, second);
    const downs = yield* probe.receiveN(2, { timeout: 10 });
    assert.equal(downs.map((d) => [d.ref, d.reason]), [[first, 'normal'], [second, 'normal']]);
    yield* probe.expectNoMessage(100);
  }));

monitors('a monitor never kills the watcher, whatever the reason; an actor can be the target', () =>
  simulate(function* () {
    const probe = new TestProbe<DownMessage>('watcher');
    class Doomed extends Actor<string> {
      receive(): void {
        throw new ExitSignal('boom');
      }
    }
    const target = new Doomed({ name: 'doomed' }).start();
    const ref = monitor(probe, target);
    target.send('die');
    yield* probe.expectMessage({ type: 'DOWN', ref, target, reason: 'boom' }, { timeout: 10 });
    yield* sleep(10);
    assert.not.ok(probe.dead);
  }));

monitors('monitors end with their watcher: a dead watcher gets nothing and holds nothing', () =>
  simulate(function* () {
    const { log } = recorder();
    const w = new Watcher(log).start();
    const target = sleeper('target', 20);
    const ref = monitor(w, target);
    const other = new Watcher(log).start();
    link(w, other);
    w.stop();
    yield* sleep(0);
    assert.not.ok(demonitor(ref), 'the monitor ended with the watcher');
    yield* sleep(30);
    assert.is(exitReason(target), 'normal');
    other.stop();
  }));

monitors('validates its arguments', () =>
  simulate(function* () {
    const g = sleeper('g', 0);
    assert.throws(() => monitor(g as never, g), /monitor: watcher must be an Actor, got a Greenlet/);
    const w = new Watcher(() => {});
    assert.throws(() => monitor(w, 'x' as never), /monitor: target must be a Greenlet or an Actor, got "x"/);
    assert.throws(() => demonitor({} as never), /demonitor: ref must be a MonitorRef, got an object/);
    // @ts-expect-error an actor whose messages do not include DownMessage cannot watch
    const check = () => monitor(new (class extends Actor<number> { receive(): void {} })(), g);
    void check;
  }));

monitors.run();
