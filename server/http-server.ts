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
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { Greenlet } from '../lib/greenlet.js';
import { Interrupt } from '../lib/errors.js';
import { runBody } from '../lib/call.js';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { BaseServer, type ServerOptions } from './base-server.js';
import { HttpError } from './http-error.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
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

/** A request's greenlet, named after the request only when something asks (a report): not one string per request. */
class RequestGreenlet extends Greenlet<void> {
  private given: string | undefined = undefined;

  constructor(
    private readonly server: string,
    private readonly request: IncomingMessage,
    handler: HttpHandler,
    wrappedRequest: HttpRequest,
    response: HttpResponse,
  ) {
    super(serveRequest, handler, wrappedRequest, response);
  }

  override get name(): string {
    return this.given ?? `${this.server} ${this.request.method} ${this.request.url}`;
  }

  override set name(name: string) {
    super.name = name;
    this.given = name;
  }
}

const KEYS = optionKeys<HttpServerOptions>({ pool: true, maxBodyBytes: true });
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
export class HttpServer extends BaseServer<ServerResponse> {
  private readonly handler: HttpHandler;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;

  /**
   * `address`: `'host:port'` or `{ host, port }` (port 0: one the system
   * picks; see `port` after `start()`). Throws at once on a bad address,
   * a handler that is not a function, a bad pool or `maxBodyBytes`.
   */
  constructor(address: AddressInput, handler: HttpHandler, options?: HttpServerOptions) {
    checkOptions('new HttpServer', options, KEYS);
    super('new HttpServer', address, handler, options?.pool);
    this.handler = handler;
    this.maxBodyBytes = checkMaxBodyBytes(options?.maxBodyBytes);
  }

  protected createServer(accept: (response: ServerResponse) => void): Server {
    return createServer((request, response) => {
      const length = Number(request.headers['content-length']);
      if (length > this.maxBodyBytes) {
        answer(response, 413, `the request body is over ${this.maxBodyBytes} bytes`, true);
        return;
      }
      response.on('close', onResponseClose);
      accept(response);
    });
  }

  protected handlerFor(response: ServerResponse): Greenlet<void> {
    const request = response.req;
    return new RequestGreenlet(this.label, request, this.handler, new HttpRequest(request, this.maxBodyBytes), new HttpResponse(response));
  }

  protected gone(response: ServerResponse): boolean {
    return response.destroyed;
  }

  protected handling(response: ServerResponse, handler: Greenlet<void>): void {
    (response as Exchange)[HANDLER] = handler;
  }

  protected refuse(response: ServerResponse): void {
    answer(response, 503, 'the server is stopping', true);
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

/** Answers `status` with a plain-text `message`; `close` ends the connection after it. */
function answer(response: ServerResponse, status: number, message: string, close: boolean): void {
  if (response.destroyed || response.writableEnded) return;
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (close) headers.connection = 'close';
  response.writeHead(status, headers).end(`${message}\n`);
}

function checkMaxBodyBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_BODY_BYTES;
  if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
    throw new RangeError(`new HttpServer: maxBodyBytes must be a non-negative integer, got ${show(value)}`);
  }
  return value;
}
