import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/groups-pools.js';

const example = suite('examples/tutorial/groups-pools');

example('prints what the tutorial prints, in the same order', async () => {
  const lines: string[] = [];
  const elapsed = await simulate(function* () {
    yield* main((line) => void lines.push(line));
    return getHub().now();
  });
  // Greenlet ids are process-wide counters: check they are three consecutive ids, then compare the rest exactly.
  const ids = lines.filter((l) => l.startsWith('Hello from Greenlet ')).map((l) => Number(l.slice(20)));
  assert.is(ids.length, 3);
  assert.equal(ids, [ids[0], ids[0] + 1, ids[0] + 2]);
  const normalized = lines.map((l) => (l.startsWith('Hello from Greenlet ') ? `Hello from Greenlet #${Number(l.slice(20)) - ids[0]}` : l));
  assert.equal(normalized, [
    'bar',
    'bar',
    'bar',
    'foo',
    'foo',
    'foo',
    'fizz',
    'fizz',
    'fizz',
    'Size of group 3',
    'Hello from Greenlet #0',
    'Size of group 3',
    'Hello from Greenlet #1',
    'Size of group 3',
    'Hello from Greenlet #2',
    'Ordered',
    "('task', 0)",
    "('task', 1)",
    "('task', 2)",
    'Unordered',
    "('task', 2)",
    "('task', 1)",
    "('task', 0)",
    'Size of pool 2',
    'Size of pool 2',
    'Size of pool 1',
  ]);
  assert.is(elapsed, 6000, 'two rounds of intensive(), 3 s each');
});

example.run();
