/**
 * Regression (issue 11, item 4): timers of 2^31 ms or more. On a real clock
 * Node's setTimeout takes at most 2^31 - 1 ms (a longer delay warns and
 * becomes 1 ms: the hub re-armed a 1 ms timer for ever, spinning); on a
 * virtual clock `Infinity` made time jump to Infinity. A long delay is now
 * waited out in steps, and `Infinity` means for ever: no timer at all.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GreenletExit, Hub, LoopExit, Timeout, call, getHub, sleep, spawn, spawnLater } from 'grove';
import { simulate } from 'grove/testing';

const long = suite('timers of 2^31 ms and more');

long('a real clock arms no Node timer past its limit: no TimeoutOverflowWarning, and the loop does not spin', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const hub = new Hub();
    await hub.run(function* () {
      const sleepers = [2 ** 31, 2 ** 40, Infinity].map((ms) => spawn(() => sleep(ms)));
      const late = new Timeout(2 ** 35).start();
      yield* sleep(0); // the sleepers start and block
      const switches = hub.switches;
      // A few turns of Node's loop: a 1 ms re-armed timer would run the hub's loop again and again.
      for (let i = 0; i < 5; i++) yield* call(new Promise<void>((resolve) => setImmediate(resolve)));
      assert.is(hub.switches - switches, 5, 'only this greenlet ran, once per turn');
      late.cancel();
      for (const g of sleepers) g.kill();
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(warnings, []);
});

long('on a virtual clock, deadlines past 2^31 ms keep their order', () =>
  simulate(function* () {
    const order: string[] = [];
    const hub = getHub();
    spawn(function* () {
      yield* sleep(2 ** 52);
      order.push(`2^52 at ${hub.now()}`);
    });
    spawn(function* () {
      yield* sleep(2 ** 31 + 1);
      order.push(`2^31+1 at ${hub.now()}`);
    });
    spawn(function* () {
      yield* sleep(5);
      order.push(`5 at ${hub.now()}`);
    });
    yield* sleep(2 ** 53);
    assert.equal(order, ['5 at 5', `2^31+1 at ${2 ** 31 + 1}`, `2^52 at ${2 ** 52}`]);
  }));

long('Infinity means for ever: a sleeper is woken only by an interrupt, and time never jumps to Infinity', () =>
  simulate(function* () {
    const hub = getHub();
    const sleeper = spawn(() => sleep(Infinity));
    const never = spawnLater(Infinity, () => 'ran');
    const t = new Timeout(Infinity);
    assert.is(t.ms, null);
    yield* t.scope(sleep(100));
    assert.is(hub.now(), 100);
    assert.not.ok(sleeper.dead);
    sleeper.kill();
    never.kill();
    yield* sleep(10);
    assert.is(hub.now(), 110);
    assert.ok(sleeper.dead);
    assert.instance(never.value, GreenletExit);
    // Issue 13: startLater() started it, and started stays true after death (it read false before).
    assert.ok(never.started, 'killed before it ran: started stays true');
  }));

long('a run() main that only sleeps for ever gets LoopExit naming sleep()', async () => {
  try {
    await new Hub({ clock: 'virtual' }).run(function* () {
      yield* sleep(Infinity);
    });
    assert.unreachable('no LoopExit');
  } catch (error) {
    assert.instance(error, LoopExit);
    assert.match((error as Error).message, /is blocked in sleep\(\) and nothing can wake it/);
  }
});

long.run();
