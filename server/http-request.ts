/**
 * `HttpRequest`: what an HTTP handler receives about a request — method,
 * URL, headers — and its body, read with blocking calls that wait only for
 * the calling greenlet and stop at the server's `maxBodyBytes`.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { StreamReader } from './internal/stream-reader.js';
import { raise, within, type Limit, type Steps } from '../lib/internal/within.js';
import { BodyTooLarge, HttpError } from './http-error.js';

/** Options of the body reads. */
export interface BodyOptions {
  /** Throw `Timeout` if the body has not arrived within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}

const KEYS = optionKeys<BodyOptions>({ timeout: true });
const CHUNK_BYTES = 65_536;

/** One HTTP request, as its handler sees it. */
export class HttpRequest {
  /** `GET`, `POST`... */
  readonly method: string;
  /** The request target as sent: path and query (`/poll?timeout=50`). */
  readonly url: string;
  /** The headers, names in lower case (Node's `IncomingHttpHeaders`). */
  readonly headers: IncomingHttpHeaders;
  private reader: StreamReader | null = null;
  private parsed: URL | null = null;

  /** @internal made by the server for each request. */
  constructor(
    /** Node's request, for what this class does not cover; reading it directly bypasses `maxBodyBytes`. */
    readonly raw: IncomingMessage,
    private readonly maxBodyBytes: number,
  ) {
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
    this.headers = raw.headers;
  }

  /** The path of `url`, without the query (`/poll`). */
  get path(): string {
    return this.location().pathname;
  }

  /** The query parameters of `url`. */
  get query(): URLSearchParams {
    return this.location().searchParams;
  }

  /** The client's IP address. */
  get remoteAddress(): string {
    return this.raw.socket.remoteAddress ?? '';
  }

  /**
   * The next piece of the body as it arrives; `null` at its end. Blocks
   * until some arrives; throws `Timeout` after `timeout` ms, and
   * `BodyTooLarge` (a 413) once more than the server's `maxBodyBytes` came.
   */
  read(options?: BodyOptions): Operation<Buffer | null> {
    const timeout = this.check('HttpRequest.read', options);
    return new Composite('HttpRequest.read', () => this.readPiece(timeout));
  }

  /** The whole body; see `read` for what blocks and what is thrown. */
  body(options?: BodyOptions): Operation<Buffer> {
    const timeout = this.check('HttpRequest.body', options);
    return new Composite('HttpRequest.body', () => this.readAll(timeout));
  }

  /** The whole body decoded as UTF-8; see `read`. */
  text(options?: BodyOptions): Operation<string> {
    const timeout = this.check('HttpRequest.text', options);
    return new Composite('HttpRequest.text', () => this.readText(timeout));
  }

  /** The whole body parsed as JSON; a body that is not JSON throws an `HttpError` 400. See `read`. */
  json(options?: BodyOptions): Operation<unknown> {
    const timeout = this.check('HttpRequest.json', options);
    return new Composite('HttpRequest.json', () => this.readJson(timeout));
  }

  private location(): URL {
    return (this.parsed ??= new URL(this.url, 'http://localhost'));
  }

  private check(call: string, options: unknown): Limit {
    checkOptions(call, options, KEYS);
    return checkTimeout(call, (options as BodyOptions | undefined)?.timeout);
  }

  private *readPiece(timeout: Limit): Steps<Buffer | null> {
    const reader = (this.reader ??= new StreamReader(this.raw));
    const piece = yield* reader.read('HttpRequest.read', CHUNK_BYTES, timeout);
    if (reader.total > this.maxBodyBytes) throw new BodyTooLarge(this.maxBodyBytes);
    return piece;
  }

  private readAll(timeout: Limit): Steps<Buffer> {
    // One deadline for the whole body: each piece's wait counts against it.
    return within(timeout, () => this.readPieces(), raise);
  }

  private *readPieces(): Steps<Buffer> {
    const pieces: Buffer[] = [];
    for (let piece = yield* this.readPiece(null); piece !== null; piece = yield* this.readPiece(null)) pieces.push(piece);
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }

  private *readText(timeout: Limit): Steps<string> {
    return (yield* this.readAll(timeout)).toString('utf8');
  }

  private *readJson(timeout: Limit): Steps<unknown> {
    const text = yield* this.readText(timeout);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, `the request body is not JSON: ${show(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`);
    }
  }
}
