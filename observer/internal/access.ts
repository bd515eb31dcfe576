/**
 * Who may read the observer. It binds 127.0.0.1 unless told otherwise, so
 * only this machine reaches it; two holes remain, and this module closes
 * them:
 *
 * - DNS rebinding: a web page the user visits makes its own host name
 *   resolve to 127.0.0.1 and reads the observer as same-origin. Its
 *   requests carry that name in `Host`, so only the names of this server
 *   are accepted (`127.0.0.1:port`, `localhost:port`, `[::1]:port`, the
 *   bound address, and `allowedHosts`).
 * - Anything reachable from other machines: a non-loopback bind needs a
 *   token, given as `?token=` (the page passes it on) or
 *   `Authorization: Bearer`, compared in constant time.
 *
 * There is no CORS header, so another origin's script cannot read a
 * response; a request that says it comes from another site
 * (`Sec-Fetch-Site: cross-site`) is refused before any work is done.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** True for an address only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True for "every interface": the URL then names 127.0.0.1 instead. */
export function isUnspecified(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

/** `host:port` as it appears in a URL or a `Host` header (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Why a request is refused, as status and text; null when it may go on. */
export type Refusal = { status: 403 | 401; text: string } | null;

/** The checks of one observer: the Host names it answers to, and its token. */
export class Access {
  private readonly hosts: Set<string>;
  private readonly tokenDigest: Buffer | null;

  constructor(host: string, port: number, allowedHosts: readonly string[], token: string | null) {
    this.hosts = new Set([hostPort('127.0.0.1', port), hostPort('localhost', port), hostPort('::1', port)]);
    if (!isUnspecified(host)) this.hosts.add(hostPort(host, port));
    for (const allowed of allowedHosts) this.hosts.add(allowed.toLowerCase());
    this.tokenDigest = token === null ? null : digest(token);
  }

  /** Checks a request's Host, origin and token. */
  check(request: IncomingMessage, url: URL, data: boolean): Refusal {
    const host = request.headers.host?.toLowerCase();
    if (host === undefined || !this.hosts.has(host)) {
      return { status: 403, text: `Host ${JSON.stringify(host ?? '')} is not a name of this observer (DNS rebinding?); allowedHosts adds names` };
    }
    if (data && request.headers['sec-fetch-site'] === 'cross-site') return { status: 403, text: 'cross-site requests are refused' };
    if (this.tokenDigest !== null) {
      const given = url.searchParams.get('token') ?? bearer(request.headers.authorization);
      if (given === null || !timingSafeEqual(digest(given), this.tokenDigest)) return { status: 401, text: 'a token is needed: ?token=...' };
    }
    return null;
  }
}

function bearer(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match === null ? null : match[1];
}

/** Tokens are compared as digests: equal length whatever was given, so the comparison leaks nothing. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
