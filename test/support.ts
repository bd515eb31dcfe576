/** Small helpers shared by the tests. */
import * as assert from 'uvu/assert';
import type { ErrorContext } from 'grove';

/** Collects log lines. */
export function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

/** Collects the errors a hub reports, as `"<greenlet name or hub>: <where>: <message>"`. */
export function errorSink(): { reports: string[]; errors: unknown[]; onError: (error: unknown, context: ErrorContext) => void } {
  const reports: string[] = [];
  const errors: unknown[] = [];
  return {
    reports,
    errors,
    onError(error, context) {
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
