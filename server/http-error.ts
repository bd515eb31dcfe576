/**
 * `HttpError`: what an HTTP handler throws to answer with an error status
 * instead of crashing — a bad query parameter is a 400 for the client, not
 * a 500 and an error report for the operator. `BodyTooLarge` is the 413 a
 * body read throws past the server's `maxBodyBytes`.
 */
import { STATUS_CODES } from 'node:http';
import { show } from '../lib/internal/validate.js';

/**
 * Thrown by a handler (or by the request's body reads) to answer
 * `status` with `message` as a plain-text body. The server sends it, if the
 * headers were not sent yet (otherwise it cuts the connection), and does
 * not report it as an error.
 */
export class HttpError extends Error {
  static {
    this.prototype.name = 'HttpError';
  }
  /** The status answered, 400 to 599. */
  readonly status: number;

  /** `message` defaults to the status's reason phrase (`Bad Request`). */
  constructor(status: number, message?: string) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`new HttpError: status must be an integer from 400 to 599, got ${show(status)}`);
    }
    super(message ?? STATUS_CODES[status] ?? `HTTP ${status}`);
    this.status = status;
  }
}

/** A request body longer than the server's `maxBodyBytes`: answered 413. */
export class BodyTooLarge extends HttpError {
  static {
    this.prototype.name = 'BodyTooLarge';
  }
  constructor(maxBodyBytes: number) {
    super(413, `the request body is over ${maxBodyBytes} bytes`);
  }
}
