import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason, sleep, spawn } from 'grove';
import { Actor, MonitorRef, demonitor, link, monitor, type DownMessage } from 'grove/actors';
import { simulate } from 'grove/testing';
import { recorder } from '../support.js';

/** Logs the DOWN messages it gets. */
class Watcher extends Actor<DownMessage | string> {
  readonly downs: DownMessage[] = [];
  constructor(private readonly log: (line: string) => void) {
    super({ name: 'watcher' });
  }
  receive(message: DownMessage | string): void {
    if (typeof message === 'string') {
      this.log(`got ${message}`);
      return;
    }
    this.downs.push(message);
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

const monitors = suite('monitor');

monitors('the watcher gets one DOWN with ref, target and reason when the target exits', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    const target = sleeper('target', 5, 'shutdown');
    const ref = monitor(w, target);
    assert.instance(ref, MonitorRef);
    assert.is(ref.watcher, w);
    assert.is(ref.target, target);
    yield* sleep(20);
    assert.equal(lines, [`DOWN ${String(ref)} target shutdown`]);
    const down = w.downs[0];
    assert.equal({ ...down }, { type: 'DOWN', ref, target, reason: 'shutdown' });
    assert.ok(Object.isFrozen(down));
    assert.match(String(ref), /^#Ref<\d+>$/);
    w.stop();
  }));

monitors('DOWNs arrive in the order the targets died, whatever the order of the monitors', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    const slow = sleeper('slow', 30);
    const fast = sleeper('fast', 10, 'crashed');
    const middle = sleeper('middle', 20);
    monitor(w, slow);
    monitor(w, middle);
    monitor(w, fast);
    yield* sleep(50);
    assert.equal(
      lines.map((line) => line.replace(/#Ref<\d+> /, '')),
      ['DOWN fast crashed', 'DOWN middle normal', 'DOWN slow normal'],
    );
    w.stop();
  }));

monitors("monitoring a dead greenlet delivers a DOWN with 'noproc' at once", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    const dead = sleeper('dead', 0);
    yield* dead.join();
    const ref = monitor(w, dead);
    assert.is(w.inbox.qsize(), 1, 'queued at once');
    yield* sleep(0);
    assert.equal(lines, [`DOWN ${String(ref)} dead noproc`]);
    assert.not.ok(demonitor(ref), 'its DOWN is already delivered');
    w.stop();
  }));

monitors('demonitor before the death means no DOWN; it returns true, then false', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    const target = sleeper('target', 5);
    const ref = monitor(w, target);
    assert.ok(demonitor(ref));
    assert.not.ok(demonitor(ref));
    yield* sleep(20);
    assert.equal(lines, []);
    w.send('still alive');
    yield* sleep(0);
    assert.equal(lines, ['got still alive']);
    w.stop();
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
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    const target = sleeper('target', 5);
    const first = monitor(w, target);
    const second = monitor(w, target);
    assert.is.not(first, second);
    yield* sleep(10);
    assert.equal(lines, [`DOWN ${String(first)} target normal`, `DOWN ${String(second)} target normal`]);
    w.stop();
  }));

monitors('a monitor never kills the watcher, whatever the reason; an actor can be the target', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const w = new Watcher(log).start();
    class Doomed extends Actor<string> {
      receive(): void {
        throw new ExitSignal('boom');
      }
    }
    const target = new Doomed({ name: 'doomed' }).start();
    const ref = monitor(w, target);
    target.send('die');
    yield* sleep(10);
    assert.equal(lines, [`DOWN ${String(ref)} doomed boom`]);
    assert.not.ok(w.dead);
    w.stop();
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
