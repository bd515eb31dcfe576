/**
 * A peer: what the local node knows of one other node — the transport that
 * reaches it, the frames queued for it this turn, the references to its
 * actors, and everything waiting on it (monitors and asks on its actors,
 * spawn and job requests, node monitors) — and what happens to all of that
 * when it goes down.
 *
 * Batching: frames for a peer are queued and posted together at the end of
 * the hub turn that made them (a microtask, which runs when the hub's loop
 * yields to Node), so a turn that sends many messages to one thread makes
 * one post, in order.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Hub } from '../lib/hub.js';
import type { DeathWatch } from '../actors/relations.js';
import { sendExitSignal } from '../actors/signal.js';
import { nodeKey, type NodeId } from './node-id.js';
import type { Transport } from './transport.js';
import { RemoteRef, type RemoteEnd } from './remote-ref.js';
import type { LocalNode } from './local-node.js';

/** A monitor or a pending ask on one of the peer's actors. */
interface Watching {
  readonly watch: DeathWatch;
  readonly end: RemoteEnd;
}

/** A spawn or job request waiting for the peer's answer. */
export interface PendingRequest {
  /** The answer arrived: settle the caller's promise. */
  settle(ok: boolean, value: unknown): void;
}

/** Something told once when the peer goes down (a thread's handle, a node monitor). */
export interface DownListener {
  peerDown(peer: Peer): void;
}

/** The reason everything on a node that went down fails with. */
export const NOCONNECTION = 'noconnection';

/** Forgets a reference's cache entry once the RemoteRef is collected. */
const collected = new FinalizationRegistry<[Peer, number]>(([peer, id]) => {
  if (peer.refs.get(id)?.deref() === undefined) peer.refs.delete(id);
});

/** @internal one other node, as the local node sees it. */
export class Peer {
  readonly key: string;
  /** True once it is unreachable; for good. */
  down = false;
  /** The hub that started it (a thread), where what arrives from it is reported; null: the current hub. */
  hub: Hub | null = null;
  /** Its actors' references, by id, so one actor is one RemoteRef here while anyone holds it. */
  readonly refs = new Map<number, WeakRef<RemoteRef<never>>>();
  /** Monitors and asks watching its actors, by watch id, and the other way. */
  readonly watches = new Map<number, Watching>();
  readonly watchIds = new Map<DeathWatch, number>();
  /** Spawn and job requests sent to it, by id. */
  readonly requests = new Map<number, PendingRequest>();
  /** Jobs it asked this node to run, by its job id. */
  readonly jobs = new Map<number, Greenlet<unknown>>();
  readonly downListeners = new Set<DownListener>();
  /** Batches posted to it (one per hub turn that sent it anything): for tests and the curious. */
  posted = 0;
  private outbox: unknown[] = [];
  private flushQueued = false;

  constructor(
    readonly node: LocalNode,
    readonly id: NodeId,
    private readonly transport: Transport | null,
  ) {
    this.key = nodeKey(id);
    // No transport reaches it: it is gone already (a stale reference, or a node never known).
    if (transport === null) this.down = true;
  }

  /** The RemoteRef of its actor `id`: the one already made while someone holds it, else a new one. */
  ref(id: number, name: string): RemoteRef<never> {
    const known = this.refs.get(id)?.deref();
    if (known !== undefined) return known;
    const ref = new RemoteRef<never>(this, id, name);
    this.refs.set(id, new WeakRef(ref));
    collected.register(ref, [this, id]);
    return ref;
  }

  /** Queues one frame (given as its fields); posted at the end of this turn. Dropped when down. */
  push(...fields: unknown[]): void {
    if (this.down) return;
    const outbox = this.outbox;
    for (let i = 0; i < fields.length; i++) outbox.push(fields[i]);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /** Posts what this turn queued, as one batch. */
  readonly flush = (): void => {
    this.flushQueued = false;
    const frames = this.outbox;
    if (frames.length === 0 || this.down) return;
    this.outbox = [];
    this.posted++;
    this.transport!.post(this.key, frames);
  };

  /**
   * The node is unreachable: every local greenlet linked to one of its
   * actors gets an exit signal `'noconnection'`, every monitor a DOWN and
   * every pending ask an AskFailed with it; spawn and job requests fail;
   * jobs it asked for are killed; listeners are told. Frames already
   * queued for it are dropped (at most once).
   */
  goDown(): void {
    if (this.down) return;
    this.down = true;
    this.outbox = [];
    for (const exported of [...this.node.exported.values()]) {
      exported.watchers?.delete(this);
      const links = exported.links;
      if (links === null) continue;
      for (const end of [...links]) {
        if (end.peer !== this) continue;
        links.delete(end);
        sendExitSignal(exported.greenlet, end.ref, NOCONNECTION);
      }
    }
    const watches = [...this.watches.values()];
    this.watches.clear();
    this.watchIds.clear();
    for (const { watch, end } of watches) watch.targetDied(end.ref, NOCONNECTION);
    const requests = [...this.requests.values()];
    this.requests.clear();
    for (const request of requests) request.settle(false, NOCONNECTION);
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) void job.kill();
    const listeners = [...this.downListeners];
    this.downListeners.clear();
    for (const listener of listeners) listener.peerDown(this);
  }

  toString(): string {
    return `node ${this.id.name}`;
  }
}
