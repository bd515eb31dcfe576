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
 * that writes each one with `yield* response.write(chunk)` — which waits
 * while the client reads slower than the handler writes — then sleeps
 * before the next, and the other requests run meanwhile. A client reads the
 * chunks as they come.
 */
import { call, getHub, sleep, type Operation } from 'grove';
import { HttpServer, type HttpHandler } from 'grove/server';
import { runIfMain, type Log } from '../support.js';
import { urlOf } from './http-client.js';

/** The tutorial's chunks. */
export const CHUNKS = ['<p>Hello', 'World</p>'];

/** A handler writing `chunks` with `intervalMs` between them. */
export function streamer(chunks: readonly string[], intervalMs: number): HttpHandler {
  return function* application(_request, response): Operation<void> {
    response.writeHead(200, { 'content-type': 'text/html' }); // no length: Node sends it chunked
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) yield* sleep(intervalMs); // blocks this response only
      yield* response.write(chunk); // waits while the client is slower than this handler
    }
    response.end();
  };
}

/** Starts the streaming server on 127.0.0.1 (`port` 0: an ephemeral one). */
export function* startStreamingServer(options: { chunks?: readonly string[]; intervalMs?: number; port?: number } = {}): Operation<HttpServer> {
  const server = new HttpServer({ host: '127.0.0.1', port: options.port ?? 0 }, streamer(options.chunks ?? CHUNKS, options.intervalMs ?? 50));
  yield* server.start();
  return server;
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
  const pieces = yield* readChunks(urlOf(server));
  for (const [i, piece] of pieces.entries()) log(`chunk ${i + 1}: ${piece.text}`);
  log(`end of stream: ${pieces.map((p) => p.text).join('')}`);
  yield* server.stop();
  log('server closed');
}

runIfMain(import.meta.url, main);
