/**
 * The tutorial's "WSGI Servers" (gevent's `examples/wsgiserver.py`): an
 * application answering `<b>hello world</b>` at `/` and 404 elsewhere, on
 * Node's `http` module. Each request is a greenlet, so `/slow` may
 * `yield* sleep(ms)` before answering and only that request waits: a fast
 * request sent after it is answered first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';
import { request, serve, type ServerHandle } from './http-server.js';

/** How long `/slow` sleeps when its `ms` parameter is missing. */
export const SLOW_MS = 100;

/** The application: one greenlet per request. */
export function* application(request: IncomingMessage, response: ServerResponse): Operation<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/') {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<b>hello world</b>');
  } else if (url.pathname === '/slow') {
    const ms = Number(url.searchParams.get('ms') ?? SLOW_MS);
    yield* sleep(ms); // blocks this request's greenlet only
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<b>hello after ${ms} ms</b>`);
  } else {
    response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
  }
}

/** Starts the hello server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function startHelloServer(port = 0): Operation<ServerHandle> {
  return serve(application, port);
}

export function* main(log: Log): Operation<void> {
  const server = yield* startHelloServer();
  log('serving on 127.0.0.1 (an ephemeral port)');

  // Two clients at once: the slow request goes first and is answered last.
  function* get(path: string): Operation<void> {
    const reply = yield* request(server.url + path);
    log(`GET ${path} -> ${reply.status} ${reply.body}`);
  }
  yield* joinAll([spawn(get, '/slow'), spawn(get, '/')]);
  yield* get('/missing');

  yield* server.close();
  log('server closed');
}

runIfMain(import.meta.url, main);
