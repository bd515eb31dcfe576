/**
 * The NATS transport: nodes that are processes, on one machine or many,
 * joined through a NATS server (or a NATS cluster). It moves the node
 * runtime's batches (transport.ts) and says which nodes are up.
 *
 * Subjects, under `grove.<cluster>`: each node subscribes once to its own
 * `node.<key>` (one subscription per node, not per actor), where others
 * publish the batches for it, encoded with msgpack (msgpackr) with the
 * sender's key and the session and sequence numbers (session.ts); and every
 * node publishes and hears `heartbeat` every `heartbeatMs`: its key and,
 * for each node it knows, the session with it. A node heard of nothing for
 * `downAfterMs` is down (a `kill -9`, a machine gone, a partition); one
 * that closes says goodbye on the same subject, and is down at once; a
 * node heard under a new incarnation replaces its old one, which is down.
 * A node down is up again when it is heard again, in a new session.
 *
 * While the connection to NATS is down nothing is buffered: a batch for
 * another node is dropped (its messages are dead letters) and that
 * session ends; with nothing heard, every node is down after
 * `downAfterMs`. After the reconnect, nodes are heard again and come up.
 * A node whose own event loop stalled for longer than half the detection
 * time does not declare the others down for what it did not hear then.
 */
import type { NatsConnection, Msg } from '@nats-io/transport-node';
import type { Packr } from 'msgpackr';
import type { Hub } from '../lib/hub.js';
import type { LocalNode } from './local-node.js';
import { DELIVER, RESTART_DELIVER, RESTART_DROP, Session } from './session.js';
import type { Transport, TransportHost } from './transport.js';

/** How the transport is set up (checked by connectNode). */
export interface NatsTransportOptions {
  cluster: string;
  heartbeatMs: number;
  downAfterMs: number;
}

/** A node key that can be part of a subject: `<name>#<incarnation>`. */
const KEY = /^[A-Za-z0-9_-]+#\d+$/;

/** @internal the NATS transport of this process's node. */
export class NatsTransport implements Transport {
  readonly hub: Hub;
  /** Every node this one has heard or been told of, by key. */
  readonly sessions = new Map<string, Session>();
  /** True while the connection to NATS is up. */
  connected = true;
  /** True once closed (by `close`, or because the connection ended): it reaches nothing more. */
  closed = false;
  /** Called when a node is down for the cluster (unheard, goodbye, replaced), while connected: the registry frees its names. */
  onNodeGone: ((key: string) => void) | null = null;
  /** Called after a reconnect (the registry finishes what failed while disconnected). */
  onReconnect: (() => void) | null = null;
  private readonly host: TransportHost;
  private readonly selfKey: string;
  private readonly prefix: string;
  private readonly heartbeatSubject: string;
  private readonly timer: ReturnType<typeof setInterval>;
  private lastTick = performance.now();
  private heartbeatQueued = false;
  /** Keys replaced by a newer incarnation of their name (a heartbeat from one means two nodes share a name). */
  private readonly replaced = new Set<string>();
  /** Waiting for a node of some name to come up (remote-node.ts): told of each node that comes up, and of the close (undefined). */
  private readonly upWaiters = new Set<(session: Session | undefined) => void>();
  private readonly closedPromise: Promise<void>;
  /** How long a node stays known after it went down unheard (then it is forgotten). */
  private readonly forgetAfterMs: number;
  /** When it started (ms of `performance.now()`): within a heartbeat period of that, every node up has been heard. */
  private readonly started = performance.now();

  constructor(
    private readonly nc: NatsConnection,
    private readonly packr: Packr,
    node: LocalNode,
    readonly options: NatsTransportOptions,
    hub: Hub,
  ) {
    this.hub = hub;
    this.host = node.attachTransport(this);
    this.selfKey = node.selfKey;
    this.prefix = `grove.${options.cluster}`;
    this.heartbeatSubject = `${this.prefix}.heartbeat`;
    this.forgetAfterMs = Math.max(60_000, 10 * options.downAfterMs);
    nc.subscribe(this.subject(this.selfKey), { callback: (error, msg) => this.guard(() => error === null && this.batch(msg)) });
    nc.subscribe(this.heartbeatSubject, { callback: (error, msg) => this.guard(() => error === null && this.heartbeat(msg)) });
    this.timer = setInterval(() => this.guard(() => this.tick()), options.heartbeatMs);
    this.timer.unref();
    void this.watchStatus();
    this.closedPromise = nc.closed().then((error) => {
      if (this.closed) return;
      // The client gave up (reconnect attempts exhausted, an auth error): this node is out of the cluster.
      this.shutDown(node);
      this.hub.report(new Error(`grove/cluster: the connection to NATS closed${error instanceof Error ? `: ${error.message}` : ''}; this node is out of cluster ${JSON.stringify(this.options.cluster)}`, { cause: error }), { where: 'link' });
    });
    this.publishHeartbeat();
  }

