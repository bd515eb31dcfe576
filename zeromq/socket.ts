/**
 * `Socket`: a ZeroMQ socket used from greenlets, as pyzmq's `zmq.green`
 * sockets are from gevent's. `send` and `receive` wait on the binding's
 * promises through `call()`, so they block only the calling greenlet: the
 * others run meanwhile. `openSocket` (open-socket.ts) makes one.
 *
 * The binding allows one send and one receive in flight per socket, and
 * cannot take either back. So a send or receive cut short (a timeout, a
 * kill) leaves its operation in flight here, and the next call on that side
 * picks it up: a receive returns the message the interrupted one was
 * waiting for, a send waits for the interrupted message to go first.
 */
import { Interrupt } from '../lib/errors.js';
import { call } from '../lib/call.js';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';
import type { RawSocket, SocketType } from './internal/binding.js';

/** Thrown by `send` and `receive` on a socket that is closed, or that `close()` closed while they waited. */
export class SocketClosed extends Error {
  static {
    this.prototype.name = 'SocketClosed';
  }
}

/** An error of ZeroMQ's, from `openSocket`, `send` or `receive`, with ZeroMQ's code. */
export class ZeroMQError extends Error {
  static {
    this.prototype.name = 'ZeroMQError';
  }
  /** ZeroMQ's error code: `EADDRINUSE`, `EINVAL`, `EPROTONOSUPPORT`, `EFSM`... */
  readonly code: string;
  constructor(message: string, code: string, cause: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/** One frame of a message: a string is sent as UTF-8. */
export type Frame = string | Uint8Array;

/** Options of `Socket.send` and `Socket.receive`. */
export interface SocketWaitOptions {
  /** Throw `Timeout` after this many ms (what was in flight stays so: see the call); a Timeout given here is raised. */
  timeout?: TimeoutOption;
}
const WAIT_KEYS = optionKeys<SocketWaitOptions>({ timeout: true });

/** The types that can receive (push and publish sockets only send), and that can send (pull and subscribe sockets only receive). */
const RECEIVES: ReadonlySet<SocketType> = new Set(['pair', 'request', 'reply', 'dealer', 'router', 'pull', 'subscribe']);
const SENDS: ReadonlySet<SocketType> = new Set(['pair', 'request', 'reply', 'dealer', 'router', 'push', 'publish']);

/**
 * A ZeroMQ socket driven from greenlets. One greenlet may receive while
 * another sends; two receiving at once (or two sending) is an error.
 * `close()` releases it: close it in a `finally`, so that a greenlet killed
 * while it waits closes its socket too. Like a listening server, an open
 * socket with a receive in flight keeps the process alive.
 */
export class Socket {
  /** The endpoint the socket was last bound to, with the port ZeroMQ chose for `*` (one that only connects: the last it connected to). */
  readonly endpoint: string;
  /** The binding's receive in flight, not yet returned by `receive` (one that was interrupted). */
  private inbound: Promise<Buffer[]> | null = null;
  /** The binding's send in flight that an interrupted `send` left. */
  private outbound: Promise<void> | null = null;
  private receiving = false;
  private sending = false;

  /** Sockets are made by `openSocket`. */
  private constructor(
    private readonly raw: RawSocket,
    /** The socket's type: `'request'`, `'reply'`... */
    readonly type: SocketType,
    endpoint: string,
  ) {
    this.endpoint = endpoint;
  }

  /** @internal wraps a socket of the binding's, bound or connected by `openSocket`. */
  static wrap(raw: RawSocket, type: SocketType, endpoint: string): Socket {
    return new Socket(raw, type, endpoint);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.raw.closed;
  }

  /**
   * Waits for the next message and returns its frames (most messages have
   * one: `const [body] = yield* socket.receive()`). Blocks while none has
   * arrived. Throws `Timeout` after `timeout` ms and, like a kill, loses
   * nothing: the message comes to the next `receive`, and the socket stays
   * usable. Throws `SocketClosed` if the socket is closed, or closed while
   * waiting.
   */
  receive(options?: SocketWaitOptions): Operation<Buffer[]> {
    checkOptions('Socket.receive', options, WAIT_KEYS);
    const timeout = checkTimeout('Socket.receive', options?.timeout);
    if (!RECEIVES.has(this.type)) throw new TypeError(`Socket.receive: a '${this.type}' socket cannot receive`);
    return new Composite('Socket.receive', () => this.receiveSteps(timeout));
  }

  /**
   * Sends a message: one frame, or an array of frames sent as one multipart
   * message. Returns once ZeroMQ has queued it; blocks while it cannot (a
   * request socket that has no peer yet, or whose peers' queues are full).
   * Throws `Timeout` after `timeout` ms; like a kill, that cannot take the
   * message back: it is still sent when ZeroMQ can, and the next `send`
   * waits for it first. Throws `SocketClosed` if the socket is closed, or
   * closed while waiting (the message is then lost).
   */
  send(message: Frame | readonly Frame[], options?: SocketWaitOptions): Operation<void> {
    const isFrame = (value: unknown) => typeof value === 'string' || value instanceof Uint8Array;
    if (!isFrame(message) && !(Array.isArray(message) && message.length > 0 && message.every(isFrame))) {
      throw new TypeError(`Socket.send: message must be a string, a Uint8Array or a non-empty array of them, got ${show(message)}`);
    }
    checkOptions('Socket.send', options, WAIT_KEYS);
    const timeout = checkTimeout('Socket.send', options?.timeout);
    if (!SENDS.has(this.type)) throw new TypeError(`Socket.send: a '${this.type}' socket cannot send`);
    return new Composite('Socket.send', () => this.sendSteps(message as Frame | Frame[], timeout));
  }

  /**
   * Closes the socket. Never blocks: the messages ZeroMQ still holds leave
   * in the background for up to the socket's `linger` ms (see
   * `openSocket`), then are dropped. A greenlet waiting in `send` or
   * `receive` gets `SocketClosed`. Closing a closed socket does nothing.
   */
  close(): void {
    this.raw.close();
  }

  /**
   * A subscribe socket's filters: from now on, receive the messages whose
   * first frame starts with one of `prefixes` (`''`: every message). A new
   * subscribe socket receives nothing until it subscribes (or was opened with
   * `subscribe`). Never blocks; the filter reaches the publishers in the
   * background, so what they send meanwhile may still be dropped (ZeroMQ's
   * "slow joiner"). A `TypeError` on any other type of socket;
   * `SocketClosed` on a closed one.
   */
  subscribe(...prefixes: Frame[]): void {
    this.filter('Socket.subscribe', prefixes).subscribe!(...prefixes.map(asFilter));
  }

  /** Removes filters `subscribe` added (the same prefixes); messages already queued here still arrive. Never blocks. */
  unsubscribe(...prefixes: Frame[]): void {
    this.filter('Socket.unsubscribe', prefixes).unsubscribe!(...prefixes.map(asFilter));
  }

  private filter(call: string, prefixes: unknown[]): RawSocket {
    if (this.type !== 'subscribe') throw new TypeError(`${call}: only a 'subscribe' socket has filters, this one is '${this.type}'`);
    checkPrefixes(call, prefixes);
    this.checkOpen(call);
    return this.raw;
  }

  private *receiveSteps(timeout: Limit): Steps<Buffer[]> {
    this.checkOpen('Socket.receive');
    if (this.receiving) throw new Error('Socket.receive: another greenlet is receiving on this socket');
    this.receiving = true;
    try {
      this.inbound ??= this.raw.receive();
      const frames = yield* call(this.inbound, { timeout });
      this.inbound = null;
      return frames;
    } catch (error) {
      if (error instanceof Interrupt) throw error; // a timeout or a kill: the receive stays in flight
      this.inbound = null;
      throw this.failure('Socket.receive', error);
    } finally {
      this.receiving = false;
    }
  }

  private *sendSteps(message: Frame | Frame[], timeout: Limit): Steps<void> {
    this.checkOpen('Socket.send');
    if (this.sending) throw new Error('Socket.send: another greenlet is sending on this socket');
    this.sending = true;
    try {
      yield* within(timeout, () => this.sendAfterOutbound(message), raise);
    } catch (error) {
      if (error instanceof Interrupt) throw error;
      this.outbound = null;
      throw this.failure('Socket.send', error);
    } finally {
      this.sending = false;
    }
  }

  private *sendAfterOutbound(message: Frame | Frame[]): Steps<void> {
    if (this.outbound !== null) {
      yield* call(this.outbound);
      this.outbound = null;
    }
    this.outbound = this.raw.send(message);
    yield* call(this.outbound);
    this.outbound = null;
  }

  private checkOpen(call: string): void {
    if (this.raw.closed) throw new SocketClosed(`${call}: the socket is closed`);
  }

  /** The error to throw for a rejection of the binding's: closing rejects what is in flight with EAGAIN. */
  private failure(call: string, error: unknown): unknown {
    if (this.raw.closed) return new SocketClosed(`${call}: the socket was closed`, { cause: error });
    return zeroMQError(call, error);
  }
}

/** @internal checks a subscription's prefixes: at least one, each a string or bytes (`''` for every message). */
export function checkPrefixes(call: string, prefixes: unknown[]): void {
  if (prefixes.length === 0 || !prefixes.every((prefix) => typeof prefix === 'string' || prefix instanceof Uint8Array)) {
    throw new TypeError(`${call}: give one or more prefixes, each a string or a Uint8Array ('' for every message), got ${show(prefixes)}`);
  }
}

/** @internal a prefix as the binding takes it (it wants Buffers, not other byte arrays). */
export function asFilter(prefix: Frame): string | Buffer {
  return typeof prefix === 'string' || Buffer.isBuffer(prefix) ? prefix : Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
}

/** @internal a binding error as a `ZeroMQError` naming the call; anything else (a bug) as it is. */
export function zeroMQError(call: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string') return error;
  return new ZeroMQError(`${call}: ${code}: ${error.message}`, code, error);
}
