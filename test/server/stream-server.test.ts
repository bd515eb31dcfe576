import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub, Pool, Timeout, getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { ListenError, StreamServer, connect, type Connection } from 'grove/server';
import { errorOf, eventually, runServer } from './support.js';

const server = suite('server/StreamServer');

/** gevent's echo handler: greet, echo each line, stop at quit. */
function* echo(c: Connection): Operation<void> {
  yield* c.sendAll('hello\r\n');
  for (let line = yield* c.readLine(); line !== null; line = yield* c.readLine()) {
    if (line === 'quit') {
      yield* c.sendAll('bye\r\n');
      return;
    }
    yield* c.sendAll(`${line}\r\n`);
  }
}

server('bad arguments fail at the constructor, naming the call and the value', () => {
  const cases: [() => unknown, string, ErrorConstructor][] = [
    [() => new StreamServer('127.0.0.1', echo), `new StreamServer: address must be 'host:port' or { host, port } with a port from 0 to 65535, got "127.0.0.1"`, TypeError],
    [() => new StreamServer({ port: 70000 }, echo), `new StreamServer: address must be 'host:port' or { host, port } with a port from 0 to 65535, got port 70000`, RangeError],
    [() => new StreamServer(':0', 'echo' as never), 'new StreamServer: handler must be a function, got "echo"', TypeError],
    [() => new StreamServer(':0', echo, { pool: 0 }), 'new StreamServer: pool must be a positive integer or a Pool, got 0', RangeError],
    [() => new StreamServer(':0', echo, { pool: 2.5 }), 'new StreamServer: pool must be a positive integer or a Pool, got 2.5', RangeError],
    [() => new StreamServer(':0', echo, { pool: '4' as never }), 'new StreamServer: pool must be a positive integer or a Pool, got "4"', TypeError],
    [() => new StreamServer(':0', echo, { spawn: 4 } as never), 'new StreamServer: unknown option "spawn" (options are pool)', TypeError],
    [() => new StreamServer(':0', echo, 4 as never), 'new StreamServer: options must be an object, got 4', TypeError],
  ];
  for (const [make, message, kind] of cases) {
    const error = errorOf(make);
    assert.instance(error, kind, message);
    assert.is(error.message, message);
  }
  const pool = new Pool(3);
  assert.is(new StreamServer(':0', echo, { pool }).pool, pool, 'a Pool given is the one used');
  assert.is(new StreamServer(':0', echo, { pool: 3 }).pool.capacity, 3);
  assert.is(new StreamServer(':0', echo).pool.capacity, Infinity);
});

server('start() listens (port 0: an ephemeral one); a greenlet per connection; stop() closes everything', async () => {
  await runServer(function* () {
    const s = new StreamServer({ host: '127.0.0.1', port: 0 }, echo);
    assert.is(s.port, 0);
    assert.not.ok(s.started);
    yield* s.start();
    assert.ok(s.started);
    assert.is(s.address.host, '127.0.0.1');
    assert.ok(s.port > 0);

    function* session(name: string): Operation<(string | null)[]> {
      const c = yield* connect(`127.0.0.1:${s.port}`);
      yield* c.sendAll(`${name} 1\n${name} 2\nquit\n`);
      const lines: (string | null)[] = [];
      for (let i = 0; i < 5; i++) lines.push(yield* c.readLine());
      c.destroy();
      return lines;
    }
    const sessions = ['a', 'b', 'c'].map((name) => spawn(session, name));
    yield* joinAll(sessions, { raiseError: true });
    assert.equal(
      sessions.map((g) => g.value),
      ['a', 'b', 'c'].map((n) => ['hello', `${n} 1`, `${n} 2`, 'bye', null]),
    );
    yield* s.stop();
    assert.ok(s.closed);
    assert.not.ok(s.started);
    assert.is(s.connectionCount, 0);
    yield* s.stop(); // a second stop does nothing
  });
});

server('start() twice, or on a virtual clock, is an error; a port in use is a ListenError', async () => {
  await runServer(function* () {
    const first = new StreamServer('127.0.0.1:0', echo);
    yield* first.start();
    assert.is(errorOf(() => first.start()).message, 'StreamServer.start: the server was already started');

    const second = new StreamServer(`127.0.0.1:${first.port}`, echo);
    try {
      yield* second.start();
      assert.unreachable('two servers on one port');
    } catch (error) {
      assert.instance(error, ListenError);
      const e = error as ListenError;
      assert.is(e.message, `StreamServer.start: 127.0.0.1:${first.port} is already in use (EADDRINUSE)`);
      assert.is(e.code, 'EADDRINUSE');
      assert.equal(e.address, { host: '127.0.0.1', port: first.port });
    }
    assert.ok(second.closed);
    yield* first.stop();
  });
  await new Hub({ clock: 'virtual' }).run(function* () {
    const error = errorOf(() => new StreamServer('127.0.0.1:0', echo).start());
    assert.is(error.message, 'StreamServer.start: a server needs a real-clock hub (run it from run()), not a virtual one');
  });
});

