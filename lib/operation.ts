/**
 * The type of everything that can block: an Operation is used with
 * `yield*` inside a greenlet, and `yield*` gives its result, typed.
 *
 * ```ts
 * function* worker(q: Queue<string>): Operation<number> {
 *   const job = yield* q.get();   // string
 *   yield* sleep(10);
 *   return job.length;
 * }
 * ```
 *
 * Every generator function returning `T` is an `Operation<T>`, and so is the
 * object every blocking grove call returns. Calling a blocking API without
 * `yield*` does nothing but build the Operation; grove notices and throws
 * `DroppedOperation` (see README, "The yield* rule").
 */

declare const suspendBrand: unique symbol;

/**
 * What a blocked Operation hands to the hub. Opaque: only grove's own
 * blocking calls produce it, so a generator that does `yield value` instead
 * of `yield* operation` fails to type-check as an Operation.
 */
export interface Suspend {
  readonly [suspendBrand]: true;
}

/** Something a greenlet can `yield*`, giving `T`. */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Suspend, T, unknown>;
}

/**
 * The result type a body's third overload (a plain function, neither a
 * generator nor async) accepts: `T` itself, unless `T` is a generator. A
 * generator function is an Operation only if it `yield*`s Operations and
 * nothing else; one that `yield`s something else (`yield sleep(1)`, missing
 * the star) would otherwise fall through to "a plain function returning a
 * generator" and type-check. Here it is refused, and TypeScript's error says
 * why: `... is not assignable to type "a greenlet body may only yield*
 * Operations: ..."`.
 */
export type PlainResult<T> = T extends { next(...args: never[]): unknown; throw(...args: never[]): unknown }
  ? 'a greenlet body may only yield* Operations: write `yield* sleep(1)`, not `yield sleep(1)`'
  : T;
