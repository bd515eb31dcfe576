import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Event, Interrupt, Pool, Timeout, call, getCurrent, joinAll, sleep, spawn, type Operation } from 'grove';
import { BodyTooLarge, HttpError, HttpServer, connect, type HttpHandler, type HttpRequest, type HttpResponse } from 'grove/server';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:net';
import type { ServerResponse } from 'node:http';
import { errorOf, eventually, parseReply, rawRequest, runServer } from './support.js';

const http = suite('server/HttpServer');

/** Starts an HttpServer on 127.0.0.1 running `handler`, runs `body` with it, stops it. */
function* withServer(
  handler: HttpHandler,
  body: (server: HttpServer) => Operation<void>,
  options: { pool?: number | Pool; maxBodyBytes?: number } = {},
): Operation<void> {
  const server = new HttpServer('127.0.0.1:0', handler, options);
  yield* server.start();
  try {
    yield* body(server);
  } finally {
    yield* server.stop();
  }
}

/** A fetch from a greenlet: status and body text. */
function* get(server: HttpServer, path: string, init: RequestInit = {}): Operation<string> {
  return yield* call(async (signal) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, signal });
    return `${response.status} ${await response.text()}`;
  });
}

http('bad arguments fail at the constructor', () => {
  const cases: [() => unknown, string][] = [
    [() => new HttpServer('127.0.0.1:x', function* () {}), `new HttpServer: address must be 'host:port' or { host, port } with a port from 0 to 65535, got "127.0.0.1:x"`],
    [() => new HttpServer(':0', null as never), 'new HttpServer: handler must be a function, got null'],
    [() => new HttpServer(':0', function* () {}, { pool: -1 }), 'new HttpServer: pool must be a positive integer or a Pool, got -1'],
    [() => new HttpServer(':0', function* () {}, { maxBodyBytes: -1 }), 'new HttpServer: maxBodyBytes must be a non-negative integer, got -1'],
    [() => new HttpServer(':0', function* () {}, { maxBody: 5 } as never), 'new HttpServer: unknown option "maxBody" (options are pool, maxBodyBytes, websockets, maxMessageBytes)'],
    [() => new HttpError(200), 'new HttpError: status must be an integer from 400 to 599, got 200'],
  ];
  for (const [make, message] of cases) assert.is(errorOf(make).message, message);
  assert.is(new HttpServer(':0', function* () {}).maxBodyBytes, 1024 * 1024);
});

http('a request: method, url, path, query, headers; the response: status, headers, body', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        const summary = [request.method, request.url, request.path, request.query.get('q'), request.headers['x-test'], request.remoteAddress];
        response.writeHead(201, { 'content-type': 'application/json', 'x-reply': 'yes' }).end(JSON.stringify(summary));
      },
      function* (server) {
        const reply = yield* rawRequest(server.port, ['GET /things/1?q=a%20b HTTP/1.1', 'Host: x', 'X-Test: 42']);
        assert.is(reply.status, 201);
        assert.is(reply.headers['content-type'], 'application/json');
        assert.is(reply.headers['x-reply'], 'yes');
        assert.equal(JSON.parse(reply.body), ['GET', '/things/1?q=a%20b', '/things/1', 'a b', '42', '127.0.0.1']);
      },
    ),
  );
});

http('a handler that returns without ending the response: it is ended for it, with the status it set', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        yield* sleep(1);
        if (request.path === '/created') response.writeHead(201, { 'x-id': '7' });
      },
      function* (server) {
        assert.is(yield* get(server, '/'), '200 ');
        const created = yield* rawRequest(server.port, ['GET /created HTTP/1.1', 'Host: x']);
        assert.equal([created.status, created.headers['x-id'], created.headers['content-length'], created.body], [201, '7', '0', '']);
      },
    ),
  );
});

