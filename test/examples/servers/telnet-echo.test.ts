import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Timeout, joinAll, sleep, spawn, type Operation } from 'grove';
import { connect, type Connection } from 'grove/server';
import { GREETING, main, startEchoServer } from '../../../examples/servers/telnet-echo.js';
import { recorder } from '../../support.js';
import { eventually, runServer } from '../../server/support.js';

const example = suite('examples/servers/telnet-echo');

example('main: two sessions at once, a third waiting for a slot of the pool', async () => {
  const { lines, log } = recorder();
  await runServer(function* () {
    yield* main(log);
  });
  assert.equal(lines, [
    'server: client 1 connected',
    `alice got: ${GREETING}`,
    'server: client 2 connected',
    `bob got: ${GREETING}`,
    'server: client 1: echoed "hello"',
    'alice got: hello',
    'server: client 2: echoed "bonjour"',
    'bob got: bonjour',
    'carol got nothing within 50 ms: 2 of 2 slots are taken',
    'server: client 1 quit',
    'server: client 3 connected',
    'alice got: Bye!',
    'alice got: (connection closed)',
    `carol got: ${GREETING}`,
    'server: client 3: echoed "anyone there?"',
    'carol got: anyone there?',
    'server: client 2 quit',
    'server: client 3 quit',
    'server closed',
  ]);
});

/** Reads `n` lines from `client`. */
function* readLines(client: Connection, n: number): Operation<(string | null)[]> {
  const lines: (string | null)[] = [];
  for (let i = 0; i < n; i++) lines.push(yield* client.readLine());
  return lines;
}

example('two clients interleaving lines: each line is echoed on its own connection', async () => {
  const server = recorder();
  await runServer(function* () {
    const echo = yield* startEchoServer(server.log);
    const one = yield* connect(`127.0.0.1:${echo.port}`);
    assert.equal(yield* readLines(one, 1), [GREETING]);
    const two = yield* connect(`127.0.0.1:${echo.port}`);
    assert.equal(yield* readLines(two, 1), [GREETING]);

    // In lock-step: one, two, one, two, each answered before the next is sent.
    for (const [client, line] of [[one, 'a1'], [two, 'b1'], [one, 'a2'], [two, 'b2']] as const) {
      yield* client.sendAll(`${line}\r\n`);
      assert.is(yield* client.readLine(), line);
    }

    // All at once, several lines in one write: both sessions answer everything, in order.
    function* talk(client: Connection, prefix: string): Operation<(string | null)[]> {
      yield* client.sendAll(`${prefix}3\r\n${prefix}4\n${prefix}5\r\nQUIT\r\n`);
      return yield* readLines(client, 5);
    }
    const [a, b] = [spawn(talk, one, 'a'), spawn(talk, two, 'b')];
    yield* joinAll([a, b], { raiseError: true });
    assert.equal(a.value, ['a3', 'a4', 'a5', 'Bye!', null]);
    assert.equal(b.value, ['b3', 'b4', 'b5', 'Bye!', null]);

    one.destroy();
    two.destroy();
    yield* echo.stop();
  });
  const lockStep = server.lines.slice(0, 6);
  assert.equal(lockStep, [
    'client 1 connected',
    'client 2 connected',
    'client 1: echoed "a1"',
    'client 2: echoed "b1"',
    'client 1: echoed "a2"',
    'client 2: echoed "b2"',
  ]);
  // The concurrent part: each session's own lines in order, whatever the interleaving.
  const of = (client: number): string[] => server.lines.slice(6).filter((l) => l.startsWith(`client ${client}`));
  assert.equal(of(1), ['client 1: echoed "a3"', 'client 1: echoed "a4"', 'client 1: echoed "a5"', 'client 1 quit']);
  assert.equal(of(2), ['client 2: echoed "b3"', 'client 2: echoed "b4"', 'client 2: echoed "b5"', 'client 2 quit']);
  assert.is(server.lines.length, 14);
});

