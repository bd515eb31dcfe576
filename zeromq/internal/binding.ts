/**
 * Loads the `zeromq` package (the Node binding, an optional peer dependency)
 * on the first `openSocket`, not when grove/zeromq is imported: a program
 * that never opens a socket does not need it installed. The binding's types
 * stay in this folder's internals, so grove's published declarations do not
 * depend on zeromq being installed.
 */
import type * as Zmq from 'zeromq';
import { call } from '../../lib/call.js';
import type { Steps } from '../../lib/internal/within.js';

/** The zeromq module's exports. */
export type Binding = typeof Zmq;

/** The binding's sockets, as grove uses them: every type has both calls, though each type allows only some (see `RECEIVES`, `SENDS`). */
export interface RawSocket {
  readonly closed: boolean;
  readonly lastEndpoint: string | null;
  linger: number;
  bind(address: string): Promise<void>;
  connect(address: string): void;
  send(message: Zmq.MessageLike | Zmq.MessageLike[]): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void;
  /** A subscribe socket's filters (the binding's `Subscriber` only). */
  subscribe?(...prefixes: Array<Buffer | string>): void;
  unsubscribe?(...prefixes: Array<Buffer | string>): void;
}

/** grove's names of the socket types, and the binding's classes for them. */
export const CLASSES = {
  pair: 'Pair',
  request: 'Request',
  reply: 'Reply',
  dealer: 'Dealer',
  router: 'Router',
  push: 'Push',
  pull: 'Pull',
  publish: 'Publisher',
  subscribe: 'Subscriber',
} as const;

/** A socket type, by its ZeroMQ name (ZMQ_REQ is `'request'`, ZMQ_PUB `'publish'`, ZMQ_SUB `'subscribe'`). */
export type SocketType = keyof typeof CLASSES;

/** Thrown by `openSocket` when the zeromq package is not installed, or is installed but cannot load (no native library for this platform). */
export class ZeroMQUnavailable extends Error {
  static {
    this.prototype.name = 'ZeroMQUnavailable';
  }
}

let loaded: Binding | null = null;

/**
 * The binding, imported on first use. `specifier` is for the tests, which
 * cannot uninstall zeromq to see the error a user without it gets.
 */
export function* loadBinding(who: string, specifier = 'zeromq'): Steps<Binding> {
  if (loaded !== null && specifier === 'zeromq') return loaded;
  let module: { default?: Binding } & Partial<Binding>;
  try {
    module = yield* call(import(specifier) as Promise<{ default?: Binding } & Partial<Binding>>);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${specifier}'`);
    const why = missing
      ? 'the zeromq package is not installed: grove/zeromq needs it beside grove (npm install zeromq@6)'
      : `the zeromq package failed to load (${error instanceof Error ? error.message : String(error)})`;
    throw new ZeroMQUnavailable(`${who}: ${why}`, { cause: error });
  }
  // zeromq is CommonJS: an ES import sees its exports as `default` (and, usually, as named exports too).
  const binding = (module.default ?? module) as Binding;
  if (specifier === 'zeromq') loaded = binding;
  return binding;
}
