import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/spawning-greenlets.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/spawning-greenlets');

example('prints what the tutorial prints, after the sleeps it asks for', async () => {
  const { lines, log } = recorder();
  const elapsed = await simulate(function* () {
    yield* main(log);
    return getHub().now();
  });
  assert.equal(lines, ['Hello', 'I live!', 'thread3 returned 3', 'Hi there!']);
  assert.is(elapsed, 5000);
});

example.run();