http('end(body) sends a Content-Length; write() streams chunked; a length given by the handler is kept', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        if (request.path === '/whole') return response.writeHead(200, { 'content-type': 'text/plain' }).end('héllo');
        if (request.path === '/given') return response.writeHead(200, { 'Content-Length': '2' }).end('ok');
        if (request.path === '/empty') return response.writeHead(204).end();
        response.writeHead(200);
        yield* response.write('a');
        response.end('b');
      },
      function* (server) {
        const whole = yield* rawRequest(server.port, ['GET /whole HTTP/1.1', 'Host: x']);
        assert.equal([whole.headers['content-length'], whole.headers['transfer-encoding'], whole.body], ['6', undefined, 'héllo']);
        const given = yield* rawRequest(server.port, ['GET /given HTTP/1.1', 'Host: x']);
        assert.equal([given.headers['content-length'], given.body], ['2', 'ok']);
        const empty = yield* rawRequest(server.port, ['GET /empty HTTP/1.1', 'Host: x']);
        assert.equal([empty.status, empty.headers['content-length'], empty.body], [204, undefined, '']);
        const streamed = yield* rawRequest(server.port, ['GET /streamed HTTP/1.1', 'Host: x']);
        assert.equal([streamed.headers['content-length'], streamed.headers['transfer-encoding'], streamed.body], [undefined, 'chunked', 'ab']);
      },
    ),
  );
});

http('a plain or an async function is a handler too; an async one that rejects is a 500 and a report', async () => {
  await runServer(
    function* () {
      const plain = new HttpServer('127.0.0.1:0', (_request, response) => response.end('plain'));
      const later = new HttpServer('127.0.0.1:0', async (request, response) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (request.path === '/fail') throw new Error('async failure');
        response.end('async');
      });
      for (const s of [plain, later]) yield* s.start();
      assert.is(yield* get(plain, '/'), '200 plain');
      assert.is(yield* get(later, '/'), '200 async');
      assert.is(yield* get(later, '/fail'), '500 Internal Server Error\n');
      for (const s of [plain, later]) yield* s.stop();
    },
    [/^HttpServer 127\.0\.0\.1:\d+ GET \/fail: greenlet: Error: async failure$/],
  );
});

http('each request is a greenlet: a slow one does not delay the others', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        yield* sleep(Number(request.query.get('ms')));
        response.end(request.query.get('ms')!);
      },
      function* (server) {
        const order: string[] = [];
        function* timed(ms: number): Operation<void> {
          order.push(yield* get(server, `/?ms=${ms}`));
        }
        yield* joinAll([spawn(timed, 150), spawn(timed, 1), spawn(timed, 20)], { raiseError: true });
        assert.equal(order, ['200 1', '200 20', '200 150']);
      },
    ),
  );
});

http('body reads: text(), json(), body() and read() by pieces; a body that is not JSON is a 400', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        if (request.path === '/text') return response.end(`text: ${yield* request.text()}`);
        if (request.path === '/json') return response.end(`json: ${JSON.stringify(yield* request.json())}`);
        if (request.path === '/body') return response.end(`bytes: ${(yield* request.body()).length}`);
        let pieces = 0;
        let bytes = 0;
        for (let piece = yield* request.read(); piece !== null; piece = yield* request.read()) {
          pieces++;
          bytes += piece.length;
        }
        response.end(`${bytes} bytes in ${pieces > 0 ? 'some' : 'no'} pieces`);
      },
      function* (server) {
        assert.is(yield* get(server, '/text', { method: 'POST', body: 'héllo' }), '200 text: héllo');
        assert.is(yield* get(server, '/json', { method: 'POST', body: '{"a":[1,2]}' }), '200 json: {"a":[1,2]}');
        assert.is(yield* get(server, '/json', { method: 'POST', body: '{"a":' }), '400 the request body is not JSON: "{\\"a\\":"\n');
        assert.is(yield* get(server, '/body', { method: 'POST', body: new Uint8Array(70_000) }), '200 bytes: 70000');
        assert.is(yield* get(server, '/read', { method: 'POST', body: new Uint8Array(200_000) }), '200 200000 bytes in some pieces');
        assert.is(yield* get(server, '/read'), '200 0 bytes in no pieces');
      },
    ),
  );
});

