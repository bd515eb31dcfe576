/**
 * The test command: type-checks the project, runs every `test/**\/*.test.ts`
 * uvu suite, and ends with one plain line of totals, `N passed, N failed`
 * (the type-check counts as one test), and `, N skipped` when a suite
 * skipped tests (the browser test, where no browser is installed).
 *
 * Usage: npm test [-- filter]   (a filter keeps the files whose path contains it)
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

type Runner = () => Promise<[string | true, number, number, number]>;
declare global {
  var UVU_DEFER: number | undefined;
  var UVU_INDEX: number | undefined;
  var UVU_QUEUE: Array<Array<string | Runner | null>>;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2] ?? '';
let passed = 0;
let failed = 0;
let skipped = 0;
let reported = false;

function totals(): void {
  if (reported) return;
  reported = true;
  // The totals line stays exactly `N passed, N failed`; skipped tests are counted on the line before.
  if (skipped > 0) console.log(`(${skipped} skipped)`);
  console.log(`${passed} passed, ${failed} failed`);
}

// A suite that never settles lets Node exit early: still print the totals, with that as a failure.
process.on('exit', (code) => {
  if (!reported) {
    failed++;
    console.log('\nThe test run ended before every suite finished (a test never settled).');
    totals();
    process.exitCode = code || 1;
  }
});

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

if (!filter) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], {
    stdio: 'inherit',
  });
  if (tsc.status === 0) {
    passed++;
    console.log('type-check: ok');
  } else {
    failed++;
    console.log('type-check: FAILED (see above)');
  }
}

globalThis.UVU_DEFER = 1;
globalThis.UVU_QUEUE = [];
const { exec } = await import('uvu');
const files = findTests(join(root, 'test')).filter((f) => relative(root, f).includes(filter));
for (const [index, file] of files.entries()) {
  globalThis.UVU_QUEUE.push([relative(root, file)]);
  globalThis.UVU_INDEX = index;
  await import(pathToFileURL(file).href);
}
// A suite that never settles must not stall the run (CI has a time limit):
// after this long it counts as failed and the run goes on.
const suiteLimitMs = Number(process.env.GROVE_TEST_SUITE_TIMEOUT_MS ?? 120_000);

// Count each suite's results as uvu reports them: [errors, passed, skipped, total].
for (const group of globalThis.UVU_QUEUE) {
  const file = String(group[0]);
  for (let i = 1; i < group.length; i++) {
    const run = group[i] as Runner;
    group[i] = async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<[string, number, number, number]>((resolve) => {
        timer = setTimeout(() => {
          const message = `\n  a suite of ${file} did not finish within ${suiteLimitMs} ms: a test never settled\n`;
          resolve([message, 0, 0, 1]);
        }, suiteLimitMs);
      });
      const result = await Promise.race([run(), stalled]);
      clearTimeout(timer);
      passed += result[1];
      failed += result[3] - result[1];
      skipped += result[2];
      return result as [string | true, number, number, number];
    };
  }
}
await exec(false);
totals();
// A stalled suite may leave timers or greenlets behind: end the process here, with the verdict.
process.exit(failed > 0 ? 1 : 0);
