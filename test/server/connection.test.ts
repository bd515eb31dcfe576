import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:net';
import { DroppedOperation, Event, Timeout, getHub, sleep, spawn, type Operation } from 'grove';
import { Connection, ConnectionClosed, LineTooLong, StreamServer, connect } from 'grove/server';
import { errorOf, eventually, runServer } from './support.js';

const connection = suite('server/Connection');

/** Starts a StreamServer on 127.0.0.1 running `handler`, runs `body` with it, stops it. */
function* withServer(handler: (c: Connection) => Operation<void>, body: (server: StreamServer) => Operation<void>): Operation<void> {
  const server = new StreamServer('127.0.0.1:0', handler);
  yield* server.start();
  try {
    yield* body(server);
  } finally {
    yield* server.stop();
  }
}

/** A handler that keeps the connection open until the client closes, reading nothing. */
function* idle(c: Connection): Operation<void> {
  while ((yield* c.recv()) !== null);
}

connection('readLine: lines end with \\n or \\r\\n, a last line without one comes last, then null', async () => {
  await runServer(() =>
    withServer(
      function* (c) {
        yield* c.sendAll('one\r\ntwo\nthr');
        yield* sleep(5);
        yield* c.sendAll('ee\r\n\nlast');
      },
      function* (server) {
        const client = yield* connect({ host: '127.0.0.1', port: server.port });
        const lines: (string | null)[] = [];
        for (let i = 0; i < 6; i++) lines.push(yield* client.readLine());
        assert.equal(lines, ['one', 'two', 'three', '', 'last', null]);
        assert.is(yield* client.readLine(), null, 'still null');
        assert.not.ok(client.closed, 'the peer ended its side; this side may still write');
        client.destroy();
        assert.ok(client.closed);
      },
    ),
  );
});

