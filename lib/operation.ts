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
