/**
 * `simulate`: run a test body on a fresh virtual-clock hub. Time advances
 * only when nothing is ready, so a protocol with minutes of timeouts runs in
 * microseconds, and the same body gives the same interleaving every run.
 */
import { Hub, type ErrorHandler, type Operation, type PlainResult } from 'grove';
import { checkFunction, checkOptions } from '../lib/internal/validate.js';

/** Options of `simulate`. */
export interface SimulateOptions {
  /**
   * Replays one pseudo-random interleaving: among ready greenlets, and among
   * timers due at the same instant, the hub runs them in the order this seed
   * draws instead of FIFO. Without it the schedule is gevent's FIFO.
   */
  seed?: number;
  /** Receives the errors the hub reports (greenlets that failed unwatched, link callbacks that threw). */
  onError?: ErrorHandler;
}

/**
 * Runs `body` as the main greenlet of a new virtual-clock hub and returns a
 * promise of its value, rejected with its error (or `LoopExit` if it blocks
 * with nothing left that could wake it).
 */
export function simulate<T>(body: () => Operation<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => PromiseLike<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => PlainResult<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => Operation<T> | PromiseLike<T> | T, options: SimulateOptions = {}): Promise<T> {
  checkFunction('simulate', 'body', body);
  checkOptions('simulate', options);
  const hub = new Hub({ clock: 'virtual', seed: options.seed, onError: options.onError });
  return hub.run(body as () => Operation<T>);
}
