import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep, spawn } from 'grove';
import { openSocket } from 'grove/zeromq';
import { ROUNDS, main, server } from '../../examples/tutorial/zeromq.js';
import { runServer } from '../server/support.js';
import { recorder, runScript } from '../support.js';

const example = suite('examples/tutorial/zeromq');

example('nine requests and replies, in turn, while the ticker keeps ticking', async () => {
  const { lines, log } = recorder();
  const replies = await runServer(() => main(log));
  assert.equal(replies, Array(ROUNDS).fill('World'));

  const exchange = lines.filter((line) => line !== 'tick');
  const expected: string[] = [];
  for (let request = 1; request <= ROUNDS; request++) {
    expected.push(`Switched to Server for ${request}`, `Switched to Client for ${request} (got Hello)`);
  }
  expected.push(`The server's replies: ${Array(ROUNDS).fill('World').join(' ')}`);
  assert.equal(exchange, expected);

  // The server's first send waits for the client, which starts 100 ms late: the ticker, every 20 ms,
  // ticked meanwhile. Its ticks due at 0 and 20 ms come before the client's start however late the
  // timers fire (they fire in deadline order); how many more depends on the machine: not asserted.
  const before = lines.indexOf('Switched to Server for 1');
  assert.ok(before >= 2, `ticks before the first request went: ${before}\n${lines.join('\n')}`);
  assert.ok(lines.slice(0, before).every((line) => line === 'tick'));
});

example('the server killed while it waits for a reply closes its socket, and reports nothing', async () => {
  await runServer(function* () {
    const { lines, log } = recorder();
    const socket = yield* openSocket('request', { bind: 'tcp://127.0.0.1:*' });
    const silent = yield* openSocket('reply', { connect: socket.endpoint }); // takes the request, never answers
    try {
      const g = spawn(server, socket, log);
      yield* silent.receive({ timeout: 5000 });
      yield* sleep(10);
      assert.equal(lines, ['Switched to Server for 1']);
      assert.not.ok(socket.closed);
      yield* g.kill();
      assert.ok(socket.closed);
      assert.ok(g.successful(), 'a kill ends it with GreenletExit');
    } finally {
      silent.close();
    }
  });
});

example('a process whose server was killed in receive exits (its socket closed in finally)', () => {
  // The socket is kept reachable, so only its close can let the process end: an open socket with a
  // receive in flight keeps Node alive.
  const result = runScript(`
import { run, sleep, spawn } from 'grove';
import { openSocket } from 'grove/zeromq';
import { server } from './examples/tutorial/zeromq.ts';
await run(function* () {
  const socket = yield* openSocket('request', { bind: 'tcp://127.0.0.1:*' });
  globalThis.kept = socket;
  const silent = yield* openSocket('reply', { connect: socket.endpoint });
  const g = spawn(server, socket, (line) => console.log(line));
  yield* silent.receive({ timeout: 5000 });
  silent.close();
  yield* sleep(10);
  yield* g.kill();
  console.log('closed: ' + socket.closed);
});
`);
  assert.is(result.stderr, '');
  assert.is(result.stdout, 'Switched to Server for 1\nclosed: true\n');
  assert.is(result.status, 0, `status ${result.status}, signal ${result.signal}`);
});

example.run();
