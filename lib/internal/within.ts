/**
 * A call's `{ timeout }` over a whole operation made of several waits (a
 * server's `readLine` waits for each piece of a line, a pool's `map` for
 * each result): the deadline is the call's, not each wait's. gevent's rule
 * for the option: a number of ms starts a Timeout of the call's own, a
 * Timeout given is started if it is not running and cancelled when the
 * call returns, and raised itself if it fires.
 */
import { Timeout } from '../timeout.js';
import type { Suspend } from '../operation.js';

/** What a grove generator function returns: the iterator an Operation is made of. */
export type Steps<T> = Generator<Suspend, T, unknown>;

/** A checked `{ timeout }`: ms, a Timeout, or null for none. */
export type Limit = number | Timeout | null;

/**
 * Runs `body` under `timeout` (ms, a Timeout, or null for none). When a
 * timeout of ms expires, returns `expired(timeout)` (a wait-style call
 * returns false; a get-style call throws the Timeout); a Timeout given is
 * raised as it is.
 */
export function* within<T>(timeout: Limit, body: () => Steps<T>, expired: (timeout: Timeout) => T): Steps<T> {
  if (timeout === null) return yield* body();
  const timer = typeof timeout === 'number' ? new Timeout(timeout) : timeout;
  if (!timer.pending) timer.start();
  try {
    return yield* body();
  } catch (error) {
    if (error === timer && timer !== timeout) return expired(timer);
    throw error;
  } finally {
    timer.cancel();
  }
}

/** `expired` for get-style calls: the Timeout is thrown. */
export function raise(timeout: Timeout): never {
  throw timeout;
}
