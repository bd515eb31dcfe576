import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Event, Timeout, getHub, sleep, spawn, type Operation } from 'grove';
import { HttpServer, WebSocketClosed, type HttpServerOptions, type WebSocket, type WebSocketHandler } from 'grove/server';
import { errorOf, eventually, openWebSocket, rawRequest, runServer, type WsClient } from './support.js';

const ws = suite('server/WebSocket');

/** Starts an HttpServer on 127.0.0.1 with `websockets`, runs `body` with it, stops it. */
function* withServer(
  websockets: Record<string, WebSocketHandler>,
  body: (server: HttpServer) => Operation<void>,
  options: Omit<HttpServerOptions, 'websockets'> = {},
): Operation<void> {
  const server = new HttpServer(
    '127.0.0.1:0',
    function* (request, response) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`plain ${request.path}`);
    },
    { ...options, websockets },
  );
  yield* server.start();
  try {
    yield* body(server);
  } finally {
    yield* server.stop();
  }
}

function urlOf(server: HttpServer, path: string): string {
  return `ws://127.0.0.1:${server.port}${path}`;
}

/** The next message the client receives, within 2 s. */
function* next(client: WsClient): Operation<string | Buffer> {
  return yield* client.messages.get({ timeout: 2000 });
}

/** The handshake of an upgrade request to `path`, as raw request lines. */
function upgradeHead(path: string, key = 'dGhlIHNhbXBsZSBub25jZQ=='): string[] {
  return [`GET ${path} HTTP/1.1`, 'Host: x', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
}

ws('bad options fail at the constructor, naming the option and the value', () => {
  const handler = function* () {};
  const make = (options: unknown) => () => new HttpServer(':0', handler, options as HttpServerOptions);
  const cases: [() => unknown, string][] = [
    [make({ websockets: 5 }), 'new HttpServer: websockets must be an object of handlers by path, got 5'],
    [make({ websockets: new Map() }), 'new HttpServer: websockets must be an object of handlers by path, got a Map'],
    [make({ websockets: { points: handler } }), 'new HttpServer: websockets: a path must start with "/", got "points"'],
    [make({ websockets: { '/points': 'points' } }), 'new HttpServer: websockets["/points"] must be a function, got "points"'],
    [make({ maxMessageBytes: 0 }), 'new HttpServer: maxMessageBytes must be a positive integer, got 0'],
    [make({ maxMessageBytes: '1' }), 'new HttpServer: maxMessageBytes must be a positive integer, got "1"'],
    [make({ websocket: {} }), 'new HttpServer: unknown option "websocket" (options are pool, maxBodyBytes, websockets, maxMessageBytes)'],
  ];
  for (const [fn, message] of cases) assert.is(errorOf(fn).message, message);
  assert.is(new HttpServer(':0', handler).maxMessageBytes, 1024 * 1024);
  assert.is(new HttpServer(':0', handler, { maxMessageBytes: 10 }).maxMessageBytes, 10);
});

ws('an upgrade runs its path handler with the request; text and binary messages both ways; a return closes with 1000', async () => {
  const seen: string[] = [];
  await runServer(() =>
    withServer(
      {
        *'/echo'(socket, request) {
          seen.push(`${request.path} ${request.query.get('room')} ${request.headers.upgrade} ${socket.remoteAddress}`);
          yield* socket.send('hello');
          for (let i = 0; i < 2; i++) {
            const message = yield* socket.receive();
            yield* socket.send(typeof message === 'string' ? `text ${message}` : Buffer.concat([Buffer.from('bin '), message!]));
          }
        },
      },
      function* (server) {
        const client = yield* openWebSocket(urlOf(server, '/echo?room=7'));
        assert.is(yield* next(client), 'hello');
        client.socket.send('one');
        assert.is(yield* next(client), 'text one');
        client.socket.send(Buffer.from([1, 2, 3]));
        assert.equal([...((yield* next(client)) as Buffer)], [...Buffer.from('bin '), 1, 2, 3]);
        assert.equal(yield* client.closed.get({ timeout: 2000 }), { code: 1000, reason: '' });
        assert.is(server.pool.size, 0);
      },
    ),
  );
  assert.equal(seen, ['/echo 7 websocket 127.0.0.1']);
});

ws('an upgrade to another path is refused with 404; a bad handshake gets 400; plain requests still reach the HTTP handler', async () => {
  await runServer(() =>
    withServer({ '/echo': function* () {} }, function* (server) {
      const refused = yield* rawRequest(server.port, upgradeHead('/nope?x=1'));
      assert.equal([refused.status, refused.body], [404, 'no WebSocket at /nope\n']);
      const badKey = yield* rawRequest(server.port, upgradeHead('/echo', 'short'));
      assert.is(badKey.status, 400);
      const plain = yield* rawRequest(server.port, ['GET /echo HTTP/1.1', 'Host: x']);
      assert.equal([plain.status, plain.body], [200, 'plain /echo']);
      const error = yield* errorOfOp(openWebSocket(urlOf(server, '/other')));
      assert.is(error.message, 'Unexpected server response: 404');
      assert.is(server.pool.size, 0);
    }),
  );
});

ws('without the websockets option, an upgrade request is an ordinary request to the HTTP handler', async () => {
  await runServer(function* () {
    const server = new HttpServer('127.0.0.1:0', function* (request, response) {
      response.end(`plain ${request.headers.upgrade}`);
    });
    yield* server.start();
    const reply = yield* rawRequest(server.port, upgradeHead('/echo'));
    assert.equal([reply.status, reply.body], [200, 'plain websocket']);
    yield* server.stop();
  });
});

ws('receive: a timeout throws Timeout and loses nothing; null once the peer closed, with its code and reason; two receivers is an error', async () => {
  const events: string[] = [];
  const done = new Event();
  await runServer(() =>
    withServer(
      {
        *'/'(socket) {
          try {
            yield* socket.receive({ timeout: 30 });
          } catch (error) {
            events.push(error instanceof Timeout ? 'timeout' : `unexpected ${String(error)}`);
          }
          yield* socket.send('timed out');
          const other = spawn(function* () {
            yield* socket.receive();
          });
          yield* sleep(0);
          events.push((yield* errorOfOp(socket.receive())).message);
          yield* other.kill();
          events.push(`got ${yield* socket.receive()}`);
          events.push(`got ${yield* socket.receive()}`);
          events.push(`closed ${socket.closed} ${socket.closeCode} ${socket.closeReason}`);
          done.set();
        },
      },
      function* (server) {
        const client = yield* openWebSocket(urlOf(server, '/'));
        assert.is(yield* next(client), 'timed out');
        client.socket.send('late');
        client.socket.close(4000, 'bye');
        yield* done.wait({ timeout: 2000 });
        assert.equal(yield* client.closed.get({ timeout: 2000 }), { code: 4000, reason: 'bye' });
      },
    ),
  );
  assert.equal(events, [
    'timeout',
    'WebSocket.receive: another greenlet is receiving from this socket (in WebSocket.receive)',
    'got late',
    'got null',
    'closed true 4000 bye',
  ]);
});

/** The error an Operation throws (a test fails if it throws none). */
function* errorOfOp(op: Operation<unknown>): Operation<Error> {
  try {
    yield* op;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

ws.run();

export type { WebSocket };
void getHub;
void eventually;
void WebSocketClosed;