connection('readLine decodes UTF-8 split across chunks, and refuses a line over maxBytes with LineTooLong', async () => {
  const euro = Buffer.from('€', 'utf8'); // 3 bytes
  await runServer(() =>
    withServer(
      function* (c) {
        yield* c.sendAll(Buffer.concat([Buffer.from('price: 5'), euro.subarray(0, 1)]));
        yield* sleep(5);
        yield* c.sendAll(Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
        yield* c.sendAll('x'.repeat(20) + '\nshort\n');
        yield* idle(c);
      },
      function* (server) {
        const client = yield* connect(`127.0.0.1:${server.port}`);
        assert.is(yield* client.readLine(), 'price: 5€');
        try {
          yield* client.readLine({ maxBytes: 10 });
          assert.unreachable('a 20-byte line was accepted with maxBytes 10');
        } catch (error) {
          assert.instance(error, LineTooLong);
          assert.is((error as Error).message, 'Connection.readLine: no line end within 10 bytes');
        }
        assert.is(yield* client.readLine({ maxBytes: 20 }), 'x'.repeat(20), 'the bytes stay for the next read');
        assert.is(yield* client.readLine(), 'short');
        client.destroy();
      },
    ),
  );
});

connection('recv returns what arrived, at most maxBytes, then null at the end', async () => {
  await runServer(() =>
    withServer(
      function* (c) {
        yield* c.sendAll('abcdefgh');
      },
      function* (server) {
        const client = yield* connect(`127.0.0.1:${server.port}`);
        yield* eventually('the bytes arrived', () => client.socket.readableLength === 8);
        assert.is((yield* client.recv({ maxBytes: 3 }))!.toString(), 'abc');
        assert.is((yield* client.recv({ maxBytes: 3 }))!.toString(), 'def');
        assert.is((yield* client.recv())!.toString(), 'gh');
        assert.is(yield* client.recv(), null);
        client.destroy();
      },
    ),
  );
});

connection('recv, readLine and connect throw Timeout after { timeout } ms; a kill while reading loses no bytes', async () => {
  await runServer(() =>
    withServer(
      function* (c) {
        yield* c.readLine(); // wait for the go
        yield* c.sendAll('late\n');
        yield* idle(c);
      },
      function* (server) {
        const client = yield* connect(`127.0.0.1:${server.port}`, { timeout: 1000 });
        const start = getHub().now();
        try {
          yield* client.recv({ timeout: 30 });
          assert.unreachable('recv returned with nothing sent');
        } catch (error) {
          assert.instance(error, Timeout);
          assert.is((error as Timeout).message, '30 ms');
        }
        assert.ok(getHub().now() - start >= 30);
        const given = new Timeout(20);
        try {
          yield* client.readLine({ timeout: given });
          assert.unreachable('readLine returned with nothing sent');
        } catch (error) {
          assert.is(error, given, 'a Timeout given is raised itself');
        }
        assert.not.ok(given.pending, 'and cancelled once the call is over');

        const reader = spawn(function* () {
          return yield* client.readLine();
        });
        yield* sleep(5);
        yield* reader.kill();
        yield* client.sendAll('go\n');
        assert.is(yield* client.readLine({ timeout: 1000 }), 'late', 'the line waited for the next reader');
        client.destroy();
      },
    ),
  );
});

connection('two greenlets reading one connection at once: the second gets an error naming the first call', async () => {
  await runServer(() =>
    withServer(idle, function* (server) {
      const client = yield* connect(`127.0.0.1:${server.port}`);
      const first = spawn(function* () {
        return yield* client.readLine();
      });
      yield* sleep(0);
      try {
        yield* client.recv();
        assert.unreachable('a second reader was let in');
      } catch (error) {
        assert.is((error as Error).message, 'Connection.recv: another greenlet is reading this stream (in Connection.readLine)');
      }
      yield* first.kill();
      client.destroy();
    }),
  );
});

connection('sendAll blocks while the peer does not read (backpressure), times out, and resumes when it reads', async () => {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const reading = new Event();
  await runServer(() =>
    withServer(
      function* (c) {
        try {
          for (;;) {
            yield* c.sendAll(chunk, { timeout: 100 });
            sent++;
          }
        } catch (error) {
          if (!(error instanceof Timeout)) throw error;
        }
        // Timed out: the peer does not read. Once it does, the rest goes through.
        yield* reading.wait();
        for (let i = 0; i < 20; i++) yield* c.sendAll(chunk);
        sent += 20;
      },
      function* (server) {
        const client = yield* connect(`127.0.0.1:${server.port}`);
        yield* eventually('the writer is blocked', () => server.connectionCount === 1 && sent > 0, 2000);
        yield* sleep(200); // the timeout fired meanwhile
        const stalledAt = sent;
        // Socket buffers on both sides hold a few MB at most; unbounded writing would have sent far more.
        assert.ok(stalledAt < 200, `the writer sent ${stalledAt} chunks of 64 KiB to a peer that does not read`);
        reading.set();
        let received = 0;
        for (let piece = yield* client.recv(); piece !== null; piece = yield* client.recv()) received += piece.length;
        // The chunk whose sendAll timed out had been taken: it arrives too.
        assert.is(received, (stalledAt + 1 + 20) * chunk.length, 'every byte arrived, none lost, none twice');
        assert.is(sent, stalledAt + 20);
        client.destroy();
      },
    ),
  );
});

connection('sendAll to a peer that has gone throws ConnectionClosed; after close() it is a usage error', async () => {
  await runServer(() =>
    withServer(
      function* (c) {
        yield* c.sendAll('hello\n');
        yield* idle(c);
        try {
          for (let i = 0; i < 100; i++) {
            yield* c.sendAll('more\n');
            yield* sleep(1);
          }
          assert.unreachable('writing to a closed peer went on');
        } catch (error) {
          assert.instance(error, ConnectionClosed);
          assert.match((error as Error).message, /^Connection\.sendAll: the connection to 127\.0\.0\.1:\d+ was (closed by the peer|lost \(E[A-Z]+\))$/);
        }
      },
      function* (server) {
        const client = yield* connect(`127.0.0.1:${server.port}`);
        assert.is(yield* client.readLine(), 'hello');
        assert.ok(yield* client.close({ timeout: 1000 }), 'close() flushed and closed');
        assert.ok(client.closed);
        try {
          yield* client.sendAll('x');
          assert.unreachable('sendAll after close()');
        } catch (error) {
          assert.not.instance(error, ConnectionClosed);
          assert.is((error as Error).message, 'Connection.sendAll: the connection was closed by close() or destroy()');
        }
        assert.ok(yield* client.close(), 'closing twice returns true at once');
        yield* eventually('the handler ended', () => server.pool.size === 0, 2000);
      },
    ),
  );
});

connection('close({ timeout }) returns false and cuts the connection when the data cannot leave in time', async () => {
  // A raw Node server that never reads: the client's data piles up.
  const sockets: import('node:net').Socket[] = [];
  const raw: Server = createServer({ pauseOnConnect: true }, (s) => void sockets.push(s));
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const port = (raw.address() as import('node:net').AddressInfo).port;
  await runServer(function* () {
    const client = yield* connect(`127.0.0.1:${port}`);
    const big = Buffer.alloc(1024 * 1024);
    try {
      for (let i = 0; i < 64; i++) yield* client.sendAll(big, { timeout: 50 });
    } catch (error) {
      if (!(error instanceof Timeout)) throw error;
    }
    assert.is(yield* client.close({ timeout: 30 }), false);
    assert.ok(client.socket.destroyed, 'cut');
    for (const s of sockets) s.destroy();
  });
  await new Promise((resolve) => raw.close(resolve));
});

connection('connect: a refused connection throws Node’s error; bad arguments fail at the call', async () => {
  await runServer(function* () {
    const server = new StreamServer('127.0.0.1:0', idle);
    yield* server.start();
    const port = server.port;
    yield* server.stop();
    try {
      yield* connect(`127.0.0.1:${port}`);
      assert.unreachable('connected to a stopped server');
    } catch (error) {
      assert.is((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    }
    assert.throws(() => connect('127.0.0.1:0'), (e: Error) => e.message === 'connect: address must name a port from 1 to 65535, got port 0');
    assert.throws(() => connect('nowhere'), /^connect: address must be 'host:port'/);
    assert.throws(
      () => connect('127.0.0.1:1', { timout: 5 } as never),
      (e: Error) => e.message === 'connect: unknown option "timout" (options are timeout)',
    );
  });
});

connection('argument checks: maxBytes, timeout, data, unknown options', async () => {
  await runServer(() =>
    withServer(idle, function* (server) {
      const client = yield* connect(`127.0.0.1:${server.port}`);
      const messages = (f: () => unknown): string => errorOf(f).message;
      assert.is(messages(() => client.recv({ maxBytes: 0 })), 'Connection.recv: maxBytes must be a positive integer, got 0');
      assert.is(messages(() => client.readLine({ maxBytes: 1.5 })), 'Connection.readLine: maxBytes must be a positive integer, got 1.5');
      assert.is(messages(() => client.recv({ timeout: -1 })), 'Connection.recv: timeout must be a non-negative number of ms, got -1');
      assert.is(messages(() => client.sendAll(42 as never)), 'Connection.sendAll: data must be a string or a Uint8Array, got 42');
      assert.is(
        messages(() => client.sendAll('x', { timeot: 1 } as never)),
        'Connection.sendAll: unknown option "timeot" (options are timeout)',
      );
      assert.is(messages(() => client.close(5 as never)), 'Connection.close: options must be an object, got 5');
      client.destroy();
    }),
  );
});

connection('a read made without yield* is caught at the next blocking call (DroppedOperation)', async () => {
  await runServer(() =>
    withServer(idle, function* (server) {
      const client = yield* connect(`127.0.0.1:${server.port}`);
      client.readLine(); // forgot yield*
      try {
        yield* sleep(1);
        assert.unreachable('the dropped call went unnoticed');
      } catch (error) {
        assert.instance(error, DroppedOperation);
        assert.match((error as Error).message, /Connection\.readLine/);
      }
      client.destroy();
    }),
  );
});

connection.run();
