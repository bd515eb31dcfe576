import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type } from 'node:os';
import { Hub } from 'grove';
import { main } from '../../examples/tutorial/subprocess.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/subprocess');

example("cron keeps printing while the child runs; the child's lines come in order, then its exit code", async () => {
  const { lines, log } = recorder();
  const code = await new Hub().run(() => main(log));
  assert.is(code, 0);

  // How many crons fall between the child's lines depends on two processes' real timing: not asserted.
  assert.equal(
    lines.filter((line) => line !== 'cron'),
    ['child: started', 'child: still working', type(), 'child exited with code 0'],
  );
  // Fixed: cron runs first (spawned before the reader), and ticks again at 40 ms, before
  // the child can have finished (it runs 120 ms or more); it is killed before main returns.
  assert.is(lines[0], 'cron');
  const crons = lines.filter((line) => line === 'cron').length;
  assert.ok(crons >= 2, `cron ran ${crons} times:\n${lines.join('\n')}`);
  assert.is(lines[lines.length - 1], 'child exited with code 0');
});

example.run();
