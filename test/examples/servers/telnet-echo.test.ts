import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Empty, joinAll, spawn, type Operation } from 'grove';
import { GREETING, main, startEchoServer } from '../../../examples/servers/telnet-echo.js';
import { connectLines, type LineSocket } from '../../../examples/servers/line-socket.js';
import { recorder } from '../../support.js';
import { eventually, runClean } from '../../server/support.js';

const example = suite('examples/servers/telnet-echo');

example('main: two sessions at once, a third waiting for a slot of the pool', async () => {
  const { lines, log } = recorder();
  await runClean(function* () {
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
    'server: client 3 waits for a free slot (2 clients served)',
    'carol got nothing within 50 ms: both slots are taken',
    'server: client 1 quit',
    'server: client 3 connected',
    'server: client 3: echoed "anyone there?"',
    'alice got: Bye!',
    'alice got: (connection closed)',
    `carol got: ${GREETING}`,
    'carol got: anyone there?',
    'server: client 2 quit',
    'server: client 3 quit',
    'server closed',
  ]);
});

/** Reads `n` lines from `client`. */
function* readLines(client: LineSocket, n: number): Operation<(string | null)[]> {
  const lines: (string | null)[] = [];
  for (let i = 0; i < n; i++) lines.push(yield* client.readLine());
  return lines;
}

example('two clients interleaving lines: each line is echoed on its own connection', async () => {
  const server = recorder();
  await runClean(function* () {
    const echo = yield* startEchoServer(server.log);
    const one = yield* connectLines(echo.port);
    const two = yield* connectLines(echo.port);
    assert.equal(yield* readLines(one, 1), [GREETING]);
    assert.equal(yield* readLines(two, 1), [GREETING]);

    // In lock-step: one, two, one, two, each answered before the next is sent.
    for (const [client, line] of [[one, 'a1'], [two, 'b1'], [one, 'a2'], [two, 'b2']] as const) {
      client.writeLine(line);
      assert.is(yield* client.readLine(), line);
    }

    // All at once, several lines in one write: both sessions answer everything, in order.
    function* talk(client: LineSocket, prefix: string): Operation<(string | null)[]> {
      client.socket.write(`${prefix}3\r\n${prefix}4\n${prefix}5\r\nQUIT\r\n`);
      return yield* readLines(client, 5);
    }
    const [a, b] = [spawn(talk, one, 'a'), spawn(talk, two, 'b')];
    yield* joinAll([a, b], { raiseError: true });
    assert.equal(a.value, ['a3', 'a4', 'a5', 'Bye!', null]);
    assert.equal(b.value, ['b3', 'b4', 'b5', 'Bye!', null]);

    one.destroy();
    two.destroy();
    yield* echo.close();
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
  await runClean(function* () {
    const echo = yield* startEchoServer(server.log, { capacity: 2 });
    const one = yield* connectLines(echo.port);
    assert.is(yield* one.readLine(), GREETING);
    const two = yield* connectLines(echo.port);
    assert.is(yield* two.readLine(), GREETING);

    const three = yield* connectLines(echo.port);
    three.writeLine('me too');
    yield* eventually('the server has accepted client 3', () => server.lines.length === 3);
    assert.is(server.lines[2], 'client 3 waits for a free slot (2 clients served)');
    try {
      yield* three.readLine({ timeout: 30 });
      assert.unreachable('client 3 was answered while the pool was full');
    } catch (error) {
      assert.instance(error, Empty);
    }
    assert.is(echo.pool.size, 2);
    assert.is(echo.pool.freeCount(), 0);

    // Client 2 leaves by closing its connection: its slot goes to client 3.
    two.destroy();
    assert.equal(yield* readLines(three, 2), [GREETING, 'me too']);
    assert.is(echo.pool.size, 2);
    one.writeLine('still here');
    assert.is(yield* one.readLine(), 'still here');

    one.destroy();
    three.destroy();
    yield* echo.close();
  });
  assert.equal(server.lines, [
    'client 1 connected',
    'client 2 connected',
    'client 3 waits for a free slot (2 clients served)',
    'client 2 disconnected',
    'client 3 connected',
    'client 3: echoed "me too"',
    'client 1: echoed "still here"',
  ]);
});

example('close() ends the sessions in progress and drops a client waiting for a slot', async () => {
  const server = recorder();
  await runClean(function* () {
    const echo = yield* startEchoServer(server.log, { capacity: 1 });
    const one = yield* connectLines(echo.port);
    assert.is(yield* one.readLine(), GREETING);
    const two = yield* connectLines(echo.port);
    yield* eventually('client 2 waits', () => server.lines.length === 2);

    yield* echo.close();
    assert.is(echo.pool.size, 0);
    assert.is(yield* one.readLine(), null, 'client 1 sees the connection closed');
    assert.is(yield* two.readLine(), null, 'client 2 sees the connection closed, never greeted');
    one.destroy();
    two.destroy();
  });
  assert.equal(server.lines, ['client 1 connected', 'client 2 waits for a free slot (1 clients served)']);
});

example.run();
