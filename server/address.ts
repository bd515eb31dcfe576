/**
 * Server addresses: gevent's `'host:port'` string (`':8000'` for every
 * interface, `'[::1]:8000'` for IPv6) or `{ host, port }`, checked when a
 * server is created so that a bad one fails at the call that gave it.
 */
import { isIP } from 'node:net';
import { show } from '../lib/internal/validate.js';

/** Where a server listens, or where `connect` goes: a host name or IP, and a TCP port (0: an ephemeral one, for a server). */
export interface Address {
  /** A host name or IP address; `''` (or `'0.0.0.0'`) is every interface. */
  readonly host: string;
  /** 0 to 65535; a server given 0 gets a free port from the system (see its `port` once started). */
  readonly port: number;
}

/** What a server or `connect` accepts as an address: `'host:port'` or `{ host, port }`. */
export type AddressInput = string | { host?: string; port: number };

/** Checks `input` and returns it as `{ host, port }`; throws naming `call` and the value. */
export function parseAddress(call: string, input: unknown): Address {
  const expected = `${call}: address must be 'host:port' or { host, port } with a port from 0 to 65535`;
  if (typeof input === 'string') {
    const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(input);
    if (match === null) throw new TypeError(`${expected}, got ${show(input)}`);
    return checked(expected, match[1] ?? match[2], Number(match[3]), input);
  }
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const { host = '', port, ...rest } = input as { host?: unknown; port?: unknown };
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new TypeError(`${expected}, got an unknown field ${JSON.stringify(extra)}`);
    if (typeof host !== 'string') throw new TypeError(`${expected}, got host ${show(host)}`);
    return checked(expected, host, port, input);
  }
  throw new TypeError(`${expected}, got ${show(input)}`);
}

function checked(expected: string, host: string, port: unknown, input: unknown): Address {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    const what = typeof input === 'string' ? show(input) : `port ${show(port)}`;
    throw new RangeError(`${expected}, got ${what}`);
  }
  if (/[\s/]/.test(host)) throw new TypeError(`${expected}, got host ${show(host)}`);
  return { host, port };
}

/** `127.0.0.1:8080`, `[::1]:8080`, `*:8080` for every interface: for messages and greenlet names. */
export function formatAddress(address: Address): string {
  const host = address.host === '' ? '*' : isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
