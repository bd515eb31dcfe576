import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, getHub, joinAll, spawn, type Operation } from 'grove';
import { main, startHelloServer } from '../../../examples/servers/http-hello.js';
import { request, urlOf } from '../../../examples/servers/http-client.js';
import { recorder } from '../../support.js';
import { eventually, runServer } from '../../server/support.js';

const example = suite('examples/servers/http-hello');

example('main: the slow request is answered after the fast one sent after it; a bad ms is a 400', async () => {
  const { lines, log } = recorder();
  await runServer(function* () {
    yield* main(log);
  });
  assert.equal(lines, [
    'serving on 127.0.0.1 (an ephemeral port)',
    'GET / -> 200 <b>hello world</b>',
    'GET /slow -> 200 <b>hello after 100 ms</b>',
    'GET /missing -> 404 <h1>Not Found</h1>',
    'GET /slow?ms=soon -> 400 ms must be a whole number of ms from 0 to 10000, got "soon"',
    'server closed',
  ]);
});

example('a request sleeping 150 ms does not delay three fast ones sent after it', async () => {
  await runServer(function* () {
    const server = yield* startHelloServer();
    const hub = getHub();
    const start = hub.now();
    const answered: string[] = [];
    const elapsed = new Map<string, number>();

    function* get(path: string): Operation<string> {
      const reply = yield* request(urlOf(server) + path);
      answered.push(path);
      elapsed.set(path, hub.now() - start);
      return `${reply.status} ${reply.body}`;
    }
    const slow = spawn(get, '/slow?ms=150');
    const fast = ['/', '/', '/nowhere'].map((path) => spawn(get, path));
    yield* joinAll([slow, ...fast]);

    assert.is(slow.value, '200 <b>hello after 150 ms</b>');
    assert.equal(
      fast.map((g) => g.value),
      ['200 <b>hello world</b>', '200 <b>hello world</b>', '404 <h1>Not Found</h1>'],
    );
    assert.is(answered.at(-1), '/slow?ms=150', 'the slow request is answered last');
    assert.ok(elapsed.get('/slow?ms=150')! >= 150, `the slow one took ${elapsed.get('/slow?ms=150')} ms`);
    assert.ok(elapsed.get('/nowhere')! < 150, `the fast ones took ${elapsed.get('/nowhere')} ms`);
    assert.is(server.pool.size, 0);

    yield* server.stop();
  });
});

example('issue 11: bad ms parameters are 400s, not 500s with an error report; a huge one never reaches sleep()', async () => {
  await runServer(function* () {
    const server = yield* startHelloServer();
    for (const bad of ['abc', '-1', '2.5', '1e300', 'Infinity', '10001', '']) {
      const reply = yield* request(`${urlOf(server)}/slow?ms=${bad}`);
      assert.equal(reply, { status: 400, body: `ms must be a whole number of ms from 0 to 10000, got ${JSON.stringify(bad)}\n` });
    }
    yield* server.stop();
  });
});

example('stop() cuts a request still being handled, and kills its greenlet', async () => {
  await runServer(function* () {
    const server = yield* startHelloServer();
    const client = spawn(function* (): Operation<string> {
      try {
        const reply = yield* request(`${urlOf(server)}/slow?ms=10000`);
        return `answered ${reply.status}`;
      } catch (error) {
        return String(error);
      }
    });
    yield* eventually('the request is being handled', () => server.pool.size === 1);
    const [handler] = server.pool;
    yield* server.stop({ timeout: 0 });
    assert.ok(handler.dead);
    assert.is(handler.exception, undefined);
    assert.is(yield* client.get(), 'TypeError: fetch failed', 'the client sees the connection cut');
  });
});

example('200 concurrent clients: every one answered, nothing left open', async () => {
  await runServer(function* () {
    const server = yield* startHelloServer();
    const replies = yield* call(() =>
      Promise.all(Array.from({ length: 200 }, (_, i) => fetch(`${urlOf(server)}/slow?ms=${i % 20}`).then((r) => r.text()))),
    );
    assert.equal(replies, Array.from({ length: 200 }, (_, i) => `<b>hello after ${i % 20} ms</b>`));
    yield* server.stop();
  });
});

example.run();
