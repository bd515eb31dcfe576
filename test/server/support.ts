/**
 * Shared by the server tests (grove/server's and the examples'): run a
 * test body and check it left nothing open (greenlets still alive, Node
 * handles and timers keeping the process alive), collect what the hub
 * reports meanwhile, a bounded wait for a condition that outside I/O makes
 * true, a raw HTTP/1.1 client on grove's `connect`, and the end of a
 * WebSocket client (tests use grove's own, `connectWebSocket`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { getHub, run, sleep, type Greenlet, type Operation } from 'grove';
import { HttpServer, connect, type HttpServerOptions, type WebSocket, type WebSocketHandler } from 'grove/server';
import { errorSink } from '../support.js';

/** What was alive before a test: its greenlets and Node's active resources. */
interface Snapshot {
  greenlets: Set<Greenlet<unknown>>;
  resources: string[];
}

function snapshot(): Snapshot {
  return { greenlets: new Set(getHub().greenlets()), resources: process.getActiveResourcesInfo() };
}

/**
 * What is alive now that was not at `before`: greenlets by name, Node
 * resources by type (`TCPSocketWrap`, `TCPServerWrap`, `Timeout`...; an
 * unref'd timer, like the hub's once no run() waits, keeps nothing alive and
 * is not listed). Gives Node a few turns first: a destroyed socket's handle
 * closes on the next one.
 */
async function leftOpen(before: Snapshot): Promise<string[]> {
  for (let turn = 0; turn < 3; turn++) await nextTurn();
  const left = getHub()
    .greenlets()
    .filter((g) => !before.greenlets.has(g))
    .map((g) => `greenlet ${g.name}`);
  const counts = new Map<string, number>();
  for (const r of before.resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const r of process.getActiveResourcesInfo()) {
    const n = counts.get(r) ?? 0;
    if (n > 0) counts.set(r, n - 1);
    else left.push(r);
  }
  return left;
}

/** Runs `body` on the program's hub (real clock), then asserts it left nothing open. */
export async function runClean<T>(body: () => Operation<T>): Promise<T> {
  const before = snapshot();
  const value = await run(body);
  assert.equal(await leftOpen(before), [], 'left open by the test');
  return value;
}

/**
 * `runClean`, and the hub must report nothing but `expectedReports`, in
 * order: each report (`"<greenlet name>: <where>: <Error>: <message>"`)
 * must match its pattern. What a server test uses: a handler's crash is
 * asserted, never printed among uvu's dots.
 */
export async function runServer<T>(body: () => Operation<T>, expectedReports: RegExp[] = []): Promise<T> {
  const hub = getHub();
  const sink = errorSink();
  const onError = hub.onError;
  hub.onError = sink.onError;
  let value: T;
  try {
    value = await runClean(body);
  } finally {
    hub.onError = onError;
  }
  assert.is(sink.reports.length, expectedReports.length, `the hub reported: ${JSON.stringify(sink.reports)}`);
  sink.reports.forEach((report, i) => assert.match(report, expectedReports[i]));
  return value;
}

/** The error `fn` throws (a test fails if it throws none). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The error an Operation throws (a test fails if it throws none). */
export function* errorOfOp(op: Operation<unknown>): Operation<Error> {
  try {
    yield* op;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/**
 * Starts an HttpServer on 127.0.0.1 (ephemeral port) with `websockets`
 * (other requests get 200 `plain <path>`), runs `body` with it, stops it.
 */
export function* withWebSocketServer(
  websockets: Record<string, WebSocketHandler>,
  body: (server: HttpServer) => Operation<void>,
  options: Omit<HttpServerOptions, 'websockets'> = {},
): Operation<void> {
  const server = new HttpServer(
    '127.0.0.1:0',
    function* (request, response) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`plain ${request.path}`);
    },
    { ...options, websockets },
  );
  yield* server.start();
  try {
    yield* body(server);
  } finally {
    yield* server.stop();
  }
}

/** Waits (polling every ms) until `condition()` holds; throws after `ms` ms. */
export function* eventually(what: string, condition: () => boolean, ms = 500): Operation<void> {
  const deadline = getHub().now() + ms;
  while (!condition()) {
    if (getHub().now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    yield* sleep(1);
  }
}

/**
 * Waits (2 s at most per message) until a WebSocket is closed, dropping
 * the messages that come before: its close code and reason.
 */
export function* closeOf(socket: WebSocket): Operation<{ code: number | null; reason: string }> {
  while ((yield* socket.receive({ timeout: 2000 })) !== null);
  return { code: socket.closeCode, reason: socket.closeReason };
}

/** An HTTP response as read off the wire. */
export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, `\r\n` added) and `body` on a
 * fresh connection to 127.0.0.1:`port` with `Connection: close`, and reads
 * the answer until the server closes. The body is given as received
 * (chunked encoding is decoded). Blocks the calling greenlet only.
 */
export function* rawRequest(port: number, head: string[], body = ''): Operation<RawReply> {
  const connection = yield* connect({ host: '127.0.0.1', port });
  try {
    yield* connection.sendAll([...head, 'Connection: close', '', ''].join('\r\n') + body);
    const chunks: Buffer[] = [];
    for (let chunk = yield* connection.recv(); chunk !== null; chunk = yield* connection.recv()) chunks.push(chunk);
    return parseReply(Buffer.concat(chunks).toString('utf8'));
  } finally {
    connection.destroy();
  }
}

/** Parses a whole HTTP/1.1 response. */
export function parseReply(text: string): RawReply {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP response: ${JSON.stringify(text)}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function unchunk(text: string): string {
  let body = '';
  for (let at = 0; ; ) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
