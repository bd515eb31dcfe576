/**
 * Restart intensity as a sliding window (OTP's `add_restart`): the times
 * of recent restarts, and whether there were too many. Pure; the
 * supervisor keeps the list in its state record.
 */

/**
 * The restart times after one more restart at `now`, newest first:
 * `now`, then the earlier ones still inside the window — a restart exactly
 * `withinMs` ago still counts, as in OTP; older ones are forgotten.
 */
export function addRestart(restarts: readonly number[], now: number, withinMs: number): readonly number[] {
  const threshold = now - withinMs;
  const kept: number[] = [now];
  for (const at of restarts) {
    // Newest first: the first one outside the window ends the list.
    if (at < threshold) break;
    kept.push(at);
  }
  return kept;
}

/** True when the window holds more than `maxRestarts` restarts: the supervisor gives up. */
export function intensityExceeded(restarts: readonly number[], maxRestarts: number): boolean {
  return restarts.length > maxRestarts;
}
