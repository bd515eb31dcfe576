/**
 * Restart intensity as a sliding window (OTP's `add_restart`): the times
 * of recent restarts, and whether there were too many. The window is a
 * small mutable queue kept in the supervisor's state (state.ts): adding a
 * restart costs O(1) amortised, where copying the list on every restart
 * made a crash loop quadratic in `maxRestarts` (issue 11: 16,000 restarts
 * took 5.9 s). The decision itself is a pure function.
 */
import { Deque } from '../lib/internal/deque.js';

/** The times (ms) of the restarts inside the window, oldest first. */
export class RestartWindow {
  private readonly times = new Deque<number>();

  /** How many restarts the window holds. */
  get count(): number {
    return this.times.length;
  }

  /**
   * Records one more restart at `now` and forgets those older than
   * `withinMs` — a restart exactly `withinMs` ago still counts, as in OTP.
   * `now` never goes back (it is the hub's time).
   */
  add(now: number, withinMs: number): void {
    this.times.push(now);
    const threshold = now - withinMs;
    // Oldest first: the first one inside the window ends the purge.
    while (this.times.at(0)! < threshold) this.times.shift();
  }

  /** The times held, oldest first (for tests and diagnostics). */
  toArray(): number[] {
    return [...this.times];
  }
}

/** True when the window holds more than `maxRestarts` restarts: the supervisor gives up. */
export function intensityExceeded(restarts: number, maxRestarts: number): boolean {
  return restarts > maxRestarts;
}
