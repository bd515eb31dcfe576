import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { main, startChatServer } from '../../../examples/servers/chat.js';
import { request, urlOf } from '../../../examples/servers/http-client.js';
import { recorder } from '../../support.js';
import { runServer } from '../../server/support.js';

const example = suite('examples/servers/chat');

example('main: two pollers of a room get the message posted there; a quiet room’s poll answers []', async () => {
  const { lines, log } = recorder();
  await runServer(() => main(log));
  assert.equal(lines, [
    'alice joins topic1: []',
    'bob joins topic1: []',
    'carol joins topic2: []',
    'bob puts "hi all": ""',
    'alice\'s poll: "bob:hi all"',
    'bob\'s poll: "bob:hi all"',
    'dave joins topic1: ["bob:hi all"]',
    "carol's poll (topic2 is quiet): []",
    'server closed',
  ]);
});

example('each user has a queue: messages posted between two polls wait, in order, for the next polls', async () => {
  await runServer(function* () {
    const server = yield* startChatServer({ pollTimeoutMs: 50 });
    const post = (path: string, body?: string) => request(urlOf(server) + path, { method: 'POST', body });
    assert.equal(yield* post('/join/topic1/alice'), { status: 200, body: '[]' });
    assert.equal(yield* post('/join/topic1/bob'), { status: 200, body: '[]' });
    for (const text of ['one', 'two']) assert.equal(yield* post('/put/topic1/bob', `message=${text}`), { status: 200, body: '""' });

    assert.equal(yield* post('/poll/alice'), { status: 200, body: '"bob:one"' });
    assert.equal(yield* post('/poll/alice'), { status: 200, body: '"bob:two"' });
    const start = getHub().now();
    assert.equal(yield* post('/poll/alice'), { status: 200, body: '[]' }, 'nothing left: the poll times out');
    assert.ok(getHub().now() - start >= 50);
    assert.equal(yield* post('/join/topic1/carol'), { status: 200, body: '["bob:one","bob:two"]' });

    assert.equal(yield* post('/poll/nobody'), { status: 404, body: '{"error":"no such room or user"}' });
    assert.equal(yield* post('/put/topic3/bob', 'message=x'), { status: 404, body: '{"error":"no such room or user"}' });
    assert.equal(yield* request(`${urlOf(server)}/poll/alice`), { status: 405, body: '{"error":"POST only"}' });
    yield* server.stop();
  });
});

example('issue 11: a bad ?timeout= is a 400 naming it, not a 500 and an error report', async () => {
  await runServer(function* () {
    const server = yield* startChatServer();
    const post = (path: string) => request(urlOf(server) + path, { method: 'POST' });
    yield* post('/join/topic1/alice');
    for (const bad of ['abc', '-5', '1.5', '1e12', '']) {
      assert.equal(yield* post(`/poll/alice?timeout=${bad}`), {
        status: 400,
        body: `timeout must be a whole number of ms from 0 to 60000, got ${JSON.stringify(bad)}\n`,
      });
    }
    yield* server.stop();
  });
});

example.run();
