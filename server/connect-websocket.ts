/**
 * `connectWebSocket`: the client's end of a WebSocket, as `connect` is a
 * TCP connection's. It opens a `ws` client, blocks the calling greenlet
 * through the handshake, and returns the same `WebSocket` class a server
 * handler gets, with the same `receive`/`send`/`close`, backpressure and
 * message limit. A handshake that fails is a `WebSocketConnectError`
 * naming the URL and what went wrong: the status the server answered
 * instead of switching protocols, or the connection's error.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket as WsSocket } from 'ws';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, isRecord, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';
import { checkBytes } from './internal/check-bytes.js';
import { Wakeup } from './internal/wakeup.js';
import { DEFAULT_MAX_MESSAGE_BYTES, WebSocket, wsOptions } from './websocket.js';

/** Options of `connectWebSocket`. */
export interface ConnectWebSocketOptions {
  /** Throw `Timeout` (and drop the attempt) if the handshake is not done within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
  /** Extra headers of the upgrade request (`authorization`, `cookie`, `origin`...); not those the handshake sets itself. */
  headers?: Readonly<Record<string, string>>;
  /** Subprotocols offered, in order of preference; the server's choice is the socket's `protocol`. */
  protocols?: string | readonly string[];
  /**
   * The largest message accepted, in bytes (default 1 MiB, as the
   * server's): a larger one cuts the connection (`receive` gives null,
   * `closeCode` 1006).
   */
  maxMessageBytes?: number;
}

/**
 * Thrown by `connectWebSocket` when there is no WebSocket to return: the
 * server answered the upgrade with another status (`status`: 404, 403,
 * a redirect...), or the connection failed before (`status` null, `code`
 * Node's `ECONNREFUSED`, `ENOTFOUND`..., the error as `cause`). Not an
 * `HttpError`: that one is a handler's answer, and a handler that let this
 * escape must not answer its own client with the upstream's status.
 */
export class WebSocketConnectError extends Error {
  static {
    this.prototype.name = 'WebSocketConnectError';
  }
  /** The URL connected to (normalized: `ws://host:port/path?query`). */
  readonly url: string;
  /** The HTTP status the server answered instead of 101, or null when it did not answer one. */
  readonly status: number | null;
  /** Node's error code when the connection failed (`ECONNREFUSED`...), or null. */
  readonly code: string | null;
  constructor(message: string, url: string, status: number | null, code: string | null, cause?: unknown) {
    super(message, { cause });
    this.url = url;
    this.status = status;
    this.code = code;
  }
}

const KEYS = optionKeys<ConnectWebSocketOptions>({ timeout: true, headers: true, protocols: true, maxMessageBytes: true });
/** Headers the handshake writes itself: one given here would be overwritten, or would break it. */
const HANDSHAKE_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);
/** RFC 7230's token: what a header name and a subprotocol are made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node refuses in a header value. */
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Opens a WebSocket to `url` (`ws://` or `wss://`, a string or a URL).
 * Blocks the calling greenlet until the handshake is done and returns the
 * socket (see `WebSocket`: on this end no greenlet is killed when the
 * server goes away; `receive` gives null and `send` throws
 * `WebSocketClosed`). Throws `WebSocketConnectError` if the server answers
 * with another status or the connection fails, and `Timeout` after
 * `timeout` ms; either way, and on a kill while connecting, the half-open
 * connection is cut and nothing is left open. Bad arguments throw at the
 * call.
 */
export function connectWebSocket(url: string | URL, options?: ConnectWebSocketOptions): Operation<WebSocket> {
  const target = checkUrl(url);
  checkOptions('connectWebSocket', options, KEYS);
  const timeout = checkTimeout('connectWebSocket', options?.timeout);
  const headers = checkHeaders(options?.headers);
  const protocols = checkProtocols(options?.protocols);
  const maxMessageBytes = checkBytes('connectWebSocket', 'maxMessageBytes', options?.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 1);
  return new Composite('connectWebSocket', () => connecting(target, timeout, headers, protocols, maxMessageBytes));
}