server('a Pool(2): a third client is connected but not served until a slot frees', async () => {
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', echo, { pool: 2 });
    yield* s.start();
    const one = yield* connect(`127.0.0.1:${s.port}`);
    const two = yield* connect(`127.0.0.1:${s.port}`);
    assert.is(yield* one.readLine(), 'hello');
    assert.is(yield* two.readLine(), 'hello');
    const three = yield* connect(`127.0.0.1:${s.port}`);
    yield* three.sendAll('me too\n');
    try {
      yield* three.readLine({ timeout: 50 });
      assert.unreachable('served while the pool was full');
    } catch (error) {
      assert.instance(error, Timeout);
    }
    assert.ok(s.pool.full());
    assert.is(s.connectionCount, 3);
    yield* two.sendAll('quit\n');
    assert.is(yield* two.readLine(), 'bye');
    assert.equal([yield* three.readLine(), yield* three.readLine()], ['hello', 'me too'], 'served once a slot freed');
    for (const c of [one, two, three]) c.destroy();
    yield* s.stop();
  });
});

server('issue 11: a client waiting for a slot that resets its connection crashes nothing; the next one is served', async () => {
  let handled = 0;
  await runServer(function* () {
    const s = new StreamServer(
      '127.0.0.1:0',
      function* (c) {
        handled++;
        yield* echo(c);
      },
      { pool: 1 },
    );
    yield* s.start();
    const one = yield* connect(`127.0.0.1:${s.port}`);
    assert.is(yield* one.readLine(), 'hello');
    const patient = yield* connect(`127.0.0.1:${s.port}`);
    const resetter = yield* connect(`127.0.0.1:${s.port}`);
    yield* resetter.sendAll('hello?\n');
    yield* eventually('both wait in the server', () => s.connectionCount === 3);
    resetter.socket.resetAndDestroy(); // RST, not FIN: the server's socket gets ECONNRESET
    yield* sleep(20);
    yield* one.sendAll('quit\n');
    assert.is(yield* one.readLine(), 'bye');
    assert.is(yield* patient.readLine({ timeout: 1000 }), 'hello', 'the next waiting client gets the slot');
    yield* patient.sendAll('quit\n');
    assert.is(yield* patient.readLine(), 'bye');
    // A waiting connection is not read (as in gevent's backlog), so the reset is
    // seen when its turn comes: its handler finds the end at once and frees the slot.
    yield* eventually('the reset client’s turn came and went', () => s.pool.size === 0 && s.connectionCount === 0);
    assert.is(handled, 3);
    one.destroy();
    patient.destroy();
    yield* s.stop();
  });
});

server('a client that does not read: the handler blocks in sendAll and the server buffers a bounded amount', async () => {
  // issue 11: the old telnet example grew by 85 MB for 60 MB sent to a client that never read.
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', function* (c) {
      for (;;) {
        yield* c.sendAll(chunk);
        written += chunk.length;
      }
    });
    yield* s.start();
    const client = yield* connect(`127.0.0.1:${s.port}`);
    yield* eventually('the handler writes', () => written > 0);
    let before = -1;
    while (before !== written) {
      before = written;
      yield* sleep(50);
    }
    assert.ok(written < 16 * 1024 * 1024, `${written} bytes taken by a handler whose client reads nothing`);
    client.destroy();
    yield* s.stop();
  });
});

server('a client that sends without the handler reading: the server reads a bounded amount', async () => {
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', function* (c) {
      yield* sleep(10_000);
      yield* c.recv();
    });
    yield* s.start();
    const client = yield* connect(`127.0.0.1:${s.port}`);
    const big = Buffer.alloc(1024 * 1024);
    try {
      for (let i = 0; i < 32; i++) yield* client.sendAll(big, { timeout: 50 });
      assert.unreachable('32 MB went into a server that does not read');
    } catch (error) {
      assert.instance(error, Timeout);
    }
    const [handler] = s.pool;
    assert.ok(handler !== undefined);
    client.destroy();
    yield* s.stop({ timeout: 0 });
  });
});

