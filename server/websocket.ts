/**
 * `WebSocket`: one WebSocket connection driven from a greenlet (what
 * gevent-websocket's `ws` is to a WSGI handler), on the `ws` package. Both
 * ends are this class: `HttpServer` hands one to a handler of its
 * `websockets` option after the upgrade handshake, and `connectWebSocket`
 * returns one to the greenlet that connects. `receive` and `send` block
 * only the calling greenlet and take `{ timeout }`; `close` never blocks.
 *
 * Backpressure both ways, as `Connection` has it: `send` waits while more
 * than 64 KiB wait to leave (a peer that does not read slows its writer
 * down), and at most 16 messages wait unread before the socket stops being
 * read (a handler that does not receive slows its peer down, through TCP).
 */
import type { Socket } from 'node:net';
import type { RawData, WebSocket as WsSocket } from 'ws';
import type { Greenlet } from '../lib/greenlet.js';
import { Deque } from '../lib/internal/deque.js';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { ConnectionClosed } from './connection.js';
import type { HttpRequest } from './http-request.js';
import { Wakeup } from './internal/wakeup.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';

/**
 * Handles one WebSocket: a generator function (the usual case), or a plain
 * or async function, run in a greenlet of its own; `request` is the upgrade
 * request (its path, query, headers). When it returns the socket is closed
 * with 1000 (normal); when it fails, with 1011 (internal error).
 */
export type WebSocketHandler = (socket: WebSocket, request: HttpRequest) => Operation<void> | PromiseLike<void> | void;

/** A message received: a text message as a string, a binary one as bytes. */
export type WebSocketMessage = string | Buffer;

/**
 * Thrown by `send` when the socket is closed or closing, by the peer, by
 * the connection's loss or by the server's `stop()`: what was not sent is
 * lost. A `ConnectionClosed`, so a handler that ends with it ended
 * normally, and one `catch` covers sockets and WebSockets.
 */
export class WebSocketClosed extends ConnectionClosed {
  static {
    this.prototype.name = 'WebSocketClosed';
  }
}

