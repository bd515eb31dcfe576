/**
 * The tutorial's "A Simple Server", as gevent's `examples/echoserver.py`
 * writes it: a `StreamServer` that greets each client (`nc 127.0.0.1
 * <port>` or telnet), echoes every line it sends, and says goodbye at
 * `quit`. One greenlet per connection, blocking in `readLine` and
 * `sendAll`, which waits while the client reads slower than it types
 * (backpressure: a client that never reads cannot make the server buffer
 * without bound).
 *
 * As `StreamServer(address, handle, spawn=Pool(n))` does, the handlers run
 * in a `Pool`: a client beyond the capacity is connected but not served —
 * no greeting, its lines left unread — until a handler ends and frees a
 * slot.
 */
import { Timeout, type Operation } from 'grove';
import { StreamServer, connect, type Connection } from 'grove/server';
import { runIfMain, type Log } from '../support.js';

/** What a client sees first. */
export const GREETING = 'Welcome to the echo server! Type quit to exit.';

/** Options of `startEchoServer`. */
export interface EchoOptions {
  /** The most clients served at once (default: no limit). */
  capacity?: number;
  /** The port to listen on (default 0: an ephemeral one). */
  port?: number;
}

/** Starts the echo server on 127.0.0.1; `log` receives one line per event. Blocks until it listens. */
export function* startEchoServer(log: Log, options: EchoOptions = {}): Operation<StreamServer> {
  let clients = 0;
  /** One client's session: greet, echo each line, stop at `quit` or when the client closes. */
  function* echo(connection: Connection): Operation<void> {
    const client = ++clients;
    log(`client ${client} connected`);
    yield* connection.sendAll(`${GREETING}\r\n`);
    for (;;) {
      const line = yield* connection.readLine(); // blocks this client's greenlet only
      if (line === null) {
        log(`client ${client} disconnected`);
        return;
      }
      if (line.trim().toLowerCase() === 'quit') {
        yield* connection.sendAll('Bye!\r\n');
        log(`client ${client} quit`);
        return; // the server closes the connection once Bye! is sent
      }
      yield* connection.sendAll(`${line}\r\n`); // blocks while the client does not read
      log(`client ${client}: echoed "${line}"`);
    }
  }
  const server = new StreamServer({ host: '127.0.0.1', port: options.port ?? 0 }, echo, { pool: options.capacity });
  yield* server.start();
  return server;
}

export function* main(log: Log): Operation<void> {
  const server = yield* startEchoServer((line) => log(`server: ${line}`), { capacity: 2 });

  function* hear(name: string, connection: Connection): Operation<void> {
    const line = yield* connection.readLine();
    log(`${name} got: ${line === null ? '(connection closed)' : line}`);
  }
  const address = { host: '127.0.0.1', port: server.port };

  const alice = yield* connect(address);
  yield* hear('alice', alice);
  const bob = yield* connect(address);
  yield* hear('bob', bob);

  // Both sessions are open at once; each line is answered on its own connection.
  yield* alice.sendAll('hello\r\n');
  yield* hear('alice', alice);
  yield* bob.sendAll('bonjour\r\n');
  yield* hear('bob', bob);

  // The pool holds two sessions: carol is connected, but not served yet.
  const carol = yield* connect(address);
  try {
    yield* carol.readLine({ timeout: 50 });
  } catch (error) {
    if (!(error instanceof Timeout)) throw error;
    log(`carol got nothing within 50 ms: ${server.pool.size} of ${server.pool.capacity} slots are taken`);
  }
  yield* alice.sendAll('quit\r\n');
  yield* hear('alice', alice);
  yield* hear('alice', alice);
  yield* hear('carol', carol); // her session starts once alice's has ended
  yield* carol.sendAll('anyone there?\r\n');
  yield* hear('carol', carol);

  for (const client of [bob, carol]) {
    yield* client.sendAll('quit\r\n');
    yield* client.readLine(); // Bye!
  }
  for (const client of [alice, bob, carol]) client.destroy();
  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