  /** The subject a node's batches go to. */
  private subject(key: string): string {
    return `${this.prefix}.node.${key}`;
  }

  reaches(key: string): boolean {
    if (this.closed || !KEY.test(key)) return false;
    const session = this.sessions.get(key) ?? this.expect(key);
    // While the connection is down the node is still reached: a batch posted then is dropped, and ends the session.
    return !session.down && !session.gone;
  }

  post(key: string, frames: unknown[]): void {
    const session = this.sessions.get(key);
    if (session === undefined || session.down || session.gone || !this.connected || this.closed) {
      this.host.dropped(key, frames);
      if (session !== undefined && !session.down && !session.gone) this.cutOff(session);
      return;
    }
    try {
      this.nc.publish(this.subject(key), this.packr.pack([this.selfKey, session.number, session.nextSeq(), frames]));
    } catch (error) {
      // A closed connection throws; the batch is lost, so the session ends.
      this.host.dropped(key, frames);
      this.cutOff(session);
      this.hub.report(error, { where: 'link' });
    }
  }

  /** The nodes up, by key. */
  upKeys(): string[] {
    const keys: string[] = [];
    for (const session of this.sessions.values()) if (session.known && !session.down && !session.gone) keys.push(session.key);
    return keys;
  }

  /** The session of an up node named `name` (the one heard last, if two), or undefined. */
  upNamed(name: string): Session | undefined {
    let found: Session | undefined;
    for (const session of this.sessions.values()) {
      if (session.name === name && session.known && !session.down && !session.gone && (found === undefined || session.heard > found.heard)) found = session;
    }
    return found;
  }

