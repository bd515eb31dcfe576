import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const demo = suite('examples/demo (npm start)');

demo('runs every section and exits 0', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawnSync(process.execPath, ['--conditions=grove-source', '--import', 'tsx', 'examples/demo.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(child.status, 0, child.stderr);
  const titles = child.stdout.split('\n').filter((line) => line.startsWith('== '));
  assert.ok(titles.length >= 5, child.stdout);
  assert.ok(titles.includes('== Greenlet State =='));
  assert.ok(child.stdout.includes('Thread 3 timed out'));
});

demo.run();
