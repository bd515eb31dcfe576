/**
 * An HTTP server on Node's `http` (gevent's `WSGIServer` role): each
 * request is handled by a greenlet of its own, in the server's pool, so a
 * handler may block — sleep, wait on an Event, read a Queue, `call` a
 * promise, read the body — and only its own request waits.
 *
 * What the server does around a handler:
 * - the client disconnects before the response is complete: the handler
 *   is killed where it is blocked (its `signal` aborts, its `finally` runs);
 * - the handler returns without ending the response: it is ended for it;
 * - it throws an `HttpError`: that status is answered, nothing reported;
 * - it fails otherwise: a 500 if the headers were not sent (else the
 *   connection is cut), and the hub reports the error with the greenlet's
 *   name (`HttpServer 127.0.0.1:8080 GET /path`). The server goes on.
 * Before any handler: a request that announces a body over `maxBodyBytes`
 * gets 413, and one Node cannot parse gets 400.
 *
 * With the `websockets` option, a request to upgrade to a WebSocket at one
 * of its paths gets the handshake at once (on `ws`), then its path's
 * handler runs in a greenlet in the same pool, with the `WebSocket`; an
 * upgrade to any other path is refused with 404. Around a WebSocket
 * handler: it returns, the socket is closed with 1000; it fails, with 1011
 * and a report (`HttpServer 127.0.0.1:8080 GET /points`); it ends with
 * `WebSocketClosed`, it ended normally; it is killed, with 1001. The peer
 * leaving may kill it (see `WebSocket`), and `stop()` closes every
 * WebSocket with 1001 (going away) as its grace period begins.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Greenlet } from '../lib/greenlet.js';
import { Interrupt } from '../lib/errors.js';
import { runBody } from '../lib/call.js';
import { checkFunction, checkOptions, isRecord, optionKeys, show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { BaseServer, type ServerOptions } from './base-server.js';
import { HttpError } from './http-error.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FINISH,
  HANDLING,
  SHUT_DOWN,
  WebSocket,
  WebSocketClosed,
  wsOptions,
  type WebSocketHandler,
} from './websocket.js';
import { checkBytes } from './internal/check-bytes.js';
import type { AddressInput } from './address.js';
import type { Steps } from '../lib/internal/within.js';

/**
 * Handles one request: a generator function (the usual case), or a plain
 * or async function. It runs in a greenlet of its own.
 */
export type HttpHandler = (request: HttpRequest, response: HttpResponse) => Operation<void> | PromiseLike<void> | void;

/** Options of `new HttpServer`. */
export interface HttpServerOptions extends ServerOptions {
  /** The largest request body accepted, in bytes (default 1 MiB): a larger one is answered 413. */
  maxBodyBytes?: number;
  /**
   * WebSocket handlers by path (`{ '/points': points }`, paths as
   * `request.path` gives them: no query). An upgrade to one of them runs
   * its handler (see `WebSocket`); an upgrade to another path is refused
   * with 404. Without this option, an upgrade request is an ordinary
   * request to the HTTP handler.
   */
  websockets?: Readonly<Record<string, WebSocketHandler>>;
  /**
   * The largest WebSocket message accepted, in bytes (default 1 MiB): a
   * larger one closes its socket with 1009 (message too big).
   */
  maxMessageBytes?: number;
}

/** The handler greenlet of a request, once started, kept on Node's response (no object per request for it). */
const HANDLER: unique symbol = Symbol('grove.server.handler');

/** Node's response with its handler: only inside this module (the symbol stays out of the published types). */
type Exchange = ServerResponse & { [HANDLER]?: Greenlet<void> };

/**
 * The client left before the response was complete: nobody is left to
 * answer, so the handler stops where it is blocked. (`this` is the response:
 * one listener function for every request.)
 */
function onResponseClose(this: Exchange): void {
  const handler = this[HANDLER];
  if (handler !== undefined && !this.writableFinished) handler.kill();
}

/**
 * A request's greenlet (or an upgraded one's), named after the request only
 * when something asks (a report): not one string per request.
 */
class RequestGreenlet<H, A, B> extends Greenlet<void> {
  private given: string | undefined = undefined;