http('a body over maxBodyBytes: 413 before the handler when announced, BodyTooLarge (413) when read', async () => {
  let handled = 0;
  await runServer(() =>
    withServer(
      function* (request, response) {
        handled++;
        try {
          response.end(`read ${(yield* request.body()).length}`);
        } catch (error) {
          assert.instance(error, BodyTooLarge);
          throw error;
        }
      },
      function* (server) {
        assert.is(yield* get(server, '/', { method: 'POST', body: 'x'.repeat(100) }), '200 read 100');
        const announced = yield* rawRequest(server.port, ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 101'], 'x'.repeat(101));
        assert.equal([announced.status, announced.body], [413, 'the request body is over 100 bytes\n']);
        assert.is(handled, 1, 'an announced body over the limit never reaches the handler');
        const chunked = yield* rawRequest(
          server.port,
          ['POST / HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'],
          '40\r\n' + 'y'.repeat(64) + '\r\n40\r\n' + 'y'.repeat(64) + '\r\n0\r\n\r\n',
        );
        assert.equal([chunked.status, chunked.body], [413, 'the request body is over 100 bytes\n']);
        assert.is(handled, 2);
      },
      { maxBodyBytes: 100 },
    ),
  );
});

http('a malformed request gets 400 from the server; no handler runs', async () => {
  let handled = 0;
  await runServer(() =>
    withServer(
      function* (_request, response) {
        handled++;
        response.end('ok');
      },
      function* (server) {
        const c = yield* connect(`127.0.0.1:${server.port}`);
        yield* c.sendAll('THIS IS NOT HTTP\r\n\r\n');
        const chunks: Buffer[] = [];
        for (let chunk = yield* c.recv(); chunk !== null; chunk = yield* c.recv()) chunks.push(chunk);
        c.destroy();
        assert.is(parseReply(Buffer.concat(chunks).toString()).status, 400);
        assert.is(handled, 0);
        assert.is(yield* get(server, '/'), '200 ok', 'the server goes on');
      },
    ),
  );
});

http('HttpError thrown by a handler answers its status, unreported; a crash is a 500 and a hub report; the server goes on', async () => {
  await runServer(
    () =>
      withServer(
        function* (request, response) {
          const n = Number(request.query.get('n'));
          if (!Number.isInteger(n)) throw new HttpError(400, `n must be an integer, got ${JSON.stringify(request.query.get('n'))}`);
          if (n === 0) throw new Error('division by zero');
          if (n === 404) throw new HttpError(404);
          response.end(String(100 / n));
        },
        function* (server) {
          assert.is(yield* get(server, '/?n=4'), '200 25');
          assert.is(yield* get(server, '/?n=abc'), '400 n must be an integer, got "abc"\n');
          assert.is(yield* get(server, '/?n=404'), '404 Not Found\n');
          assert.is(yield* get(server, '/?n=0'), '500 Internal Server Error\n');
          assert.is(yield* get(server, '/?n=5'), '200 20');
        },
      ),
    [/^HttpServer 127\.0\.0\.1:\d+ GET \/\?n=0: greenlet: Error: division by zero$/],
  );
});

http('a crash after the headers went out cuts the connection (the client sees a broken body) and is reported', async () => {
  await runServer(
    () =>
      withServer(
        function* (_request, response) {
          response.writeHead(200);
          yield* response.write('partial');
          yield* sleep(10); // the status line and the first chunk are on their way
          throw new Error('mid-stream');
        },
        function* (server) {
          const reply = yield* call(async () => {
            try {
              const response = await fetch(`http://127.0.0.1:${server.port}/`);
              return `${response.status} ${await response.text()}`;
            } catch (error) {
              return `failed: ${(error as Error).message}`;
            }
          });
          assert.is(reply, 'failed: terminated', 'the status came, then the body broke off');
        },
      ),
    [/^HttpServer 127\.0\.0\.1:\d+ GET \/: greenlet: Error: mid-stream$/],
  );
});

http('a client that disconnects mid-request: its handler is killed where it blocks, its signal aborts, its finally runs', async () => {
  const seen: string[] = [];
  await runServer(() =>
    withServer(
      function* (_request, response) {
        getCurrent()!.signal.addEventListener('abort', () => seen.push('signal aborted'));
        try {
          yield* sleep(10_000);
          response.end('too late');
        } catch (error) {
          seen.push(`interrupted: ${error instanceof Interrupt ? (error as Error).name : 'other'}`);
          throw error;
        } finally {
          seen.push('finally');
        }
      },
      function* (server) {
        const c = yield* connect(`127.0.0.1:${server.port}`);
        yield* c.sendAll('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        yield* eventually('the handler waits', () => server.pool.size === 1);
        c.destroy();
        yield* eventually('the handler ended', () => server.pool.size === 0);
        assert.equal(seen, ['signal aborted', 'interrupted: GreenletExit', 'finally']);
      },
    ),
  );
});

http('write() streams chunks and blocks while the client does not read; { timeout } gives Timeout', async () => {
  const chunk = 'z'.repeat(64 * 1024);
  let written = 0;
  const outcome = new Event();
  let result = '';
  await runServer(() =>
    withServer(
      function* (_request, response) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        try {
          for (;;) {
            yield* response.write(chunk, { timeout: 100 });
            written++;
          }
        } catch (error) {
          result = error instanceof Timeout ? `Timeout after ${written} chunks` : String(error);
          outcome.set();
          throw error;
        }
      },
      function* (server) {
        const c = yield* connect(`127.0.0.1:${server.port}`);
        yield* c.sendAll('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        yield* outcome.wait({ timeout: 5000 });
        assert.match(result, /^Timeout after \d+ chunks$/);
        assert.ok(written < 200, `${written} chunks of 64 KiB went to a client that reads nothing`);
        c.destroy();
      },
    ),
    // The handler let its Timeout escape: a failure the hub reports (and the connection was cut).
    [/^HttpServer 127\.0\.0\.1:\d+ GET \/: greenlet: Timeout: 100 ms$/],
  );
});

http('pool: 1 serves one request at a time, in arrival order', async () => {
  const log: string[] = [];
  await runServer(() =>
    withServer(
      function* (request, response) {
        log.push(`start ${request.path}`);
        yield* sleep(20);
        log.push(`end ${request.path}`);
        response.end();
      },
      function* (server) {
        const a = spawn(get, server, '/a');
        yield* eventually('a is handled', () => log.length === 1);
        const b = spawn(get, server, '/b');
        yield* joinAll([a, b], { raiseError: true });
        assert.equal(log, ['start /a', 'end /a', 'start /b', 'end /b']);
      },
      { pool: 1 },
    ),
  );
});

http('a client waiting for a slot that disconnects or resets: its handler never runs; the others are served', async () => {
  const log: string[] = [];
  const release = new Event();
  await runServer(() =>
    withServer(
      function* (request, response) {
        log.push(request.path);
        if (request.path === '/first') yield* release.wait();
        response.end(request.path);
      },
      function* (server) {
        const first = spawn(get, server, '/first');
        yield* eventually('first is handled', () => log.length === 1);
        const leaver = yield* connect(`127.0.0.1:${server.port}`);
        yield* leaver.sendAll('GET /leaver HTTP/1.1\r\nHost: x\r\n\r\n');
        const resetter = yield* connect(`127.0.0.1:${server.port}`);
        yield* resetter.sendAll('GET /resetter HTTP/1.1\r\nHost: x\r\n\r\n');
        const patient = spawn(get, server, '/patient');
        yield* eventually('all three wait', () => server.connectionCount === 4);
        leaver.destroy();
        resetter.socket.resetAndDestroy();
        yield* eventually('the two are gone', () => server.connectionCount === 2);
        release.set();
        assert.is(yield* first.get(), '200 /first');
        assert.is(yield* patient.get(), '200 /patient');
        assert.equal(log, ['/first', '/patient']);
      },
      { pool: 1 },
    ),
  );
});

http('stop({ timeout }) lets quick handlers finish, kills slow ones and closes keep-alive connections', async () => {
  await runServer(function* () {
    const server = new HttpServer('127.0.0.1:0', function* (request, response) {
      yield* sleep(Number(request.query.get('ms')));
      response.end('done');
    });
    yield* server.start();
    const quick = spawn(get, server, '/?ms=20');
    const slow = spawn(function* () {
      try {
        return yield* get(server, '/?ms=10000');
      } catch (error) {
        return `failed: ${(error as Error).message}`;
      }
    });
    yield* eventually('both are handled', () => server.pool.size === 2);
    yield* server.stop({ timeout: 100 });
    assert.is(yield* quick.get(), '200 done');
    assert.is(yield* slow.get(), 'failed: fetch failed');
    assert.is(server.connectionCount, 0);
  });
});

http('300 concurrent connections, a request each: all answered; nothing left open', async () => {
  await runServer(() =>
    withServer(
      function* (request, response) {
        yield* sleep(1);
        response.end(`hello ${request.query.get('i')}`);
      },
      function* (server) {
        const clients = Array.from({ length: 300 }, (_, i) =>
          spawn(function* () {
            const reply = yield* rawRequest(server.port, [`GET /?i=${i} HTTP/1.1`, 'Host: x']);
            return `${reply.status} ${reply.body}`;
          }),
        );
        yield* joinAll(clients, { raiseError: true });
        clients.forEach((g, i) => assert.is(g.value, `200 hello ${i}`));
        yield* eventually('every connection closed', () => server.connectionCount === 0 && server.pool.size === 0, 2000);
      },
    ),
  );
});

http('HttpResponse misuse: bad status, headers twice, end twice', async () => {
  const errors: string[] = [];
  await runServer(() =>
    withServer(
      function* (_request: HttpRequest, response: HttpResponse) {
        errors.push(errorOf(() => response.writeHead(99)).message);
        errors.push(errorOf(() => response.writeHead(200, 'x' as never)).message);
        yield* response.write('a');
        errors.push(errorOf(() => response.writeHead(200)).message);
        response.end('b');
        errors.push(errorOf(() => response.end()).message);
        errors.push(errorOf(() => response.write('c')).message);
        errors.push(errorOf(() => response.write(5 as never)).message);
      },
      function* (server) {
        assert.is(yield* get(server, '/'), '200 ab');
      },
    ),
  );
  assert.equal(errors, [
    'HttpResponse.writeHead: status must be an integer from 100 to 599, got 99',
    'HttpResponse.writeHead: headers must be an object, got "x"',
    'HttpResponse.writeHead: the headers were already sent',
    'HttpResponse.end: the response was already ended',
    'HttpResponse.write: the response was already ended',
    'HttpResponse.write: chunk must be a string or a Uint8Array, got 5',
  ]);
});

http('a request that waits for a pool slot runs in the async context of its own request, not the acceptor\'s', async () => {
  // Instrumentation (OpenTelemetry's, say) sets each request's context in Node's request callback.
  const requestId = new AsyncLocalStorage<string>();
  class Instrumented extends HttpServer {
    protected override createServer(accept: Parameters<HttpServer['createServer']>[0]): Server {
      // A client is Node's response, or an upgraded WebSocket (none here).
      return super.createServer((client) => requestId.run(String((client as ServerResponse).req.headers['x-request-id']), () => accept(client)));
    }
  }
  const release = new Event();
  await runServer(function* () {
    const server = new Instrumented(
      '127.0.0.1:0',
      function* (request, response) {
        const seen = requestId.getStore();
        if (request.path === '/hold') yield* release.wait();
        response.end(`seen ${String(seen)}`);
      },
      { pool: 1 },
    );
    yield* server.start();
    try {
      const first = spawn(get, server, '/hold', { headers: { 'x-request-id': 'a' } });
      yield* eventually('the first request holds the only slot', () => server.pool.size === 1);
      const second = spawn(get, server, '/', { headers: { 'x-request-id': 'b' } });
      yield* eventually('the second request waits for a slot', () => server.connectionCount === 2);
      yield* sleep(20);
      release.set();
      yield* joinAll([first, second]);
      assert.equal([first.value, second.value], ['200 seen a', '200 seen b']);
    } finally {
      yield* server.stop();
    }
  });
});

http.run();
