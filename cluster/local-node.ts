/**
 * The local node: this thread's side of every conversation with other
 * nodes. It knows its own id, the local greenlets other nodes know about
 * (exported.ts), the other nodes (peer.ts) and the transports that reach
 * them (transport.ts); it encodes references for the codec and decodes
 * them back (a reference to one of its own actors arrives as the actor
 * itself); and it handles the frames that arrive (frames.ts), in order,
 * from Node's event loop: messages go into inboxes (frozen there, as
 * every message is), exit signals and DOWNs are delivered by the actor
 * layer's own rules, replies wake their askers.
 *
 * One per thread, made on first use: the main thread's is named `main`
 * (until `connectNode` names it, as a new incarnation); a worker thread's
 * is named and numbered by the thread that started it. A transport that
 * can lose batches (NATS) ends a session with `nodeDown` and starts the
 * next with `nodeUp`: the down peer is dropped, and the next reference to
 * that node makes a new one (references made before stay dead).
 */
import { ctx } from '../lib/internal/context.js';
import { getHub, type Hub } from '../lib/hub.js';
import { ExitSignal, GreenletExit } from '../lib/errors.js';
import { Greenlet } from '../lib/greenlet.js';
import { HUB, KILL_WITH } from '../lib/internal/keys.js';
import { Actor } from '../actors/actor.js';
import { ReplyTo } from '../actors/ask.js';
import { deadLetter } from '../actors/dead-letter.js';
import { remoteOf, type ActorRef } from '../actors/ref.js';
import { watchDeath } from '../actors/relations.js';
import { sendExitSignal } from '../actors/signal.js';
import { REMOTE, STOP_GRACEFULLY } from '../actors/keys.js';
import { decode, decodeReason, type Holes, type RefCodec, type RefToken, type ReplyToken } from './codec.js';
import { Exported } from './exported.js';
import { ForeignReplyTo } from './foreign-reply-to.js';
import { ARITY, DOWN, EXIT, JOB, JOB_CANCEL, JOB_DONE, LINK, REPLY, SEND, SPAWN, SPAWNED, UNLINK, UNWATCH, WATCH } from './frames.js';
import { newNodeId, nodeKey, parseNodeKey, type NodeId } from './node-id.js';
import { NOCONNECTION, Peer } from './peer.js';
import type { RemoteEnd } from './remote-ref.js';
import type { Transport, TransportHost } from './transport.js';
import { serveJob, serveSpawn } from './offer.js';

/** Forgets a ReplyTo's registration once it is collected (its ask is long over then). */
const forgotten = new FinalizationRegistry<[Map<number, WeakRef<ReplyTo<unknown>>>, number]>(([replies, id]) => {
  if (replies.get(id)?.deref() === undefined) replies.delete(id);
});

/** Told when a node becomes reachable or goes down (a `monitorNodes` watcher). */
export interface NodeListener {
  nodeUp(id: NodeId): void;
  nodeDown(id: NodeId): void;
}

/** @internal this thread's node. */
export class LocalNode implements RefCodec, TransportHost {
  /** Its key, `<name>#<incarnation>` (a new one when `reincarnate` renames it). */
  selfKey: string;
  /** Local greenlets other nodes know, by greenlet id. */
  readonly exported = new Map<number, Exported>();
  /** Other nodes, by key (and this node itself, reached through a loopback). */
  readonly peers = new Map<string, Peer>();
  /** This node as a peer: frames to its own actors loop back (a reference to an actor gone from here). */
  self: Peer;
  /** The other nodes a transport said are up (nodeUp), by key: what node listeners have been told. */
  readonly upNodes = new Set<string>();
  /** `monitorNodes` watchers. */
  readonly nodeListeners = new Set<NodeListener>();
  /** True once it has joined a cluster under its current key. */
  joined = false;
  private readonly transports: Transport[] = [];
  /** Local ReplyTos sent to other nodes, by the id their replies carry. */
  private readonly replies = new Map<number, WeakRef<ReplyTo<unknown>>>();
  private readonly replyIds = new WeakMap<ReplyTo<unknown>, number>();
  private lastId = 0;

  constructor(public id: NodeId) {
    this.selfKey = nodeKey(id);
    this.self = this.loopback();
  }

