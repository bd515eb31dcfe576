/**
 * The actor layer's lifecycle events, added to the hub's `events$` and
 * `lifecycle$` streams (lib/hub.ts) by augmenting `HubEvents`, and its
 * per-message events (`actorMessage`, `actorReceive`, `actorReply`), added
 * to `events$` alone (`HubTraceEvents`). Like the hub's own events, they
 * are built only while someone subscribes, and like them they name their
 * greenlet `greenlet` (here always the Actor), so code that reads
 * `event.greenlet` of every non-error event keeps working.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Actor } from './actor.js';
import type { DeadLetterKind } from './dead-letter.js';

declare module 'grove' {
  interface HubEvents {
    /** An actor was started (right after the greenlet's `spawn` event). */
    actorSpawn: { greenlet: Actor<unknown> };
    /**
     * An exit signal (`signal: 'exit'`: a linked greenlet exited, or
     * `exit()` was called) or a monitor's DOWN (`signal: 'down'`) reaches
     * `greenlet`, from `from` (null: from outside any greenlet), with
     * `reason`. Emitted before it takes effect: a trapped signal or a DOWN
     * then arrives as an `actorMessage`.
     */
    actorSignal: { greenlet: Greenlet<unknown>; from: Greenlet<unknown> | null; reason: unknown; signal: 'exit' | 'down' };
    /**
     * A dead letter: a message the actor will never handle, because it was
     * sent after the actor died (`kind: 'sentAfterDeath'`; `from` is the
     * sender) or was still in its inbox when it died (`'queuedAtDeath'`;
     * `from` is null). `reason` is the actor's exit reason. Also counted in
     * `hub.deadLetters` (actors/dead-letter.ts).
     */
    actorDeadLetter: {
      greenlet: Actor<unknown>;
      message: unknown;
      from: Greenlet<unknown> | null;
      kind: DeadLetterKind;
      reason: unknown;
    };
    /** An actor ended, with its exit reason (right after the greenlet's `exit` event). */
    actorExit: { greenlet: Actor<unknown>; reason: unknown };
  }
  interface HubTraceEvents {
    /**
     * A message was put in an actor's inbox: by `send`, or an `EXIT` or
     * `DOWN` the runtime delivered. `from` is the greenlet that was running
     * (null in the hub, e.g. a death notification, or outside any greenlet).
     */
    actorMessage: { greenlet: Actor<unknown>; message: unknown; from: Greenlet<unknown> | null };
    /** The actor took `message` from its inbox to handle it: its inbox loop, or a selective receive. */
    actorReceive: { greenlet: Actor<unknown>; message: unknown };
    /**
     * The answer to an `ask` of `greenlet` (the asker): `value`, given by
     * `from` (the greenlet that called `replyTo.reply`; null outside any).
     * A late reply, discarded, is not emitted.
     */
    actorReply: { greenlet: Greenlet<unknown>; from: Greenlet<unknown> | null; value: unknown };
  }
}
