/**
 * `Connection`: a TCP socket used from a greenlet, as gevent's cooperative
 * socket is. `recv`, `readLine`, `sendAll` and `close` block only the
 * calling greenlet and take `{ timeout }`. Reads pull from the socket (a
 * greenlet that does not read leaves the peer waiting, not the server's
 * memory growing) and `sendAll` waits while Node's write buffer is full,
 * so a peer that does not read slows its writer down instead of growing
 * the buffer without bound. `StreamServer` hands one to each handler;
 * `connect` opens one to a server.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { StreamReader } from './internal/stream-reader.js';
import { Wakeup, nextEvent } from './internal/wakeup.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';
import { parseAddress, type AddressInput } from './address.js';

export { LineTooLong } from './internal/stream-reader.js';

/** Thrown by `sendAll` when the peer has closed or reset the connection: what was not sent is lost. */
export class ConnectionClosed extends Error {
  static {
    this.prototype.name = 'ConnectionClosed';
  }
}

/** Options of `Connection.recv`. */
export interface RecvOptions {
  /** The most bytes to return (default 65,536). */
  maxBytes?: number;
  /** Throw `Timeout` if nothing arrives within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

/** Options of `Connection.readLine`. */
export interface ReadLineOptions {
  /** The longest line accepted, in bytes (default 65,536): a longer one throws `LineTooLong`. */
  maxBytes?: number;
  /** Throw `Timeout` if no whole line arrives within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

/** Options of `Connection.sendAll` and `Connection.close`. */
export interface SendOptions {
  /** Give up waiting after this many ms (see each call); a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** Throw `Timeout` (and drop the attempt) if not connected within this many ms. */
  timeout?: TimeoutOption;
}

const DEFAULT_MAX_BYTES = 65_536;
/** After a handler returns, how long its connection may sit with unsent data and no progress before it is cut. */
const LINGER_MS = 5000;

const RECV_KEYS = optionKeys<RecvOptions>({ maxBytes: true, timeout: true });
const TIMEOUT_KEYS = optionKeys<SendOptions>({ timeout: true });

/** @internal ends a server connection once its handler has returned (see `StreamServer`). */
export const RELEASE: unique symbol = Symbol('grove.server.release');

/**
 * A TCP connection driven from greenlets. One greenlet may read while
 * another writes; two reading at once (or two writing) is an error, as in
 * gevent. Closing is `close()` (flush, then close) or `destroy()` (at once).
 */
export class Connection {
  /** The peer's IP address (kept after the connection closes). */
  readonly remoteAddress: string;
  /** The peer's port. */
  readonly remotePort: number;
  private readonly reader: StreamReader;
  private readonly drained = new Wakeup();
  private writing: string | null = null;
  /** `close()` or `destroy()` was called here. */
  private closedHere = false;
  /** Why the connection failed (a reset), if it did. */
  private failure: Error | null = null;

  /**
   * Wraps a connected Node socket; from now on its incoming bytes wait for
   * `recv`/`readLine`. The socket is Node's, for what this class does not
   * cover (`setNoDelay`, `setKeepAlive`); writing to it directly bypasses
   * the backpressure `sendAll` gives.
   */
  constructor(readonly socket: Socket) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    socket.on('error', (error) => {
      this.failure ??= error;
    });
    this.reader = new StreamReader(socket);
    socket.on('drain', this.drained.wake);
    socket.on('finish', this.drained.wake);
    socket.on('close', this.drained.wake);
  }

  /** True once `close()` or `destroy()` was called, or the connection is gone (reset, or closed both ways). */
  get closed(): boolean {
    return this.closedHere || this.socket.destroyed;
  }

  /**
   * Waits for bytes and returns what arrived, up to `maxBytes`; returns
   * `null` once the peer has closed (or reset) the connection and every byte
   * was read — gevent's empty `recv`. Blocks while nothing has arrived;
   * throws `Timeout` after `timeout` ms. A kill while waiting loses nothing:
   * the bytes wait for the next read.
   */
  recv(options?: RecvOptions): Operation<Buffer | null> {
    checkOptions('Connection.recv', options, RECV_KEYS);
    const maxBytes = checkMaxBytes('Connection.recv', options?.maxBytes);
    const timeout = checkTimeout('Connection.recv', options?.timeout);
    return new Composite('Connection.recv', () => this.reader.read('Connection.recv', maxBytes, timeout));
  }

  /**
   * Waits for a whole line and returns it without its `\n` or `\r\n`,
   * decoded as UTF-8; a last line the peer did not end is returned as it
   * is, then `null` once every byte was read. Blocks until a line end
   * arrives; throws `Timeout` after `timeout` ms (the part of the line
   * already received stays for the next read), and `LineTooLong` if no line
   * end comes within `maxBytes`.
   */
  readLine(options?: ReadLineOptions): Operation<string | null> {
    checkOptions('Connection.readLine', options, RECV_KEYS);
    const maxBytes = checkMaxBytes('Connection.readLine', options?.maxBytes);
    const timeout = checkTimeout('Connection.readLine', options?.timeout);
    return new Composite('Connection.readLine', () => this.reader.readLine('Connection.readLine', maxBytes, timeout));
  }

