/**
 * `actorInfo(actor)`: an actor's side of Erlang's `process_info` — its
 * mailbox, how many messages it has taken, its registered name, its links
 * and monitors — read at the moment of the call. `greenletInfo` (grove)
 * gives the greenlet's side (status, blocked-on, runs). grove/observer's
 * process table is built from both.
 *
 * The message count is kept by the inbox whether or not anyone reads it
 * (a field increment per message taken); the rest is the actor layer's
 * own state (relations.ts).
 */
import { Greenlet } from '../lib/greenlet.js';
import { show } from '../lib/internal/validate.js';
import { Actor } from './actor.js';
import type { Inbox } from './inbox.js';
import { MonitorRef } from './monitor.js';
import { relationsOf } from './relations.js';

/** What `actorInfo` returns: a snapshot, not updated afterwards. */
export interface ActorInfo {
  /** Messages in its inbox now (those sent and not yet taken). */
  readonly mailbox: number;
  /** Its inbox's bound (the `mailbox` option); `Infinity` when unbounded. */
  readonly mailboxBound: number;
  /**
   * Messages taken from its inbox so far: by its inbox loop (each handed to
   * `receive`), a selective receive, or its own `run()` (a Supervisor's).
   */
  readonly handled: number;
  /** Its registered name (`register`), or null. */
  readonly registeredName: string | null;
  /** Whether exit signals reach it as `EXIT` messages. */
  readonly trapExit: boolean;
  /** The ids of the greenlets linked to it, in the order the links were made. */
  readonly links: readonly number[];
  /** The ids of the greenlets it monitors, one per monitor, in the order they were made. */
  readonly monitors: readonly number[];
  /** The ids of the actors that monitor it, one per monitor, in the order they were made. */
  readonly monitoredBy: readonly number[];
}

/**
 * Reads an actor's mailbox, message count, name, links and monitors (see
 * {@link ActorInfo}). A plain call: never blocks, callable from anywhere.
 * A dead actor has an empty mailbox, no name, no links, no monitors.
 */
export function actorInfo(actor: Actor<unknown>): ActorInfo {
  if (!(actor instanceof Actor)) throw new TypeError(`actorInfo: expected an Actor, got ${show(actor)}`);
  const inbox = actor.inbox as Inbox<unknown>;
  const relations = relationsOf(actor);
  const links: number[] = [];
  const monitors: number[] = [];
  const monitoredBy: number[] = [];
  let registeredName: string | null = null;
  if (relations !== null) {
    if (relations.name !== null && relations.registry?.get(relations.name) === actor) registeredName = relations.name;
    if (relations.links !== null) for (const peer of relations.links) links.push(peer.id);
    if (relations.holdings !== null) {
      for (const holding of relations.holdings) {
        if (holding instanceof MonitorRef && holding.target instanceof Greenlet) monitors.push(holding.target.id);
      }
    }
    if (relations.watches !== null) {
      // Asks watch their target too: only monitors count here.
      for (const watch of relations.watches) if (watch instanceof MonitorRef) monitoredBy.push(watch.watcher.id);
    }
  }
  return {
    mailbox: inbox.qsize(),
    mailboxBound: inbox.maxsize,
    handled: inbox.taken,
    registeredName,
    trapExit: actor.trapExit,
    links,
    monitors,
    monitoredBy,
  };
}
