/**
 * `advance(ms)`: move a virtual clock by hand, to look at a protocol mid-way.
 */
import { getHub, sleep, type Operation, type Suspend } from 'grove';
import { Composite } from '../lib/internal/composite.js';
import { checkMs } from '../lib/internal/validate.js';

/**
 * Lets `ms` of virtual time pass, and returns once everything due by then
 * has run — every timer up to the new time fired, and every greenlet it woke
 * ran until it blocked — so the caller looks at the state "at" that instant.
 * Returns the hub's time then. Only on a virtual clock (use `sleep` on a
 * real one). Use with `yield*`; a kill or a Timeout interrupts it as it
 * interrupts `sleep`.
 */
export function advance(ms: number): Operation<number> {
  checkMs('advance', 'ms', ms);
  return new Composite('advance', () => advanceBy(ms));
}

function* advanceBy(ms: number): Generator<Suspend, number, unknown> {
  const hub = getHub();
  if (hub.clock !== 'virtual') throw new Error('advance: the hub runs on a real clock; advance() moves virtual time only (use sleep())');
  yield* sleep(ms);
  // Greenlets woken at this same instant may still be queued behind us: let them run first.
  while (!hub.settled()) yield* sleep(0);
  return hub.now();
}
