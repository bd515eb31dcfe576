import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addRestart, intensityExceeded } from '../../supervision/intensity.js';

const window = suite('restart intensity: a sliding window');

window('a restart is recorded newest first', () => {
  assert.equal(addRestart([], 100, 5000), [100]);
  assert.equal(addRestart([100], 250, 5000), [250, 100]);
});

window('restarts older than the window are forgotten; one exactly withinMs ago still counts', () => {
  assert.equal(addRestart([3000, 1000, 999], 6000, 5000), [6000, 3000, 1000]);
  assert.equal(addRestart([3000, 1000], 8000, 5000), [8000, 3000]);
  assert.equal(addRestart([3000, 1000], 8001, 5000), [8001]);
  assert.equal(addRestart([3000], 20_000, 5000), [20_000]);
});

window('it slides: restarts spread out never exceed what bursts would', () => {
  let restarts: readonly number[] = [];
  const exceeded: boolean[] = [];
  for (const at of [0, 3000, 6000, 9000, 9500]) {
    restarts = addRestart(restarts, at, 5000);
    exceeded.push(intensityExceeded(restarts, 2));
  }
  // At 9500 the window [4500, 9500] holds 6000, 9000 and 9500: three restarts, more than 2.
  assert.equal(exceeded, [false, false, false, false, true]);
});

window('exceeded means more than maxRestarts (OTP default: 1 in 5000)', () => {
  assert.not.ok(intensityExceeded([10], 1));
  assert.ok(intensityExceeded([20, 10], 1));
  assert.ok(intensityExceeded([10], 0));
  assert.not.ok(intensityExceeded([], 0));
});

window('it does not change the list it is given', () => {
  const before = Object.freeze([10, 5]);
  assert.equal(addRestart(before, 12, 5000), [12, 10, 5]);
  assert.equal(before, [10, 5]);
});

window.run();
