import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/timeouts.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/timeouts');

example('every form of timeout fires, each after its own delay', async () => {
  const { lines, log } = recorder();
  const elapsed = await simulate(function* () {
    yield* main(log);
    return getHub().now();
  });
  assert.equal(lines, ['Could not complete', 'Too long', 'Thread 1 timed out', 'Thread 2 timed out', 'Thread 3 timed out']);
  assert.is(elapsed, 1000 + 5000 + 1000 + 1000 + 1000);
});

example.run();