  /**
   * Sends `data` (a string is sent as UTF-8). Returns once Node has taken
   * it and its write buffer is below the socket's high-water mark; blocks
   * while the peer does not read fast enough. Throws `ConnectionClosed` if
   * the peer has closed or reset the connection, and `Timeout` after
   * `timeout` ms (what was taken stays queued: the call cannot be undone).
   */
  sendAll(data: string | Uint8Array, options?: SendOptions): Operation<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError(`Connection.sendAll: data must be a string or a Uint8Array, got ${show(data)}`);
    }
    checkOptions('Connection.sendAll', options, TIMEOUT_KEYS);
    const timeout = checkTimeout('Connection.sendAll', options?.timeout);
    return new Composite('Connection.sendAll', () => this.send(data, timeout));
  }

  /**
   * Closes the connection: what was sent is flushed, the peer sees the end
   * of the stream, then the socket is released. Blocks until the data has
   * left; returns true then, or false if `timeout` ms passed first (the
   * connection is cut and the rest is lost). Bytes the peer sent that
   * nobody read are dropped. A kill while waiting cuts the connection.
   * Closing a closed connection returns true at once.
   */
  close(options?: SendOptions): Operation<boolean> {
    checkOptions('Connection.close', options, TIMEOUT_KEYS);
    const timeout = checkTimeout('Connection.close', options?.timeout);
    return new Composite('Connection.close', () => this.shut(timeout));
  }

  /** Closes the connection at once: what was not sent yet is lost. Never blocks. */
  destroy(): void {
    this.closedHere = true;
    this.socket.destroy();
  }

  private *send(data: string | Uint8Array, timeout: Limit): Steps<void> {
    this.checkWritable('Connection.sendAll');
    if (this.writing !== null) throw new Error(`Connection.sendAll: another greenlet is writing to this connection (in ${this.writing})`);
    this.writing = 'Connection.sendAll';
    try {
      if (this.socket.write(data)) return;
      yield* within(timeout, () => this.waitDrained(), raise);
    } finally {
      this.writing = null;
    }
  }

  private *waitDrained(): Steps<void> {
    for (;;) {
      this.checkWritable('Connection.sendAll');
      if (!this.socket.writableNeedDrain) return;
      yield* this.drained.wait();
    }
  }

  private checkWritable(call: string): void {
    if (this.closedHere) throw new Error(`${call}: the connection was closed by close() or destroy()`);
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) {
      const why = this.failure === null ? 'closed by the peer' : `lost (${describe(this.failure)})`;
      throw new ConnectionClosed(`${call}: the connection to ${this.remoteAddress}:${this.remotePort} was ${why}`, {
        cause: this.failure ?? undefined,
      });
    }
  }

  private *shut(timeout: Limit): Steps<boolean> {
    const socket = this.socket;
    if (socket.destroyed) {
      this.closedHere = true;
      return true;
    }
    this.closedHere = true;
    socket.end();
    try {
      return yield* within(timeout, () => this.waitFinished(), () => false);
    } finally {
      socket.destroy();
    }
  }

  private *waitFinished(): Steps<boolean> {
    while (!this.socket.writableFinished && !this.socket.destroyed) yield* this.drained.wait();
    return true;
  }

  /**
   * @internal Ends the connection after its handler returned, without
   * blocking: the peer gets what was sent and the end of the stream; the
   * socket is released once that has left, or after LINGER_MS without
   * progress (a peer that stopped reading).
   */
  [RELEASE](): void {
    const socket = this.socket;
    this.closedHere = true;
    if (socket.destroyed) return;
    socket.setTimeout(LINGER_MS, () => socket.destroy());
    socket.end(() => socket.destroy());
  }
}

/**
 * Opens a TCP connection to `address` (`'host:port'` or `{ host, port }`;
 * an empty host is this machine). Blocks until connected; throws Node's
 * error (`ECONNREFUSED`...) if the connection fails, and `Timeout` after
 * `timeout` ms. A kill while connecting drops the attempt.
 */
export function connect(address: AddressInput, options?: ConnectOptions): Operation<Connection> {
  const { host, port } = parseAddress('connect', address);
  checkOptions('connect', options, TIMEOUT_KEYS);
  const timeout = checkTimeout('connect', options?.timeout);
  if (port === 0) throw new RangeError(`connect: address must name a port from 1 to 65535, got port 0`);
  return new Composite('connect', () => connecting(host === '' ? 'localhost' : host, port, timeout));
}

function* connecting(host: string, port: number, timeout: Limit): Steps<Connection> {
  const socket = netConnect({ host, port, allowHalfOpen: true });
  let connected = false;
  try {
    yield* within(timeout, () => nextEvent(socket, 'connect'), raise);
    connected = true;
    return new Connection(socket);
  } finally {
    if (!connected) socket.destroy();
  }
}

function checkMaxBytes(call: string, value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${call}: maxBytes must be a positive integer, got ${show(value)}`);
  }
  return value;
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? error.message;
}

