import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { WebSocket as WsSocket } from 'ws';
import { call, getHub } from 'grove';
import { connectWebSocket } from 'grove/server';
import { INTERVAL_MS, PAGE, main, startWebSocketServer } from '../../examples/tutorial/websockets.js';
import { request, urlOf } from '../../examples/servers/http-client.js';
import { recorder } from '../support.js';
import { closeOf, eventually, runServer } from '../server/support.js';

const example = suite('examples/tutorial/websockets');

/** The first six points every connection gets (seed 2013). */
const POINTS = ['{"x":0,"y":1}', '{"x":1,"y":5}', '{"x":2,"y":1}', '{"x":3,"y":1}', '{"x":4,"y":5}', '{"x":5,"y":4}'];

example('main: the page is served, a client prints three points, leaves, and its greenlet ends', async () => {
  const { lines, log } = recorder();
  await runServer(() => main(log));
  assert.equal(lines, [
    'GET / : 200, the page "Minimal websocket application"',
    'connected',
    ...POINTS.slice(0, 3).map((point) => `received ${point}`),
    'the client left: its greenlet on the server ended (GreenletExit)',
    'server closed',
  ]);
  assert.is(INTERVAL_MS, 500);
});

example('each client receives the exact sequence of points from x = 0, one every intervalMs on the hub clock', async () => {
  await runServer(function* () {
    const server = yield* startWebSocketServer({ intervalMs: 20 });
    const url = `ws://127.0.0.1:${server.port}/data`;
    const first = yield* connectWebSocket(url, { timeout: 2000 });
    const times: number[] = [];
    const got: (string | Buffer | null)[] = [];
    for (let i = 0; i < 6; i++) {
      got.push(yield* first.receive({ timeout: 2000 }));
      times.push(getHub().now());
    }
    assert.equal(got, POINTS);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 15, `points ${i - 1} and ${i} came ${times[i] - times[i - 1]} ms apart`);

    const second = yield* connectWebSocket(url, { timeout: 2000 }); // its own sequence, from the start
    for (const point of POINTS.slice(0, 3)) assert.is(yield* second.receive({ timeout: 2000 }), point);
    assert.is(server.pool.size, 2);
    first.close(1000);
    second.close(1000);
    assert.equal(yield* closeOf(first), { code: 1000, reason: '' });
    assert.equal(yield* closeOf(second), { code: 1000, reason: '' });
    yield* eventually('both greenlets ended', () => server.pool.size === 0);
    yield* server.stop();
  });
});

example('a client that disconnects ends its greenlet (killed in its sleep); stop() closes the others with 1001, then kills them', async () => {
  await runServer(function* () {
    const server = yield* startWebSocketServer({ intervalMs: 10_000 });
    const url = `ws://127.0.0.1:${server.port}/data`;
    const leaving = new WsSocket(url); // ws's client, a non-grove peer: it can vanish (terminate) as a crashed browser tab does
    const [first] = (yield* call(once(leaving, 'message'))) as [Buffer];
    assert.is(String(first), POINTS[0]);
    const staying = yield* connectWebSocket(url, { timeout: 2000 });
    assert.is(yield* staying.receive({ timeout: 2000 }), POINTS[0]);
    const [leavingHandler, stayingHandler] = server.pool;

    leaving.terminate(); // gone without a close frame
    assert.ok(yield* leavingHandler.join({ timeout: 2000 }), 'its greenlet ended');
    assert.is((leavingHandler.value as Error).name, 'GreenletExit');
    assert.ok(!stayingHandler.dead);
    yield* eventually('its connection is closed', () => server.connectionCount === 1);

    yield* server.stop({ timeout: 100 });
    assert.equal(yield* closeOf(staying), { code: 1001, reason: 'the server is stopping' });
    assert.is((stayingHandler.value as Error).name, 'GreenletExit', 'still in its sleep at the end of the grace period: killed');
  });
});

example('GET / is the page (plain DOM, no jQuery); other paths are 404', async () => {
  await runServer(function* () {
    const server = yield* startWebSocketServer();
    const page = yield* request(`${urlOf(server)}/`);
    assert.equal(page, { status: 200, body: PAGE });
    assert.ok(!/jquery|\$\(/i.test(PAGE), 'no jQuery');
    assert.equal(yield* request(`${urlOf(server)}/other`), { status: 404, body: 'not found\n' });
    yield* server.stop();
  });
});

example.run();