/** Options of `WebSocket.receive` and `WebSocket.send`. */
export interface WebSocketWaitOptions {
  /** Throw `Timeout` if the call has not finished within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

/** `send` waits while more bytes than this wait to leave: the bound of its backpressure. */
const SEND_BUFFER_BYTES = 64 * 1024;
/** Messages received and not taken before the socket is paused (it is read again once half were taken). */
const INBOX_MESSAGES = 16;
const KEYS = optionKeys<WebSocketWaitOptions>({ timeout: true });
/** RFC 6455's limit for a close frame's reason (125 bytes of payload, 2 of them the code). */
const MAX_REASON_BYTES = 123;
/** The largest message accepted by default, both ends (ws's own default, 100 MiB, is a lot to buffer per socket). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a closing WebSocket waits for the peer's close frame before its connection is cut (ws's default is 30 s). */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * The `ws` options both ends share (its server's and its client's): no
 * compression (a compressed message's size is not what `maxMessageBytes`
 * bounds on the wire, and zlib's memory per socket is not small), the
 * message limit, and the 5 s the class comment promises for a close.
 */
export function wsOptions(maxMessageBytes: number): { perMessageDeflate: false; maxPayload: number } {
  // closeTimeout is ws 8.19's; @types/ws 8.18 does not list it yet.
  return { perMessageDeflate: false, maxPayload: maxMessageBytes, closeTimeout: CLOSE_TIMEOUT_MS } as { perMessageDeflate: false; maxPayload: number };
}

/** @internal the server's end of a socket: the handler greenlet is started (a peer that leaves kills it). */
export const HANDLING: unique symbol = Symbol('grove.server.websocket.handling');
/** @internal the server's end of a socket: its handler ended, normally (1000), failing (1011) or killed (1001). */
export const FINISH: unique symbol = Symbol('grove.server.websocket.finish');
/** @internal the server's end of a socket: `stop()` began, close with 1001. */
export const SHUT_DOWN: unique symbol = Symbol('grove.server.websocket.shutDown');

/** Who began the closing handshake on this side, if this side did. */
type ClosedBy = 'close()' | 'the server' | null;

/**
 * A WebSocket driven from greenlets, the server's end or the client's. One
 * greenlet may receive while another sends; two receiving at once (or two
 * sending) is an error, as it is for a `Connection`.
 *
 * When the peer goes away (it closes, or the connection is lost), a
 * greenlet blocked in this socket's `receive` or `send` is woken by it
 * (`null`, or `WebSocketClosed`), on either end. On the server's end, a
 * handler blocked anywhere else (a sleep, a Queue) is also killed there,
 * its `finally` blocks run, as an `HttpServer` handler is when its client
 * disconnects; a handler that already saw the end, or that closed the
 * socket itself, is left to finish. On the client's end (`connectWebSocket`)
 * no greenlet owns the socket, so none is killed: the end is learnt at the
 * next `receive` (`null`, `closeCode` 1001 when the server stopped) or
 * `send` (`WebSocketClosed`).
 */
export class WebSocket {
  /** The peer's IP address (kept after the socket closes). */
  readonly remoteAddress: string;
  /** The peer's port. */
  readonly remotePort: number;
  private readonly inbox = new Deque<WebSocketMessage>();
  private readonly arrived = new Wakeup();
  private readonly drained = new Wakeup();
  private receiving: string | null = null;
  private sending: string | null = null;
  private closedBy: ClosedBy = null;
  /** True once the `close` event came: the closing handshake is over, or the connection was lost. */
  private done = false;
  /** The handler saw the end (`receive` gave null, `send` threw): a peer that leaves no longer kills it. */
  private told = false;
  private handler: Greenlet<void> | null = null;
  private failure: Error | null = null;
  private code: number | null = null;
  private reason = '';

  /** @internal made by `HttpServer` for each upgraded connection, by `connectWebSocket` for each it opens. */
  constructor(
    private readonly ws: WsSocket,
    socket: Socket,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    // A protocol error (a bad frame, a message over maxMessageBytes): ws closes the socket; the handler sees the close.
    ws.on('error', this.onError);
  }

  /** True once either side began to close the socket, or the connection is gone. */
  get closed(): boolean {
    return this.closedBy !== null || this.ws.readyState !== this.ws.OPEN;
  }

  /**
   * The close code once the socket is closed, null before: the code of the
   * peer's close frame (its own when it closed first, usually the echo of
   * this side's when this side did), 1005 if that frame had none, 1006 if
   * the connection ended without one (lost, or cut for a protocol error
   * such as a message over `maxMessageBytes`).
   */
  get closeCode(): number | null {
    return this.code;
  }

  /** The reason that came with `closeCode` (often empty). */
  get closeReason(): string {
    return this.reason;
  }

  /** The subprotocol the server chose from the client's `protocols` ('' when none was). */
  get protocol(): string {
    return this.ws.protocol;
  }

  /** Bytes sent and not yet handed to the network (the browser's `bufferedAmount`). */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Waits for the next message and returns it: a string for a text
   * message, a Buffer for a binary one. Returns `null` once the socket is
   * closed — the closing handshake done, whoever began it, or the connection
   * lost — and every message that arrived before was taken (`Connection.recv`'s
   * rule; `closeCode` then says why). Blocks while nothing has arrived;
   * throws `Timeout` after `timeout` ms. A kill while waiting loses nothing:
   * messages wait for the next call.
   */
  receive(options?: WebSocketWaitOptions): Operation<WebSocketMessage | null> {
    checkOptions('WebSocket.receive', options, KEYS);
    const timeout = checkTimeout('WebSocket.receive', options?.timeout);
    return new Composite('WebSocket.receive', () => this.take(timeout));
  }

  /**
   * Sends `data` as one message: a string as a text message, bytes as a
   * binary one. Returns once `ws` has taken it and at most 64 KiB wait to
   * leave (`bufferedAmount`); blocks while the peer reads slower than that.
   * Throws `WebSocketClosed` if the socket is closed or closing (by the
   * peer, a lost connection or the server's `stop()`), and `Timeout` after
   * `timeout` ms (the message stays queued: the call cannot be undone).
   * Sending after this side's own `close()` is an error.
   */
  send(data: string | Uint8Array, options?: WebSocketWaitOptions): Operation<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError(`WebSocket.send: data must be a string or a Uint8Array, got ${show(data)}`);
    }
    checkOptions('WebSocket.send', options, KEYS);
    const timeout = checkTimeout('WebSocket.send', options?.timeout);
    return new Composite('WebSocket.send', () => this.transmit(data, timeout));
  }

  /**
   * Begins the closing handshake with `code` (default 1000, normal; 1000
   * to 1014 as RFC 6455 allows them, or 3000 to 4999 for applications) and
   * `reason` (at most 123 bytes of UTF-8). Never blocks: the peer's answer
   * comes later (`receive` returns null then), and a peer that does not
   * answer within 5 s is cut off. What was sent before still leaves first.
   * Closing a closed socket does nothing. To wait for the end (a client
   * that must leave nothing open), `receive` until it returns null.
   */
  close(code = 1000, reason = ''): void {
    if (typeof code !== 'number' || !isCloseCode(code)) {
      throw new RangeError(`WebSocket.close: code must be 1000, 1001, 1002, 1003, 1007 to 1014 or 3000 to 4999, got ${show(code)}`);
    }
    if (typeof reason !== 'string') throw new TypeError(`WebSocket.close: reason must be a string, got ${show(reason)}`);
    if (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
      throw new RangeError(`WebSocket.close: reason must be at most ${MAX_REASON_BYTES} bytes of UTF-8, got ${Buffer.byteLength(reason)}`);
    }
    this.closeHere('close()', code, reason);
  }

