/**
 * `RemoteRef<M>`: a reference to an actor on another node (a worker
 * thread, another machine), the `ActorRef<M>` that `send`, `ask`, `link`,
 * `monitor` and `exit` take for it. Its `RemoteEnd` does the actor layer's
 * part (the `RemoteActor` hooks of actors/ref.ts) by queueing frames for
 * the actor's node.
 *
 * One actor is one RemoteRef on a node while anyone holds it (peer.ts
 * caches them), so refs compare with `===`. A RemoteRef is plain data's
 * one exception: it travels in messages, and arrives as the local actor
 * itself on the actor's own node.
 */
import { ctx } from '../lib/internal/context.js';
import { Greenlet } from '../lib/greenlet.js';
import { deadLetter } from '../actors/dead-letter.js';
import { prepareMessage } from '../actors/config.js';
import type { ActorRef, RemoteActor } from '../actors/ref.js';
import type { DeathWatch } from '../actors/relations.js';
import { sendExitSignal } from '../actors/signal.js';
import { REMOTE } from '../actors/keys.js';
import { encode, encodeReason } from './codec.js';
import { EXIT, LINK, SEND, UNLINK, UNWATCH, WATCH } from './frames.js';
import type { NodeId } from './node-id.js';
import { NOCONNECTION, type Peer } from './peer.js';

/** What `RemoteEnd.exitReason` holds while the actor is not known to have exited. */
const ALIVE: unique symbol = Symbol('grove.alive');

/**
 * A reference to an actor on another thread or machine, taking messages
 * of type `M`. `send` checks the message is plain data (`NotPlainData`
 * otherwise, nothing sent), freezes it as a local send does, and queues it
 * for the actor's node: it never blocks, arrives in order after earlier
 * messages to that node, at most once. Get one from `spawnRemote`, or in
 * a message.
 */
export class RemoteRef<in M> implements ActorRef<M> {
  /** @internal what link, monitor, ask and exit do with it. */
  readonly [REMOTE]: RemoteEnd;

  /** @internal made by its peer (peer.ts). */
  constructor(
    peer: Peer,
    id: number,
    /** The actor's name on its node. */
    readonly name: string,
  ) {
    this[REMOTE] = new RemoteEnd(peer, id, this as RemoteRef<never>);
  }

  /** The node the actor lives on. */
  get node(): NodeId {
    return this[REMOTE].peer.id;
  }

  /**
   * True once the actor is known here to have ended: its node reported its
   * exit (a link's EXIT, a monitor's DOWN), said it did not know it
   * (`'noproc'`), or became unreachable. False otherwise — which, for an
   * actor elsewhere, does not prove it is alive.
   */
  get dead(): boolean {
    return this[REMOTE].deathReason() !== undefined;
  }

  /**
   * Sends `message` to the actor: checked (plain data and references;
   * `NotPlainData` otherwise), frozen (as `Actor.send` freezes), queued for
   * its node and posted at the end of this hub turn. Never blocks. To an
   * actor known dead, or on a node that is gone, it is a dead letter
   * (counted and reported here). A full bounded mailbox over there drops it
   * (reported there): the sender cannot be told.
   */
  send(message: M): void {
    const end = this[REMOTE];
    const [wire, holes] = encode('send', 'message', message, end.peer.node);
    if (typeof message === 'object' && message !== null) prepareMessage(message);
    const reason = end.deathReason();
    if (reason !== undefined) {
      deadLetter(this as RemoteRef<never>, ctx.hub ?? end.peer.node.hub(), message, ctx.current, 'sentAfterDeath', reason);
      return;
    }
    end.peer.push(SEND, end.id, wire, holes);
  }

  toString(): string {
    return `<RemoteRef ${this.name} on ${this.node.name}>`;
  }

  /** How `console.log` and `util.inspect` show it: `<RemoteRef name on node>`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal the local end of a remote actor: the RemoteActor hooks, frames to its node. */
export class RemoteEnd implements RemoteActor {
  /** Its exit reason once known here (ALIVE until then). */
  private exitReason: unknown = ALIVE;

  constructor(
    readonly peer: Peer,
    readonly id: number,
    readonly ref: RemoteRef<never>,
  ) {}

  /** Why it is dead, if it is known to be: `'noconnection'` for a node that is gone, else its exit reason. */
  deathReason(): unknown {
    if (this.peer.down) return NOCONNECTION;
    return this.exitReason === ALIVE ? undefined : this.exitReason;
  }

  /** Its node reported its end (or did not know it: `'noproc'`). */
  exited(reason: unknown): void {
    if (this.exitReason === ALIVE) this.exitReason = reason;
  }

  link(local: Greenlet<unknown>): void {
    const reason = this.deathReason();
    if (reason !== undefined) {
      sendExitSignal(local, this.ref, reason);
      return;
    }
    const exported = this.peer.node.exportGreenlet(local)!;
    (exported.links ??= new Set()).add(this);
    this.peer.push(LINK, local.id, local.name, this.id);
  }

  unlink(local: Greenlet<unknown>): void {
    const links = this.peer.node.exported.get(local.id)?.links;
    if (links?.delete(this) === true) this.peer.push(UNLINK, local.id, this.id);
  }

  watch(watch: DeathWatch): void {
    const reason = this.deathReason();
    if (reason !== undefined) {
      watch.targetDied(this.ref, reason);
      return;
    }
    const peer = this.peer;
    const id = peer.node.nextId();
    peer.watches.set(id, { watch, end: this });
    peer.watchIds.set(watch, id);
    peer.push(WATCH, id, this.id);
  }

  unwatch(watch: DeathWatch): void {
    const peer = this.peer;
    const id = peer.watchIds.get(watch);
    if (id === undefined) return;
    peer.watchIds.delete(watch);
    peer.watches.delete(id);
    peer.push(UNWATCH, id, this.id);
  }

  exit(from: Greenlet<unknown> | null, reason: unknown): void {
    if (this.deathReason() !== undefined) return;
    const node = this.peer.node;
    // The sender is exported, so the EXIT message over there names a reference that works.
    if (from !== null && from instanceof Greenlet) node.exportGreenlet(from);
    this.peer.push(EXIT, from === null ? 0 : from.id, from === null ? '' : from.name, this.id, encodeReason(reason, node), 0);
  }
}
