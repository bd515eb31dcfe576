/**
 * The ring buffer under the hub's ready queue and every Queue's items.
 * Regression (issue 11, item 11): a buffer that grew for a burst never
 * shrank, so an idle inbox kept ~1 MB after 100k messages. It is trimmed
 * when a hub has nothing ready, if it is under a quarter full then.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue, sleep } from 'grove';
import { simulate } from 'grove/testing';
import { Deque, trimIdleDeques } from '../../../lib/internal/deque.js';

const deque = suite('Deque');

deque('removals never shrink the buffer: a queue swinging between empty and full does not copy', () => {
  const d = new Deque<number>();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 1000; i++) d.push(i);
    while (d.length > 0) d.shift();
    assert.is(d.capacity, 1024);
  }
});

deque('trim() drops an empty buffer, and cuts one under a quarter full to hold its items at most half full, in order', () => {
  const d = new Deque<number>();
  for (let i = 0; i < 1000; i++) d.push(i);
  // Rotate so that the items wrap around the end of the buffer.
  for (let i = 0; i < 700; i++) d.push(d.shift()!);
  while (d.length > 300) d.shift();
  assert.is(d.trim(), false);
  assert.is(d.capacity, 1024, 'more than a quarter full: left as it is');
  while (d.length > 40) d.shift();
  assert.is(d.trim(), false);
  assert.is(d.capacity, 128);
  assert.equal([...d], Array.from({ length: 40 }, (_, i) => 660 + i));
  while (d.length > 3) d.pop();
  assert.is(d.trim(), true, 'back at 16 slots');
  assert.is(d.capacity, 16);
  assert.equal([...d], [660, 661, 662]);
  d.clear();
  assert.is(d.trim(), true);
  assert.is(d.capacity, 0);
});

deque('trimIdleDeques trims every deque that grew, once it is mostly empty', () => {
  const big = new Deque<number>();
  const busy = new Deque<number>();
  for (let i = 0; i < 5000; i++) big.push(i);
  for (let i = 0; i < 5000; i++) busy.push(i);
  while (big.length > 0) big.shift();
  trimIdleDeques();
  assert.is(big.capacity, 0);
  assert.is(busy.capacity, 8192, 'still full: not trimmed');
  while (busy.length > 1) busy.shift();
  trimIdleDeques();
  assert.is(busy.capacity, 16);
});

deque('an inbox-like Queue that took a burst is small again once drained and the hub idles', () =>
  simulate(function* () {
    const q = new Queue<number>();
    for (let i = 0; i < 100_000; i++) q.putNowait(i);
    const items = (q as unknown as { items: Deque<number> }).items;
    assert.is(items.capacity, 131_072);
    let sum = 0;
    while (q.qsize() > 0) sum += yield* q.get();
    assert.is(sum, (100_000 * 99_999) / 2);
    assert.is(items.capacity, 131_072, 'not while the run is busy');
    yield* sleep(1); // the hub has nothing ready: it trims
    assert.is(items.capacity, 0);
  }));

deque.run();
