/**
 * Akka's restart backoff as pure functions (the delay of the n-th restart
 * in a row, and when the count starts over), and the source of its jitter.
 */
import type { Hub } from '../lib/hub.js';
import type { Backoff } from './options.js';
import { mulberry32 } from '../lib/internal/random.js';

/**
 * The delay in ms before restart number `attempt` (1 for the first in a
 * row): `min(maxMs, minMs * 2^(attempt - 1)) * (1 + random * jitter)`,
 * `random` in [0, 1). With jitter the delay may pass `maxMs`, as in Akka.
 */
export function backoffDelay(backoff: Required<Backoff>, attempt: number, random: number): number {
  const exponential = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.max(0, attempt - 1));
  return exponential * (1 + random * backoff.jitter);
}

/**
 * How long a child must stay up for its next restart to count as the first
 * in a row again: `(minMs + maxMs) / 2`, Akka's default.
 */
export function resetAfterMs(backoff: Required<Backoff>): number {
  return (backoff.minMs + backoff.maxMs) / 2;
}

/**
 * The number of the next restart in a row of a child that was up `upMs`
 * ms: one more than `previous`, or 1 when it stayed up at least
 * `resetAfter` ms (see {@link resetAfterMs}).
 */
export function nextAttempt(previous: number, upMs: number, resetAfter: number): number {
  return upMs >= resetAfter ? 1 : previous + 1;
}

const supervisorsOnHub = new WeakMap<Hub, number>();

/**
 * Where a supervisor draws its jitter. On a virtual clock it is a small
 * PRNG seeded by the supervisor's rank among those created on the hub, so
 * a simulated run (and an `explore` seed) replays exactly; on a real clock
 * it is `Math.random`.
 */
export function jitterSource(hub: Hub): () => number {
  if (hub.clock !== 'virtual') return Math.random;
  const rank = (supervisorsOnHub.get(hub) ?? 0) + 1;
  supervisorsOnHub.set(hub, rank);
  return mulberry32(0x5eed ^ Math.imul(rank, 0x9e3779b1));
}

