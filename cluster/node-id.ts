/**
 * Node identities. A node is one place actors live in: the main thread, a
 * worker thread, a process joined to a cluster. Its id is its name plus an
 * incarnation drawn when it starts (Erlang's creation, Akka's UID), so a
 * thread or process started again under the same name is a different node,
 * and references to the old one are recognisably stale.
 *
 * A `NodeId` is plain data: it can travel in messages and be compared with
 * `sameNode`. Inside the runtime a node is known by its key,
 * `<name>#<incarnation>`.
 */

/** Identifies a node: its name and the incarnation drawn when it started. Frozen. */
export interface NodeId {
  /** The name it was given (a thread's `name` option; `'main'` for the main thread). */
  readonly name: string;
  /** A random positive integer drawn when the node started. */
  readonly incarnation: number;
}

/** @internal a node's key: `<name>#<incarnation>`. */
export function nodeKey(node: NodeId): string {
  return `${node.name}#${node.incarnation}`;
}

/** @internal the NodeId a key stands for. */
export function parseNodeKey(key: string): NodeId {
  const hash = key.lastIndexOf('#');
  return Object.freeze({ name: key.slice(0, hash), incarnation: Number(key.slice(hash + 1)) });
}

/** @internal a NodeId with a fresh incarnation. */
export function newNodeId(name: string): NodeId {
  return Object.freeze({ name, incarnation: 1 + Math.floor(Math.random() * 0x7ffffffe) });
}

/** True when `a` and `b` identify the same node (same name and incarnation). */
export function sameNode(a: NodeId, b: NodeId): boolean {
  return a.name === b.name && a.incarnation === b.incarnation;
}