  // Three arguments spelt out, not a rest parameter: no array per request.
  constructor(
    private readonly server: string,
    private readonly request: IncomingMessage,
    body: (handler: H, a: A, b: B) => Steps<void>,
    handler: H,
    a: A,
    b: B,
  ) {
    super(body as (...args: never[]) => Steps<void>, handler, a, b);
  }

  override get name(): string {
    return this.given ?? `${this.server} ${this.request.method} ${this.request.url}`;
  }

  override set name(name: string) {
    super.name = name;
    this.given = name;
  }
}

/** An upgraded connection: its WebSocket, waiting for (or given) a handler in the pool. */
class Upgraded {
  constructor(
    readonly request: HttpRequest,
    readonly socket: WebSocket,
    readonly handler: WebSocketHandler,
  ) {}
}

const KEYS = optionKeys<HttpServerOptions>({ pool: true, maxBodyBytes: true, websockets: true, maxMessageBytes: true });
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * An HTTP/1.1 server with a greenlet per request.
 *
 * ```ts
 * const server = new HttpServer('127.0.0.1:8080', function* (request, response) {
 *   if (request.path !== '/') throw new HttpError(404);
 *   yield* sleep(10);                       // only this request waits
 *   response.writeHead(200, { 'content-type': 'text/plain' }).end('hello\n');
 * });
 * yield* server.serveForever();
 * ```
 */
export class HttpServer extends BaseServer<ServerResponse | Upgraded> {
  private readonly handler: HttpHandler;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The largest WebSocket message accepted, in bytes. */
  readonly maxMessageBytes: number;
  private readonly routes: Map<string, WebSocketHandler> | null;
  /** Does the handshakes; `ws`'s server without a server of its own (ours owns the port). */
  private readonly upgrader: WebSocketServer | null;
  /** Every WebSocket not closed yet, for `stop()`. */
  private readonly websockets = new Set<WebSocket>();

  /**
   * `address`: `'host:port'` or `{ host, port }` (port 0: one the system
   * picks; see `port` after `start()`). Throws at once on a bad address,
   * a handler that is not a function, a bad pool, `maxBodyBytes`,
   * `websockets` or `maxMessageBytes`.
   */
  constructor(address: AddressInput, handler: HttpHandler, options?: HttpServerOptions) {
    checkOptions('new HttpServer', options, KEYS);
    super('new HttpServer', address, handler, options?.pool);
    this.handler = handler;
    this.maxBodyBytes = checkBytes('new HttpServer', 'maxBodyBytes', options?.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 0);
    this.maxMessageBytes = checkBytes('new HttpServer', 'maxMessageBytes', options?.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 1);
    this.routes = checkRoutes(options?.websockets);
    this.upgrader =
      this.routes === null ? null : new WebSocketServer({ noServer: true, clientTracking: false, ...wsOptions(this.maxMessageBytes) });
  }

