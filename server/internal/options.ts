/**
 * The server calls' options objects: an object (or nothing) whose keys are
 * all known, so a typo (`{ timout: 5 }`) fails at the call instead of being
 * silently ignored. The same contract, names and message as the
 * `checkOptions(call, options, keys)` that lib/internal/validate.ts gains
 * for issue 11 (its `checkOptions` takes no keys yet on this branch's base):
 * once that is merged, this file goes and the server imports lib's.
 */
import { checkOptions as checkObject } from '../../lib/internal/validate.js';

/** The keys of an options type, listed once beside it; the compiler checks the list against `T`. */
export function optionKeys<T extends object>(fields: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(fields));
}

/** Checks that `options` is undefined or an object with only `keys`; throws naming `call` and the key. */
export function checkOptions(call: string, options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  checkObject(call, options);
  for (const key in options as object) {
    if (!keys.includes(key)) throw new TypeError(`${call}: unknown option ${JSON.stringify(key)} (options are ${keys.join(', ')})`);
  }
}
