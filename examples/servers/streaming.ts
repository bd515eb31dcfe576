/**
 * The tutorial's "Streaming Servers": a response sent piece by piece while
 * the handler works, with chunked transfer encoding — no Content-Length,
 * each chunk prefixed by its length in hex, a chunk of size 0 at the end:
 *
 *     HTTP/1.1 200 OK
 *     Content-Type: text/html
 *     Transfer-Encoding: chunked
 *
 *     8
 *     <p>Hello
 *     9
 *     World</p>
 *     0
 *
 * gevent's pywsgi handler yields the chunks; here the handler is a greenlet
 * that writes each one, then `yield* sleep(ms)` before the next, and the
 * other requests run meanwhile. A client reads the chunks as they come.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { call, getHub, sleep, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';
import { serve, type Handler, type ServerHandle } from './http-server.js';

/** The tutorial's chunks. */
export const CHUNKS = ['<p>Hello', 'World</p>'];

/** A handler writing `chunks` with `intervalMs` between them. */
export function streamer(chunks: readonly string[], intervalMs: number): Handler {
  return function* application(_request: IncomingMessage, response: ServerResponse): Operation<void> {
    response.writeHead(200, { 'content-type': 'text/html' }); // no length: Node sends it chunked
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) yield* sleep(intervalMs); // blocks this response only
      // Backpressure: a client reading slowly makes this greenlet wait, not the buffer grow.
      if (!response.write(chunk)) yield* call(once(response, 'drain'));
    }
    response.end();
  };
}

/** Starts the streaming server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function startStreamingServer(options: { chunks?: readonly string[]; intervalMs?: number; port?: number } = {}): Operation<ServerHandle> {
  return serve(streamer(options.chunks ?? CHUNKS, options.intervalMs ?? 50), options.port);
}

/** Reads a response body chunk by chunk with fetch; returns each piece as it arrived and when (ms after the request). */
export function* readChunks(url: string): Operation<{ text: string; atMs: number }[]> {
  const start = getHub().now();
  const response = yield* call((signal) => fetch(url, { signal }));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pieces: { text: string; atMs: number }[] = [];
  try {
    for (;;) {
      const { done, value } = yield* call(reader.read());
      if (done) return pieces;
      pieces.push({ text: value, atMs: getHub().now() - start });
    }
  } finally {
    reader.releaseLock();
  }
}

export function* main(log: Log): Operation<void> {
  const server = yield* startStreamingServer({ intervalMs: 50 });
  log(`GET / (chunks ${CHUNKS.length}, 50 ms apart)`);
  const pieces = yield* readChunks(server.url);
  for (const [i, piece] of pieces.entries()) log(`chunk ${i + 1}: ${piece.text}`);
  log(`end of stream: ${pieces.map((p) => p.text).join('')}`);
  yield* server.close();
  log('server closed');
}

runIfMain(import.meta.url, main);
