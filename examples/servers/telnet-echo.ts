/**
 * The tutorial's "A Simple Server", as gevent's `examples/echoserver.py`
 * writes it: a `StreamServer` on Node's `net` module that greets each
 * client (`nc 127.0.0.1 <port>` or telnet), echoes every line it sends, and
 * says goodbye at `quit`. One greenlet per connection, reading lines from a
 * Queue the socket's 'data' events feed (`LineSocket`).
 *
 * As `StreamServer(address, handle, spawn=Pool(n))` does, the handlers run
 * in a `Pool`: the accepting greenlet (gevent's `serve_forever`) blocks in
 * `pool.spawn` while the pool is full, so a client beyond the capacity is
 * connected but not served — no greeting, its lines queued unread — until a
 * handler ends and frees a slot.
 */
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Empty, Pool, Queue, call, getHub, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';
import { LineSocket, connectLines } from './line-socket.js';

/** What a client sees first. */
export const GREETING = 'Welcome to the echo server! Type quit to exit.';

/** A running echo server. */
export interface EchoServer {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The connection handlers; its capacity is the most clients served at once. */
  readonly pool: Pool;
  /**
   * Stops accepting, kills the handlers (their connections close) and
   * closes the connections still waiting for a slot; waits until the
   * server is closed. Closing twice does nothing more.
   */
  close(): Operation<void>;
}

/** Options of `startEchoServer`. */
export interface EchoOptions {
  /** The most clients served at once (default: no limit). */
  capacity?: number;
  /** The port to listen on (default 0: an ephemeral one). */
  port?: number;
}

/** One client's session: greet, echo each line, stop at `quit` or when the client closes. */
function* echo(connection: LineSocket, client: number, log: Log): Operation<void> {
  log(`client ${client} connected`);
  try {
    connection.writeLine(GREETING);
    for (;;) {
      const line = yield* connection.readLine(); // blocks this client's greenlet only
      if (line === null) {
        log(`client ${client} disconnected`);
        return;
      }
      if (line.trim().toLowerCase() === 'quit') {
        connection.writeLine('Bye!');
        log(`client ${client} quit`);
        return;
      }
      connection.writeLine(line);
      log(`client ${client}: echoed "${line}"`);
    }
  } finally {
    connection.end();
  }
}

/** gevent's `serve_forever`: takes accepted connections in order and hands each to a handler in the pool. */
function* serveForever(accepted: Queue<Socket>, pool: Pool, log: Log): Operation<void> {
  for (let client = 1; ; client++) {
    const socket = yield* accepted.get();
    if (pool.full()) log(`client ${client} waits for a free slot (${pool.size} clients served)`);
    // Blocks while the pool is full: this client's handler starts when one ends.
    yield* pool.spawn(echo, new LineSocket(socket), client, log);
  }
}

/** Starts the echo server on 127.0.0.1; `log` receives one line per event. Blocks until it listens. */
export function* startEchoServer(log: Log, options: EchoOptions = {}): Operation<EchoServer> {
  if (getHub().clock === 'virtual') {
    throw new Error('startEchoServer: a server needs a real-clock hub (run it with run()), not a virtual one');
  }
  const pool = new Pool(options.capacity);
  const accepted = new Queue<Socket>();
  const sockets = new Set<Socket>();
  // Node accepts every connection at once, outside any greenlet: queue it for serveForever.
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    accepted.putNowait(socket);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  yield* call(once(server, 'listening'));
  // Connections come from outside the hub: while it listens, a run() main waiting on them is not stuck.
  const hold = getHub().hold();
  const closed = once(server, 'close');
  const acceptor = spawn(serveForever, accepted, pool, log);
  const { port } = server.address() as AddressInfo;
  let closing = false;

  return {
    port,
    pool,
    *close(): Operation<void> {
      if (!closing) {
        closing = true;
        server.close();
        yield* acceptor.kill();
        yield* pool.kill();
        for (const socket of sockets) socket.destroy(); // those still waiting for a slot, and any left half-open
        hold.release();
      }
      yield* call(closed);
    },
  };
}

export function* main(log: Log): Operation<void> {
  const server = yield* startEchoServer((line) => log(`server: ${line}`), { capacity: 2 });

  function* hear(name: string, connection: LineSocket): Operation<void> {
    const line = yield* connection.readLine();
    log(`${name} got: ${line === null ? '(connection closed)' : line}`);
  }

  const alice = yield* connectLines(server.port);
  yield* hear('alice', alice);
  const bob = yield* connectLines(server.port);
  yield* hear('bob', bob);

  // Both sessions are open at once; each line is answered on its own connection.
  alice.writeLine('hello');
  yield* hear('alice', alice);
  bob.writeLine('bonjour');
  yield* hear('bob', bob);

  // The pool holds two sessions: carol is connected, but not served yet.
  const carol = yield* connectLines(server.port);
  carol.writeLine('anyone there?');
  try {
    yield* carol.readLine({ timeout: 50 });
  } catch (error) {
    if (!(error instanceof Empty)) throw error;
    log('carol got nothing within 50 ms: both slots are taken');
  }
  alice.writeLine('quit');
  yield* hear('alice', alice);
  yield* hear('alice', alice);
  yield* hear('carol', carol); // her session starts once alice's has ended
  yield* hear('carol', carol);

  for (const client of [bob, carol]) {
    client.writeLine('quit');
    yield* client.readLine(); // Bye!
  }
  for (const client of [alice, bob, carol]) client.destroy();
  yield* server.close();
  log('server closed');
}

runIfMain(import.meta.url, main);
