/**
 * The MessagePort transport: nodes that are threads of one process. Each
 * thread talks to the thread that started it over the worker's port, and
 * reaches every other thread through it: a thread relays a batch that is
 * not for itself down to the child it is for, or up to its parent, so
 * threads form a tree and any two of them can talk (siblings through
 * their parent, at the cost of one more hop). A batch for a node nobody on
 * the way knows is answered with that node's `NODE_DOWN`.
 *
 * A thread that ends — returns, throws, is terminated — is seen by its
 * parent at once (the worker's `error` and `exit` events), which declares
 * it down locally and to every other thread it reaches. Node delivers a
 * worker's last messages before its `exit` event, so what a thread sent
 * before it ended arrives before its `NODE_DOWN`.
 *
 * Port messages are arrays: `[DATA, from, to, frames]`, `[NODE_DOWN, key]`,
 * and a thread's own control messages (thread.ts, boot.ts).
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { Transport, TransportHost } from './transport.js';
import type { LocalNode } from './local-node.js';

/** `[DATA, fromKey, toKey, frames]`: a batch of frames. */
export const DATA = 0;
/** `[NODE_DOWN, key]`: that node is gone. */
export const NODE_DOWN = 1;

/** Either end of a thread's port: a Worker (seen from its parent) or the worker's parentPort. */
type Port = Pick<MessagePort, 'postMessage'> | Pick<Worker, 'postMessage'>;

/** @internal the thread transport of this thread's node. */
export class ThreadTransport implements Transport {
  /** The ports of the threads this thread started, by node key. */
  private readonly children = new Map<string, Port>();
  /** Nodes further down, learnt from the batches they sent: the child port that leads to each. */
  private readonly routes = new Map<string, Port>();
  private parent: Port | null = null;
  private readonly host: TransportHost;

  constructor(node: LocalNode) {
    this.host = node.attachTransport(this);
  }

  /** A worker thread's transport: its parent is reached through `port`. */
  setParent(port: Port): void {
    this.parent = port;
  }

  reaches(key: string): boolean {
    // Through the parent, every node in the tree can be reached; it says NODE_DOWN for one that is not.
    return this.children.has(key) || this.routes.has(key) || this.parent !== null;
  }

  post(key: string, frames: unknown[]): void {
    const message = [DATA, this.host.selfKey, key, frames];
    (this.children.get(key) ?? this.routes.get(key) ?? this.parent)?.postMessage(message);
  }

  /** True in a thread grove started: it reaches the others through its parent. */
  hasParent(): boolean {
    return this.parent !== null;
  }

  /** A thread this thread started; its messages come to `fromChild`. */
  addChild(key: string, port: Port): void {
    this.children.set(key, port);
    this.host.nodeUp(key);
  }

  /** A message from the parent's port. */
  fromParent(message: unknown[]): void {
    if (message[0] === DATA) this.route(message, null);
    else if (message[0] === NODE_DOWN) this.down(message[1] as string, this.parent);
  }

  /** A message from child `key`'s port (control messages are the thread handle's: see thread.ts). */
  fromChild(key: string, message: unknown[]): void {
    const port = this.children.get(key);
    if (port === undefined) return;
    if (message[0] === DATA) {
      const from = message[1] as string;
      if (from !== key && !this.routes.has(from)) this.routes.set(from, port);
      this.route(message, port);
    } else if (message[0] === NODE_DOWN) this.down(message[1] as string, port);
  }

  /** Child `key` ended: it is down here and for every thread this one reaches. */
  childGone(key: string): void {
    const port = this.children.get(key);
    if (port === undefined) return;
    this.children.delete(key);
    this.down(key, null);
    // The threads it started end with it.
    for (const [route, via] of [...this.routes]) if (via === port) this.down(route, null);
  }

  /** The threads this thread started and that are still up, as node keys. */
  childKeys(): string[] {
    return [...this.children.keys()];
  }

  /** A batch: for this node, or passed on towards its node; unknown there, answered NODE_DOWN. */
  private route(message: unknown[], from: Port | null): void {
    const to = message[2] as string;
    if (to === this.host.selfKey) {
      this.host.receive(message[1] as string, message[3] as unknown[]);
      return;
    }
    const next = this.children.get(to) ?? this.routes.get(to) ?? (from === this.parent ? null : this.parent);
    if (next !== null && next !== undefined) next.postMessage(message);
    else (from ?? this.parent)?.postMessage([NODE_DOWN, to]);
  }

  /** Node `key` is gone: tell this node, and every neighbour but the one that said so. */
  private down(key: string, from: Port | null): void {
    this.routes.delete(key);
    this.host.nodeDown(key);
    const message = [NODE_DOWN, key];
    for (const port of this.children.values()) if (port !== from) port.postMessage(message);
    if (this.parent !== null && this.parent !== from) this.parent.postMessage(message);
  }
}

let transport: ThreadTransport | null = null;

/** @internal this thread's thread transport, made (and attached to its node) on first use. */
export function threadTransport(node: LocalNode): ThreadTransport {
  return (transport ??= new ThreadTransport(node));
}

/** @internal true in a worker thread that grove started (its node is its parent's child). */
export function inGroveThread(): boolean {
  return transport !== null && transport.hasParent();
}

/** `[READY]`, thread to parent: its module is loaded; actors can be spawned on it. */
export const READY = 2;
/** `[STOP, timeoutMs]`, parent to thread: stop every greenlet (as `shutdown()` does), then end. */
export const STOP = 3;
/** `[REPORT, where, reason, greenletName]`, thread to parent: what its hub's error handler got. */
export const REPORT = 4;
