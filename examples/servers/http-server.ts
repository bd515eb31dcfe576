/**
 * What the HTTP examples share: gevent's `WSGIServer(address, application)`
 * on Node's `http` module. Each request runs its handler as a greenlet of
 * its own (gevent's greenlet per request), so a handler may block — `sleep`,
 * wait on an Event, read a Queue, `call` a promise — and only its own
 * request waits. `serve` returns a handle whose `close()` stops the whole
 * server; `request` is the client side the examples and tests use.
 *
 * Node calls the request callback outside any greenlet; `spawn` from there
 * queues the handler on the program's hub. A server therefore needs a
 * real-clock hub (`run()`): a virtual clock stands still while outside code
 * can still wake it, so a handler's `sleep` would never end.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Group, Interrupt, call, getHub, type Operation } from 'grove';

/** A request handler: runs as a greenlet per request and ends `response` itself. */
export type Handler = (request: IncomingMessage, response: ServerResponse) => Operation<void>;

/** A running server. */
export interface ServerHandle {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The greenlets handling requests now. */
  readonly handlers: Group;
  /**
   * Stops listening, kills the handlers still running (their connections
   * are cut), closes idle keep-alive connections, and waits until the
   * server is closed. Closing twice does nothing more.
   */
  close(): Operation<void>;
}

/**
 * Listens on 127.0.0.1 (`port` 0: an ephemeral one) and runs `handler` as a
 * greenlet for each request. Blocks until the server listens.
 */
export function* serve(handler: Handler, port = 0): Operation<ServerHandle> {
  const hub = getHub();
  if (hub.clock === 'virtual') {
    throw new Error('serve: a server needs a real-clock hub (run it with run()), not a virtual one');
  }
  const handlers = new Group();
  const server = createServer((request, response) => {
    const greenlet = handlers.spawn(respond, handler, request, response);
    // The client went away before the answer was complete (a long poll given up):
    // nobody is left to answer, so the handler stops where it is blocked.
    response.on('close', () => {
      if (!response.writableFinished) greenlet.kill();
    });
  });
  server.listen(port, '127.0.0.1');
  yield* call(once(server, 'listening'));
  // Requests come from outside the hub and wake greenlets: while the server
  // listens, a run() main waiting on them must not be told it is stuck.
  const hold = hub.hold();
  const closed = once(server, 'close');
  const { port: actual } = server.address() as AddressInfo;
  let closing = false;

  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    handlers,
    *close(): Operation<void> {
      if (!closing) {
        closing = true;
        server.close();
        yield* handlers.kill();
        server.closeAllConnections();
        hold.release();
      }
      yield* call(closed);
    },
  };
}

/** Runs one handler: a failure before the headers went out becomes a 500; an unfinished response is cut. */
function* respond(handler: Handler, request: IncomingMessage, response: ServerResponse): Operation<void> {
  try {
    yield* handler(request, response);
  } catch (error) {
    if (!(error instanceof Interrupt) && !response.headersSent) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('internal server error\n');
    }
    throw error; // the hub reports it: a handler's bug is never lost
  } finally {
    // Killed, or failed mid-stream: the client must not wait for the rest.
    if (!response.writableEnded) response.destroy();
  }
}

/** Reads a request's whole body as text; blocks only the calling greenlet. */
export function readBody(request: IncomingMessage): Operation<string> {
  return call(async () => {
    let body = '';
    request.setEncoding('utf8');
    for await (const chunk of request) body += chunk as string;
    return body;
  });
}

/** What `request` returns. */
export interface Reply {
  status: number;
  body: string;
}

/**
 * A client request with `fetch`: blocks the calling greenlet until the whole
 * answer has arrived. A kill or timeout of the greenlet aborts the fetch.
 */
export function request(url: string, init: { method?: string; body?: string } = {}): Operation<Reply> {
  return call(async (signal) => {
    const response = await fetch(url, { ...init, signal });
    return { status: response.status, body: await response.text() };
  });
}
