import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub } from 'grove';
import { backoffDelay, jitterSource, nextAttempt, resetAfterMs } from '../../supervision/backoff.js';

const delays = suite('backoff: delays');

delays('doubles from minMs and is capped at maxMs (Akka: 3, 6, 12, 24, 30, 30 s)', () => {
  const backoff = { minMs: 3000, maxMs: 30_000, jitter: 0 };
  assert.equal(
    [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(backoff, n, 0.5)),
    [3000, 6000, 12_000, 24_000, 30_000, 30_000],
  );
});

delays('jitter adds up to that fraction of the delay, and may pass maxMs', () => {
  const backoff = { minMs: 100, maxMs: 400, jitter: 0.5 };
  assert.is(backoffDelay(backoff, 1, 0), 100);
  assert.is(backoffDelay(backoff, 1, 0.5), 125);
  assert.is(backoffDelay(backoff, 3, 0.999), 400 * 1.4995);
});

delays('huge attempt numbers stay at the cap', () => {
  assert.is(backoffDelay({ minMs: 1, maxMs: 60_000, jitter: 0 }, 5000, 0), 60_000);
});

const reset = suite('backoff: restarts in a row');

reset('the count starts over once a child stayed up (minMs + maxMs) / 2, as in Akka', () => {
  const backoff = { minMs: 1000, maxMs: 9000, jitter: 0 };
  assert.is(resetAfterMs(backoff), 5000);
  assert.is(nextAttempt(0, 0, 5000), 1);
  assert.is(nextAttempt(3, 4999, 5000), 4);
  assert.is(nextAttempt(3, 5000, 5000), 1);
});

const jitter = suite('backoff: jitter source');

jitter('on a virtual clock it replays: the n-th supervisor of every hub draws the same numbers', () => {
  const draw = (hub: Hub) => {
    const first = jitterSource(hub);
    const second = jitterSource(hub);
    return [first(), first(), second(), second()];
  };
  const a = draw(new Hub({ clock: 'virtual' }));
  const b = draw(new Hub({ clock: 'virtual' }));
  assert.equal(a, b);
  assert.ok(a.every((r) => r >= 0 && r < 1));
  assert.not.equal(a.slice(0, 2), a.slice(2));
});

jitter('on a real clock it is Math.random', () => {
  assert.is(jitterSource(new Hub()), Math.random);
});

delays.run();
reset.run();
jitter.run();
