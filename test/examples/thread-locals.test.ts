import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/thread-locals.js';

const example = suite('examples/tutorial/thread-locals');

example('prints what the tutorial prints, and each interleaved request sees its own request', async () => {
  const lines: string[] = [];
  await simulate(() => main((line) => void lines.push(line)));
  assert.equal(lines, ['1', '2', 'x is not local to f2', '200 OK: Hello 10.0.0.1', '200 OK: Hello 10.0.0.2']);
});

example.run();
