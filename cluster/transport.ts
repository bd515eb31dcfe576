/**
 * The transport interface: how a node's frames reach other nodes. The
 * node runtime (local-node.ts) owns everything above it — references,
 * the envelope (frames.ts), encoding (codec.ts), batching, links,
 * monitors, asks and the failure semantics — so that a transport only
 * moves batches and says when a node is gone. Two transports plug in:
 * MessagePort between threads (thread-transport.ts) and NATS between
 * machines (nats-transport.ts).
 *
 * What a transport must guarantee, for the semantics above it to hold:
 * - **Order.** Batches posted to one node arrive in the order posted (the
 *   frames of a batch are in order already). That gives Erlang's in-order
 *   delivery between two actors.
 * - **At most once.** A batch arrives once or not at all; never twice.
 *   Nothing needs to be retried: a lost batch is a lost message, as in
 *   Erlang, and what matters is that the loss is followed by `nodeDown`.
 * - **Down is final.** Once the transport calls `host.nodeDown(key)`, it
 *   delivers nothing more from that node's session: references made
 *   through it stay dead. A process that starts again is a new node (a
 *   new incarnation, so a new key). A thread that ended never comes back;
 *   a network node may, in a new session (below).
 * - **Plain data.** Frames are arrays of plain data (codec.ts): a thread
 *   transport posts them as they are (structured clone); a network
 *   transport serializes them (JSON, msgpack) and must round-trip
 *   `undefined`, non-finite numbers and `-0` or document that it does not.
 * - **Bounded.** A transport that cannot deliver (a NATS connection that
 *   is down) must not buffer without limit: it drops, and reports the node
 *   down if it stays unreachable (heartbeats), so that links, monitors and
 *   asks fail with `'noconnection'` instead of waiting forever.
 * - **Sessions.** A transport that can lose batches without the other node
 *   being gone (a network: a NATS connection that drops, a slow consumer)
 *   must notice every loss (sequence numbers) and treat it as the end of a
 *   session: `host.nodeDown(key)`, so that everything across that session
 *   fails with `'noconnection'`, then `host.nodeUp(key)` once the node is
 *   reachable again. References made before stay dead; the node is the
 *   same (same key), and new references reach it (Erlang's nodedown and
 *   nodeup on a connection that broke and came back).
 *
 * The NATS transport (nats-transport.ts, session.ts) is the second one;
 * beside it:
 * - the process names its node before the transport joins a cluster
 *   (connectNode renames it: `localNode().reincarnate(newNodeId(name))`);
 * - a handle for a remote node implements `Place` (`[PICK]` returns its
 *   `Peer`), so `spawnRemote`, `runInThread` and `remoteChild` work on it
 *   unchanged (remote-node.ts); `monitorNode` takes its `NodeId`;
 * - each process reports its own hub's errors (a transport's `hub` is
 *   where what arrives from its nodes is reported);
 * - frames carry `undefined`, `NaN` and `-0` where messages do, and tokens
 *   as nested arrays (codec.ts): msgpack (msgpackr) keeps `undefined`,
 *   `NaN` and the infinities; `-0` arrives as `0`.
 */
import type { Hub } from '../lib/hub.js';

/** How a node's frames reach other nodes (see the module comment for what it must guarantee). */
export interface Transport {
  /** True when this transport can carry batches to the node with this key. */
  reaches(node: string): boolean;
  /** Sends one batch of frames to `node`, after the batches posted to it before. Never throws for a node that is gone. */
  post(node: string, frames: unknown[]): void;
  /** The hub that reports what arrives from the nodes it reaches (null or absent: the current hub). */
  readonly hub?: Hub | null;
}

/** What the node runtime offers a transport: where batches go in, and where it says a node is gone. */
export interface TransportHost {
  /** The local node's key (`<name>#<incarnation>`). */
  readonly selfKey: string;
  /** A batch from `from` arrived. Call in arrival order, outside any hub loop (from a Node callback). */
  receive(from: string, frames: unknown[]): void;
  /** `node` is unreachable, or the session with it lost a batch: everything across it fails with `'noconnection'`. */
  nodeDown(node: string): void;
  /** `node` is reachable (again): a node down before starts a new session; references made before stay dead. */
  nodeUp(node: string): void;
  /** A batch for `node` could not be sent: its messages are dead letters (`'noconnection'`). The transport then says `nodeDown`. */
  dropped(node: string, frames: unknown[]): void;
}