server('a handler that returns: what it sent is flushed, then the client sees the end', async () => {
  const big = 'x'.repeat(200_000);
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', function* (c) {
      yield* c.sendAll(big);
      yield* c.sendAll('\nlast line\n');
    });
    yield* s.start();
    const client = yield* connect(`127.0.0.1:${s.port}`);
    yield* sleep(20); // the handler has returned before the client reads anything
    assert.is(yield* client.readLine({ maxBytes: 300_000 }), big);
    assert.is(yield* client.readLine(), 'last line');
    assert.is(yield* client.readLine(), null);
    client.destroy();
    yield* eventually('the server side closed', () => s.connectionCount === 0);
    yield* s.stop();
  });
});

server('a handler that fails is reported with its name, its client cut; ConnectionClosed is not reported', async () => {
  let port = 0;
  await runServer(
    function* () {
      const s = new StreamServer('127.0.0.1:0', function* (c) {
        const line = yield* c.readLine();
        if (line === 'crash') throw new Error('bad input');
        if (line === 'leave') {
          yield* c.sendAll('still there?\n'.repeat(10_000)); // the client has gone: ConnectionClosed
          for (;;) {
            yield* c.sendAll('x');
            yield* sleep(1);
          }
        }
        yield* c.sendAll(`ok ${line}\n`);
      });
      yield* s.start();
      port = s.port;
      const crasher = yield* connect(`127.0.0.1:${s.port}`);
      yield* crasher.sendAll('crash\n');
      assert.is(yield* crasher.readLine(), null, 'cut');
      crasher.destroy();

      const leaver = yield* connect(`127.0.0.1:${s.port}`);
      yield* leaver.sendAll('leave\n');
      leaver.socket.resetAndDestroy();
      yield* eventually('the leaver’s handler ended', () => s.pool.size === 0, 2000);

      const fine = yield* connect(`127.0.0.1:${s.port}`);
      yield* fine.sendAll('fine\n');
      assert.is(yield* fine.readLine(), 'ok fine', 'the server goes on');
      fine.destroy();
      yield* s.stop();
    },
    [/^StreamServer 127\.0\.0\.1:\d+ client 127\.0\.0\.1:\d+: greenlet: Error: bad input$/],
  );
  assert.ok(port > 0);
});

server('stop({ timeout }): handlers that finish in time end normally, the others are killed; waiting clients are dropped', async () => {
  const ended: string[] = [];
  await runServer(function* () {
    const s = new StreamServer(
      '127.0.0.1:0',
      function* (c) {
        const line = yield* c.readLine();
        try {
          yield* sleep(line === 'quick' ? 20 : 10_000);
          ended.push(`${line} done`);
        } finally {
          if (!ended.includes(`${line} done`)) ended.push(`${line} killed`);
        }
      },
      { pool: 2 },
    );
    yield* s.start();
    const clients = [];
    for (const line of ['quick', 'slow', 'waiting']) {
      const c = yield* connect(`127.0.0.1:${s.port}`);
      yield* c.sendAll(`${line}\n`);
      clients.push(c);
    }
    yield* eventually('two handlers run', () => s.pool.size === 2 && s.connectionCount === 3);
    const start = getHub().now();
    yield* s.stop({ timeout: 100 });
    const took = getHub().now() - start;
    assert.ok(took >= 100 && took < 1000, `stop took ${took} ms`);
    assert.equal(ended, ['quick done', 'slow killed']);
    for (const c of clients) {
      assert.is(yield* c.readLine(), null, 'every client sees the end');
      c.destroy();
    }
    assert.is(s.connectionCount, 0);
    assert.ok(s.closed);
  });
});

server('a kill during stop()’s grace period kills the handlers and closes everything at once', async () => {
  const ended: string[] = [];
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', function* (c) {
      try {
        yield* c.readLine();
        yield* sleep(10_000);
      } finally {
        ended.push('handler ended');
      }
    });
    yield* s.start();
    const c = yield* connect(`127.0.0.1:${s.port}`);
    yield* c.sendAll('x\n');
    yield* eventually('the handler sleeps', () => s.pool.size === 1);
    const stopper = spawn(() => s.stop({ timeout: 10_000 }));
    yield* sleep(20);
    assert.not.ok(stopper.dead, 'stop() waits for the handler');
    yield* stopper.kill();
    assert.ok(s.closed);
    assert.equal(ended, ['handler ended']);
    assert.is(yield* c.readLine(), null);
    c.destroy();
    yield* eventually('every connection closed', () => s.connectionCount === 0);
  });
});

