import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { Hub, getHub, spawnLater } from 'grove';
import { simulate } from 'grove/testing';
import { STOP_SIGNALS, main } from '../../examples/tutorial/program-shutdown.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/program-shutdown');

const listeners = (signals: EventEmitter): number[] => STOP_SIGNALS.map((name) => signals.listenerCount(name));

example('a SIGTERM after 2.5 s kills runForever, whose finally runs, and main exits', async () => {
  const { lines, log } = recorder();
  const signals = new EventEmitter();
  const elapsed = await simulate(function* () {
    spawnLater(2500, () => signals.emit('SIGTERM', 'SIGTERM'));
    yield* main(log, signals);
    return getHub().now();
  });
  assert.equal(lines, [
    'main: running until SIGINT, SIGTERM, SIGQUIT',
    'runForever: still running after 1 s',
    'runForever: still running after 2 s',
    'main: received SIGTERM; shutting down',
    'runForever: killed; its finally block ran',
    'main: every other greenlet is dead; exiting',
  ]);
  assert.is(elapsed, 2500);
  assert.equal(listeners(signals), [0, 0, 0]);
});

example('a signal from a Node callback, outside any greenlet, stops it on a real clock', async () => {
  const { lines, log } = recorder();
  const signals = new EventEmitter();
  const timer = setTimeout(() => signals.emit('SIGQUIT', 'SIGQUIT'), 20);
  await new Hub().run(() => main(log, signals));
  clearTimeout(timer);
  assert.equal(lines, [
    'main: running until SIGINT, SIGTERM, SIGQUIT',
    'main: received SIGQUIT; shutting down',
    'runForever: killed; its finally block ran',
    'main: every other greenlet is dead; exiting',
  ]);
  assert.equal(listeners(signals), [0, 0, 0]);
});

example.run();
