/**
 * The server calls' options objects: an object (or nothing) whose keys are
 * all known, so a typo (`{ timout: 5 }`) fails at the call instead of being
 * silently ignored.
 */
import { checkOptions, unknownKey } from '../../lib/internal/validate.js';

/** The keys an options object may have. */
export function optionKeys(...keys: string[]): ReadonlySet<string> {
  return new Set(keys);
}

/** Checks that `options` is undefined or an object with only `keys`; throws naming `call` and the key. */
export function checkOptionKeys(call: string, options: unknown, keys: ReadonlySet<string>): void {
  if (options === undefined) return;
  checkOptions(call, options);
  const extra = unknownKey(options as object, keys);
  if (extra !== undefined) throw new TypeError(`${call}: unknown option ${JSON.stringify(extra)} (options are ${[...keys].join(', ')})`);
}