server('serveForever() serves until stop(); killing it stops the server', async () => {
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', echo);
    const serving = spawn(() => s.serveForever());
    yield* eventually('started', () => s.started);
    const c = yield* connect(`127.0.0.1:${s.port}`);
    assert.is(yield* c.readLine(), 'hello');
    yield* serving.kill();
    assert.ok(s.closed, 'killing serveForever stopped the server');
    assert.is(yield* c.readLine(), null);
    c.destroy();

    const t = new StreamServer('127.0.0.1:0', echo);
    const forever = spawn(() => t.serveForever());
    yield* eventually('started', () => t.started);
    yield* t.stop();
    assert.ok(yield* forever.join({ timeout: 1000 }), 'serveForever returned once stopped');
    assert.ok(forever.successful());
    assert.is(errorOf(() => t.serveForever()).message, 'StreamServer.serveForever: the server was stopped');
  });
});

server('clients that disconnect mid-line or reset: their handlers end, nothing stays open', async () => {
  const seen: (string | null)[] = [];
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', function* (c) {
      seen.push(yield* c.readLine());
      seen.push(yield* c.readLine());
    });
    yield* s.start();
    const half = yield* connect(`127.0.0.1:${s.port}`);
    yield* half.sendAll('half a li');
    half.destroy();
    yield* eventually('its handler ended', () => s.pool.size === 0 && seen.length === 2);
    assert.equal(seen, ['half a li', null]);
    const reset = yield* connect(`127.0.0.1:${s.port}`);
    yield* reset.sendAll('whole\n');
    yield* eventually('read', () => seen.length === 3);
    reset.socket.resetAndDestroy();
    yield* eventually('its handler ended', () => s.pool.size === 0 && s.connectionCount === 0);
    assert.equal(seen, ['half a li', null, 'whole', null]);
    yield* s.stop();
  });
});

server('300 concurrent clients, each echoing 5 lines: all answered in order; nothing left open', async () => {
  const clients = 300;
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', echo, { pool: 500 });
    yield* s.start();
    function* session(i: number): Operation<boolean> {
      const c = yield* connect(`127.0.0.1:${s.port}`, { timeout: 5000 });
      try {
        if ((yield* c.readLine()) !== 'hello') return false;
        for (let k = 0; k < 5; k++) {
          yield* c.sendAll(`${i}.${k}\n`);
          if ((yield* c.readLine({ timeout: 5000 })) !== `${i}.${k}`) return false;
        }
        yield* c.sendAll('quit\n');
        return (yield* c.readLine()) === 'bye' && (yield* c.readLine()) === null;
      } finally {
        c.destroy();
      }
    }
    const sessions = Array.from({ length: clients }, (_, i) => spawn(session, i));
    yield* joinAll(sessions, { raiseError: true });
    assert.is(sessions.filter((g) => g.value === true).length, clients);
    yield* eventually('every server-side connection closed', () => s.connectionCount === 0 && s.pool.size === 0, 2000);
    yield* s.stop();
  });
});

server('stop() while start() is still listening waits for it, then stops', async () => {
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', echo);
    const starting = spawn(() => s.start());
    yield* sleep(0); // start() has begun and waits for Node's 'listening'
    yield* s.stop();
    assert.ok(starting.dead && starting.successful());
    assert.ok(s.closed);
    assert.is(s.connectionCount, 0);
  });
});

server('a plain or an async function is a handler too', async () => {
  await runServer(function* () {
    const plain = new StreamServer('127.0.0.1:0', (c) => void c.socket.end('plain\n'));
    const later = new StreamServer('127.0.0.1:0', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      c.socket.end('async\n');
    });
    for (const s of [plain, later]) yield* s.start();
    for (const [s, expected] of [[plain, 'plain'], [later, 'async']] as const) {
      const c = yield* connect(`127.0.0.1:${s.port}`);
      assert.equal([yield* c.readLine(), yield* c.readLine()], [expected, null]);
      c.destroy();
      yield* s.stop();
    }
  });
});

server('argument checks of stop()', async () => {
  await runServer(function* () {
    const s = new StreamServer('127.0.0.1:0', echo);
    assert.is(errorOf(() => s.stop({ timeout: -5 })).message, 'StreamServer.stop: timeout must be a non-negative number of ms, got -5');
    assert.is(errorOf(() => s.stop({ time: 5 } as never)).message, 'StreamServer.stop: unknown option "time" (options are timeout)');
    yield* s.stop(); // never started: nothing to do
    assert.ok(s.closed);
    assert.is(errorOf(() => s.start()).message, 'StreamServer.start: the server was already started');
  });
});

server.run();

