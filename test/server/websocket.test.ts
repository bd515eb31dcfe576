import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { WebSocket as WsSocket } from 'ws';
import { Event, Timeout, call, getHub, sleep, spawn, type Operation } from 'grove';
import {
  HttpServer,
  WebSocketClosed,
  WebSocketConnectError,
  connectWebSocket,
  type HttpServerOptions,
  type WebSocket,
} from 'grove/server';
import { closeOf, errorOf, errorOfOp, eventually, rawRequest, runServer, withWebSocketServer } from './support.js';

const ws = suite('server/WebSocket');

function urlOf(server: HttpServer, path: string): string {
  return `ws://127.0.0.1:${server.port}${path}`;
}

/** A grove client to `path` (the server's own end is what these tests check; the raw `ws` client is used where a connection must be cut). */
function open(server: HttpServer, path: string): Operation<WebSocket> {
  return connectWebSocket(urlOf(server, path), { timeout: 2000 });
}

/** The next message the client receives, within 2 s (null once closed). */
function next(client: WebSocket): Operation<string | Buffer | null> {
  return client.receive({ timeout: 2000 });
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
    withWebSocketServer(
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
        const client = yield* open(server, '/echo?room=7');
        assert.is(yield* next(client), 'hello');
        yield* client.send('one');
        assert.is(yield* next(client), 'text one');
        yield* client.send(Buffer.from([1, 2, 3]));
        assert.equal([...((yield* next(client)) as Buffer)], [...Buffer.from('bin '), 1, 2, 3]);
        assert.equal(yield* closeOf(client), { code: 1000, reason: '' });
        assert.is(server.pool.size, 0);
      },
    ),
  );
  assert.equal(seen, ['/echo 7 websocket 127.0.0.1']);
});

