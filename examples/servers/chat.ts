/**
 * The tutorial's "Chat Server" (its micro chat room, minus Flask and the
 * HTML pages): users join rooms, post messages, and long-poll for them.
 *
 *     POST /join/<room>/<uid>   subscribes uid; answers the room's backlog (JSON)
 *     POST /put/<room>/<uid>    form field `message`: "uid:message" to everyone in the room
 *     POST /poll/<uid>          the user's next message (JSON), or [] after the timeout
 *
 * Unlike `long-polling.ts`, where a message reaches the pollers waiting at
 * that moment, each user here has a `Queue`: `put` does `putNowait` into
 * the queue of every subscriber of the room, and a poll is
 * `queue.get({ timeout })` — a message sent between two polls waits for the
 * next one, and `Empty` on timeout is answered `[]`, as in the tutorial.
 */
import { Empty, Queue, joinAll, spawn, type Operation } from 'grove';
import { HttpServer, type HttpHandler, type HttpResponse } from 'grove/server';
import { runIfMain, type Log } from '../support.js';
import { msParam, request, urlOf } from './http-client.js';

/** How long a poll waits for a message when it does not say (`?timeout=ms`). */
export const POLL_TIMEOUT_MS = 10_000;
/** The longest a poll may ask to wait. */
export const MAX_POLL_TIMEOUT_MS = 60_000;

/** A chat user: the messages sent to them and not polled yet. */
export class User {
  readonly queue = new Queue<string>();
}

/** A chat room: its subscribers and every message posted to it. */
export class Room {
  readonly users = new Set<User>();
  readonly messages: string[] = [];

  /** The last `size` messages. */
  backlog(size = 25): string[] {
    return this.messages.slice(-size);
  }

  subscribe(user: User): void {
    this.users.add(user);
  }

  /** Hands `message` to every subscriber. Never blocks: their queues are unbounded. */
  add(message: string): void {
    for (const user of this.users) user.queue.putNowait(message);
    this.messages.push(message);
  }
}

/** The application: rooms `topic1` and `topic2`, users created when they first join. */
export function chat(pollTimeoutMs = POLL_TIMEOUT_MS): HttpHandler {
  const rooms = new Map([
    ['topic1', new Room()],
    ['topic2', new Room()],
  ]);
  const users = new Map<string, User>();

  function json(response: HttpResponse, status: number, value: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  }

  return function* application(request, response): Operation<void> {
    const [action, ...rest] = request.path.split('/').slice(1);
    if (request.method !== 'POST') return json(response, 405, { error: 'POST only' });

    if (action === 'join' && rest.length === 2 && rooms.has(rest[0])) {
      const [room, uid] = [rooms.get(rest[0])!, rest[1]];
      if (!users.has(uid)) users.set(uid, new User());
      room.subscribe(users.get(uid)!);
      return json(response, 200, room.backlog());
    }
    if (action === 'put' && rest.length === 2 && rooms.has(rest[0]) && users.has(rest[1])) {
      const message = new URLSearchParams(yield* request.text()).get('message') ?? '';
      rooms.get(rest[0])!.add(`${rest[1]}:${message}`);
      return json(response, 200, '');
    }
    if (action === 'poll' && rest.length === 1 && users.has(rest[0])) {
      const timeout = msParam(request, 'timeout', pollTimeoutMs, MAX_POLL_TIMEOUT_MS);
      try {
        return json(response, 200, yield* users.get(rest[0])!.queue.get({ timeout })); // blocks this request only
      } catch (error) {
        if (!(error instanceof Empty)) throw error;
        return json(response, 200, []);
      }
    }
    return json(response, 404, { error: 'no such room or user' });
  };
}

/** Starts the chat server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function* startChatServer(options: { pollTimeoutMs?: number; port?: number } = {}): Operation<HttpServer> {
  const server = new HttpServer({ host: '127.0.0.1', port: options.port ?? 0 }, chat(options.pollTimeoutMs));
  yield* server.start();
  return server;
}

export function* main(log: Log): Operation<void> {
  const server = yield* startChatServer({ pollTimeoutMs: 5000 });
  function* post(path: string, body?: string): Operation<string> {
    const reply = yield* request(urlOf(server) + path, { method: 'POST', body });
    return reply.body;
  }

  log(`alice joins topic1: ${yield* post('/join/topic1/alice')}`);
  log(`bob joins topic1: ${yield* post('/join/topic1/bob')}`);
  log(`carol joins topic2: ${yield* post('/join/topic2/carol')}`);

  // Alice and Bob poll (their requests stay open) while Bob posts.
  const polls = [spawn(post, '/poll/alice'), spawn(post, '/poll/bob')];
  log(`bob puts "hi all": ${yield* post('/put/topic1/bob', 'message=hi%20all')}`);
  yield* joinAll(polls, { raiseError: true });
  log(`alice's poll: ${polls[0].value}`);
  log(`bob's poll: ${polls[1].value}`);

  log(`dave joins topic1: ${yield* post('/join/topic1/dave')}`);
  log(`carol's poll (topic2 is quiet): ${yield* post('/poll/carol?timeout=50')}`);

  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
