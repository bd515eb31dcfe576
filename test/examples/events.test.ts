import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/events.js';

const example = suite('examples/tutorial/events');

example('prints what the tutorial prints: five waiters woken together, then the values', async () => {
  const lines: string[] = [];
  const elapsed = await simulate(function* () {
    yield* main((line) => void lines.push(line));
    return getHub().now();
  });
  assert.equal(lines, [
    'A: Hey wait for me, I have to do something',
    "I'll wait for you",
    "I'll wait for you",
    "I'll wait for you",
    "I'll wait for you",
    "I'll wait for you",
    "Ok, I'm done",
    "It's about time",
    "It's about time",
    "It's about time",
    "It's about time",
    "It's about time",
    'Hello!',
    'I live!',
  ]);
  assert.is(elapsed, 9000, 'three setters, 3 s each');
});

example.run();