  /** @internal the handler greenlet started: from now on, a peer that leaves may kill it (see the class comment). */
  [HANDLING](handler: Greenlet<void>): void {
    this.handler = handler;
    if (this.done) this.leave();
  }

  /** @internal the handler ended: the socket is closed with `code` if it is still open. */
  [FINISH](code: number): void {
    this.handler = null;
    this.closeHere('close()', code, '');
  }

  /** @internal the server is stopping: the socket is closed with 1001 (going away), waiters are woken. */
  [SHUT_DOWN](): void {
    this.closeHere('the server', 1001, 'the server is stopping');
  }

  private closeHere(by: 'close()' | 'the server', code: number, reason: string): void {
    if (this.closed) return;
    this.closedBy = by;
    this.ws.close(code, reason);
    // A sender waiting for the buffer to drain must learn at once that nothing more will be sent.
    this.drained.wake();
  }

  private *take(timeout: Limit): Steps<WebSocketMessage | null> {
    if (this.receiving !== null) throw new Error(`WebSocket.receive: another greenlet is receiving from this socket (in ${this.receiving})`);
    this.receiving = 'WebSocket.receive';
    try {
      return yield* within(timeout, () => this.nextMessage(), raise);
    } finally {
      this.receiving = null;
    }
  }

  private *nextMessage(): Steps<WebSocketMessage | null> {
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) {
        if (this.ws.isPaused && this.inbox.length <= INBOX_MESSAGES / 2) this.ws.resume();
        return message;
      }
      if (this.done) {
        this.told = true;
        return null;
      }
      yield* this.arrived.wait();
    }
  }

  private *transmit(data: string | Uint8Array, timeout: Limit): Steps<void> {
    this.checkOpen();
    if (this.sending !== null) throw new Error(`WebSocket.send: another greenlet is sending on this socket (in ${this.sending})`);
    this.sending = 'WebSocket.send';
    try {
      this.ws.send(data, this.sent);
      if (this.ws.bufferedAmount > SEND_BUFFER_BYTES) yield* within(timeout, () => this.waitDrained(), raise);
    } finally {
      this.sending = null;
    }
  }

  private *waitDrained(): Steps<void> {
    for (;;) {
      this.checkOpen();
      if (this.ws.bufferedAmount <= SEND_BUFFER_BYTES) return;
      yield* this.drained.wait();
    }
  }

  private checkOpen(): void {
    if (this.closedBy === 'close()') throw new Error('WebSocket.send: the socket was closed by close()');
    if (!this.closed) return;
    this.told = true;
    const who =
      this.closedBy === 'the server' ? 'closed by the server (stopping)'
      : this.failure !== null ? `lost (${this.failure.message})`
      : this.done && this.code === 1006 ? 'lost'
      : 'closed by the peer';
    throw new WebSocketClosed(`WebSocket.send: the socket to ${this.remoteAddress}:${this.remotePort} was ${who}`, {
      cause: this.failure ?? undefined,
    });
  }

  /** The peer left while the handler was not waiting on this socket: it is killed where it is blocked. */
  private leave(): void {
    const handler = this.handler;
    if (handler !== null && !this.told && this.closedBy === null && this.receiving === null && this.sending === null) handler.kill();
  }

  /** ws's `send` callback: some bytes left (or the socket failed); a sender waiting for the buffer looks again. */
  private readonly sent = (): void => this.drained.wake();

  private readonly onMessage = (data: RawData, isBinary: boolean): void => {
    // ws gives one Buffer per message with its default binaryType ('nodebuffer').
    const bytes = data as Buffer;
    this.inbox.push(isBinary ? bytes : bytes.toString('utf8'));
    if (this.inbox.length >= INBOX_MESSAGES && !this.ws.isPaused) this.ws.pause();
    this.arrived.wake();
  };

  private readonly onClose = (code: number, reason: Buffer): void => {
    this.done = true;
    this.code = code;
    this.reason = reason.toString('utf8');
    this.arrived.wake();
    this.drained.wake();
    this.leave();
  };

  private readonly onError = (error: Error): void => {
    this.failure ??= error;
  };
}

/** The codes an endpoint may send in a close frame (RFC 6455 section 7.4; ws's rule). */
function isCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999));
}
