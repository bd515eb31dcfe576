/**
 * Erlang's `monitor_node`: an actor is told when a node goes down. The
 * watcher gets `{ type: 'nodedown', node, reason: 'noconnection' }` once,
 * after the node's links, monitors and asks have had their
 * `'noconnection'`; at once if the node is down already. The monitor ends
 * with its watcher, or with `demonitorNode`.
 *
 * And Erlang's `net_kernel:monitor_nodes`: `monitorNodes(watcher)` tells
 * an actor of every node that comes up (`{ type: 'nodeup', node }`: a
 * thread started, a cluster node heard, one heard again after it was down)
 * and goes down (`nodedown`), until `demonitorNode` or its end.
 */
import { show } from '../lib/internal/validate.js';
import { Actor } from '../actors/actor.js';
import type { Receiver } from '../actors/monitor.js';
import { ensureRelations, relationsOf } from '../actors/relations.js';
import { DELIVER } from '../actors/keys.js';
import { localNode } from './local-node.js';
import { nodeKey, type NodeId } from './node-id.js';
import { NOCONNECTION, type Peer } from './peer.js';

/** What a node monitor's watcher receives when the node goes down. Frozen. */
export interface NodeDownMessage {
  readonly type: 'nodedown';
  /** The node that went down. */
  readonly node: NodeId;
  /** Why: `'noconnection'`. */
  readonly reason: 'noconnection';
}

/** One node monitor: what `monitorNode` returns and `demonitorNode` takes. */
// A DownListener (peer.ts) and a Holding (actors/relations.ts), checked where it is added.
export class NodeMonitorRef {
  /** @internal waiting for the node to go down. */
  active = false;

  /** @internal made by `monitorNode`. */
  constructor(
    /** The actor told. */
    readonly watcher: Actor<unknown>,
    /** The node watched. */
    readonly node: NodeId,
    private readonly peer: Peer,
  ) {}

  /** @internal the node went down: tell the watcher, once. */
  peerDown(): void {
    if (!this.active) return;
    this.active = false;
    relationsOf(this.watcher)?.holdings?.delete(this);
    this.deliver();
  }

  /** @internal the watcher died: the monitor goes with it. */
  holderDied(): void {
    this.active = false;
    this.peer.downListeners.delete(this);
  }

  /** @internal puts the nodedown in the watcher's inbox. */
  deliver(): void {
    const message: NodeDownMessage = Object.freeze({ type: 'nodedown', node: this.node, reason: NOCONNECTION });
    this.watcher[DELIVER](message);
  }

  /** @internal ends it before the node goes down. */
  cancel(): boolean {
    if (!this.active) return false;
    this.holderDied();
    relationsOf(this.watcher)?.holdings?.delete(this);
    return true;
  }
}

/** What a `monitorNodes` watcher receives when a node comes up. Frozen. */
export interface NodeUpMessage {
  readonly type: 'nodeup';
  /** The node that came up. */
  readonly node: NodeId;
}

/** A `monitorNodes` watch: what `monitorNodes` returns and `demonitorNode` takes. */
// A NodeListener (local-node.ts) and a Holding (actors/relations.ts), checked where it is added.
export class NodesMonitorRef {
  /** @internal watching. */
  active = true;

  /** @internal made by `monitorNodes`. */
  constructor(
    /** The actor told. */
    readonly watcher: Actor<unknown>,
  ) {}

  /** @internal */
  nodeUp(node: NodeId): void {
    this.watcher[DELIVER](Object.freeze({ type: 'nodeup', node }) satisfies NodeUpMessage);
  }

  /** @internal */
  nodeDown(node: NodeId): void {
    this.watcher[DELIVER](Object.freeze({ type: 'nodedown', node, reason: NOCONNECTION }) satisfies NodeDownMessage);
  }

  /** @internal the watcher died: the watch goes with it. */
  holderDied(): void {
    this.active = false;
    localNode().nodeListeners.delete(this);
  }

  /** @internal ends it. */
  cancel(): boolean {
    if (!this.active) return false;
    this.holderDied();
    relationsOf(this.watcher)?.holdings?.delete(this);
    return true;
  }
}

/**
 * Makes `watcher` (a local actor) get `{ type: 'nodeup', node }` for each
 * node that comes up from now on and `{ type: 'nodedown', node, reason:
 * 'noconnection' }` for each that goes down (a thread that starts or
 * ends; a cluster node heard, or down — also when a session with it broke,
 * before it is up again), in the order this node learns of them. Returns
 * the watch, for `demonitorNode`. Never blocks.
 */
export function monitorNodes(watcher: Receiver<NodeUpMessage | NodeDownMessage>): NodesMonitorRef {
  if (!(watcher instanceof Actor)) throw new TypeError(`monitorNodes: watcher must be an Actor, got ${show(watcher)}`);
  const ref = new NodesMonitorRef(watcher);
  if (watcher.dead) {
    ref.active = false;
    return ref;
  }
  localNode().nodeListeners.add(ref);
  (ensureRelations(watcher).holdings ??= new Set()).add(ref);
  return ref;
}

/** A node given as a NodeId, or anything that has one (a ThreadNode). */
function nodeIdOf(node: unknown): NodeId {
  const id = node !== null && typeof node === 'object' && 'id' in node && typeof (node as { id: unknown }).id === 'object' ? (node as { id: unknown }).id : node;
  if (id === null || typeof id !== 'object' || typeof (id as NodeId).name !== 'string' || !Number.isInteger((id as NodeId).incarnation)) {
    throw new TypeError(`monitorNode: node must be a NodeId or a ThreadNode, got ${show(node)}`);
  }
  return id as NodeId;
}

/**
 * Makes `watcher` (a local actor) get `{ type: 'nodedown', node, reason:
 * 'noconnection' }` once when `node` (a NodeId, or a ThreadNode) goes down
 * — at once if it is down already, or was never reachable. Returns the
 * monitor, for `demonitorNode`. Never blocks.
 */
export function monitorNode(watcher: Receiver<NodeDownMessage>, node: NodeId | { readonly id: NodeId }): NodeMonitorRef {
  if (!(watcher instanceof Actor)) throw new TypeError(`monitorNode: watcher must be an Actor, got ${show(watcher)}`);
  const id = nodeIdOf(node);
  const peer = localNode().peerFor(nodeKey(id));
  const ref = new NodeMonitorRef(watcher, peer.id, peer);
  if (watcher.dead) return ref;
  if (peer.down) {
    ref.deliver();
    return ref;
  }
  ref.active = true;
  peer.downListeners.add(ref);
  (ensureRelations(watcher).holdings ??= new Set()).add(ref);
  return ref;
}

/** Ends a node monitor (`monitorNode`, `monitorNodes`): nothing more comes of it. True if it was still on. Never blocks. */
export function demonitorNode(ref: NodeMonitorRef | NodesMonitorRef): boolean {
  if (!(ref instanceof NodeMonitorRef) && !(ref instanceof NodesMonitorRef)) throw new TypeError(`demonitorNode: ref must be a NodeMonitorRef or a NodesMonitorRef, got ${show(ref)}`);
  return ref.cancel();
}
