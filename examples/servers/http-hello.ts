/**
 * The tutorial's "WSGI Servers" (gevent's `examples/wsgiserver.py`): an
 * application answering `<b>hello world</b>` at `/` and 404 elsewhere, on
 * grove's `HttpServer`. Each request is a greenlet, so `/slow` may
 * `yield* sleep(ms)` before answering and only that request waits: a fast
 * request sent after it is answered first. `/slow?ms=abc` (or a negative,
 * or a huge, `ms`) is answered 400.
 */
import { joinAll, sleep, spawn, type Operation } from 'grove';
import { HttpServer, type HttpRequest, type HttpResponse } from 'grove/server';
import { runIfMain, type Log } from '../support.js';
import { msParam, request, urlOf } from './http-client.js';

/** How long `/slow` sleeps when its `ms` parameter is missing. */
export const SLOW_MS = 100;
/** The longest `/slow` accepts. */
export const MAX_SLOW_MS = 10_000;

/** The application: one greenlet per request. */
export function* application(request: HttpRequest, response: HttpResponse): Operation<void> {
  if (request.path === '/') {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<b>hello world</b>');
  } else if (request.path === '/slow') {
    const ms = msParam(request, 'ms', SLOW_MS, MAX_SLOW_MS);
    yield* sleep(ms); // blocks this request's greenlet only
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<b>hello after ${ms} ms</b>`);
  } else {
    response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
  }
}

/** Starts the hello server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function* startHelloServer(port = 0): Operation<HttpServer> {
  const server = new HttpServer({ host: '127.0.0.1', port }, application);
  yield* server.start();
  return server;
}

export function* main(log: Log): Operation<void> {
  const server = yield* startHelloServer();
  log('serving on 127.0.0.1 (an ephemeral port)');

  // Two clients at once: the slow request goes first and is answered last.
  function* get(path: string): Operation<void> {
    const reply = yield* request(urlOf(server) + path);
    log(`GET ${path} -> ${reply.status} ${reply.body.trimEnd()}`);
  }
  yield* joinAll([spawn(get, '/slow'), spawn(get, '/')]);
  yield* get('/missing');
  yield* get('/slow?ms=soon');

  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
