/**
 * The check of a size limit in bytes (`maxBodyBytes`, `maxMessageBytes`),
 * shared by `HttpServer` and `connectWebSocket`: an integer from `least`
 * up, or Infinity for no limit.
 */
import { show } from '../../lib/internal/validate.js';

/** `value`, or `byDefault` when it is undefined; a RangeError naming `call` and `field` otherwise. */
export function checkBytes(call: string, field: string, value: unknown, byDefault: number, least: 0 | 1): number {
  if (value === undefined) return byDefault;
  if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= least))) {
    const kind = least === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new RangeError(`${call}: ${field} must be ${kind}, got ${show(value)}`);
  }
  return value;
}
