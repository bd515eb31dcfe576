/**
 * `openSocket`: makes a ZeroMQ socket of a type, binds and connects it, and
 * wraps it in a `Socket` (socket.ts). The zeromq package is loaded here, on
 * the first call.
 */
import { Interrupt } from '../lib/errors.js';
import { call } from '../lib/call.js';
import { Composite } from '../lib/internal/composite.js';
import { checkMs, checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation } from '../lib/operation.js';
import { raise, within, type Steps } from '../lib/internal/within.js';
import { CLASSES, loadBinding, type RawSocket, type SocketType } from './internal/binding.js';
import { Socket, asFilter, checkPrefixes, zeroMQError, type Frame } from './socket.js';

/** Options of `openSocket`. Give `bind`, `connect` or both. */
export interface OpenSocketOptions {
  /** Endpoints to bind to, such as `'tcp://127.0.0.1:*'` (`*`: a free port, then read from `socket.endpoint`). */
  bind?: string | readonly string[];
  /** Endpoints to connect to, such as `'tcp://127.0.0.1:5555'`. ZeroMQ connects in the background and reconnects after a loss. */
  connect?: string | readonly string[];
  /**
   * After `close()`, how long ZeroMQ keeps trying to deliver the messages it
   * still holds, in ms (default 1000; `Infinity` for ever). ZeroMQ's own
   * default is for ever, which lets a message for a peer that is gone keep
   * the process from exiting.
   */
  linger?: number;
  /**
   * A subscribe socket's first filters (see `Socket.subscribe`), set before
   * it connects: a prefix or a list (`''`: every message). Only for
   * `'subscribe'`.
   */
  subscribe?: Frame | readonly Frame[];
  /** Throw `Timeout` if loading zeromq and binding take longer than this many ms (the socket is then closed); a Timeout given here is raised. */
  timeout?: TimeoutOption;
}
const OPEN_KEYS = optionKeys<OpenSocketOptions>({ bind: true, connect: true, linger: true, subscribe: true, timeout: true });

const DEFAULT_LINGER_MS = 1000;

/**
 * Opens a ZeroMQ socket of `type` — `'request'`, `'reply'`, `'dealer'`,
 * `'router'`, `'push'`, `'pull'`, `'pair'`, `'publish'` or `'subscribe'` — bound and connected as
 * `options` say. Blocks while it binds. Throws `ZeroMQUnavailable` if the
 * zeromq package (an optional peer dependency of grove) is not installed
 * or cannot load, and `ZeroMQError` if an endpoint is refused (`EINVAL`, or
 * `EADDRINUSE` for a port in use). A kill, or `timeout` ms passing, while
 * it binds closes the socket.
 */
export function openSocket(type: SocketType, options: OpenSocketOptions): Operation<Socket> {
  if (typeof type !== 'string' || !Object.hasOwn(CLASSES, type)) {
    throw new TypeError(`openSocket: type must be one of ${Object.keys(CLASSES).map((name) => `'${name}'`).join(', ')}, got ${show(type)}`);
  }
  checkOptions('openSocket', options, OPEN_KEYS);
  const binds = endpoints('bind', options?.bind);
  const connects = endpoints('connect', options?.connect);
  if (binds.length + connects.length === 0) {
    throw new TypeError(`openSocket: give bind or connect (an endpoint such as 'tcp://127.0.0.1:5555'), got ${show(options)}`);
  }
  const linger = options.linger === undefined ? DEFAULT_LINGER_MS : checkMs('openSocket', 'linger', options.linger);
  const prefixes = options.subscribe === undefined ? [] : Array.isArray(options.subscribe) ? [...options.subscribe] : [options.subscribe];
  if (options.subscribe !== undefined) {
    if (type !== 'subscribe') throw new TypeError(`openSocket: subscribe is for a 'subscribe' socket, not a '${type}' one`);
    checkPrefixes('openSocket: subscribe', prefixes);
  }
  const timeout = checkTimeout('openSocket', options.timeout);
  return new Composite('openSocket', () => within(timeout, () => opening(type, binds, connects, linger, prefixes), raise));
}

function* opening(type: SocketType, binds: readonly string[], connects: readonly string[], linger: number, prefixes: Frame[]): Steps<Socket> {
  const binding = yield* loadBinding('openSocket');
  // ZeroMQ takes whole ms in 32 bits, and -1 for "for ever" (past 24.8 days, near enough).
  const raw = new binding[CLASSES[type]]({ linger: linger >= 2 ** 31 ? -1 : Math.ceil(linger) }) as unknown as RawSocket;
  let opened = false;
  try {
    // Filtering starts before the first connection, so nothing a publisher sends after it is passed over.
    if (prefixes.length > 0) raw.subscribe!(...prefixes.map(asFilter));
    for (const address of binds) yield* attempt(`bind to ${JSON.stringify(address)}`, () => call(raw.bind(address)));
    // The endpoint peers reach this socket at: the last bound, whose port ZeroMQ may have chosen.
    const bound = binds.length > 0 ? raw.lastEndpoint : null;
    for (const address of connects) yield* attempt(`connect to ${JSON.stringify(address)}`, () => raw.connect(address));
    opened = true;
    return Socket.wrap(raw, type, bound ?? raw.lastEndpoint ?? connects[connects.length - 1]);
  } finally {
    if (!opened) raw.close();
  }
}

/** Runs one step of opening; the binding's error becomes a `ZeroMQError` saying which step failed. */
function* attempt(what: string, step: () => Operation<void> | void): Steps<void> {
  try {
    const operation = step();
    if (operation !== undefined) yield* operation;
  } catch (error) {
    if (error instanceof Interrupt) throw error;
    throw zeroMQError(`openSocket: cannot ${what}`, error);
  }
}

function endpoints(field: string, value: unknown): readonly string[] {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((address) => typeof address === 'string' && address !== '')) {
    throw new TypeError(`openSocket: ${field} must be an endpoint string or an array of them, got ${show(value)}`);
  }
  return list;
}
