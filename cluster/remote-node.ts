/**
 * A node of the cluster as a place to start actors and run jobs (Erlang's
 * `spawn(Node, ...)`): `spawnRemote(remoteNode('b'), WORKER, ...args)`
 * starts an actor of a kind node `b` offers, and `remoteChild(remoteNode('b'),
 * WORKER)` puts one under a local supervisor. Given a name, the place is
 * whichever incarnation of that node is up when it is used, and waits for
 * one to come up (a node restarting) for a while; given a `NodeId`, it is
 * that incarnation only.
 */
import { callOperation } from '../lib/call.js';
import { checkMs, checkOptions, show } from '../lib/internal/validate.js';
import type { Suspend } from '../lib/operation.js';
import { activeCluster } from './cluster-node.js';
import { localNode } from './local-node.js';
import { nodeKey, type NodeId } from './node-id.js';
import { Peer } from './peer.js';
import type { Place } from './remote-spawn.js';
import { PICK } from './keys.js';

/** Options of `remoteNode`. */
export interface RemoteNodeOptions {
  /** How long (ms) a spawn or job waits for a node of that name to be up; the cluster's `downAfterMs` by default. */
  timeout?: number;
}

/** A node of the cluster, by name or by id, as a `Place` (see `remoteNode`). */
export class RemoteNode implements Place {
  /** @internal made by `remoteNode`. */
  constructor(
    /** The node's name, or its exact id. */
    readonly node: string | NodeId,
    private readonly timeout: number | undefined,
  ) {}

  /** @internal the node's peer: up now, or the first of that name to come up within the timeout (else a peer that is down). */
  *[PICK](purpose: 'spawn' | 'job'): Generator<Suspend, Peer, unknown> {
    const cluster = activeCluster();
    const call = purpose === 'spawn' ? 'spawnRemote' : 'runInThread';
    if (cluster === null) throw new Error(`${call}: this process is in no cluster (connectNode first)`);
    const node = localNode();
    if (typeof this.node !== 'string') return node.peerFor(nodeKey(this.node));
    const name = this.node;
    const transport = cluster.transport;
    const timeout = this.timeout ?? transport.options.downAfterMs;
    const session = transport.upNamed(name) ?? (yield* callOperation((signal) => transport.waitForName(name, timeout, signal)));
    // No node of that name: a peer that is down, so the spawn or job fails with 'noconnection' naming it.
    return session === undefined ? new Peer(node, Object.freeze({ name, incarnation: 0 }), null) : node.peerFor(session.key);
  }

  toString(): string {
    return `<RemoteNode ${typeof this.node === 'string' ? this.node : nodeKey(this.node)}>`;
  }

  /** How `console.log` and `util.inspect` show it. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The node `node` of this process's cluster as a place for `spawnRemote`,
 * `runInThread` and `remoteChild`: by name (whichever incarnation is up;
 * a spawn waits up to `timeout` ms for one, then fails with
 * `'noconnection'`) or by `NodeId` (that incarnation; `'noconnection'` if
 * it is down). Never blocks.
 */
export function remoteNode(node: string | NodeId, options?: RemoteNodeOptions): RemoteNode {
  checkOptions('remoteNode', options, ['timeout']);
  const valid =
    (typeof node === 'string' && /^[A-Za-z0-9_-]+$/.test(node)) ||
    (node !== null && typeof node === 'object' && typeof node.name === 'string' && Number.isInteger(node.incarnation));
  if (!valid) throw new TypeError(`remoteNode: node must be a node name or a NodeId, got ${show(node)}`);
  const timeout = options?.timeout === undefined ? undefined : checkMs('remoteNode', 'timeout', options.timeout);
  return new RemoteNode(node, timeout);
}
