import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/locks-semaphores.js';

const example = suite('examples/tutorial/locks-semaphores');

example('prints what the tutorial prints: two workers at a time, in order', async () => {
  const lines: string[] = [];
  const elapsed = await simulate(function* () {
    yield* main((line) => void lines.push(line));
    return getHub().now();
  });
  assert.equal(lines, [
    'Worker 0 acquired semaphore',
    'Worker 1 acquired semaphore',
    'Worker 0 released semaphore',
    'Worker 1 released semaphore',
    'Worker 3 acquired semaphore',
    'Worker 4 acquired semaphore',
    'Worker 3 released semaphore',
    'Worker 4 released semaphore',
    'Worker 5 acquired semaphore',
    'Worker 5 released semaphore',
  ]);
  assert.is(elapsed, 0);
});

example.run();
