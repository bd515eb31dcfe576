/**
 * Every TypeScript program in README.md type-checks against grove's
 * sources: the ```ts blocks that import something are written out as
 * modules (under scratch/, ignored by git) and checked by tsc with the
 * project's settings, unused names allowed. A block without an import, or
 * marked ```ts excerpt (its names come from elsewhere, its `yield*`s from a
 * greenlet's body), is a reference excerpt, left out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The README's ```ts blocks that import something (not the excerpts), with the line each starts on. */
function snippets(): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const code = lines.slice(start, end);
    if (code.some((line) => line.startsWith('import '))) found.push({ line: start + 1, code: code.join('\n') });
    i = end;
  }
  return found;
}

test("README.md's TypeScript examples type-check", () => {
  const blocks = snippets();
  assert.ok(blocks.length >= 8, `found only ${blocks.length} blocks`);
  const dir = join(root, 'scratch', `readme-snippets-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const files = blocks.map(({ line, code }) => {
      const file = `readme-line-${line}.ts`;
      writeFileSync(join(dir, file), `${code}\nexport {};\n`);
      return file;
    });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
        include: files,
      }),);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    // An error names the README line its block starts on (readme-line-<N>.ts).
    assert.is(tsc.stdout + tsc.stderr, '');
    assert.is(tsc.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