  /** The peer for this node itself, under its current key. */
  private loopback(): Peer {
    const self = new Peer(this, this.id, { reaches: () => true, post: (_key, frames) => this.receive(this.selfKey, frames) });
    this.peers.set(this.selfKey, self);
    return self;
  }

  /**
   * Renames this node (connectNode, joining a cluster under its own name):
   * it becomes a new node for everyone. References to it made under its
   * old key (held by its threads, say) see that node as gone; its actors
   * run on, reached through references made from now on.
   */
  reincarnate(id: NodeId): void {
    const old = this.self;
    this.id = id;
    this.selfKey = nodeKey(id);
    this.self = this.loopback();
    this.joined = false;
    old.goDown();
  }

  /** A fresh id for a watch, a reply, a request or a job. */
  nextId(): number {
    return ++this.lastId;
  }

  /** The hub to count a dead letter on when no hub is running (frames arrive from Node's loop). */
  hub(): Hub {
    return ctx.hub ?? getHub();
  }

  /** Adds a transport: nodes it reaches become reachable. */
  attachTransport(transport: Transport): TransportHost {
    this.transports.push(transport);
    return this;
  }

  /** Removes a transport (a cluster connection that closed); it has said its nodes are down. */
  detachTransport(transport: Transport): void {
    const i = this.transports.indexOf(transport);
    if (i >= 0) this.transports.splice(i, 1);
  }

  /** The peer for a node key: the one known, or a new one through a transport that reaches it (down if none does). */
  peerFor(key: string): Peer {
    let peer = this.peers.get(key);
    if (peer === undefined) {
      const transport = this.transports.find((t) => t.reaches(key)) ?? null;
      peer = new Peer(this, parseNodeKey(key), transport);
      peer.hub = transport?.hub ?? null;
      this.peers.set(key, peer);
    }
    return peer;
  }

  /** Makes a local greenlet known to other nodes (its record, watching its death); null if it is dead. */
  exportGreenlet(g: Greenlet<unknown>): Exported | null {
    let exported = this.exported.get(g.id);
    if (exported === undefined) {
      if (g.dead) return null;
      exported = new Exported(this, g);
      this.exported.set(g.id, exported);
      watchDeath(g, exported);
    }
    return exported;
  }

  // ---- references on the wire (RefCodec) ----------------------------------

  refToken(ref: Greenlet<unknown> | ActorRef<never>): RefToken {
    if (ref instanceof Greenlet) {
      this.exportGreenlet(ref);
      return [0, this.selfKey, ref.id, ref.name];
    }
    const end = remoteOf(ref) as RemoteEnd;
    return [0, end.peer.key, end.id, ref.name];
  }

  replyToken(replyTo: ReplyTo<unknown>): ReplyToken {
    const target = this.refToken(replyTo.target);
    if (replyTo instanceof ForeignReplyTo) return [1, replyTo.origin.key, replyTo.replyId, target];
    let id = this.replyIds.get(replyTo);
    if (id === undefined) {
      id = this.nextId();
      this.replyIds.set(replyTo, id);
      this.replies.set(id, new WeakRef(replyTo));
      forgotten.register(replyTo, [this.replies, id]);
    }
    return [1, this.selfKey, id, target];
  }

  ref(token: RefToken): ActorRef<never> {
    const [, key, id, name] = token;
    if (key === this.selfKey) {
      const local = this.exported.get(id)?.greenlet;
      if (local instanceof Actor) return local;
    }
    return this.peerFor(key).ref(id, name);
  }

  replyTo(token: ReplyToken): ReplyTo<unknown> {
    const [, key, id, target] = token;
    if (key === this.selfKey) {
      const local = this.replies.get(id)?.deref();
      if (local !== undefined) return local;
    }
    return new ForeignReplyTo(this.ref(target), this.peerFor(key), id);
  }

  // ---- frames in (TransportHost) --------------------------------------------