  protected createServer(accept: (client: ServerResponse | Upgraded) => void): Server {
    const server = createServer((request, response) => {
      const length = Number(request.headers['content-length']);
      if (length > this.maxBodyBytes) {
        answer(response, 413, `the request body is over ${this.maxBodyBytes} bytes`, true);
        return;
      }
      response.on('close', onResponseClose);
      accept(response);
    });
    if (this.routes !== null) server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket as Socket, head, accept));
    return server;
  }

  protected handlerFor(client: ServerResponse | Upgraded): Greenlet<void> {
    if (client instanceof Upgraded) {
      return new RequestGreenlet(this.label, client.request.raw, serveWebSocket, client.handler, client.socket, client.request);
    }
    const request = client.req;
    return new RequestGreenlet(this.label, request, serveRequest, this.handler, new HttpRequest(request, this.maxBodyBytes), new HttpResponse(client));
  }

  protected gone(client: ServerResponse | Upgraded): boolean {
    return client instanceof Upgraded ? client.socket.closed : client.destroyed;
  }

  protected handling(client: ServerResponse | Upgraded, handler: Greenlet<void>): void {
    if (client instanceof Upgraded) client.socket[HANDLING](handler);
    else (client as Exchange)[HANDLER] = handler;
  }

  protected refuse(client: ServerResponse | Upgraded): void {
    if (client instanceof Upgraded) client.socket[SHUT_DOWN]();
    else answer(client, 503, 'the server is stopping', true);
  }

  protected override goingAway(): void {
    for (const socket of this.websockets) socket[SHUT_DOWN]();
  }

  /**
   * An upgrade request: the handshake at once for a path with a handler
   * (the client is connected, then waits for a slot in the pool as any
   * client does, not read meanwhile once 16 messages wait), a 404 for
   * another path; ws answers 400 to a request that is not a valid upgrade.
   */
  private upgrade(raw: IncomingMessage, socket: Socket, head: Buffer, accept: (client: Upgraded) => void): void {
    const request = new HttpRequest(raw, 0);
    const handler = this.routes!.get(request.path);
    if (handler === undefined) {
      refuseUpgrade(socket, 404, `no WebSocket at ${request.path}`);
      return;
    }
    this.upgrader!.handleUpgrade(raw, socket, head, (ws) => {
      const websocket = new WebSocket(ws, socket);
      this.websockets.add(websocket);
      ws.once('close', () => this.websockets.delete(websocket));
      accept(new Upgraded(request, websocket, handler));
    });
  }
}

/** Runs one handler; see the module comment for what happens around it. */
function* serveRequest(handler: HttpHandler, request: HttpRequest, response: HttpResponse): Steps<void> {
  const raw = response.raw;
  try {
    yield* runBody(() => handler(request, response));
    if (!response.ended) response.end();
  } catch (error) {
    if (error instanceof Interrupt) throw error;
    if (error instanceof HttpError) {
      if (!raw.headersSent) answer(raw, error.status, error.message, false);
      return;
    }
    if (!raw.headersSent) answer(raw, 500, 'Internal Server Error', false);
    throw error; // the hub reports it: a handler's bug is never lost
  } finally {
    // Killed, or failed mid-stream: the client must not wait for the rest.
    if (!raw.writableEnded) raw.destroy();
  }
}

/** Runs one WebSocket handler; see the module comment for what happens around it. */
function* serveWebSocket(handler: WebSocketHandler, socket: WebSocket, request: HttpRequest): Steps<void> {
  let code = CLOSE_INTERNAL_ERROR;
  try {
    yield* runBody(() => handler(socket, request));
    code = CLOSE_NORMAL;
  } catch (error) {
    // The peer left while the handler sent: not the server's error.
    if (error instanceof WebSocketClosed) code = CLOSE_NORMAL;
    else {
      if (error instanceof Interrupt) code = CLOSE_GOING_AWAY;
      throw error; // an error is reported by the hub, as a request handler's
    }
  } finally {
    socket[FINISH](code);
  }
}

const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_INTERNAL_ERROR = 1011;

/** Refuses an upgrade with a plain HTTP answer, then closes the connection. */
function refuseUpgrade(socket: Socket, status: number, message: string): void {
  socket.on('error', ignore);
  const body = `${message}\n`;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function ignore(): void {}

/** Answers `status` with a plain-text `message`; `close` ends the connection after it. */
function answer(response: ServerResponse, status: number, message: string, close: boolean): void {
  if (response.destroyed || response.writableEnded) return;
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (close) headers.connection = 'close';
  response.writeHead(status, headers).end(`${message}\n`);
}

function checkRoutes(value: unknown): Map<string, WebSocketHandler> | null {
  if (value === undefined) return null;
  if (!isRecord(value) || value instanceof Map) {
    throw new TypeError(`new HttpServer: websockets must be an object of handlers by path, got ${show(value)}`);
  }
  const routes = new Map<string, WebSocketHandler>();
  for (const [path, handler] of Object.entries(value)) {
    if (!path.startsWith('/')) throw new RangeError(`new HttpServer: websockets: a path must start with "/", got ${show(path)}`);
    checkFunction('new HttpServer', `websockets[${JSON.stringify(path)}]`, handler);
    routes.set(path, handler as WebSocketHandler);
  }
  return routes;
}
