/**
 * How a `Router` (router.ts) picks the worker for a message: its
 * strategies as data, their validation, and the picks themselves as small
 * pure functions over the workers' slots, so each can be tested alone.
 *
 * Consistent hashing is rendezvous hashing (highest random weight): a key
 * goes to the live slot whose score for it is highest. A key keeps its
 * worker while that worker is up, moves only while it is down (to the
 * next-best slot, and back once it is restarted), and growing or shrinking
 * the pool moves only the keys of the slots added or removed — the
 * property Akka's consistent-hashing router is for (one worker per user,
 * for its cache), without a ring to rebuild.
 */
import { show } from '../lib/internal/validate.js';

/** What `consistentHash`'s `keyOf` returns: the key that picks the worker. */
export type HashKey = string | number;

/** The `consistentHash(keyOf)` strategy: messages with the same key go to the same worker. */
export interface ConsistentHash<M> {
  readonly type: 'consistentHash';
  /** The key of a message; called in the sender's greenlet for each message. */
  readonly keyOf: (message: M) => HashKey;
}

/**
 * How a router picks a worker: `'roundRobin'` (each live worker in turn),
 * `'smallestMailbox'` (an idle worker, else the one with the fewest queued
 * messages), `'random'` (drawn from the hub's seed on a seeded hub),
 * `'broadcast'` (every live worker gets every message), or
 * `consistentHash(keyOf)`.
 */
export type RoutingStrategy<M> = 'roundRobin' | 'smallestMailbox' | 'random' | 'broadcast' | ConsistentHash<M>;

/**
 * The consistent-hashing strategy: every message whose `keyOf(message)` is
 * the same string or number goes to the same worker while it is up (Akka's
 * `ConsistentHashingPool`). A worker that is down passes its keys to the
 * others until it is back; resizing the pool moves only the keys of the
 * workers added or removed.
 */
export function consistentHash<M>(keyOf: (message: M) => HashKey): ConsistentHash<M> {
  if (typeof keyOf !== 'function') throw new TypeError(`consistentHash: keyOf must be a function, got ${show(keyOf)}`);
  return Object.freeze({ type: 'consistentHash', keyOf });
}

const NAMED: readonly string[] = ['roundRobin', 'smallestMailbox', 'random', 'broadcast'];

/** Checks a `strategy` option (`call`: the call it was given to). */
export function checkStrategy(call: string, strategy: unknown): void {
  if (typeof strategy === 'string' && NAMED.includes(strategy)) return;
  if (strategy !== null && typeof strategy === 'object' && (strategy as ConsistentHash<unknown>).type === 'consistentHash') {
    if (typeof (strategy as ConsistentHash<unknown>).keyOf === 'function') return;
  }
  throw new TypeError(
    `${call}: strategy must be 'roundRobin', 'smallestMailbox', 'random', 'broadcast' or consistentHash(keyOf), got ${show(strategy)}`,
  );
}

/** A worker as a pick sees it: its slot, whether it is live, how many messages wait for it, whether it is handling one. */
export interface Routee {
  readonly slot: number;
  readonly live: boolean;
  readonly queued: number;
  readonly busy: boolean;
}

/**
 * Round robin: the first live routee at or after `cursor` (wrapping), as
 * an index into `routees`; -1 when none is live.
 */
export function pickRoundRobin(routees: readonly Routee[], cursor: number): number {
  const n = routees.length;
  for (let k = 0; k < n; k++) {
    const i = (cursor + k) % n;
    if (routees[i].live) return i;
  }
  return -1;
}

/**
 * Smallest mailbox (Akka's order): an idle live routee with nothing
 * queued, else the live one with the fewest queued messages (a busy one
 * loses a tie); the first in order among equals. -1 when none is live.
 */
export function pickSmallestMailbox(routees: readonly Routee[]): number {
  let best = -1;
  let bestScore = Infinity;
  for (let i = 0; i < routees.length; i++) {
    const r = routees[i];
    if (!r.live) continue;
    const score = r.queued * 2 + (r.busy ? 1 : 0);
    if (score === 0) return i;
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** Random: the live routee `draw` (in [0, 1)) falls on; -1 when none is live. */
export function pickRandom(routees: readonly Routee[], draw: number): number {
  let live = 0;
  for (const r of routees) if (r.live) live++;
  if (live === 0) return -1;
  let k = Math.floor(draw * live);
  for (let i = 0; i < routees.length; i++) {
    if (routees[i].live && k-- === 0) return i;
  }
  return -1;
}

/** Rendezvous hashing: the live routee whose slot scores highest for `keyHash`; -1 when none is live. */
export function pickConsistent(routees: readonly Routee[], keyHash: number): number {
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < routees.length; i++) {
    const r = routees[i];
    if (!r.live) continue;
    const score = mix(keyHash ^ Math.imul(r.slot + 1, 0x9e3779b1));
    // Ties (rare with 32-bit scores) go to the lower slot, so the pick never depends on the order.
    if (score > bestScore || (score === bestScore && r.slot < routees[best].slot)) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** A 32-bit hash of a key: FNV-1a over a string's UTF-16 units; an integer mixed as is; other numbers as their string. */
export function hashKey(call: string, key: unknown): number {
  if (typeof key === 'number' && Number.isInteger(key) && Math.abs(key) <= 0x7fffffff) return mix(key | 0);
  let text: string;
  if (typeof key === 'string') text = key;
  else if (typeof key === 'number' && !Number.isNaN(key)) text = String(key);
  else throw new TypeError(`${call}: keyOf must return a string or a number, got ${show(key)}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** murmur3's finalizer: spreads every input bit over the result; an unsigned 32-bit number. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
