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

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as new () => unknown;

/** Why an async generator cannot be a body: grove drives generators with `yield*`, not `for await`. */
const NOT_ASYNC_GENERATOR =
  'grove cannot run an async generator (async function*): write a generator function (function*) and wait for promises with yield* call(promise)';

/**
 * Checks a body (what a greenlet, `run`, `withTimeout`, `map` or `simulate`
 * runs): a function, and not an async generator function — which would be
 * called, return an AsyncGenerator nobody iterates, and "succeed" without
 * running a line of its body.
 */
export function checkBody(call: string, field: string, value: unknown): void {
  checkFunction(call, field, value);
  if (value instanceof AsyncGeneratorFunction) throw new TypeError(`${call}: ${field} is an async generator function; ${NOT_ASYNC_GENERATOR}`);
}

/** Refuses what a body returned if it is an AsyncGenerator (a transpiled `async function*`, or one returned by a plain function). */
export function checkBodyResult(who: string, result: unknown): void {
  if (result !== null && typeof result === 'object' && Object.prototype.toString.call(result) === '[object AsyncGenerator]') {
    throw new TypeError(`${who} returned an AsyncGenerator; ${NOT_ASYNC_GENERATOR}`);
  }
}

/**
 * The keys of an options type, listed once beside it: the compiler checks
 * the record names every field of `T` and nothing else, so the list stays in
 * step with the interface. `optionKeys<QueueWaitOptions>({ timeout: true })`.
 */
export function optionKeys<T extends object>(fields: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(fields));
}

/**
 * Checks an options argument: undefined, or an object whose keys are all
 * among `keys`. A misspelt key (`{ timout: 5 }`) would otherwise be ignored
 * silently and the call would wait forever, so it is refused, naming it and
 * the valid keys.
 */
export function checkOptions(call: string, options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${call}: options must be an object, got ${show(options)}`);
  }
  // for-in allocates nothing on the common one-key record, unlike Object.keys.
  for (const key in options) {
    if (!keys.includes(key)) throw new TypeError(`${call}: unknown option ${JSON.stringify(key)} (options are ${keys.join(', ')})`);
  }
}

/** Checks an `exception` option (see `ExceptionOption`): an Error class or instance, or undefined. */
export function checkException(call: string, exception: unknown): void {
  if (exception === undefined || exception instanceof Error) return;
  if (typeof exception === 'function' && (exception === Error || exception.prototype instanceof Error)) return;
  throw new TypeError(`${call}: exception must be an Error class or instance, got ${show(exception)}`);
}

/** Turns an `exception` option into the error to raise: a class is instantiated with no arguments. */
export function toException(call: string, exception: unknown): Error | undefined {
  checkException(call, exception);
  if (exception === undefined || exception instanceof Error) return exception;
  const Class = exception as new () => Error;
  try {
    return new Class();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TypeError(`${call}: exception ${Class.name} cannot be made with no arguments (${why}); pass an instance instead`);
  }
}

/** Checks a `scope()` body: an Operation (an iterable object) or a function. */
export function checkScopeBody(call: string, body: unknown): void {
  if (typeof body === 'function') return;
  if (body !== null && typeof body === 'object' && typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') return;
  throw new TypeError(`${call}: body must be an Operation or a function, got ${show(body)}`);
}

/** True for a plain options record: an object, not null, not an array. */
export function isRecord(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The first key of `record` that is not one of `fields` (a typo), if any. */
export function unknownKey(record: object, fields: ReadonlySet<string>): string | undefined {
  return Object.keys(record).find((key) => !fields.has(key));
}
