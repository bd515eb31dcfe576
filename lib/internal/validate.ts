/**
 * Eager checks of arguments, with messages that name the call and the bad
 * value: `Queue.put: timeout must be a non-negative number of ms, got -1`.
 */
import type { Timeout } from '../timeout.js';

/** A `{ timeout }` option: ms, a Timeout, or nothing (wait forever). */
export type TimeoutOption = number | Timeout | null | undefined;

/** Formats a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

export function checkMs(call: string, field: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${call}: ${field} must be a number of ms, got ${show(value)}`);
  if (!(value >= 0)) throw new RangeError(`${call}: ${field} must be a non-negative number of ms, got ${show(value)}`);
  return value;
}

export function checkFunction(call: string, field: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${call}: ${field} must be a function, got ${show(value)}`);
}

export function checkOptions(call: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${call}: options must be an object, got ${show(options)}`);
  }
}
