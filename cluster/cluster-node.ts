/**
 * Joining a cluster of processes over NATS: `connectNode({ name, servers,
 * cluster })` connects this process to a NATS server, names its node (the
 * name plus a fresh incarnation), starts the NATS transport
 * (nats-transport.ts) and the cluster registry (global-registry.ts), and
 * returns the `ClusterNode`. From then on, actors on every node of the
 * cluster are reached with `send`, `ask`, `link`, `monitor` and `exit`
 * through `RemoteRef`s, found with `whereisGlobal` or in messages, and
 * started with `spawnRemote(remoteNode(name), ...)`.
 *
 * One cluster connection per process at a time. The NATS client, its KV
 * store and msgpack are loaded when a node connects, so threads-only
 * programs never load them.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { KV } from '@nats-io/kv';
import { callOperation } from '../lib/call.js';
import { getHub, type HubHold } from '../lib/hub.js';
import { ctx } from '../lib/internal/context.js';
import { Composite } from '../lib/internal/composite.js';
import { checkMs, checkOptions, show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { GlobalRegistry } from './global-registry.js';
import { clusterIdentity, type LocalNode } from './local-node.js';
import { NatsTransport } from './nats-transport.js';
import { parseNodeKey, type NodeId } from './node-id.js';
import { inGroveThread } from './thread-transport.js';

/** Options of `connectNode`. */
export interface ConnectNodeOptions {
  /** The node's name: letters, digits, `_` and `-`, unique in its cluster. Its id adds a fresh incarnation. */
  name: string;
  /** The NATS server(s) to connect to: `'nats://10.0.0.5:4222'`, or a list (one is picked); `'nats://127.0.0.1:4222'` by default. */
  servers?: string | readonly string[];
  /** The cluster's name (letters, digits, `_`, `-`): nodes of other clusters on the same NATS are not seen. `'grove'` by default. */
  cluster?: string;
  /** How often (ms) the node says it is there; 1000 by default. */
  heartbeatMs?: number;
  /** After how long (ms) unheard a node is down (`'noconnection'` to everything on it); 5000 by default, at least twice `heartbeatMs`. */
  downAfterMs?: number;
  /** Whether to use the cluster registry (`registerGlobal`, `whereisGlobal`), which needs JetStream on the server; true by default. */
  registry?: boolean;
  /**
   * More options for the NATS client (`@nats-io/transport-node`'s
   * `connect`): `user`, `pass`, `token`, `authenticator`, `tls`,
   * `timeout`... grove sets `name` (the node's key), reconnects forever
   * (`maxReconnectAttempts: -1`) and waits 500 ms between attempts unless
   * these say otherwise.
   */
  nats?: Readonly<Record<string, unknown>>;
}

/**
 * Thrown by `connectNode` when the node could not join: the NATS server
 * cannot be reached (its error is the `cause`), or the registry is wanted
 * and the server has no JetStream.
 */
export class ConnectFailed extends Error {
  static {
    this.prototype.name = 'ConnectFailed';
  }
}

const NAME = /^[A-Za-z0-9_-]+$/;
const KEYS = ['name', 'servers', 'cluster', 'heartbeatMs', 'downAfterMs', 'registry', 'nats'];

let active: ClusterNode | null = null;

/** @internal the node this process has joined a cluster as, if any. */
export function activeCluster(): ClusterNode | null {
  return active;
}

/**
 * This process's node in a cluster (see `connectNode`). Its actors and
 * the other nodes' reach each other through `RemoteRef`s; `close()`
 * leaves the cluster.
 */
export class ClusterNode {
  /** Its node id: the name given to `connectNode` and a fresh incarnation. */
  readonly id: NodeId;
  /** The cluster's name. */
  readonly cluster: string;
  /** @internal */
  readonly transport: NatsTransport;
  /** @internal */
  readonly registry: GlobalRegistry | null;
  private hold: HubHold | null;

  /** @internal made by `connectNode`. */
  constructor(
    private readonly local: LocalNode,
    transport: NatsTransport,
    registry: GlobalRegistry | null,
    hold: HubHold,
  ) {
    this.id = local.id;
    this.cluster = transport.options.cluster;
    this.transport = transport;
    this.registry = registry;
    this.hold = hold;
  }

  /** True once it has left the cluster: `close()`, or the connection to NATS ended for good. */
  get closed(): boolean {
    return this.transport.closed;
  }

  /** True while its connection to NATS is up (false while the client reconnects, and once closed). */
  get online(): boolean {
    return this.transport.connected && !this.transport.closed;
  }

  /** The other nodes that are up (heard within the detection time), by name. */
  nodes(): NodeId[] {
    return this.transport
      .upKeys()
      .map(parseNodeKey)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.incarnation - b.incarnation));
  }

  /**
   * Leaves the cluster: this node's global names are freed, the others are
   * told (goodbye: they see it down at once), every link, monitor and ask
   * across gets `'noconnection'` here, and the NATS connection is drained
   * and closed. Blocks until it is. Closing twice does nothing. Use with
   * `yield*`.
   */
  close(): Operation<void> {
    const self = this;
    return new Composite<void>('ClusterNode.close', function* () {
      yield* callOperation(self.leave());
    });
  }

  /** @internal frees the names, says goodbye, closes the connection, releases the hub. */
  async leave(): Promise<void> {
    if (active === this) active = null;
    const hold = this.hold;
    this.hold = null;
    try {
      await this.registry?.close();
      await this.transport.close(this.local);
    } finally {
      hold?.release();
    }
  }

  toString(): string {
    return `<ClusterNode ${this.id.name} in ${this.cluster}${this.closed ? ' (closed)' : this.online ? '' : ' (offline)'}>`;
  }

  /** How `console.log` and `util.inspect` show it. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Checks connectNode's options; returns them with the defaults filled in. */
