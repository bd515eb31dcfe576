/**
 * The transport interface: how a node's frames reach other nodes. The
 * node runtime (local-node.ts) owns everything above it — references,
 * the envelope (frames.ts), encoding (codec.ts), batching, links,
 * monitors, asks and the failure semantics — so that a transport only
 * moves batches and says when a node is gone. Two transports are meant to
 * plug in: MessagePort between threads (thread-transport.ts) and NATS
 * between machines (grove/cluster's network part).
 *
 * What a transport must guarantee, for the semantics above it to hold:
 * - **Order.** Batches posted to one node arrive in the order posted (the
 *   frames of a batch are in order already). That gives Erlang's in-order
 *   delivery between two actors.
 * - **At most once.** A batch arrives once or not at all; never twice.
 *   Nothing needs to be retried: a lost batch is a lost message, as in
 *   Erlang, and what matters is that the loss is followed by `nodeDown`.
 * - **Down is final.** Once the transport calls `host.nodeDown(key)`, it
 *   delivers nothing more from that node. A node that comes back is a new
 *   node (a new incarnation, so a new key): its old references stay dead.
 * - **Plain data.** Frames are arrays of plain data (codec.ts): a thread
 *   transport posts them as they are (structured clone); a network
 *   transport serializes them (JSON, msgpack) and must round-trip
 *   `undefined`, non-finite numbers and `-0` or document that it does not.
 * - **Bounded.** A transport that cannot deliver (a NATS connection that
 *   is down) must not buffer without limit: it drops, and reports the node
 *   down if it stays unreachable (heartbeats), so that links, monitors and
 *   asks fail with `'noconnection'` instead of waiting forever.
 *
 * A NATS transport would: subscribe once per node to a subject such as
 * `grove.<cluster>.<nodeKey>` (one wildcard subscription, not one per
 * actor), `post` by publishing the batch (with the sender's key) to the
 * target's subject, answer `reaches` from a membership table fed by
 * heartbeats or a KV bucket, call `host.receive` for each batch that
 * arrives and `host.nodeDown` when a node's heartbeats stop or it says
 * goodbye; and register itself with `localNode().attachTransport(t)`
 * (local-node.ts), which returns the host. Beside the transport:
 * - the process names its node before anything uses it
 *   (`initLocalNode(newNodeId(name))`, as a worker thread's boot does;
 *   otherwise the first use names it `main` with a fresh incarnation);
 * - a handle for a remote node implements `Place` (`[PICK]` returns its
 *   `Peer`, `localNode().peerFor(key)`), and `spawnRemote`, `runInThread`
 *   and `remoteChild` work on it unchanged; `monitorNode` takes its
 *   `NodeId` as it is;
 * - what a node's transport learns of a node's hub reports is its own
 *   business (threads forward them to the hub that started the thread);
 *   `peer.hub` says where frames from a peer are reported.
 * Frames carry `undefined`, `NaN` and `-0` where messages do, and tokens as
 * nested arrays (codec.ts): JSON loses the first three, so msgpack (or JSON
 * with a tag for them) is the encoding to use.
 */

/** How a node's frames reach other nodes (see the module comment for what it must guarantee). */
export interface Transport {
  /** True when this transport can carry batches to the node with this key. */
  reaches(node: string): boolean;
  /** Sends one batch of frames to `node`, after the batches posted to it before. Never throws for a node that is gone. */
  post(node: string, frames: unknown[]): void;
}

/** What the node runtime offers a transport: where batches go in, and where it says a node is gone. */
export interface TransportHost {
  /** The local node's key (`<name>#<incarnation>`). */
  readonly selfKey: string;
  /** A batch from `from` arrived. Call in arrival order, outside any hub loop (from a Node callback). */
  receive(from: string, frames: unknown[]): void;
  /** `node` is unreachable for good: everything on it fails with `'noconnection'`. */
  nodeDown(node: string): void;
}