ws('an upgrade to another path is refused with 404; a bad handshake gets 400; plain requests still reach the HTTP handler', async () => {
  await runServer(() =>
    withWebSocketServer({ '/echo': function* () {} }, function* (server) {
      const refused = yield* rawRequest(server.port, upgradeHead('/nope?x=1'));
      assert.equal([refused.status, refused.body], [404, 'no WebSocket at /nope\n']);
      const badKey = yield* rawRequest(server.port, upgradeHead('/echo', 'short'));
      assert.is(badKey.status, 400);
      const plain = yield* rawRequest(server.port, ['GET /echo HTTP/1.1', 'Host: x']);
      assert.equal([plain.status, plain.body], [200, 'plain /echo']);
      const error = yield* errorOfOp(open(server, '/other'));
      assert.is((error as WebSocketConnectError).status, 404);
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
    withWebSocketServer(
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
        const client = yield* open(server, '/');
        assert.is(yield* next(client), 'timed out');
        yield* client.send('late');
        client.close(4000, 'bye');
        yield* done.wait({ timeout: 2000 });
        assert.equal(yield* closeOf(client), { code: 4000, reason: 'bye' });
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

ws('a client that disconnects: a handler blocked elsewhere is killed there (its finally runs); one in receive gets null and goes on', async () => {
  const events: string[] = [];
  await runServer(() =>
    withWebSocketServer(
      {
        *'/ticker'(socket) {
          try {
            for (;;) {
              yield* socket.send('tick');
              yield* sleep(10_000); // the peer leaves during this sleep
            }
          } finally {
            events.push(`ticker finally: closed ${socket.closed}, code ${socket.closeCode}`);
          }
        },
        *'/reader'(socket) {
          const message = yield* socket.receive();
          yield* sleep(20); // not killed: it learned of the end from receive
          events.push(`reader got ${message}, then finished`);
        },
      },
      function* (server) {
        const ticker = new WsSocket(urlOf(server, '/ticker')); // ws's client: it can cut a connection (terminate) as a crashed peer does
        const [tick] = (yield* call(once(ticker, 'message'))) as [Buffer];
        assert.is(String(tick), 'tick');
        const [tickerHandler] = server.pool;
        ticker.terminate(); // no close frame: the connection is just lost
        assert.ok(yield* tickerHandler.join({ timeout: 2000 }), 'the ticker handler ended');
        assert.ok(tickerHandler.successful() && tickerHandler.value instanceof Error && tickerHandler.value.name === 'GreenletExit');

        const reader = yield* open(server, '/reader');
        yield* eventually('the reader handler runs', () => server.pool.size === 1);
        const [readerHandler] = server.pool;
        reader.close();
        assert.ok(yield* readerHandler.join({ timeout: 2000 }));
        assert.is(readerHandler.value, undefined, 'it returned, it was not killed');
      },
    ),
  );
  assert.equal(events, ['ticker finally: closed true, code 1006', 'reader got null, then finished']);
});

ws('send: WebSocketClosed once the peer closed (a handler ending with it ended normally); bad arguments; after close() it is a misuse', async () => {
  const events: string[] = [];
  await runServer(() =>
    withWebSocketServer(
      {
        *'/'(socket) {
          const checks: [() => unknown, string][] = [
            [() => socket.send(5 as never), 'WebSocket.send: data must be a string or a Uint8Array, got 5'],
            [() => socket.send('x', { timeout: -1 }), 'WebSocket.send: timeout must be a non-negative number of ms, got -1'],
            [() => socket.send('x', { timout: 1 } as never), 'WebSocket.send: unknown option "timout" (options are timeout)'],
            [() => socket.receive({ timeout: 'soon' as never }), 'WebSocket.receive: timeout must be a number of ms or a Timeout, got "soon"'],
            [() => socket.close(1005), 'WebSocket.close: code must be 1000, 1001, 1002, 1003, 1007 to 1014 or 3000 to 4999, got 1005'],
            [() => socket.close(5000), 'WebSocket.close: code must be 1000, 1001, 1002, 1003, 1007 to 1014 or 3000 to 4999, got 5000'],
            [() => socket.close(1000, 7 as never), 'WebSocket.close: reason must be a string, got 7'],
            [() => socket.close(1000, 'é'.repeat(62)), 'WebSocket.close: reason must be at most 123 bytes of UTF-8, got 124'],
          ];
          for (const [fn, message] of checks) events.push(errorOf(fn).message === message ? 'ok' : errorOf(fn).message);
          assert.is(yield* socket.receive(), null);
          const closed = yield* errorOfOp(socket.send('too late'));
          events.push(`${closed.name}: ${closed.message.replace(/:\d+ /, ':PORT ')}`);
          assert.instance(closed, WebSocketClosed);
          yield* socket.send('and again'); // thrown out of the handler: it ends normally, nothing reported
        },
        *'/self'(socket) {
          socket.close(4001, 'done here');
          socket.close(); // closing a closed socket does nothing
          events.push((yield* errorOfOp(socket.send('x'))).message);
        },
      },
      function* (server) {
        const client = yield* open(server, '/');
        client.close(1000);
        assert.equal(yield* closeOf(client), { code: 1000, reason: '' });
        const self = yield* open(server, '/self');
        assert.equal(yield* closeOf(self), { code: 4001, reason: 'done here' });
        yield* eventually('both handlers ended', () => server.pool.size === 0);
      },
    ),
  );
  assert.equal(events, [
    ...Array(8).fill('ok'),
    'WebSocketClosed: WebSocket.send: the socket to 127.0.0.1:PORT was closed by the peer',
    'WebSocket.send: the socket was closed by close()',
  ]);
});

ws('a handler that fails: the socket closes with 1011 and the hub reports it with the greenlet name; a kill closes with 1001', async () => {
  await runServer(
    () =>
      withWebSocketServer(
        {
          *'/fail'() {
            yield* sleep(1);
            throw new Error('handler broke');
          },
          *'/wait'() {
            yield* sleep(10_000);
          },
        },
        function* (server) {
          const failing = yield* open(server, '/fail?a=1');
          assert.equal(yield* closeOf(failing), { code: 1011, reason: '' });
          const waiting = yield* open(server, '/wait');
          yield* eventually('the handler runs', () => server.pool.size === 1);
          const [handler] = server.pool;
          yield* handler.kill();
          assert.equal(yield* closeOf(waiting), { code: 1001, reason: '' });
        },
      ),
    [/^HttpServer 127\.0\.0\.1:\d+ GET \/fail\?a=1: greenlet: Error: handler broke$/],
  );
});

ws('send blocks while the peer does not read: at most 64 KiB wait to leave after each send; a timeout keeps the message; all arrive in order', async () => {
  const chunk = 'x'.repeat(64 * 1024 - 8);
  const BOUND = 64 * 1024;
  const LIMIT = 1024; // 64 MiB at most: the kernel's buffers on loopback take a few MiB, so a send blocks well before
  let sent = 0;
  let blockedAt = -1;
  let mostWaiting = 0;
  const resumed = new Event();
  await runServer(() =>
    withWebSocketServer(
      {
        *'/'(socket) {
          for (; sent < LIMIT && blockedAt < 0; sent++) {
            try {
              yield* socket.send(`${String(sent).padStart(7, '0')} ${chunk}`, { timeout: 200 });
              mostWaiting = Math.max(mostWaiting, socket.bufferedAmount);
            } catch (error) {
              if (!(error instanceof Timeout)) throw error;
              blockedAt = sent;
            }
          }
          yield* resumed.wait();
          yield* socket.send('end'); // waits while the rest drains
          mostWaiting = Math.max(mostWaiting, socket.bufferedAmount);
        },
      },
      function* (server) {
        const client = yield* open(server, '/');
        // Receives nothing: 16 messages wait in the client, it stops reading, the kernel's buffers fill, then the server's.
        yield* eventually('a send blocked, or every send returned', () => blockedAt >= 0 || sent === LIMIT, 10_000);
        assert.ok(blockedAt > 0, `no send blocked in ${LIMIT} sends of 64 KiB`);
        assert.ok(mostWaiting <= BOUND, `${mostWaiting} bytes waited to leave after a send returned`);
        resumed.set();
        for (let i = 0; i < sent; i++) {
          const message = (yield* next(client)) as string;
          assert.is(message.slice(0, 8), `${String(i).padStart(7, '0')} `, 'in order, the timed-out one too');
        }
        assert.is(yield* next(client), 'end');
        assert.ok(mostWaiting <= BOUND, `${mostWaiting} bytes waited to leave after the last send returned`);
      },
    ),
  );
});

ws('stop({ timeout }) closes open sockets with 1001: a handler in receive ends, one blocked elsewhere is killed at the timeout', async () => {
  const events: string[] = [];
  await runServer(function* () {
    const server = new HttpServer('127.0.0.1:0', function* () {}, {
      websockets: {
        *'/reader'(socket) {
          events.push(`reader got ${yield* socket.receive()}, code ${socket.closeCode}`);
        },
        *'/stubborn'(socket) {
          try {
            yield* sleep(60_000);
          } finally {
            events.push(`stubborn killed, closed ${socket.closed}`);
          }
        },
      },
    });
    yield* server.start();
    const reader = yield* open(server, '/reader');
    const stubborn = yield* open(server, '/stubborn');
    yield* eventually('both handlers run', () => server.pool.size === 2);
    const start = getHub().now();
    yield* server.stop({ timeout: 100 });
    const took = getHub().now() - start;
    assert.ok(took >= 100 && took < 1000, `stop took ${took} ms`);
    assert.ok(server.closed);
    assert.equal(yield* closeOf(reader), { code: 1001, reason: 'the server is stopping' });
    assert.equal(yield* closeOf(stubborn), { code: 1001, reason: 'the server is stopping' });
  });
  assert.equal(events, ['reader got null, code 1001', 'stubborn killed, closed true']);
});

ws('sockets share the server pool: a client beyond it is connected and waits, its messages kept, until a slot frees', async () => {
  await runServer(() =>
    withWebSocketServer(
      {
        *'/'(socket) {
          for (let message = yield* socket.receive(); message !== null; message = yield* socket.receive()) {
            yield* socket.send(`echo ${message}`);
          }
        },
      },
      function* (server) {
        const first = yield* open(server, '/');
        const second = yield* open(server, '/');
        for (let i = 0; i < 40; i++) yield* second.send(`m${i}`); // more than the 16 read before the socket pauses
        yield* first.send('a');
        assert.is(yield* next(first), 'echo a');
        assert.is(server.pool.size, 1);
        assert.instance(yield* errorOfOp(second.receive({ timeout: 10 })), Timeout, 'nobody handles the second yet');
        first.close();
        for (let i = 0; i < 40; i++) assert.is(yield* next(second), `echo m${i}`);
      },
      { pool: 1 },
    ),
  );
});

ws('stop() closes with 1001 a socket still waiting for a pool slot too; its handler never runs', async () => {
  let started = 0;
  await runServer(function* () {
    const server = new HttpServer('127.0.0.1:0', function* () {}, {
      pool: 1,
      websockets: {
        *'/'(socket) {
          started++;
          yield* socket.receive();
        },
      },
    });
    yield* server.start();
    const first = yield* open(server, '/');
    const second = yield* open(server, '/');
    yield* eventually('the first handler runs', () => started === 1);
    yield* server.stop({ timeout: 100 });
    assert.equal(yield* closeOf(first), { code: 1001, reason: 'the server is stopping' });
    assert.equal(yield* closeOf(second), { code: 1001, reason: 'the server is stopping' });
  });
  assert.is(started, 1);
});

ws('a message over maxMessageBytes closes the socket with 1009; the handler gets null', async () => {
  const events: string[] = [];
  await runServer(() =>
    withWebSocketServer(
      {
        *'/'(socket) {
          events.push(`got ${yield* socket.receive()}`);
          events.push(`got ${yield* socket.receive()}, code ${socket.closeCode}`);
        },
      },
      function* (server) {
        const client = yield* open(server, '/');
        yield* client.send('x'.repeat(16));
        yield* client.send('x'.repeat(17));
        assert.is((yield* closeOf(client)).code, 1009);
        yield* eventually('the handler ended', () => server.pool.size === 0);
      },
      { maxMessageBytes: 16 },
    ),
  );
  assert.equal(events, [`got ${'x'.repeat(16)}`, 'got null, code 1006']);
});

ws.run();
