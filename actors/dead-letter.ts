/**
 * Dead letters: messages that will never be handled — sent to an actor
 * after it died, or still in its inbox when it died (Akka's dead letters;
 * Erlang drops both silently). Nothing is dropped without a trace: each is
 * counted on the hub (`hub.deadLetters`), emitted as an `actorDeadLetter`
 * event while someone subscribes, and the first few are reported through
 * the hub's error handler (a one-line notice; `configureActors({
 * logDeadLetters })` sets how many).
 */
import { inspect } from 'node:util';
import { describeReason } from '../lib/errors.js';
import { ctx } from '../lib/internal/context.js';
import { getHub, type Hub } from '../lib/hub.js';
import { Greenlet } from '../lib/greenlet.js';
import type { Actor } from './actor.js';
import type { ActorRef } from './ref.js';
import { settings } from './config.js';

/** Why a message is a dead letter: sent after the actor died, or still queued when it died. */
export type DeadLetterKind = 'sentAfterDeath' | 'queuedAtDeath';

/**
 * A message that will never be handled, as the hub's error handler
 * receives it (with `where: 'deadLetter'`): a notice, not a crash. Its
 * message says to whom, what, and why.
 */
export class DeadLetter extends Error {
  static {
    this.prototype.name = 'DeadLetter';
  }
  constructor(
    /** The actor it was for (a `RemoteRef` for one on another thread or machine). */
    readonly actor: ActorRef<never>,
    /** The message (frozen, as it was sent). */
    readonly letter: unknown,
    /** Sent after the actor died, or still queued when it died. */
    readonly kind: DeadLetterKind,
    /** The actor's exit reason. */
    readonly reason: unknown,
    /** Which dead letter of its hub this is (1 for the first). */
    readonly count: number,
    /** True for the last one reported: later ones are only counted. */
    readonly last: boolean,
  ) {
    const when = kind === 'sentAfterDeath' ? 'was sent to' : 'was still queued in';
    super(
      `dead letter #${count}: ${describe(letter)} ${when} ${actor}, which exited with ${describeReason(reason)}` +
        (last ? '; further dead letters are counted in hub.deadLetters, not reported (configureActors({ logDeadLetters }))' : ''),
    );
  }
}

/** A message shortened for a one-line notice (greenlets in it show as `<Actor "name">`). */
function describe(message: unknown): string {
  const text = inspect(message, { depth: 2, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60 });
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/**
 * @internal counts and reports a dead letter for `actor` (a local actor,
 * or a remote one: then no `actorDeadLetter` event, which names a local
 * actor). `from` is the sender (null for a message queued at death, or
 * sent outside greenlets).
 */
export function deadLetter(
  actor: ActorRef<never>,
  hub: Hub | null,
  message: unknown,
  from: Greenlet<unknown> | null,
  kind: DeadLetterKind,
  reason: unknown,
): void {
  const home = hub ?? ctx.hub ?? getHub();
  const count = ++home.deadLetters;
  const local = actor instanceof Greenlet ? (actor as Actor<unknown>) : undefined;
  if (home.listeners !== null && local !== undefined) home.emit({ type: 'actorDeadLetter', greenlet: local, message, from, kind, reason });
  const limit = settings.logDeadLetters;
  if (count <= limit) home.report(new DeadLetter(actor, message, kind, reason, count, count === limit), { greenlet: local, where: 'deadLetter' });
}
