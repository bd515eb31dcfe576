/**
 * What the HTTP examples share on the client side, and their one rule for
 * query parameters: a request made with `fetch` from a greenlet, and a
 * number read from the query string that answers 400 when it is not one
 * (a bad parameter is the client's mistake, not a 500 and an error report
 * for the operator).
 */
import { call, type Operation } from 'grove';
import { HttpError, type HttpRequest, type HttpServer } from 'grove/server';

/** `http://127.0.0.1:<port>` of a started server. */
export function urlOf(server: HttpServer): string {
  return `http://127.0.0.1:${server.port}`;
}

/** What `request` returns. */
export interface Reply {
  status: number;
  body: string;
}

/**
 * A client request with `fetch`: blocks the calling greenlet until the whole
 * answer has arrived. A kill or timeout of the greenlet aborts the fetch.
 */
export function request(url: string, init: { method?: string; body?: string } = {}): Operation<Reply> {
  return call(async (signal) => {
    const response = await fetch(url, { ...init, signal });
    return { status: response.status, body: await response.text() };
  });
}

/**
 * The query parameter `name` as a whole number of ms from 0 to `max`, or
 * `fallback` when it is absent. Anything else throws an `HttpError` 400,
 * which the server answers as such.
 */
export function msParam(request: HttpRequest, name: string, fallback: number, max: number): number {
  const text = request.query.get(name);
  if (text === null) return fallback;
  const ms = Number(text);
  if (text.trim() === '' || !Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new HttpError(400, `${name} must be a whole number of ms from 0 to ${max}, got ${JSON.stringify(text)}`);
  }
  return ms;
}
