/**
 * Erlang's exit signals, delivered: the one rule that links (link.ts) and
 * `exit` share. A greenlet that traps exits (an Actor with `trapExit`) gets
 * an `ExitMessage` in its inbox; any other ignores `'normal'` and is killed
 * with an `ExitSignal` carrying any other reason, so it exits with that same
 * reason and passes it on along its own links.
 */
import { ExitSignal } from '../lib/errors.js';
import { Greenlet } from '../lib/greenlet.js';
import { Actor } from './actor.js';
import type { ActorRef } from './ref.js';
import { HUB, KILL_WITH } from '../lib/internal/keys.js';
import { DELIVER } from './keys.js';

/** What an actor that traps exits receives instead of dying. Frozen. */
export interface ExitMessage {
  readonly type: 'EXIT';
  /**
   * The linked greenlet that exited, or the caller of `exit` (null if
   * called outside any greenlet); a `RemoteRef` (grove/cluster) when that
   * actor is on another thread or machine.
   */
  readonly from: Greenlet<unknown> | ActorRef<never> | null;
  /**
   * Its exit reason: `'normal'`, `'killed'`, `'noproc'`, an ExitSignal's
   * reason, or the error; `'noconnection'` when `from` is on a thread or
   * machine that became unreachable.
   */
  readonly reason: unknown;
}

/** @internal delivers an exit signal from `from` to `target`. */
export function sendExitSignal(target: Greenlet<unknown>, from: Greenlet<unknown> | ActorRef<never> | null, reason: unknown): void {
  if (target.dead) return;
  const hub = target[HUB];
  // The event names local greenlets; a remote sender (grove/cluster) shows as null.
  if (hub !== null && hub.listeners !== null) hub.emit({ type: 'actorSignal', greenlet: target, from: from instanceof Greenlet ? from : null, reason, signal: 'exit' });
  if (target instanceof Actor && target.trapExit) {
    const message: ExitMessage = Object.freeze({ type: 'EXIT', from, reason });
    target[DELIVER](message);
    return;
  }
  if (reason === 'normal') return;
  target[KILL_WITH](new ExitSignal(reason));
}
