/**
 * How the runtime tells an Operation from a value. A leaf module, so that
 * every other module can use it whatever order they load in.
 */
import type { Operation } from '../operation.js';
import type { Timeout } from '../timeout.js';

/** Marks grove's own Operation objects (generator objects are recognised by shape). */
export const OPERATION: unique symbol = Symbol.for('grove.operation');

/**
 * True for what a body may return to be driven as an Operation: grove's
 * operations and generator objects. (Any iterable would be wrong: an array
 * returned by a plain function is a value.)
 */
export function isOperation(value: unknown): value is Operation<unknown> {
  if (value === null || typeof value !== 'object') return false;
  if ((value as { [OPERATION]?: boolean })[OPERATION] === true) return true;
  const it = value as Iterator<unknown> & Iterable<unknown>;
  return typeof it.next === 'function' && typeof it.throw === 'function' && typeof it[Symbol.iterator] === 'function';
}

/** True for a promise or any other thenable: what `call` and a body's return value are awaited as. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Marks Timeout instances, so the blocking machinery need not import the class. */
export const TIMEOUT: unique symbol = Symbol.for('grove.timeout');

export function isTimeout(value: unknown): value is Timeout {
  return value !== null && typeof value === 'object' && (value as { [TIMEOUT]?: boolean })[TIMEOUT] === true;
}
