/**
 * The tutorial's "Websockets" (gevent-websocket's example): a server sends
 * each connected page a point `{ x, y }` every 500 ms, `x` counting from 0
 * and `y` a random whole number from 1 to 5, and the tutorial's page,
 * served by the same server at `/`, shows the connection's state and the
 * points as they come (plain DOM in place of the tutorial's jQuery).
 *
 * Each connection is a greenlet of the `HttpServer` (its `websockets`
 * option) that sends and sleeps on the hub's clock. `y` comes from a seeded
 * generator, one per connection, so every client sees the same sequence and
 * a test can check it exactly. When the page goes away, the greenlet is
 * killed in its sleep; `stop()` closes every socket with 1001 (going away).
 *
 * Run it (`node --import tsx --conditions=grove-source
 * examples/tutorial/websockets.ts`) for the tour's client, or call
 * `startWebSocketServer(8000)` and open http://127.0.0.1:8000/ in a browser.
 */
import { sleep, type Operation } from 'grove';
import { HttpError, HttpServer, connectWebSocket, type WebSocketHandler } from 'grove/server';
import { runIfMain, seededRandom, type Log } from '../support.js';
import { request, urlOf } from '../servers/http-client.js';

/** How often a connection gets its next point. */
export const INTERVAL_MS = 500;
/** The seed of every connection's `y` values. */
export const SEED = 2013;
/** Where the page connects for its points. */
export const POINTS_PATH = '/data';

/** The tutorial's page: connects to `/data`, says whether it is connected, appends each point it receives. */
export const PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Minimal websocket application</title>
    <script>
      addEventListener('DOMContentLoaded', () => {
        // Open a connection to our server, where this page came from.
        const ws = new WebSocket(\`ws://\${location.host}${POINTS_PATH}\`);
        const status = document.getElementById('conn_status');
        const placeholder = document.getElementById('placeholder');
        const setStatus = (text) => {
          const bold = document.createElement('b');
          bold.textContent = text;
          status.replaceChildren(bold);
        };
        // What do we do when we get a message?
        ws.onmessage = (evt) => {
          const p = document.createElement('p');
          p.textContent = evt.data;
          placeholder.append(p);
        };
        // Keep the conn_status field up to date.
        ws.onopen = () => setStatus('Connected');
        ws.onerror = () => setStatus('Error');
        ws.onclose = () => setStatus('Closed');
      });
    </script>
  </head>
  <body>
    <h1>WebSocket Example</h1>
    <div id="conn_status">Not Connected</div>
    <div id="placeholder" style="width:600px;height:300px;"></div>
  </body>
</html>
`;

/** A point as the server sends it (JSON). */
export interface Point {
  x: number;
  y: number;
}

/** The tutorial's `WebSocketApp`: sends a point every `intervalMs` until the client goes away. */
export function points(intervalMs = INTERVAL_MS, seed = SEED): WebSocketHandler {
  return function* (socket): Operation<void> {
    const random = seededRandom(seed);
    for (let x = 0; ; x++) {
      const point: Point = { x, y: 1 + Math.floor(random() * 5) };
      yield* socket.send(JSON.stringify(point));
      yield* sleep(intervalMs);
    }
  };
}

/** Starts the server on 127.0.0.1 (`port` 0: an ephemeral one): the page at `/`, the points at `/data`. */
export function* startWebSocketServer(options: { port?: number; intervalMs?: number } = {}): Operation<HttpServer> {
  const server = new HttpServer(
    { host: '127.0.0.1', port: options.port ?? 0 },
    function* (req, response) {
      if (req.method !== 'GET' || req.path !== '/') throw new HttpError(404, 'not found');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    },
    { websockets: { [POINTS_PATH]: points(options.intervalMs) } },
  );
  yield* server.start();
  return server;
}

/**
 * The tour: the page is served; a client (grove's `connectWebSocket`,
 * standing in for the browser) connects and prints three points; it
 * leaves, and its greenlet on the server ends.
 */
export function* main(log: Log): Operation<void> {
  const server = yield* startWebSocketServer();
  const page = yield* request(`${urlOf(server)}/`);
  log(`GET / : ${page.status}, the page "${/<title>(.*)<\/title>/.exec(page.body)?.[1]}"`);

  const client = yield* connectWebSocket(`ws://127.0.0.1:${server.port}${POINTS_PATH}`, { timeout: 5000 });
  log('connected');
  for (let i = 0; i < 3; i++) log(`received ${yield* client.receive()}`);

  const [handler] = server.pool;
  client.close();
  while ((yield* client.receive()) !== null); // points sent before the server saw the close, then the end
  yield* handler.join();
  log(`the client left: its greenlet on the server ended (${handler.value instanceof Error ? handler.value.name : 'returned'})`);
  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