function* connecting(url: URL, timeout: Limit, headers: Record<string, string>, protocols: string[], maxMessageBytes: number): Steps<WebSocket> {
  const ws = new WsSocket(url, protocols, { ...wsOptions(maxMessageBytes), headers });
  const settled = new Wakeup();
  let socket: WebSocket | null = null;
  let failure: WebSocketConnectError | null = null;
  let response: IncomingMessage | null = null;
  const fail = (error: WebSocketConnectError): void => {
    // Once open, an error (a message over the limit) is the socket's: receive will tell it.
    if (socket !== null) return;
    failure ??= error;
    settled.wake();
  };
  // The response to the upgrade, kept for the peer's address: ws does not expose its socket.
  const onUpgrade = (upgrade: IncomingMessage): void => {
    response = upgrade;
  };
  // Made at once, on Node's turn: a message that follows the handshake finds its listener there.
  const onOpen = (): void => {
    socket = new WebSocket(ws, response!.socket);
    settled.wake();
  };
  // ws leaves the refusal to this listener; terminate() aborts the request (ws then emits 'error', ignored).
  const onRefused = (_request: unknown, refusal: IncomingMessage): void => {
    const status = refusal.statusCode ?? 0;
    fail(new WebSocketConnectError(`connectWebSocket: ${url.href} refused the handshake: ${status} ${refusal.statusMessage ?? ''}`.trimEnd(), url.href, status, null));
    ws.terminate();
  };
  const onError = (error: Error): void => {
    const code = (error as NodeJS.ErrnoException).code ?? null;
    fail(new WebSocketConnectError(`connectWebSocket: could not connect to ${url.href} (${code ?? error.message})`, url.href, null, code, error));
  };
  ws.on('upgrade', onUpgrade);
  ws.once('open', onOpen);
  ws.on('unexpected-response', onRefused);
  // Stays after a failure: terminate() on a connecting socket emits 'error' on a later turn.
  ws.on('error', onError);
  let connected = false;
  try {
    yield* within(timeout, () => handshake(settled, () => socket !== null || failure !== null), raise);
    if (failure !== null) throw failure;
    ws.off('upgrade', onUpgrade);
    ws.off('unexpected-response', onRefused);
    ws.off('error', onError);
    connected = true;
    return socket!;
  } finally {
    // A Timeout, a kill or a failure: the attempt goes, whatever stage it reached (once open, its connection is cut).
    if (!connected) ws.terminate();
  }
}

function* handshake(settled: Wakeup, over: () => boolean): Steps<void> {
  while (!over()) yield* settled.wait();
}

function checkUrl(url: unknown): URL {
  let parsed: URL;
  if (url instanceof URL) parsed = url;
  else if (typeof url === 'string') {
    try {
      parsed = new URL(url);
    } catch {
      throw new SyntaxError(`connectWebSocket: url must be a ws:// or wss:// URL, got ${show(url)}`);
    }
  } else throw new TypeError(`connectWebSocket: url must be a string or a URL, got ${show(url)}`);
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new SyntaxError(`connectWebSocket: url must be a ws:// or wss:// URL, got ${show(String(url))}`);
  }
  if (parsed.hash !== '') throw new SyntaxError(`connectWebSocket: url must not have a fragment (#...), got ${show(String(url))}`);
  return parsed;
}

function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (!isRecord(headers) || headers instanceof Map) throw new TypeError(`connectWebSocket: headers must be an object of strings by name, got ${show(headers)}`);
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new RangeError(`connectWebSocket: headers: ${show(name)} is not a header name`);
    if (HANDSHAKE_HEADERS.has(name.toLowerCase())) {
      const hint = name.toLowerCase() === 'sec-websocket-protocol' ? ' (use the protocols option)' : '';
      throw new RangeError(`connectWebSocket: headers: ${show(name)} is set by the handshake${hint}`);
    }
    if (typeof value !== 'string') throw new TypeError(`connectWebSocket: headers[${JSON.stringify(name)}] must be a string, got ${show(value)}`);
    if (BAD_HEADER_VALUE.test(value)) throw new RangeError(`connectWebSocket: headers[${JSON.stringify(name)}] has a character a header cannot hold, got ${show(value)}`);
    checked[name] = value;
  }
  return checked;
}

function checkProtocols(protocols: unknown): string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? [protocols] : protocols;
  if (!Array.isArray(list)) throw new TypeError(`connectWebSocket: protocols must be a string or an array of strings, got ${show(protocols)}`);
  const seen = new Set<string>();
  for (const protocol of list as unknown[]) {
    if (typeof protocol !== 'string' || !TOKEN.test(protocol)) {
      throw new RangeError(`connectWebSocket: protocols: a subprotocol must be a token (letters, digits, !#$%&'*+-.^_\`|~), got ${show(protocol)}`);
    }
    if (seen.has(protocol)) throw new RangeError(`connectWebSocket: protocols: ${show(protocol)} is given twice`);
    seen.add(protocol);
  }
  return [...seen];
}
