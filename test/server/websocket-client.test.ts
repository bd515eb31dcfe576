import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { WebSocket as WsSocket } from 'ws';
import { Timeout, call, sleep, spawn, type Operation } from 'grove';
import {
  HttpServer,
  StreamServer,
  WebSocket,
  WebSocketClosed,
  WebSocketConnectError,
  connectWebSocket,
  type ConnectWebSocketOptions,
} from 'grove/server';
import { errorOf, errorOfOp, eventually, runServer, withWebSocketServer } from './support.js';

const client = suite('server/connectWebSocket');

function urlOf(port: number, path: string): string {
  return `ws://127.0.0.1:${port}${path}`;
}

/** A TCP server on 127.0.0.1 that accepts and never answers (a handshake to it never completes); `connectionCount` says whether the client is still there. */
function* withSilentServer(body: (server: StreamServer) => Operation<void>): Operation<void> {
  const server = new StreamServer('127.0.0.1:0', function* (connection) {
    while ((yield* connection.recv()) !== null); // reads the upgrade request, answers nothing, ends when the client goes
  });
  yield* server.start();
  try {
    yield* body(server);
  } finally {
    yield* server.stop({ timeout: 0 });
  }
}

client('bad input fails at the call, naming it and the value', () => {
  const connect = (url: unknown, options?: unknown) => () => connectWebSocket(url as string, options as ConnectWebSocketOptions);
  const cases: [() => unknown, string][] = [
    [connect(5), 'connectWebSocket: url must be a string or a URL, got 5'],
    [connect('not a url'), 'connectWebSocket: url must be a ws:// or wss:// URL, got "not a url"'],
    [connect('http://127.0.0.1:80/'), 'connectWebSocket: url must be a ws:// or wss:// URL, got "http://127.0.0.1:80/"'],
    [connect(new URL('ftp://x/')), 'connectWebSocket: url must be a ws:// or wss:// URL, got "ftp://x/"'],
    [connect('ws://x/#top'), 'connectWebSocket: url must not have a fragment (#...), got "ws://x/#top"'],
    [connect('ws://x/', 5), 'connectWebSocket: options must be an object, got 5'],
    [connect('ws://x/', { timout: 5 }), 'connectWebSocket: unknown option "timout" (options are timeout, headers, protocols, maxMessageBytes)'],
    [connect('ws://x/', { timeout: -1 }), 'connectWebSocket: timeout must be a non-negative number of ms, got -1'],
    [connect('ws://x/', { headers: 'a: b' }), 'connectWebSocket: headers must be an object of strings by name, got "a: b"'],
    [connect('ws://x/', { headers: { 'a b': 'c' } }), 'connectWebSocket: headers: "a b" is not a header name'],
    [connect('ws://x/', { headers: { Upgrade: 'h2c' } }), 'connectWebSocket: headers: "Upgrade" is set by the handshake'],
    [connect('ws://x/', { headers: { 'Sec-WebSocket-Protocol': 'chat' } }), 'connectWebSocket: headers: "Sec-WebSocket-Protocol" is set by the handshake (use the protocols option)'],
    [connect('ws://x/', { headers: { token: 7 } }), 'connectWebSocket: headers["token"] must be a string, got 7'],
    [connect('ws://x/', { headers: { token: 'a\r\nb' } }), 'connectWebSocket: headers["token"] has a character a header cannot hold, got "a\\r\\nb"'],
    [connect('ws://x/', { protocols: 5 }), 'connectWebSocket: protocols must be a string or an array of strings, got 5'],
    [connect('ws://x/', { protocols: ['chat', 'a b'] }), "connectWebSocket: protocols: a subprotocol must be a token (letters, digits, !#$%&'*+-.^_`|~), got \"a b\""],
    [connect('ws://x/', { protocols: ['chat', 'chat'] }), 'connectWebSocket: protocols: "chat" is given twice'],
    [connect('ws://x/', { maxMessageBytes: 0 }), 'connectWebSocket: maxMessageBytes must be a positive integer, got 0'],
  ];
  for (const [fn, message] of cases) assert.is(errorOf(fn).message, message);
  assert.instance(errorOf(connect('http://x/')), SyntaxError);
  assert.instance(errorOf(connect('ws://x/', { protocols: 5 })), TypeError);
});

