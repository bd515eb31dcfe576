import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RestartWindow, intensityExceeded } from '../../supervision/intensity.js';

/** A window after restarts at `times`, each added with `withinMs`. */
function windowOf(times: number[], withinMs: number): RestartWindow {
  const window = new RestartWindow();
  for (const at of times) window.add(at, withinMs);
  return window;
}

const window = suite('restart intensity: a sliding window');

window('restarts are kept oldest first', () => {
  assert.equal(windowOf([100], 5000).toArray(), [100]);
  assert.equal(windowOf([100, 250], 5000).toArray(), [100, 250]);
  assert.is(windowOf([100, 250], 5000).count, 2);
});

window('restarts older than the window are forgotten; one exactly withinMs ago still counts', () => {
  assert.equal(windowOf([999, 1000, 3000, 6000], 5000).toArray(), [1000, 3000, 6000]);
  assert.equal(windowOf([1000, 3000, 8000], 5000).toArray(), [3000, 8000]);
  assert.equal(windowOf([1000, 3000, 8001], 5000).toArray(), [8001]);
  assert.equal(windowOf([3000, 20_000], 5000).toArray(), [20_000]);
});

window('it slides: restarts spread out never exceed what bursts would', () => {
  const restarts = new RestartWindow();
  const exceeded: boolean[] = [];
  for (const at of [0, 3000, 6000, 9000, 9500]) {
    restarts.add(at, 5000);
    exceeded.push(intensityExceeded(restarts.count, 2));
  }
  // At 9500 the window [4500, 9500] holds 6000, 9000 and 9500: three restarts, more than 2.
  assert.equal(exceeded, [false, false, false, false, true]);
});

window('exceeded means more than maxRestarts (OTP default: 1 in 5000)', () => {
  assert.not.ok(intensityExceeded(1, 1));
  assert.ok(intensityExceeded(2, 1));
  assert.ok(intensityExceeded(1, 0));
  assert.not.ok(intensityExceeded(0, 0));
});

window('a long crash loop keeps only the window: 100,000 restarts, 1 ms apart, in a 50 ms window', () => {
  const restarts = new RestartWindow();
  for (let at = 0; at < 100_000; at++) restarts.add(at, 50);
  assert.is(restarts.count, 51);
  assert.equal(restarts.toArray().slice(0, 2), [99_949, 99_950]);
});

window.run();
