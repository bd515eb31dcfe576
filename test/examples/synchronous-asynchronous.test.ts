import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { contextSwitch, randomTasks, waitingSideBySide } from '../../examples/tutorial/synchronous-asynchronous.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/synchronous-asynchronous');

example('foo and bar hand control to each other with sleep(0)', async () => {
  const { lines, log } = recorder();
  await simulate(() => contextSwitch(log));
  assert.equal(lines, [
    'Explicit context to foo',
    'Explicit context to bar',
    'Explicit context switch to foo again',
    'Implicit context switch back to bar',
  ]);
});

example('greenlets wait side by side: two 2 s waits end together at 2.0 s', async () => {
  const { lines, log } = recorder();
  const elapsed = await simulate(function* () {
    yield* waitingSideBySide(log);
    return getHub().now();
  });
  assert.equal(lines, [
    'Started Polling: at 0.0 seconds',
    'Started Polling: at 0.0 seconds',
    'Hey lets do some stuff while the greenlets poll, at 0.0 seconds',
    'Ended Polling: at 2.0 seconds',
    'Ended Polling: at 2.0 seconds',
  ]);
  assert.is(elapsed, 2000);
});

example('random tasks: in order when synchronous; by delay, then spawn order, when asynchronous', async () => {
  const { lines, log } = recorder();
  const delays = await simulate(() => randomTasks(log, 7));
  assert.equal(lines.slice(0, 10), ['Synchronous:', ...Array.from({ length: 9 }, (_, i) => `Task ${i + 1} done`)]);
  assert.is(lines[10], 'Asynchronous:');
  const expected = Array.from({ length: 10 }, (_, pid) => pid)
    .sort((a, b) => delays[a] - delays[b] || a - b)
    .map((pid) => `Task ${pid} done`);
  assert.equal(lines.slice(11), expected);
  assert.not.equal(lines.slice(11), Array.from({ length: 10 }, (_, pid) => `Task ${pid} done`));
});

example.run();
