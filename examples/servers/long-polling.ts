/**
 * The tutorial's "Long Polling": a client asks for the next message with
 * `GET /poll`, and its request stays open — its handler greenlet blocked —
 * until someone `POST`s one to `/send`; every poller waiting then receives
 * it. A poll that waits longer than its timeout (`?timeout=ms`, 10 s by
 * default, 60 s at most; anything else is a 400) is answered
 * `204 No Content`, and the client polls again.
 *
 * The waiting is an `AsyncResult` per message: pollers `wait` on the
 * current one, and `/send` sets it (waking them all, FIFO) and puts a fresh
 * one in its place for the pollers that come after. A client that gives up
 * (closes its connection) has its handler killed by the server, which stops
 * waiting.
 */
import { AsyncResult, joinAll, sleep, spawn, type Operation } from 'grove';
import { HttpServer, type HttpHandler } from 'grove/server';
import { runIfMain, type Log } from '../support.js';
import { msParam, request, urlOf } from './http-client.js';

/** How long a poll waits for a message when it does not say. */
export const POLL_TIMEOUT_MS = 10_000;
/** The longest a poll may ask to wait. */
export const MAX_POLL_TIMEOUT_MS = 60_000;

/** The next message and how many pollers wait for it. */
interface Round {
  readonly message: AsyncResult<string>;
  waiting: number;
}

/** Where pollers wait for the next message and senders publish it. */
export class MessageBoard {
  private round: Round = { message: new AsyncResult<string>(), waiting: 0 };

  /** Pollers waiting for the next message now. */
  waiting(): number {
    return this.round.waiting;
  }

  /** Waits up to `timeoutMs` for the next message; `undefined` if none came. */
  *next(timeoutMs: number): Operation<string | undefined> {
    const round = this.round;
    round.waiting++;
    try {
      return yield* round.message.wait({ timeout: timeoutMs });
    } finally {
      // Timed out or killed: no longer counted among those this message reaches.
      if (!round.message.ready()) round.waiting--;
    }
  }

  /** Wakes every poller waiting with `message`; returns how many there were. Never blocks. */
  publish(message: string): number {
    const round = this.round;
    // A fresh round first: a poller arriving from now on waits for the message after this one.
    this.round = { message: new AsyncResult<string>(), waiting: 0 };
    round.message.set(message);
    return round.waiting;
  }
}

/** The application: `GET /poll[?timeout=ms]`, `POST /send` (the body is the message). */
export function longPolling(board: MessageBoard): HttpHandler {
  return function* application(request, response): Operation<void> {
    if (request.method === 'GET' && request.path === '/poll') {
      const message = yield* board.next(msParam(request, 'timeout', POLL_TIMEOUT_MS, MAX_POLL_TIMEOUT_MS));
      if (message === undefined) response.writeHead(204).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(message);
    } else if (request.method === 'POST' && request.path === '/send') {
      const reached = board.publish(yield* request.text());
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`delivered to ${reached} pollers`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  };
}

/** A long-polling server and its board. */
export interface LongPollingServer {
  readonly server: HttpServer;
  readonly board: MessageBoard;
}

/** Starts the long-polling server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function* startLongPollingServer(port = 0): Operation<LongPollingServer> {
  const board = new MessageBoard();
  const server = new HttpServer({ host: '127.0.0.1', port }, longPolling(board));
  yield* server.start();
  return { server, board };
}

export function* main(log: Log): Operation<void> {
  const { server, board } = yield* startLongPollingServer();
  const url = urlOf(server);

  function* poll(who: string, timeoutMs: number): Operation<string> {
    const reply = yield* request(`${url}/poll?timeout=${timeoutMs}`);
    return `${who} got ${reply.status}${reply.body === '' ? ' (no message)' : `: ${reply.body.trimEnd()}`}`;
  }

  const pollers = [spawn(poll, 'alice', 5000), spawn(poll, 'bob', 5000)];
  // Their requests are on the way: wait until the server holds both.
  while (board.waiting() < 2) yield* sleep(1);
  log('alice and bob are polling');
  const sent = yield* request(`${url}/send`, { method: 'POST', body: 'hello, pollers' });
  log(`carol sent "hello, pollers": ${sent.status} ${sent.body}`);
  yield* joinAll(pollers, { raiseError: true });
  for (const poller of pollers) log(poller.value!);

  log(yield* poll('dave', 50)); // nobody sends within 50 ms
  log(yield* poll('erin', -1)); // not a timeout: 400
  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