function checkConnect(options: ConnectNodeOptions): Required<Omit<ConnectNodeOptions, 'servers'>> & { servers: string[] } {
  const call = 'connectNode';
  if (options === undefined) throw new TypeError(`${call}: options must be an object with a name, got undefined`);
  checkOptions(call, options, KEYS);
  const { name, cluster = 'grove', heartbeatMs = 1000, registry = true, nats = {} } = options as Partial<ConnectNodeOptions>;
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`${call}: name must be letters, digits, '_' and '-', got ${show(name)}`);
  if (typeof cluster !== 'string' || !NAME.test(cluster)) throw new TypeError(`${call}: cluster must be letters, digits, '_' and '-', got ${show(cluster)}`);
  const servers = options.servers ?? 'nats://127.0.0.1:4222';
  const list: unknown[] = typeof servers === 'string' ? [servers] : Array.isArray(servers) ? servers : [servers];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`${call}: servers must be a URL or a non-empty list of URLs, got ${show(servers)}`);
  }
  checkMs(call, 'heartbeatMs', heartbeatMs);
  if (heartbeatMs < 10) throw new RangeError(`${call}: heartbeatMs must be at least 10, got ${heartbeatMs}`);
  const downAfterMs = options.downAfterMs ?? Math.max(5000, 2 * heartbeatMs);
  checkMs(call, 'downAfterMs', downAfterMs);
  if (downAfterMs < 2 * heartbeatMs) throw new RangeError(`${call}: downAfterMs must be at least twice heartbeatMs (${2 * heartbeatMs}), got ${downAfterMs}`);
  if (typeof registry !== 'boolean') throw new TypeError(`${call}: registry must be a boolean, got ${show(registry)}`);
  if (nats === null || typeof nats !== 'object' || Array.isArray(nats)) throw new TypeError(`${call}: nats must be an object of NATS connect options, got ${show(nats)}`);
  return { name, cluster, heartbeatMs, downAfterMs, registry, nats, servers: list as string[] };
}

/**
 * Joins this process to a cluster over NATS as the node `name` (see
 * `ConnectNodeOptions`) and returns its `ClusterNode`, once it is
 * connected, has read the cluster registry and has heard the nodes that
 * are up (a heartbeat period: `node.nodes()` lists them). Blocks the
 * calling greenlet only. Throws `ConnectFailed` if the server cannot be
 * reached or has no JetStream (with the registry on). While connected,
 * the node holds the hub (a `run()` waiting on remote actors is not given
 * LoopExit): `close()` it.
 *
 * The process's node takes the name (a fresh incarnation): references to
 * its actors made before — by its worker threads, say — see the old node
 * as gone; connect first. A grove worker thread cannot connect (its
 * process's node does). A kill or Timeout of the caller ends the wait and
 * closes the connection. Use with `yield*`.
 */
export function connectNode(options: ConnectNodeOptions): Operation<ClusterNode> {
  const settings = checkConnect(options);
  return new Composite<ClusterNode>('connectNode', function* () {
    if (inGroveThread()) throw new Error('connectNode: a grove worker thread cannot join a cluster; its process node does (connect in the main thread)');
    if (active !== null) throw new Error(`connectNode: this process is node ${active.id.name} in cluster ${JSON.stringify(active.cluster)} already; close() it first`);
    const hub = ctx.hub ?? getHub();
    return yield* callOperation(async (signal) => {
      const [{ connect }, { Kvm }, { Packr }] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/kv'), import('msgpackr')]);
      let nc: NatsConnection;
      try {
        nc = await connect({ maxReconnectAttempts: -1, reconnectTimeWait: 500, ...settings.nats, servers: settings.servers, name: settings.name });
      } catch (error) {
        throw new ConnectFailed(`connectNode: cannot connect to NATS at ${settings.servers.join(', ')}: ${describe(error)}`, { cause: error });
      }
      let made: ClusterNode | null = null;
      try {
        const packr = new Packr({ useRecords: false });
        let kv: KV | null = null;
        if (settings.registry) {
          try {
            kv = await new Kvm(nc).create(`grove_${settings.cluster}`, { history: 1 });
          } catch (error) {
            throw new ConnectFailed(`connectNode: the cluster registry needs JetStream on the NATS server (nats-server -js), or pass registry: false: ${describe(error)}`, { cause: error });
          }
        }
        if (signal.aborted) throw signal.reason;
        if (active !== null) throw new Error(`connectNode: this process is node ${active.id.name} in cluster ${JSON.stringify(active.cluster)} already; close() it first`);
        const local = clusterIdentity(settings.name);
        const transport = new NatsTransport(nc, packr, local, settings, hub);
        const registry = kv === null ? null : new GlobalRegistry(kv, packr, local, transport);
        const node = (made = active = new ClusterNode(local, transport, registry, hub.hold()));
        // A caller that gave up while the registry loads leaves at once.
        signal.addEventListener('abort', () => void node.leave());
        await registry?.start();
        await transport.heardAll();
        return node;
      } catch (error) {
        if (made !== null) await made.leave();
        else await nc.close().catch(() => {});
        throw error;
      }
    });
  });
}

/** An error's message, for another error's. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
