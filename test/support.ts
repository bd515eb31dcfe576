/** Small helpers shared by the tests. */
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep, spawnLater, type ErrorContext, type Operation } from 'grove';

/** Collects log lines. */
export function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

/**
 * Collects the errors a hub reports, as `"<greenlet name or hub>: <where>: <message>"`.
 * A `HubBlocked` notice (`where: 'blocking'`) is collected only with
 * `{ blocking: true }`: on a real-clock hub it says how loaded the machine
 * was (a step descheduled past 100 ms on a busy CI box), not how the code
 * under test behaved; the detector's own tests ask for it.
 */
export function errorSink(options: { blocking?: boolean } = {}): {
  reports: string[];
  errors: unknown[];
  onError: (error: unknown, context: ErrorContext) => void;
} {
  const reports: string[] = [];
  const errors: unknown[] = [];
  return {
    reports,
    errors,
    onError(error, context) {
      if (context.where === 'blocking' && options.blocking !== true) return;
      errors.push(error);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      reports.push(`${context.greenlet?.name ?? 'hub'}: ${context.where}: ${message}`);
    },
  };
}

/** Expects `fn` to throw a `Class` (exactly that class or a subclass) with exactly `message`. */
export function throwsExactly(fn: () => unknown, Class: new (...args: never[]) => Error, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) assert.unreachable(`expected ${Class.name}: ${message}`);
  assert.instance(thrown, Class);
  assert.is((thrown as Error).message, message);
}

/**
 * Runs `script` (an ES module importing 'grove') in a child Node process
 * with the repository's sources, for what only a whole process shows (when
 * it exits, what it prints); at most 20 s.
 */
export function runScript(script: string): SpawnSyncReturns<string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return spawnSync(process.execPath, ['--conditions=grove-source', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/**
 * Spins with `sleep(0)` until a timer due at once (`spawnLater(0)`) has run
 * (at most 10,000 spins), and returns how many spins came before it: where
 * the hub's pass ended.
 */
export function* spinsBeforeDueTimer(): Operation<number> {
  let spins = 0;
  let firedAt = -1;
  spawnLater(0, () => {
    firedAt = spins;
  });
  while (firedAt < 0 && spins < 10_000) {
    spins++;
    yield* sleep(0);
  }
  return firedAt;
}
