/**
 * What `StreamServer` and `HttpServer` share (gevent's `BaseServer`):
 * listening, a greenlet per client in a `Pool`, and the life cycle
 * `start()` → `serveForever()` → `stop({ timeout })`.
 *
 * Node accepts connections (and parses requests) in callbacks outside any
 * greenlet. Each client is queued, in arrival order, for the server's
 * acceptor greenlet — gevent's accept loop — which spawns its handler in
 * the pool and blocks while the pool is full: a client beyond its capacity
 * stays connected and waits, unanswered, for a slot (gevent's
 * `spawn=Pool(n)`). Unlike gevent, which stops accepting then, Node has
 * already accepted the connection; it is not read until a handler takes it.
 */
import type { Server, Socket } from 'node:net';
import { getHub, type Hub, type HubHold } from '../lib/hub.js';
import { Event } from '../lib/event.js';
import { Greenlet } from '../lib/greenlet.js';
import { Pool } from '../lib/pool.js';
import { Queue } from '../lib/queue.js';
import { Composite } from '../lib/internal/composite.js';
import { checkFunction, checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import { START_ON } from '../lib/internal/keys.js';
import type { Operation } from '../lib/operation.js';
import { Wakeup, nextEvent } from './internal/wakeup.js';
import { formatAddress, parseAddress, type Address, type AddressInput } from './address.js';
import type { Limit, Steps } from '../lib/internal/within.js';

/** Options every server takes. */
export interface ServerOptions {
  /**
   * Where handlers run: a `Pool` of yours, or a number, the capacity of a
   * new one (default: a pool without limit). While it is full, new clients
   * wait for a slot in arrival order. The pool is the server's: `stop()`
   * kills its members.
   */
  pool?: number | Pool;
}

/** Options of `stop()`. */
export interface StopOptions {
  /**
   * How long to let running handlers finish after the server stops
   * accepting, in ms (default 1000, gevent's `stop_timeout`); those still
   * running then are killed. A Timeout given here is raised.
   */
  timeout?: TimeoutOption;
}

/** Thrown by `start()` when the server cannot listen: the port is in use, the host is not this machine's... */
export class ListenError extends Error {
  static {
    this.prototype.name = 'ListenError';
  }
  /** Node's error code: `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`... */
  readonly code: string;
  /** The address that was refused. */
  readonly address: Address;
  constructor(message: string, code: string, address: Address, cause: unknown) {
    super(message, { cause });
    this.code = code;
    this.address = address;
  }
}

/** gevent's `stop_timeout`. */
const STOP_TIMEOUT_MS = 1000;
const STOP_KEYS = optionKeys<StopOptions>({ timeout: true });

type State = 'new' | 'starting' | 'serving' | 'stopping' | 'stopped';

/**
 * The base of the servers; `Client` is what Node hands over for one
 * client (a socket, a request). Not exported: use `StreamServer` or
 * `HttpServer`.
 */
export abstract class BaseServer<Client> {
  /** The pool the handlers run in; `pool.size` is the number of clients being handled now. */
  readonly pool: Pool;
  private readonly requested: Address;
  private bound: Address | null = null;
  private state: State = 'new';
  private node: Server | null = null;
  /** Clients Node has handed over, waiting for the acceptor. */
  private readonly accepted = new Queue<Accepted<Client>>();
  private acceptor: Greenlet<void> | null = null;
  /** True while the acceptor is between taking a client and starting its handler (waiting for a slot, maybe). */
  private acceptorBusy = false;
  /** The hub the server runs on: its handlers start there, whoever calls from Node. */
  private hub: Hub | null = null;
  private hold: HubHold | null = null;
  /** `StreamServer 127.0.0.1:8080`, once listening: the start of its greenlets' names. */
  private name = '';
  private readonly stopped = new Event();
  /** Set once `start()` has listened or failed: a `stop()` during a start waits for it. */
  private readonly startSettled = new Event();
  /** Every connection open now: handled, waiting for a slot, or closing. */
  private readonly sockets = new Set<Socket>();
  /** Woken when the last connection closes and when the listening socket closes, for `stop()`. */
  private readonly closing = new Wakeup();

  /** Checks the arguments every server takes; the subclass names itself in `call`. */
  protected constructor(
    protected readonly call: string,
    address: AddressInput,
    handler: unknown,
    pool: unknown,
  ) {
    this.requested = parseAddress(call, address);
    checkFunction(call, 'handler', handler);
    this.pool = checkPool(call, pool);
  }

  /** The address listened on once started (with the port the system chose for port 0); before that, the one given. */
  get address(): Address {
    return this.bound ?? this.requested;
  }

  /** The port listened on once started; before that, the one given. */
  get port(): number {
    return this.address.port;
  }

  /** Connections open now: clients being handled, waiting for a slot, or closing. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** True from a successful `start()` until `stop()` begins. */
  get started(): boolean {
    return this.state === 'serving';
  }

  /** True once `stop()` has finished: the server listens no more and every connection is closed. */
  get closed(): boolean {
    return this.state === 'stopped';
  }

  /**
   * Starts listening and accepting clients; returns once the server
   * listens. Throws `ListenError` if it cannot (the port is in use...); a
   * kill while it waits for Node closes the server (`closed`). A server
   * needs a real-clock hub (`run()`): on a virtual clock its handlers'
   * sleeps would never end. Starting twice is an error.
   */
  start(): Operation<void> {
    const call = `${this.kind}.start`;
    if (this.state !== 'new') throw new Error(`${call}: the server was already started`);
    const hub = getHub();
    if (hub.clock === 'virtual') {
      throw new Error(`${call}: a server needs a real-clock hub (run it from run()), not a virtual one`);
    }
    this.state = 'starting';
    return new Composite(call, () => this.listen(call));
  }

  /**
   * Starts the server if it is not started, then serves until `stop()` is
   * called (by another greenlet, a signal handler...). Killing the greenlet
   * in `serveForever` stops the server (with `stop()`'s default timeout).
   */
  serveForever(): Operation<void> {
    const call = `${this.kind}.serveForever`;
    if (this.state !== 'new' && this.state !== 'serving') throw new Error(`${call}: the server was stopped`);
    return new Composite(call, () => this.serving());
  }

  /**
   * gevent's `stop(timeout)`: stops accepting clients and closes the
   * listening socket, drops the clients still waiting for a slot, waits up
   * to `timeout` ms for the running handlers to finish, kills those still
   * running, closes every connection left, and returns once the server is
   * closed. A kill of the caller (or a Timeout given here firing) cuts the
   * grace period short: the handlers are killed and the connections closed
   * at once, then the interrupt goes on. Stopping a stopped server returns
   * at once; a second `stop()` while one runs waits for it, and one during
   * `start()` waits for the start, then stops.
   */
  stop(options?: StopOptions): Operation<void> {
    const call = `${this.kind}.stop`;
    checkOptions(call, options, STOP_KEYS);
    const timeout = options?.timeout === undefined ? STOP_TIMEOUT_MS : checkTimeout(call, options.timeout);
    return new Composite(call, () => this.stopping(timeout));
  }

  /** The class name, for messages and greenlet names. */
  protected get kind(): string {
    return this.constructor.name;
  }

  /** `StreamServer 127.0.0.1:8080`, for greenlet names. */
  protected get label(): string {
    return this.name;
  }

  /** Creates the Node server; it calls `accept(client)` for each client. */
  protected abstract createServer(accept: (client: Client) => void): Server;
  /** The greenlet (not started) that will handle `client`. */
  protected abstract handlerFor(client: Client): Greenlet<void>;
  /** True if the client went away before its handler started. */
  protected abstract gone(client: Client): boolean;
  /** The handler greenlet of `client` is started: from now on, a client that leaves kills it. */
  protected abstract handling(client: Client, handler: Greenlet<void>): void;
  /** Turns away a client that will not be handled (the server is stopping). */
  protected abstract refuse(client: Client): void;

  /**
   * `stop()` begins its grace period: tells the clients that stay connected
   * until told (WebSockets) that the server is going away, so that their
   * handlers can end within it. Nothing by default.
   */
  protected goingAway(): void {}

  private *listen(call: string): Steps<void> {
    const { host, port } = this.requested;
    const node = this.createServer((client) => {
      if (this.state === 'stopping' || this.state === 'stopped') this.refuse(client);
      else if (this.state === 'serving' && !this.acceptorBusy && this.accepted.qsize() === 0 && this.pool.freeCount() > 0) {
        // Nobody is ahead of this client and a slot is free (so nobody waits
        // for one): start its handler now, without the hop through the acceptor.
        this.launch(client);
        // The handler is made here, in Node's callback, even when it must wait for a slot: it runs in the
        // async context of its request (an OpenTelemetry span, a logger's bindings), not the acceptor's.
      } else this.accepted.putNowait({ client, handler: this.handlerFor(client) });
    });
    this.node = node;
    node.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        if (this.sockets.size === 0) this.closing.wake();
      });
    });
    let listening = false;
    try {
      node.listen({ host: host === '' ? undefined : host, port });
      try {
        yield* nextEvent(node, 'listening');
      } catch (error) {
        throw listenError(call, this.requested, error as NodeJS.ErrnoException);
      }
      listening = true;
    } finally {
      if (!listening) {
        this.state = 'stopped';
        this.stopped.set();
        this.startSettled.set();
        node.close();
      }
    }
    const bound = node.address();
    this.bound = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : this.requested;
    this.name = `${this.kind} ${formatAddress(this.bound)}`;
    const hub = (this.hub = getHub());
    // Clients come from outside the hub: while it listens, a run() main waiting on them is not stuck.
    this.hold = hub.hold();
    const acceptor = new Greenlet<void>(() => this.acceptLoop());
    acceptor.name = `${this.label} acceptor`;
    this.acceptor = acceptor.start();
    // A later error of the listening socket (accept failing for want of file
    // descriptors...) must not crash the process: the hub reports it.
    node.on('error', (error) => hub.report(error, { greenlet: acceptor, where: 'greenlet' }));
    this.state = 'serving';
    this.startSettled.set();
  }

  /** gevent's accept loop: each client in arrival order gets a handler in the pool, when a slot is free. */
  private *acceptLoop(): Steps<void> {
    for (;;) {
      const { client, handler } = yield* this.accepted.get();
      if (this.gone(client)) continue;
      this.acceptorBusy = true;
      try {
        yield* this.pool.add(handler); // blocks while the pool is full
        if (this.gone(client)) {
          this.pool.discard(handler);
          continue;
        }
        handler.start();
        this.handling(client, handler);
      } finally {
        this.acceptorBusy = false;
      }
    }
  }

  /** Starts `client`'s handler in a free slot of the pool, from Node's callback. */
  private launch(client: Client): void {
    const handler = this.handlerFor(client);
    this.pool.insert(handler);
    handler[START_ON](this.hub!);
    this.handling(client, handler);
  }

  private *serving(): Steps<void> {
    if (this.state === 'new') yield* this.start();
    try {
      yield* this.stopped.wait();
    } finally {
      if (this.state === 'serving') yield* this.stop();
    }
  }

  private *stopping(timeout: Limit): Steps<void> {
    if (this.state === 'starting') yield* this.startSettled.wait();
    if (this.state === 'new') {
      this.state = 'stopped';
      this.stopped.set();
      return;
    }
    if (this.state !== 'serving') {
      yield* this.stopped.wait();
      return;
    }
    this.state = 'stopping';
    const node = this.node!;
    let nodeClosed = false;
    node.close(() => {
      nodeClosed = true;
      this.closing.wake();
    });
    let cut = false;
    try {
      yield* this.acceptor!.kill();
      while (this.accepted.qsize() > 0) this.refuse(this.accepted.getNowait().client);
      this.goingAway();
      if (!(yield* this.pool.join({ timeout }))) yield* this.pool.kill();
      cut = true;
      this.closeConnections();
      while (!nodeClosed || this.sockets.size > 0) yield* this.closing.wait();
    } finally {
      // Killed, or a Timeout given to stop() fired: the same end, without the grace period.
      if (!cut) {
        this.pool.kill();
        this.closeConnections();
      }
      this.hold!.release();
      this.state = 'stopped';
      this.stopped.set();
    }
  }

  private closeConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

/** A client taken by Node's callback, with its handler made there, waiting for the acceptor. */
interface Accepted<Client> {
  readonly client: Client;
  readonly handler: Greenlet<void>;
}

function checkPool(call: string, pool: unknown): Pool {
  if (pool === undefined) return new Pool();
  if (pool instanceof Pool) return pool;
  if (typeof pool === 'number' && (pool === Infinity || (Number.isInteger(pool) && pool >= 1))) return new Pool(pool);
  const message = `${call}: pool must be a positive integer or a Pool, got ${show(pool)}`;
  throw typeof pool === 'number' ? new RangeError(message) : new TypeError(message);
}

/** @internal the ListenError for a failed `listen` (the observer's too). */
export function listenError(call: string, address: Address, error: NodeJS.ErrnoException): ListenError {
  const where = formatAddress(address);
  const code = error.code ?? 'UNKNOWN';
  const why =
    code === 'EADDRINUSE' ? `${where} is already in use`
    : code === 'EACCES' ? `no permission to listen on ${where}`
    : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `${show(address.host)} is not an address of this machine`
    : `cannot listen on ${where}: ${error.message}`;
  return new ListenError(`${call}: ${why} (${code})`, code, address, error);
}