example('a Pool(2): the third client is not served until one of the first two leaves', async () => {
  const server = recorder();
  await runServer(function* () {
    const echo = yield* startEchoServer(server.log, { capacity: 2 });
    const one = yield* connect(`127.0.0.1:${echo.port}`);
    assert.is(yield* one.readLine(), GREETING);
    const two = yield* connect(`127.0.0.1:${echo.port}`);
    assert.is(yield* two.readLine(), GREETING);

    const three = yield* connect(`127.0.0.1:${echo.port}`);
    yield* three.sendAll('me too\r\n');
    yield* eventually('the server holds client 3', () => echo.connectionCount === 3);
    try {
      yield* three.readLine({ timeout: 30 });
      assert.unreachable('client 3 was answered while the pool was full');
    } catch (error) {
      assert.instance(error, Timeout);
    }
    assert.is(echo.pool.size, 2);
    assert.is(echo.pool.freeCount(), 0);

    // Client 2 leaves by closing its connection: its slot goes to client 3.
    two.destroy();
    assert.equal(yield* readLines(three, 2), [GREETING, 'me too']);
    assert.is(echo.pool.size, 2);
    yield* one.sendAll('still here\r\n');
    assert.is(yield* one.readLine(), 'still here');

    one.destroy();
    three.destroy();
    yield* echo.stop();
  });
  assert.equal(server.lines.slice(0, 6), [
    'client 1 connected',
    'client 2 connected',
    'client 2 disconnected',
    'client 3 connected',
    'client 3: echoed "me too"',
    'client 1: echoed "still here"',
  ]);
  // Both clients left before stop(): their sessions saw it within stop()'s grace period.
  assert.equal(server.lines.slice(6).sort(), ['client 1 disconnected', 'client 3 disconnected']);
});

example('issue 11: a client waiting for a slot that resets its connection does not kill the server', async () => {
  // The old example crashed the process here: the second client waiting had no 'error' listener yet.
  const server = recorder();
  await runServer(function* () {
    const echo = yield* startEchoServer(server.log, { capacity: 1 });
    const one = yield* connect(`127.0.0.1:${echo.port}`);
    assert.is(yield* one.readLine(), GREETING);
    const next = yield* connect(`127.0.0.1:${echo.port}`);
    const resetter = yield* connect(`127.0.0.1:${echo.port}`);
    yield* resetter.sendAll('hello?\r\n');
    yield* eventually('both wait for the slot', () => echo.connectionCount === 3);
    resetter.socket.resetAndDestroy();
    yield* sleep(20);

    yield* one.sendAll('quit\r\n');
    assert.equal(yield* readLines(one, 2), ['Bye!', null]);
    assert.is(yield* next.readLine({ timeout: 1000 }), GREETING, 'the next client is served');
    yield* next.sendAll('quit\r\n');
    assert.equal(yield* readLines(next, 2), ['Bye!', null]);
    yield* eventually('the reset client’s turn came and went', () => echo.pool.size === 0 && echo.connectionCount === 0);
    one.destroy();
    next.destroy();
    yield* echo.stop();
  });
  // Its session found the connection gone at once.
  assert.equal(server.lines, [
    'client 1 connected',
    'client 1 quit',
    'client 2 connected',
    'client 2 quit',
    'client 3 connected',
    'client 3 disconnected',
  ]);
});

example('issue 11: a client that sends and never reads gets its echo slowed down, not buffered without bound', async () => {
  const server = recorder();
  await runServer(function* () {
    const echo = yield* startEchoServer(server.log);
    const client = yield* connect(`127.0.0.1:${echo.port}`);
    assert.is(yield* client.readLine(), GREETING);
    const line = 'y'.repeat(1023);
    const burst = Buffer.from(`${line}\n`.repeat(1024)); // 1 MB a write
    let sent = 0;
    try {
      for (let i = 0; i < 64; i++) {
        yield* client.sendAll(burst, { timeout: 200 });
        sent++;
      }
      assert.unreachable('64 MB went through to a client that reads nothing');
    } catch (error) {
      assert.instance(error, Timeout);
    }
    const echoed = server.lines.filter((l) => l.startsWith('client 1: echoed')).length;
    assert.ok(echoed < 16 * 1024, `${echoed} lines of 1 KB were echoed to a client that reads nothing`);
    assert.ok(sent < 64);
    client.destroy();
    yield* echo.stop();
  });
});

example('stop() ends the sessions in progress and drops a client waiting for a slot', async () => {
  const server = recorder();
  await runServer(function* () {
    const echo = yield* startEchoServer(server.log, { capacity: 1 });
    const one = yield* connect(`127.0.0.1:${echo.port}`);
    assert.is(yield* one.readLine(), GREETING);
    const two = yield* connect(`127.0.0.1:${echo.port}`);
    yield* eventually('client 2 waits', () => echo.connectionCount === 2);

    yield* echo.stop({ timeout: 0 });
    assert.is(echo.pool.size, 0);
    assert.is(yield* one.readLine(), null, 'client 1 sees the connection closed');
    assert.is(yield* two.readLine(), null, 'client 2 sees the connection closed, never greeted');
    one.destroy();
    two.destroy();
  });
  assert.equal(server.lines, ['client 1 connected']);
});

example.run();
