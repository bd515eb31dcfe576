/**
 * The actor layer's lifecycle events, added to the hub's `events$` stream
 * (lib/hub.ts) by augmenting `HubEvents`. Like the hub's own events, they
 * are built only while someone subscribes, and like them they name their
 * greenlet `greenlet` (here always the Actor), so code that reads
 * `event.greenlet` of every non-error event keeps working.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Actor } from './actor.js';

declare module 'grove' {
  interface HubEvents {
    /** An actor was started (right after the greenlet's `spawn` event). */
    actorSpawn: { greenlet: Actor<unknown> };
    /**
     * A message was put in an actor's inbox: by `send`, or an `EXIT` or
     * `DOWN` the runtime delivered. `from` is the greenlet that was running
     * (null in the hub, e.g. a death notification, or outside any greenlet).
     */
    actorMessage: { greenlet: Actor<unknown>; message: unknown; from: Greenlet<unknown> | null };
    /** A message sent to an actor that was already dead: dropped, as Erlang drops it (Akka's dead letters). */
    actorDeadLetter: { greenlet: Actor<unknown>; message: unknown; from: Greenlet<unknown> | null };
    /** An actor ended, with its exit reason (right after the greenlet's `exit` event). */
    actorExit: { greenlet: Actor<unknown>; reason: unknown };
  }
}