  /** Resolves with the session of a node named `name` once one is up, or undefined after `ms`. */
  waitForName(name: string, ms: number, signal: AbortSignal): Promise<Session | undefined> {
    const now = this.upNamed(name);
    if (now !== undefined || this.closed) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (session: Session | undefined): void => {
        clearTimeout(timer);
        this.upWaiters.delete(waiter);
        resolve(session);
      };
      const waiter = (session: Session | undefined): void => {
        if (session === undefined || session.name === name) done(session);
      };
      const timer = setTimeout(() => done(undefined), ms);
      this.upWaiters.add(waiter);
      signal.addEventListener('abort', () => done(undefined));
    });
  }

  /** True when `key` is known to be down or gone here (its names are not handed out). */
  isDown(key: string): boolean {
    const session = this.sessions.get(key);
    return session !== undefined && (session.down || session.gone);
  }

  /** Starts expecting `key` (a reference or a registry entry names it): down if it is not heard within the detection time. */
  expect(key: string): Session {
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = new Session(key, key.slice(0, key.lastIndexOf('#')), performance.now());
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Resolves once a heartbeat period has passed since it started: every node that is up has been heard by then. */
  heardAll(): Promise<void> {
    const left = this.started + this.options.heartbeatMs - performance.now();
    return left <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, left));
  }

  /** Says goodbye, ends every session (everything across them fails with 'noconnection') and closes the connection. */
  async close(node: LocalNode): Promise<void> {
    if (this.closed) return;
    const connected = this.connected;
    if (connected) this.nc.publish(this.heartbeatSubject, this.packr.pack([this.selfKey, null]));
    this.shutDown(node);
    try {
      // Drained (what was published goes first) while connected; closed at once while the client reconnects.
      await (connected ? this.nc.drain() : this.nc.close());
    } catch {
      // Closed already: nothing is left to flush.
    }
    await this.closedPromise;
  }

  /** Stops everything: no more heartbeats, every node down here, the transport detached. */
  private shutDown(node: LocalNode): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const session of this.sessions.values()) {
      if (session.down || session.gone) continue;
      session.down = true;
      this.host.nodeDown(session.key);
    }
    node.detachTransport(this);
    for (const waiter of [...this.upWaiters]) waiter(undefined);
  }

  /** Runs a callback from the NATS client; what it throws is reported, not thrown into the client. */
  private guard(body: () => unknown): void {
    try {
      body();
    } catch (error) {
      this.hub.report(error, { where: 'link' });
    }
  }

  /** Follows the connection: down, nothing is published (sessions with traffic end); back, a heartbeat at once. */
  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.connected = false;
      else if (status.type === 'reconnect') {
        this.connected = true;
        this.publishHeartbeat();
        this.onReconnect?.();
      }
    }
  }

  /** A batch for this node. */
  private batch(msg: Msg): void {
    const [from, number, seq, frames] = this.packr.unpack(msg.data) as [string, number, number, unknown[]];
    const session = this.heard(from);
    if (session === null) return;
    switch (session.arrived(number, seq)) {
      case DELIVER:
        this.host.receive(from, frames);
        return;
      case RESTART_DELIVER:
        this.restarted(session);
        this.host.receive(from, frames);
        return;
      case RESTART_DROP:
        this.restarted(session);
        return;
    }
  }

  /** A heartbeat (or goodbye) of some node, this one's own included. */
  private heartbeat(msg: Msg): void {
    const [from, entries] = this.packr.unpack(msg.data) as [string, unknown[] | null];
    if (from === this.selfKey || this.closed) return;
    if (entries === null) {
      const session = this.sessions.get(from);
      if (session !== undefined && !session.gone) this.gone(session);
      else if (session === undefined) this.expect(from).gone = true;
      return;
    }
    const session = this.heard(from);
    if (session === null) return;
    let number = 1;
    let sent = 0;
    for (let i = 0; i < entries.length; i += 3) {
      if (entries[i] === this.selfKey) {
        number = entries[i + 1] as number;
        sent = entries[i + 2] as number;
        break;
      }
    }
    if (session.heartbeat(number, sent)) this.restarted(session);
  }

  /** Something arrived from `key`: it is heard now (and up, if it was not); null if it is gone. */
  private heard(key: string): Session | null {
    const session = this.sessions.get(key) ?? this.expect(key);
    if (session.gone) {
      if (this.replaced.delete(key)) {
        this.hub.report(new Error(`grove/cluster: two nodes are named ${JSON.stringify(session.name)} in cluster ${JSON.stringify(this.options.cluster)} (${key} was replaced by a newer incarnation, and is still heard): node names must be unique`), { where: 'link' });
      }
      return null;
    }
    session.heard = performance.now();
    if (!session.known || session.down) {
      if (!session.known) {
        // A node heard under a new incarnation: its old one is gone (a process started again under its name).
        for (const other of this.sessions.values()) {
          if (other !== session && other.name === session.name && !other.gone) {
            this.replaced.add(other.key);
            this.gone(other);
          }
        }
      }
      session.known = true;
      session.down = false;
      this.host.nodeUp(key);
      for (const waiter of [...this.upWaiters]) waiter(session);
      // A node that just came up learns of this one at once, not a heartbeat later.
      this.heartbeatSoon();
    }
    return session;
  }

  /** The session with `session`'s node lost a batch (or it started a new one): end it; the node stays up. */
  private restarted(session: Session): void {
    this.host.nodeDown(session.key);
    this.host.nodeUp(session.key);
  }

  /** This node cannot reach it now (a batch was dropped): down here until it is heard again. */
  private cutOff(session: Session): void {
    session.down = true;
    session.restart();
    this.host.nodeDown(session.key);
  }

  /** Unheard for the detection time: down, for the cluster too (its global names are freed). */
  private unheard(session: Session): void {
    this.cutOff(session);
    // Not while this node is cut off itself: then it is the one the others do not hear.
    if (this.connected) this.onNodeGone?.(session.key);
  }

  /** Its node said goodbye, or was replaced: down for good. */
  private gone(session: Session): void {
    const wasDown = session.down;
    session.gone = true;
    session.down = true;
    if (!wasDown) this.host.nodeDown(session.key);
    if (this.connected) this.onNodeGone?.(session.key);
  }

  /** Every `heartbeatMs`: nodes unheard for `downAfterMs` go down, then this node's heartbeat. */
  private tick(): void {
    const now = performance.now();
    const stalled = now - this.lastTick > this.options.downAfterMs / 2;
    this.lastTick = now;
    for (const session of this.sessions.values()) {
      if (session.gone) continue;
      if (session.down) {
        // Long unheard: forgotten, so heartbeats do not grow with every node that ever went away. (Its peer stays
        // down in the node runtime; a reference to it later expects it again, and finds it down again.)
        if (now - session.heard > this.forgetAfterMs) this.sessions.delete(session.key);
        continue;
      }
      // After a stall of this node's own loop, what it did not hear meanwhile proves nothing about the others.
      if (stalled) session.heard = now;
      else if (now - session.heard > this.options.downAfterMs) this.unheard(session);
    }
    this.publishHeartbeat();
  }

  /** A heartbeat now, unless one is queued already. */
  private heartbeatSoon(): void {
    if (this.heartbeatQueued) return;
    this.heartbeatQueued = true;
    setImmediate(() => {
      this.heartbeatQueued = false;
      this.publishHeartbeat();
    });
  }

  /** Publishes this node's heartbeat: its key, and its session with each node it knows. */
  private publishHeartbeat(): void {
    if (!this.connected || this.closed) return;
    const entries: unknown[] = [];
    for (const session of this.sessions.values()) if (!session.gone) entries.push(session.key, session.number, session.sent);
    this.nc.publish(this.heartbeatSubject, this.packr.pack([this.selfKey, entries]));
  }
}