client('an exact echo exchange with an HttpServer: text and binary both ways, headers and subprotocol, then a close both ends see', async () => {
  const seen: string[] = [];
  await runServer(() =>
    withWebSocketServer({
      *'/echo'(socket, request) {
        seen.push(`server: ${request.query.get('room')} ${request.headers.authorization} ${socket.protocol}`);
        for (let message = yield* socket.receive(); message !== null; message = yield* socket.receive()) {
          yield* socket.send(typeof message === 'string' ? `echo ${message}` : Buffer.concat([Buffer.from('echo '), message]));
        }
        seen.push(`server: closed ${socket.closeCode} ${socket.closeReason}`);
      },
    }, function* (server) {
      const socket = yield* connectWebSocket(urlOf(server.port, '/echo?room=7'), {
        timeout: 2000,
        headers: { authorization: 'Bearer t' },
        protocols: ['chat.v2', 'chat.v1'],
      });
      assert.instance(socket, WebSocket);
      assert.equal([socket.remoteAddress, socket.remotePort, socket.protocol, socket.closed], ['127.0.0.1', server.port, 'chat.v2', false]);
      yield* socket.send('one');
      yield* socket.send(Buffer.from([1, 2, 3]));
      yield* socket.send('two');
      assert.is(yield* socket.receive({ timeout: 2000 }), 'echo one');
      assert.equal([...((yield* socket.receive({ timeout: 2000 })) as Buffer)], [...Buffer.from('echo '), 1, 2, 3]);
      assert.is(yield* socket.receive({ timeout: 2000 }), 'echo two');
      socket.close(4000, 'bye');
      assert.is(yield* socket.receive({ timeout: 2000 }), null);
      assert.equal([socket.closed, socket.closeCode, socket.closeReason], [true, 4000, 'bye']);
      yield* eventually('the handler ended', () => server.pool.size === 0);
    }),
  );
  assert.equal(seen, ['server: 7 Bearer t chat.v2', 'server: closed 4000 bye']);
});

client('a handshake not done within timeout throws Timeout and cuts the half-open connection', async () => {
  await runServer(() =>
    withSilentServer(function* (server) {
      const error = yield* errorOfOp(connectWebSocket(urlOf(server.port, '/'), { timeout: 50 }));
      assert.instance(error, Timeout);
      yield* eventually('the server saw the connection go', () => server.connectionCount === 0);
      const given = new Timeout(30);
      assert.is(yield* errorOfOp(connectWebSocket(urlOf(server.port, '/'), { timeout: given })), given, 'a Timeout given is raised');
    }),
  );
});

client('a kill while connecting terminates the attempt: nothing is left open', async () => {
  await runServer(() =>
    withSilentServer(function* (server) {
      const connecting = spawn(function* () {
        yield* connectWebSocket(urlOf(server.port, '/'));
      });
      yield* eventually('the server accepted the connection', () => server.connectionCount === 1);
      yield* connecting.kill();
      assert.is((connecting.value as unknown as Error).name, 'GreenletExit');
      yield* eventually('the server saw the connection go', () => server.connectionCount === 0);
    }),
  );
});

client('a refused handshake (404) is a WebSocketConnectError naming the URL and the status', async () => {
  await runServer(() =>
    withWebSocketServer({ '/echo': function* () {} }, function* (server) {
      const error = yield* errorOfOp(connectWebSocket(urlOf(server.port, '/nope?x=1'), { timeout: 2000 }));
      assert.instance(error, WebSocketConnectError);
      const refused = error as WebSocketConnectError;
      assert.equal(
        [refused.name, refused.message, refused.url, refused.status, refused.code],
        [
          'WebSocketConnectError',
          `connectWebSocket: ws://127.0.0.1:${server.port}/nope?x=1 refused the handshake: 404 Not Found`,
          `ws://127.0.0.1:${server.port}/nope?x=1`,
          404,
          null,
        ],
      );
      assert.is(server.pool.size, 0);
    }),
  );
});

client('a connection refused is a WebSocketConnectError with the URL and ECONNREFUSED', async () => {
  await runServer(function* () {
    const gone = new StreamServer('127.0.0.1:0', function* () {});
    yield* gone.start();
    const port = gone.port;
    yield* gone.stop(); // nothing listens there now
    const error = yield* errorOfOp(connectWebSocket(urlOf(port, '/'), { timeout: 2000 }));
    assert.instance(error, WebSocketConnectError);
    const failed = error as WebSocketConnectError;
    assert.equal(
      [failed.message, failed.url, failed.status, failed.code, (failed.cause as NodeJS.ErrnoException).code],
      [`connectWebSocket: could not connect to ws://127.0.0.1:${port}/ (ECONNREFUSED)`, `ws://127.0.0.1:${port}/`, null, 'ECONNREFUSED', 'ECONNREFUSED'],
    );
  });
});

