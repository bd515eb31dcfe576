/**
 * The tutorial's "Gevent ZeroMQ": a request/reply pair of ZeroMQ sockets
 * in two greenlets (gevent: `zmq.green`, whose `send` and `recv` block only
 * their greenlet). Here they are grove/zeromq's sockets, whose `send` and
 * `receive` wait on the zeromq binding's promises through `call()`.
 *
 * As in the tutorial, the server holds the request socket, bound, and the
 * client the reply socket, connected. The server binds to a free port on
 * 127.0.0.1 (`*`) and the client connects to the port chosen. One thing is
 * added: a third greenlet ticks while the two wait, and the client starts
 * late, so the server's first `send` waits for a peer (a request socket
 * with none cannot send) — while the ticker keeps going, the point of the
 * chapter.
 */
import { joinAll, killAll, sleep, spawn, spawnLater, type Operation } from 'grove';
import { openSocket, type Socket } from 'grove/zeromq';
import { runIfMain, type Log } from '../support.js';

/** How many requests the server makes (the tutorial's `range(1, 10)`). */
export const ROUNDS = 9;
/** How often the ticker ticks, in ms. */
export const TICK_MS = 20;
/** How long after the server the client starts, in ms: the server's first send waits that long. */
export const CLIENT_DELAY_MS = 100;

/** Sends "Hello" ROUNDS times, waiting for each reply; returns the replies. */
export function* server(socket: Socket, log: Log): Operation<string[]> {
  const replies: string[] = [];
  try {
    for (let request = 1; request <= ROUNDS; request++) {
      yield* socket.send('Hello');
      log(`Switched to Server for ${request}`);
      // An implicit context switch occurs here: the others run until the reply comes.
      const [reply] = yield* socket.receive();
      replies.push(reply.toString());
    }
    return replies;
  } finally {
    socket.close();
  }
}

/** Connects to `endpoint` and answers "World" to ROUNDS requests. */
export function* client(endpoint: string, log: Log): Operation<void> {
  const socket = yield* openSocket('reply', { connect: endpoint });
  try {
    for (let request = 1; request <= ROUNDS; request++) {
      const [message] = yield* socket.receive();
      log(`Switched to Client for ${request} (got ${message.toString()})`);
      // Implicit context switch occurs here
      yield* socket.send('World');
    }
  } finally {
    // A kill while it waits closes the socket too: nothing is left open.
    socket.close();
  }
}

/** Runs the exchange beside a ticker; returns the replies the server got. */
export function* main(log: Log): Operation<string[]> {
  function* ticker(): Operation<void> {
    for (;;) {
      log('tick');
      yield* sleep(TICK_MS);
    }
  }

  const ticking = spawn(ticker);
  const socket = yield* openSocket('request', { bind: 'tcp://127.0.0.1:*' });
  const publisher = spawn(server, socket, log);
  const answerer = spawnLater(CLIENT_DELAY_MS, client, socket.endpoint, log);
  try {
    yield* joinAll([publisher, answerer], { raiseError: true });
    const replies = yield* publisher.get();
    log(`The server's replies: ${replies.join(' ')}`);
    return replies;
  } finally {
    // gevent's g.kill(); the two are dead already, unless one failed.
    yield* killAll([ticking, publisher, answerer]);
    socket.close(); // closed by the server already, unless it never ran
  }
}

runIfMain(import.meta.url, main);
