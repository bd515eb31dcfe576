import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../examples/every-core/hashing.js';
import { recorder } from '../support.js';
import { onThreads } from '../cluster/support.js';

test('examples/every-core: hashing on two threads, a crashed hasher restarted by its supervisor, a job, an orderly stop', async () => {
  const { lines, log } = recorder();
  const { reports } = await onThreads(() => main(log));
  assert.equal(lines, [
    '2 threads up: hash-1, hash-2',
    'hash-1 hashed 100 texts',
    'hash-2 hashed 100 texts',
    'hash-1: its hasher crashed (Error: poisoned text); it is restarted',
    'hash-1 hashed 10 texts',
    'zero digits: 72',
    'stopped: the hashers, then the threads',
  ]);
  assert.equal(reports, ['hub: greenlet: RemoteError: Error: poisoned text (in hasher-1 on hash-1)']);
});

test.run();