  /** Handles a batch from `from`, frame by frame; one that fails is reported, the others still run. */
  receive(from: string, frames: unknown[]): void {
    const peer = this.peerFor(from);
    // At most once: nothing from a node after it was declared down.
    if (peer.down) return;
    for (let i = 0; i < frames.length; i += ARITY[frames[i] as number]) {
      try {
        this.handle(peer, frames, i);
      } catch (error) {
        (peer.hub ?? this.hub()).report(error, { where: 'link' });
      }
    }
  }

  nodeDown(key: string): void {
    const peer = this.peers.get(key);
    if (peer !== undefined) peer.goDown();
    else this.peers.set(key, new Peer(this, parseNodeKey(key), null));
    if (this.upNodes.delete(key)) {
      const id = this.peers.get(key)!.id;
      for (const listener of [...this.nodeListeners]) listener.nodeDown(id);
    }
  }

  nodeUp(key: string): void {
    // A session that ended: the next reference to the node makes a new peer; the old one's references stay dead.
    if (this.peers.get(key)?.down === true) this.peers.delete(key);
    if (this.upNodes.has(key)) return;
    this.upNodes.add(key);
    const id = this.peers.get(key)?.id ?? parseNodeKey(key);
    for (const listener of [...this.nodeListeners]) listener.nodeUp(id);
  }

  dropped(key: string, frames: unknown[]): void {
    const peer = this.peerFor(key);
    for (let i = 0; i < frames.length; i += ARITY[frames[i] as number]) {
      if (frames[i] !== SEND) continue;
      const message = decode(frames[i + 2], frames[i + 3] as Holes, this);
      deadLetter(peer.ref(frames[i + 1] as number, `#${String(frames[i + 1])}`), peer.hub ?? this.hub(), message, null, 'sentAfterDeath', NOCONNECTION);
    }
  }

  private handle(peer: Peer, f: unknown[], i: number): void {
    switch (f[i]) {
      case SEND:
        return this.deliver(peer, f[i + 1] as number, f[i + 2], f[i + 3] as Holes);
      case LINK: {
        const exported = this.live(f[i + 3] as number);
        const end = peer.ref(f[i + 1] as number, f[i + 2] as string)[REMOTE];
        if (exported === null) peer.push(EXIT, f[i + 3], '', f[i + 1], 'noproc', 1);
        else (exported.links ??= new Set()).add(end);
        return;
      }
      case UNLINK: {
        const end = peer.refs.get(f[i + 1] as number)?.deref()?.[REMOTE];
        if (end !== undefined) this.exported.get(f[i + 2] as number)?.links?.delete(end);
        return;
      }
      case EXIT:
        return this.exitSignal(peer, f[i + 1] as number, f[i + 2] as string, f[i + 3] as number, decodeReason(f[i + 4], this), f[i + 5] === 1);
      case WATCH: {
        const exported = this.live(f[i + 2] as number);
        if (exported === null) peer.push(DOWN, f[i + 1], 'noproc');
        else {
          const watchers = (exported.watchers ??= new Map());
          let ids = watchers.get(peer);
          if (ids === undefined) watchers.set(peer, (ids = new Set()));
          ids.add(f[i + 1] as number);
        }
        return;
      }
      case UNWATCH:
        this.exported.get(f[i + 2] as number)?.watchers?.get(peer)?.delete(f[i + 1] as number);
        return;
      case DOWN: {
        const id = f[i + 1] as number;
        const watching = peer.watches.get(id);
        if (watching === undefined) return;
        peer.watches.delete(id);
        peer.watchIds.delete(watching.watch);
        const reason = decodeReason(f[i + 2], this);
        watching.end.exited(reason);
        watching.watch.targetDied(watching.end.ref, reason);
        return;
      }
      case REPLY: {
        const replyTo = this.replies.get(f[i + 1] as number)?.deref();
        if (replyTo !== undefined) replyTo.reply(decode(f[i + 2], f[i + 3] as Holes, this));
        return;
      }
      case SPAWN:
        return serveSpawn(peer, f[i + 1] as number, f[i + 2] as string, f[i + 3], f[i + 4] as Holes, f[i + 5] as number, f[i + 6] as string);
      case JOB:
        return serveJob(peer, f[i + 1] as number, f[i + 2] as string, f[i + 3], f[i + 4] as Holes);
      case JOB_CANCEL: {
        const job = peer.jobs.get(f[i + 1] as number);
        if (job !== undefined) {
          peer.jobs.delete(f[i + 1] as number);
          void job.kill();
        }
        return;
      }
      case SPAWNED:
      case JOB_DONE: {
        const request = peer.requests.get(f[i + 1] as number);
        if (request === undefined) return;
        peer.requests.delete(f[i + 1] as number);
        if (f[i] === SPAWNED) {
          const actorId = f[i + 2] as number;
          if (actorId === 0) request.settle(false, decodeReason(f[i + 4], this));
          else request.settle(true, peer.ref(actorId, f[i + 3] as string));
        } else if (f[i + 2] === 1) request.settle(true, decode(f[i + 3], f[i + 4] as Holes, this));
        else request.settle(false, decodeReason(f[i + 3], this));
        return;
      }
      default:
        throw new Error(`grove/cluster: a frame with an unknown opcode ${String(f[i])} from ${peer}`);
    }
  }

