/**
 * `HttpResponse`: how an HTTP handler answers — `writeHead`, then either
 * `end(body)`, or `write` chunk by chunk (a streamed, chunked response)
 * and `end()`. `write` blocks while the client reads slower than the
 * handler writes, so a slow client slows its handler down instead of
 * growing the server's buffers.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { Wakeup } from './internal/wakeup.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';
import { ConnectionClosed } from './connection.js';

/** Options of `HttpResponse.write`. */
export interface WriteOptions {
  /** Throw `Timeout` if the client has not taken the data within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

/** A response body: text (sent as UTF-8) or bytes. */
export type Chunk = string | Uint8Array;

const KEYS = optionKeys<WriteOptions>({ timeout: true });

/** The answer to one HTTP request. */
export class HttpResponse {
  private drained: Wakeup | null = null;
  /** What `writeHead` set, held until the first `write` or `end`: `end(body)` can then add a Content-Length. */
  private status = 200;
  private headers: OutgoingHttpHeaders | undefined = undefined;
  private headWritten = false;

  /** @internal made by the server for each request. */
  constructor(
    /** Node's response, for what this class does not cover (trailers...); writing to it directly bypasses backpressure. */
    readonly raw: ServerResponse,
  ) {}

  /** True once the status and headers are sent (with the first `write`, or by `end`). */
  get headersSent(): boolean {
    return this.raw.headersSent;
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.raw.writableEnded;
  }

  /**
   * Sets the status (100 to 599) and headers; they are sent with the first
   * `write` or `end`. Without it the status is 200. Never blocks; returns
   * the response, so `response.writeHead(404).end('not found')` reads well.
   * Calling it again before anything is sent replaces both.
   */
  writeHead(status: number, headers?: OutgoingHttpHeaders): this {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new RangeError(`HttpResponse.writeHead: status must be an integer from 100 to 599, got ${show(status)}`);
    }
    if (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers))) {
      throw new TypeError(`HttpResponse.writeHead: headers must be an object, got ${show(headers)}`);
    }
    if (this.headWritten || this.raw.headersSent) throw new Error('HttpResponse.writeHead: the headers were already sent');
    this.status = status;
    this.headers = headers;
    return this;
  }

  /**
   * Sends `chunk` as the next piece of the body (without a Content-Length
   * header, Node sends the body chunked). Returns once Node has taken it
   * and its buffer is below the high-water mark; blocks while the client
   * reads slower. Throws `Timeout` after `timeout` ms (the chunk stays
   * queued), and `ConnectionClosed` if the client has gone (the handler is
   * being killed then anyway).
   */
  write(chunk: Chunk, options?: WriteOptions): Operation<void> {
    checkChunk('HttpResponse.write', chunk);
    checkOptions('HttpResponse.write', options, KEYS);
    const timeout = checkTimeout('HttpResponse.write', options?.timeout);
    if (this.raw.writableEnded) throw new Error('HttpResponse.write: the response was already ended');
    return new Composite('HttpResponse.write', () => this.send(chunk, timeout));
  }

  /**
   * Ends the response, with `chunk` as the last piece of the body (or the
   * whole body: then Node sends a Content-Length). Never blocks: Node sends
   * it as the client takes it. Ending twice is an error.
   */
  end(chunk?: Chunk): void {
    if (chunk !== undefined) checkChunk('HttpResponse.end', chunk);
    const raw = this.raw;
    if (raw.writableEnded) throw new Error('HttpResponse.end: the response was already ended');
    if (!this.headWritten) {
      // The whole body is known: say how long it is, rather than sending it chunked.
      if (hasBody(this.status) && !framed(this.headers)) {
        const length = chunk === undefined ? 0 : typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        // In the headers object, not with setHeader: Node's writeHead is much faster without the latter.
        this.headers = withLength(this.headers, length);
      }
      this.writeHeadNow();
    }
    raw.end(chunk);
  }

  private writeHeadNow(): void {
    this.headWritten = true;
    if (!this.raw.headersSent) this.raw.writeHead(this.status, this.headers);
  }

  private *send(chunk: Chunk, timeout: Limit): Steps<void> {
    const raw = this.raw;
    if (raw.destroyed) throw gone();
    if (!this.headWritten) this.writeHeadNow();
    if (raw.write(chunk)) return;
    yield* within(timeout, () => this.waitDrained(), raise);
  }

  private *waitDrained(): Steps<void> {
    const raw = this.raw;
    if (this.drained === null) {
      this.drained = new Wakeup();
      raw.on('drain', this.drained.wake);
      raw.on('close', this.drained.wake);
    }
    while (raw.writableNeedDrain) {
      if (raw.destroyed) throw gone();
      yield* this.drained.wait();
    }
  }
}

/** A copy of `headers` with a Content-Length (a plain copy: object spread is ~20x slower here, per response). */
function withLength(headers: OutgoingHttpHeaders | undefined, length: number): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = {};
  if (headers !== undefined) for (const name in headers) copy[name] = headers[name];
  copy['content-length'] = length;
  return copy;
}

/** False for the statuses that never carry a body (1xx, 204, 304). */
function hasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** True if the headers already say how the body is delimited. */
function framed(headers: OutgoingHttpHeaders | undefined): boolean {
  if (headers === undefined) return false;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') return true;
  }
  return false;
}

function gone(): ConnectionClosed {
  return new ConnectionClosed('HttpResponse.write: the client has gone');
}

function checkChunk(call: string, chunk: unknown): void {
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw new TypeError(`${call}: chunk must be a string or a Uint8Array, got ${show(chunk)}`);
  }
}
