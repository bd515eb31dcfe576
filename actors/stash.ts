/**
 * The actor's stash (Akka's `Stash`): messages its code sets aside with
 * `stash(message)` while it is not ready for them (still connecting, say),
 * and puts back in front of its inbox, in order, with `unstashAll()`.
 *
 * The stash is bounded, so that a state the actor never leaves cannot make
 * it grow without limit: past its capacity `stash` throws `StashOverflow`.
 * Like timers, it is kept out of line and made on first use (or when the
 * actor is given a `stashCapacity`): an actor that never stashes carries
 * nothing for it. Messages still stashed when the actor dies are dead
 * letters, as those still queued are.
 */
import { Deque } from '../lib/internal/deque.js';
import { show } from '../lib/internal/validate.js';
import type { Actor } from './actor.js';
import type { Inbox } from './inbox.js';

/** The capacity of a stash when the actor's options give none. */
export const DEFAULT_STASH_CAPACITY = 1000;

/**
 * Thrown by `stash(message)` when the stash already holds its capacity of
 * messages (`stashCapacity`, 1000 by default): the message was not stashed.
 * Uncaught in `receive`, it ends the actor like any other error, so its
 * supervisor can restart it.
 */
export class StashOverflow extends Error {
  static {
    this.prototype.name = 'StashOverflow';
  }
  /** The capacity that was reached. */
  readonly capacity: number;
  constructor(message: string, capacity: number) {
    super(message);
    this.capacity = capacity;
  }
}

/** @internal one actor's stash. */
export class StashBuffer {
  readonly items = new Deque<unknown>();
  constructor(readonly capacity: number) {}
}

const stashes = new WeakMap<Actor<unknown>, StashBuffer>();

/** @internal checks an actor's `stashCapacity` option: a positive integer, or omitted. */
export function checkStashCapacity(call: string, capacity: unknown): number {
  if (capacity === undefined) return DEFAULT_STASH_CAPACITY;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`${call}: stashCapacity must be a positive integer (or omitted: ${DEFAULT_STASH_CAPACITY}), got ${show(capacity)}`);
  }
  return capacity;
}

/** @internal the actor's stash, made with `capacity` if it has none. */
export function stashOf(actor: Actor<unknown>, capacity = DEFAULT_STASH_CAPACITY): StashBuffer {
  let buffer = stashes.get(actor);
  if (buffer === undefined) {
    buffer = new StashBuffer(capacity);
    stashes.set(actor, buffer);
  }
  return buffer;
}

/** @internal `Actor.stash`. */
export function stashMessage(actor: Actor<unknown>, message: unknown): void {
  const buffer = stashOf(actor);
  if (buffer.items.length >= buffer.capacity) {
    throw new StashOverflow(`Actor.stash: the stash of ${actor} is full (stashCapacity ${buffer.capacity}); the message was not stashed`, buffer.capacity);
  }
  buffer.items.push(message);
}

/** @internal `Actor.unstashAll`: the stashed messages go back in front of the inbox; returns how many. */
export function unstashAll(actor: Actor<unknown>): number {
  const buffer = stashes.get(actor);
  if (buffer === undefined || buffer.items.length === 0) return 0;
  const messages = [...buffer.items];
  buffer.items.clear();
  (actor.inbox as Inbox<unknown>).putFront(messages);
  return messages.length;
}

/** @internal the number of messages stashed. */
export function stashSize(actor: Actor<unknown>): number {
  return stashes.get(actor)?.items.length ?? 0;
}

/** @internal the actor died: empties its stash and returns what was in it (dead letters). */
export function takeStashed(actor: Actor<unknown>): unknown[] {
  const buffer = stashes.get(actor);
  if (buffer === undefined) return [];
  stashes.delete(actor);
  return [...buffer.items];
}
