import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub, joinAll, spawn } from 'grove';
import { main, startLongPollingServer } from '../../../examples/servers/long-polling.js';
import { request, urlOf } from '../../../examples/servers/http-client.js';
import { recorder } from '../../support.js';
import { eventually, runServer } from '../../server/support.js';

const example = suite('examples/servers/long-polling');

example('main: two pollers get the message sent, a lone poll times out, a bad timeout is a 400', async () => {
  const { lines, log } = recorder();
  await runServer(function* () {
    yield* main(log);
  });
  assert.equal(lines, [
    'alice and bob are polling',
    'carol sent "hello, pollers": 200 delivered to 2 pollers',
    'alice got 200: hello, pollers',
    'bob got 200: hello, pollers',
    'dave got 204 (no message)',
    'erin got 400: timeout must be a whole number of ms from 0 to 60000, got "-1"',
    'server closed',
  ]);
});

example('every waiting poller receives the message; a poll after it waits for the next one and times out empty', async () => {
  await runServer(function* () {
    const { server, board } = yield* startLongPollingServer();
    const poll = (timeoutMs: number) => request(`${urlOf(server)}/poll?timeout=${timeoutMs}`);

    const pollers = [spawn(poll, 1000), spawn(poll, 1000)];
    yield* eventually('both polls wait in the server', () => board.waiting() === 2);
    assert.is(server.pool.size, 2);
    const sent = yield* request(`${urlOf(server)}/send`, { method: 'POST', body: 'first' });
    assert.equal(sent, { status: 200, body: 'delivered to 2 pollers' });
    yield* joinAll(pollers, { raiseError: true });
    assert.equal(
      pollers.map((p) => p.value),
      [
        { status: 200, body: 'first' },
        { status: 200, body: 'first' },
      ],
    );
    assert.is(board.waiting(), 0);

    const start = getHub().now();
    assert.equal(yield* poll(50), { status: 204, body: '' }, 'the message already sent is not delivered again');
    const waited = getHub().now() - start;
    assert.ok(waited >= 50, `the poll answered after ${waited} ms`);
    assert.is(board.waiting(), 0);

    yield* server.stop();
  });
});

example('a client that gives up polling: its handler is killed and stops waiting', async () => {
  await runServer(function* () {
    const { server, board } = yield* startLongPollingServer();
    const client = spawn(request, `${urlOf(server)}/poll`); // waits up to 10 s
    yield* eventually('the poll waits in the server', () => board.waiting() === 1);
    const [handler] = server.pool;

    yield* client.kill(); // aborts the fetch: the connection closes
    yield* handler.join({ timeout: 500 });
    assert.ok(handler.dead, 'the handler ended with its connection');
    assert.is(board.waiting(), 0);
    assert.equal(yield* request(`${urlOf(server)}/send`, { method: 'POST', body: 'anyone?' }), {
      status: 200,
      body: 'delivered to 0 pollers',
    });

    yield* server.stop();
  });
});

example('a message sent while nobody polls reaches nobody; unknown paths are 404; bad timeouts are 400', async () => {
  await runServer(function* () {
    const { server } = yield* startLongPollingServer();
    const url = urlOf(server);
    assert.equal(yield* request(`${url}/send`, { method: 'POST', body: 'lost' }), {
      status: 200,
      body: 'delivered to 0 pollers',
    });
    assert.equal(yield* request(`${url}/poll?timeout=20`), { status: 204, body: '' });
    assert.equal(yield* request(`${url}/send`), { status: 404, body: 'not found' });
    // issue 11: a huge timeout was a timer of 2^31 ms or more, spinning the hub; a word was a 500.
    for (const bad of ['1e12', 'soon', '60001']) {
      assert.equal(yield* request(`${url}/poll?timeout=${bad}`), {
        status: 400,
        body: `timeout must be a whole number of ms from 0 to 60000, got ${JSON.stringify(bad)}\n`,
      });
    }
    yield* server.stop();
  });
});

example.run();
