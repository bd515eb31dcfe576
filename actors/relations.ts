/**
 * What the actor layer hangs on a greenlet — its links, the monitors and
 * asks waiting for its death, the monitors it holds, its registered name —
 * and what happens to them when it dies.
 *
 * The record is made on first need (an idle actor has none): on an Actor
 * in its `relations` field, on any other greenlet in a WeakMap. Making it
 * adds one link to the greenlet (`rawLink`, which does not mark failures as
 * seen: a crash is still reported where it happened, as Erlang logs it),
 * and that link settles everything when the greenlet dies. The hub runs
 * death notifications in the order the greenlets died (FIFO schedule), so
 * a watcher's `DOWN` messages arrive in that order. Under a seeded
 * schedule, deaths in the same instant may be notified in either order —
 * as Erlang promises no order between signals from different processes.
 */
import { exitReason, type Greenlet } from '../lib/greenlet.js';
import { Actor } from './actor.js';
import { remoteOf, type ActorRef } from './ref.js';
import { sendExitSignal } from './signal.js';
import { RAW_LINK } from '../lib/internal/keys.js';
import { RELATIONS } from './keys.js';

/** Something waiting for a greenlet's death: a monitor, a pending `ask`. */
export interface DeathWatch {
  /** The watched greenlet (or remote actor) died with `reason` (called from the hub, or as word of it arrives). */
  targetDied(target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void;
}

/** Something a greenlet holds on others, released when it dies: a monitor it placed. */
export interface Holding {
  /** The holder died: forget it everywhere. */
  holderDied(): void;
}

/** @internal */
export class Relations {
  /** Linked greenlets (one link per pair, both sides hold it). */
  links: Set<Greenlet<unknown>> | null = null;
  /** Monitors and asks watching this greenlet, in the order they were made. */
  watches: Set<DeathWatch> | null = null;
  /** Monitors this actor placed on others. */
  holdings: Set<Holding> | null = null;
  /** Its registered name, and the registry (per hub) that holds it. */
  name: string | null = null;
  registry: Map<string, Actor<unknown>> | null = null;
}

const others = new WeakMap<Greenlet<unknown>, Relations>();

/** @internal the greenlet's record, or null if it has none. */
export function relationsOf(g: Greenlet<unknown>): Relations | null {
  return g instanceof Actor ? g[RELATIONS] : (others.get(g) ?? null);
}

/** @internal the greenlet's record, made if need be. The greenlet must not be dead. */
export function ensureRelations(g: Greenlet<unknown>): Relations {
  let relations = relationsOf(g);
  if (relations === null) {
    relations = new Relations();
    if (g instanceof Actor) g[RELATIONS] = relations;
    else others.set(g, relations);
    g[RAW_LINK](settle, false);
  }
  return relations;
}

/**
 * @internal starts watching `target`'s death for `watch` (a monitor, an
 * ask): on a local greenlet's record, or through a remote actor's node.
 * The target must not be dead.
 */
export function watchDeath(target: Greenlet<unknown> | ActorRef<never>, watch: DeathWatch): void {
  const remote = remoteOf(target);
  if (remote !== null) remote.watch(watch);
  else (ensureRelations(target as Greenlet<unknown>).watches ??= new Set()).add(watch);
}

/** @internal stops a watch `watchDeath` started; nothing if it ended. */
export function unwatchDeath(target: Greenlet<unknown> | ActorRef<never>, watch: DeathWatch): void {
  const remote = remoteOf(target);
  if (remote !== null) remote.unwatch(watch);
  else relationsOf(target as Greenlet<unknown>)?.watches?.delete(watch);
}

/** The death link: notifies watchers, signals linked greenlets, frees the name. */
function settle(g: Greenlet<unknown>): void {
  const relations = relationsOf(g);
  if (relations === null) return;
  if (g instanceof Actor) g[RELATIONS] = null;
  else others.delete(g);
  const reason = exitReason(g);
  const { registry, name } = relations;
  if (registry !== null && name !== null && registry.get(name) === g) registry.delete(name);
  if (relations.holdings !== null) for (const holding of relations.holdings) holding.holderDied();
  if (relations.watches !== null) for (const watch of relations.watches) watch.targetDied(g, reason);
  if (relations.links !== null) {
    for (const peer of relations.links) {
      relationsOf(peer)?.links?.delete(g);
      sendExitSignal(peer, g, reason);
    }
  }
}
