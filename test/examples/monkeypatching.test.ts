import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub } from 'grove';
import { blockingCall, cooperativeIo } from '../../examples/tutorial/monkeypatching.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/monkeypatching');

// Real clock: call() waits on real promises. Node fires its timers in deadline order
// however late its loop runs, and the waits end 30 ms apart in the order they start
// (a pause of the process between two starts cannot swap two endings): the order is fixed.
example('real timers and a hub sleep, awaited in greenlets, overlap and end in deadline order', async () => {
  const { lines, log } = recorder();
  const elapsed = await new Hub().run(() => cooperativeIo(log));

  // A file read completes on libuv's thread pool, with no bound on when: only its place
  // after every greenlet started (they all start before the hub gives Node a turn) is fixed.
  const read = 'reader: it starts with "/**"';
  const at = lines.indexOf(read);
  assert.ok(at >= 5 && at < lines.length - 1, `the file's line is out of place:\n${lines.join('\n')}`);

  assert.equal(
    lines.filter((line) => line !== read),
    [
      'download 1: waiting 30 ms on a real timer',
      'sleeper: sleeping 60 ms on the hub',
      'download 2: waiting 90 ms on a real timer',
      'download 3: waiting 150 ms on a real timer',
      'reader: reading this file',
      'download 1: done',
      'sleeper: awake',
      'download 2: done',
      'download 3: done',
      'main: waits of 30 + 60 + 90 + 150 ms took less than 330 ms: they overlapped',
    ],
  );
  assert.ok(elapsed >= 100 && elapsed < 330, `took ${elapsed} ms`);
});

example('a synchronous wait holds the thread: a greenlet sleeping on the hub wakes late', async () => {
  const { lines, log } = recorder();
  await new Hub().run(() => blockingCall(log));
  assert.equal(lines, [
    'sleeper: sleeping 10 ms on the hub',
    'blocker: waiting 60 ms synchronously',
    'blocker: done',
    'sleeper: awake, 40 ms late or more: the blocker held the thread',
  ]);
});

example.run();