client('the server stops: a client in receive gets null with 1001; one blocked elsewhere is not killed, its next send throws WebSocketClosed', async () => {
  const events: string[] = [];
  await runServer(function* () {
    const server = new HttpServer('127.0.0.1:0', function* () {}, {
      websockets: {
        *'/'(socket) {
          yield* socket.receive();
        },
      },
    });
    yield* server.start();
    const reading = yield* connectWebSocket(urlOf(server.port, '/'), { timeout: 2000 });
    const sleeping = yield* connectWebSocket(urlOf(server.port, '/'), { timeout: 2000 });
    yield* eventually('both handlers run', () => server.pool.size === 2);
    const reader = spawn(function* () {
      events.push(`reader got ${yield* reading.receive()}, ${reading.closeCode} ${reading.closeReason}`);
    });
    const sleeper = spawn(function* () {
      yield* sleep(100); // the server stops meanwhile: nobody kills this greenlet
      const error = yield* errorOfOp(sleeping.send('late'));
      events.push(`${error.name}: ${error.message.replace(/:\d+ /, ':PORT ')}`);
      assert.instance(error, WebSocketClosed);
      events.push(`sleeper: ${yield* sleeping.receive()}, ${sleeping.closeCode}`);
    });
    yield* sleep(0);
    yield* server.stop({ timeout: 1000 });
    assert.ok(yield* reader.join({ timeout: 2000 }));
    assert.ok(yield* sleeper.join({ timeout: 2000 }));
    assert.ok(sleeper.successful(), 'the sleeper was not killed');
  });
  assert.equal(events, [
    'reader got null, 1001 the server is stopping',
    'WebSocketClosed: WebSocket.send: the socket to 127.0.0.1:PORT was closed by the peer',
    'sleeper: null, 1001',
  ]);
});

client('a message over maxMessageBytes cuts the connection: receive gives what came before, then null with 1006', async () => {
  await runServer(() =>
    withWebSocketServer({
      *'/'(socket) {
        yield* socket.send('x'.repeat(16));
        yield* socket.send('x'.repeat(17));
        yield* socket.receive();
      },
    }, function* (server) {
      const socket = yield* connectWebSocket(urlOf(server.port, '/'), { timeout: 2000, maxMessageBytes: 16 });
      assert.is(yield* socket.receive({ timeout: 2000 }), 'x'.repeat(16));
      assert.is(yield* socket.receive({ timeout: 2000 }), null);
      assert.is(socket.closeCode, 1006);
      yield* eventually('the handler ended', () => server.pool.size === 0);
    }),
  );
});

client('interoperates with ws as a server: a plain ws WebSocketServer echoes to connectWebSocket', async () => {
  const { WebSocketServer } = await import('ws');
  await runServer(function* () {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (peer) => peer.on('message', (data, isBinary) => peer.send(isBinary ? data : `ws: ${String(data)}`)));
    try {
      yield* call(once(wss, 'listening'));
      const port = (wss.address() as { port: number }).port;
      const socket = yield* connectWebSocket(urlOf(port, '/'), { timeout: 2000 });
      yield* socket.send('hi');
      assert.is(yield* socket.receive({ timeout: 2000 }), 'ws: hi');
      socket.close();
      assert.is(yield* socket.receive({ timeout: 2000 }), null);
      assert.is(socket.closeCode, 1000);
    } finally {
      yield* call(new Promise<void>((resolve) => wss.close(() => resolve())));
    }
  });
});

client('interoperates with ws as a client: a raw ws client and a grove handler exchange messages', async () => {
  await runServer(() =>
    withWebSocketServer({
      *'/'(socket) {
        const message = yield* socket.receive();
        yield* socket.send(`grove: ${message}`);
      },
    }, function* (server) {
      const raw = new WsSocket(urlOf(server.port, '/'));
      yield* call(once(raw, 'open'));
      raw.send('hi');
      const [data] = (yield* call(once(raw, 'message'))) as [Buffer];
      assert.is(String(data), 'grove: hi');
      const [code] = (yield* call(once(raw, 'close'))) as [number];
      assert.is(code, 1000);
    }),
  );
});

client.run();
