/**
 * How Node's callbacks (a socket's 'readable', 'drain', 'close') wake the
 * one greenlet waiting for them. The callbacks run outside the hub; an
 * `Event` set from there wakes its waiter on the waiter's own hub. While a
 * greenlet waits here the hub is held: the network may still wake it, so a
 * `run()` main blocked in a read is not told it is stuck.
 */
import type { EventEmitter } from 'node:events';
import { Event } from '../../lib/event.js';
import { getHub } from '../../lib/hub.js';
import type { Steps } from '../../lib/internal/within.js';

export class Wakeup {
  private readonly event = new Event();
  /** For Node's callbacks: wakes the greenlet waiting, if any. Never blocks. */
  readonly wake = (): void => this.event.set();

  /**
   * Waits for the next `wake()`. The caller looks at the state first and
   * calls this only when it must wait; a wake from before that look may end
   * the wait at once, so the caller looks again in a loop.
   */
  *wait(): Steps<void> {
    const hold = getHub().hold();
    try {
      yield* this.event.wait();
    } finally {
      hold.release();
      this.event.clear();
    }
  }
}

/**
 * Waits until `emitter` emits `event` (then returns) or `'error'` (then
 * throws that error), for a call just made on it (`listen`, `connect`):
 * neither can have been emitted yet, Node emits them on a later turn.
 * A kill or a Timeout ends the wait; the listeners go either way.
 */
export function* nextEvent(emitter: EventEmitter, event: string): Steps<void> {
  const settled = new Wakeup();
  let happened = false;
  let failure: unknown = null;
  const onEvent = (): void => {
    happened = true;
    settled.wake();
  };
  const onError = (error: unknown): void => {
    failure = error;
    settled.wake();
  };
  emitter.once(event, onEvent);
  emitter.once('error', onError);
  try {
    while (!happened && failure === null) yield* settled.wait();
    if (failure !== null) throw failure;
  } finally {
    emitter.off(event, onEvent);
    emitter.off('error', onError);
  }
}
