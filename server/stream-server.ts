/**
 * gevent's `StreamServer` on Node's `net`: a TCP server that runs
 * `handler(connection)` as a greenlet for each client, in the server's
 * pool. The handler reads and writes through the `Connection` with
 * blocking calls; when it returns, the connection is closed for it (what it
 * sent is flushed first), and when it is killed or fails, cut at once.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Greenlet } from '../lib/greenlet.js';
import { runBody } from '../lib/call.js';
import type { Operation } from '../lib/operation.js';
import { checkOptions, optionKeys } from '../lib/internal/validate.js';
import { BaseServer, type ServerOptions } from './base-server.js';
import { Connection, ConnectionClosed, RELEASE } from './connection.js';
import type { AddressInput } from './address.js';
import type { Steps } from '../lib/internal/within.js';

/**
 * Handles one client: a generator function (the usual case), or a plain or
 * async function. It runs in a greenlet of its own.
 */
export type StreamHandler = (connection: Connection) => Operation<void> | PromiseLike<void> | void;

const KEYS = optionKeys<ServerOptions>({ pool: true });

/**
 * A TCP server with a greenlet per connection (gevent's `StreamServer`).
 *
 * ```ts
 * const server = new StreamServer('127.0.0.1:0', function* (connection) {
 *   for (let line = yield* connection.readLine(); line !== null; line = yield* connection.readLine()) {
 *     yield* connection.sendAll(`${line}\r\n`);
 *   }
 * }, { pool: 100 });
 * yield* server.start();
 * ```
 *
 * A handler that ends with `ConnectionClosed` (it wrote to a client that
 * had gone) ended normally: a client leaving is not the server's error.
 * Any other error is reported by the hub with the greenlet's name
 * (`StreamServer 127.0.0.1:8080 client 127.0.0.1:53211`) and the
 * connection is cut; the server goes on.
 */
export class StreamServer extends BaseServer<Socket> {
  private readonly handler: StreamHandler;

  /**
   * `address`: `'host:port'` or `{ host, port }` (port 0: one the system
   * picks; see `port` after `start()`). Throws at once on a bad address,
   * a handler that is not a function, or a bad pool.
   */
  constructor(address: AddressInput, handler: StreamHandler, options?: ServerOptions) {
    checkOptions('new StreamServer', options, KEYS);
    super('new StreamServer', address, handler, options?.pool);
    this.handler = handler;
  }

  protected createServer(accept: (socket: Socket) => void): Server {
    // Paused: a client waiting for a slot is not read, so it cannot make the
    // server buffer. Half-open allowed: a client that ends its side may still
    // be answered (TCP's and gevent's rule); the handler's return closes ours.
    return createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
      // From the first moment: a client that resets while it waits must not crash the process.
      socket.on('error', ignore);
      accept(socket);
    });
  }

  protected handlerFor(socket: Socket): Greenlet<void> {
    const greenlet = new Greenlet<void>(serveConnection, this.handler, socket);
    greenlet.name = `${this.label} client ${socket.remoteAddress}:${socket.remotePort}`;
    return greenlet;
  }

  protected gone(socket: Socket): boolean {
    return socket.destroyed;
  }

  protected handling(): void {
    // The handler sees the client leave through its reads and writes.
  }

  protected refuse(socket: Socket): void {
    socket.destroy();
  }
}

function ignore(): void {}

function* serveConnection(handler: StreamHandler, socket: Socket): Steps<void> {
  const connection = new Connection(socket);
  let finished = false;
  try {
    yield* runBody(() => handler(connection));
    finished = true;
  } catch (error) {
    if (!(error instanceof ConnectionClosed)) throw error;
    finished = true;
  } finally {
    if (finished) connection[RELEASE]();
    else connection.destroy();
  }
}