  /** The record of a live local greenlet, or null (dead, or never known). */
  private live(id: number): Exported | null {
    const exported = this.exported.get(id);
    return exported === undefined || exported.greenlet.dead ? null : exported;
  }

  /** A message for local actor `id`: decoded, then sent (frozen by `send`); a dead letter if it is gone. */
  private deliver(peer: Peer, id: number, wire: unknown, holes: Holes): void {
    const target = this.exported.get(id)?.greenlet;
    const message = decode(wire, holes, this);
    if (!(target instanceof Actor) || target.dead) {
      deadLetter(target instanceof Actor ? target : this.self.ref(id, `#${id}`), peer.hub ?? this.hub(), message, null, 'sentAfterDeath', 'noproc');
      return;
    }
    try {
      target.send(message);
    } catch (error) {
      // A full bounded mailbox: the sender cannot be told, so the loss is reported here, as a dead letter is.
      const hub = target[HUB] ?? this.hub();
      hub.deadLetters++;
      hub.report(error, { greenlet: target, where: 'deadLetter' });
    }
  }

  /** An exit signal from `fromId` on `peer` for local greenlet `toId`: a linked actor's exit, or `exit/2`. */
  private exitSignal(peer: Peer, fromId: number, fromName: string, toId: number, reason: unknown, linked: boolean): void {
    const exported = this.live(toId);
    const from = fromId === 0 ? null : peer.ref(fromId, fromName);
    if (linked) {
      const end = from![REMOTE];
      end.exited(reason);
      // An EXIT for a link already removed (unlinked, or signalled as 'noconnection') is stale.
      if (exported === null || exported.links?.delete(end) !== true) return;
      sendExitSignal(exported.greenlet, from, reason);
      return;
    }
    if (exported === null) return;
    const target = exported.greenlet;
    if (reason === 'kill') target[KILL_WITH](new GreenletExit());
    else if (from !== null && exported.parent === from[REMOTE] && target instanceof Actor && target.trapExit) {
      // Its remote parent stops it as a local parent would: the message in hand is finished first.
      target[STOP_GRACEFULLY](new ExitSignal(reason));
    } else sendExitSignal(target, from, reason);
  }
}

let local: LocalNode | null = null;

/** @internal this thread's node, made on first use (named `main` unless a thread's boot named it first). */
export function localNode(): LocalNode {
  return (local ??= new LocalNode(newNodeId('main')));
}

/** @internal names this thread's node (a worker thread's boot does, before anything else). */
export function initLocalNode(id: NodeId): LocalNode {
  if (local !== null) throw new Error(`grove/cluster: this thread's node is ${local.selfKey} already`);
  return (local = new LocalNode(id));
}

/**
 * @internal the node to join a cluster as `name`: this thread's node, made
 * so, or renamed (a new incarnation) if it has another name or has been in
 * a cluster before (its old key is gone for that cluster).
 */
export function clusterIdentity(name: string): LocalNode {
  if (local === null) local = new LocalNode(newNodeId(name));
  else if (local.id.name !== name || local.joined) local.reincarnate(newNodeId(name));
  local.joined = true;
  return local;
}

/** The id of this thread's node: `main` on the main thread, the thread's name on a worker thread. */
export function selfNode(): NodeId {
  return localNode().id;
}
