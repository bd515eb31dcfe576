/**
 * An actor's inbox: a `Queue` (lib/queue.ts) that also supports Erlang's
 * selective receive — take the first message a predicate accepts and leave
 * the others queued in their order.
 *
 * The queue's own getters are served by its hand-off rounds, which hand the
 * next item to the first getter in line; a selective receiver wants a
 * particular item, so it does not wait in that line. It waits in the inbox's
 * one `selective` slot (only the actor reads its own inbox selectively, and a
 * greenlet has one blocking call at a time), and every item stored wakes it
 * to look at what arrived. It remembers how many items from the front it has
 * already rejected, so a long backlog is scanned once, not at every arrival.
 *
 * Two of the actor's tools reach into it: a timer's message waits here in an
 * {@link Envelope} (actors/timers.ts), so that cancelling the timer can take
 * it back out and only the actor's own code ever sees the message inside;
 * and `unstashAll` (actors/stash.ts) puts stashed messages back in front.
 */
import { Queue, Empty } from '../lib/queue.js';
import { WaitOp, type WaitState } from '../lib/internal/wait.js';
import type { Greenlet } from '../lib/greenlet.js';
import type { Operation } from '../lib/operation.js';
import type { TimeoutOption } from '../lib/internal/validate.js';
import type { Actor } from './actor.js';
import { HUB, SIZE, WAIT, WAKE } from '../lib/internal/keys.js';

/**
 * @internal what `stop({ drain: true })` puts in the inbox: the inbox loop
 * stops when it takes it. Selective receive never sees it.
 */
export const DRAIN_MARK: unique symbol = Symbol('grove.drainMark');

/**
 * @internal an item the runtime queues on a message's behalf (a timer's
 * firing): every way out of the inbox hands over `message`, never the
 * envelope, and taking it out calls `opened()` once.
 */
export abstract class Envelope {
  constructor(
    /** The message inside, frozen. */
    readonly message: unknown,
  ) {}
  /** It was taken out of the inbox: its message is being delivered. */
  abstract opened(): void;
}

/** The message an inbox item stands for (an envelope's, or the item itself). */
function messageOf(item: unknown): unknown {
  return item instanceof Envelope ? item.message : item;
}

/** The predicate of a selective receive. */
export type MessagePredicate<M> = (message: M) => boolean;

/** @internal the inbox of an actor. */
export class Inbox<M> extends Queue<M> {
  /** The actor's `receiveMatching` call while it is blocked, or null. */
  selective: WaitState | null = null;
  /** Items from the front already rejected by the blocked `receiveMatching`. */
  scanned = 0;
  /** Where the last scan found its match. */
  matched = -1;
  /** Messages taken out (by get, getNowait or a selective receive): what `actorInfo` calls handled. */
  taken = 0;

  protected override store(item: M): void {
    super.store(item);
    const waiter = this.selective;
    if (waiter !== null) {
      // Wake it to look at the new item; it checks in its own greenlet, so a
      // predicate that throws fails the receiver, never the sender.
      this.selective = null;
      waiter.greenlet[WAKE]();
    }
  }

  protected override take(): M {
    // Someone else took an item from the front: one fewer already scanned.
    if (this.scanned > 0) this.scanned--;
    this.taken++;
    const item = super.take();
    if (!(item instanceof Envelope)) return item;
    item.opened();
    return item.message as M;
  }

  /** @internal the next message, not removed (there is one). */
  override front(): M {
    return messageOf(super.front()) as M;
  }

  protected override drain(): number {
    this.scanned = 0;
    return super.drain();
  }

  /** `Actor.receiveMatching`, its arguments checked: a new predicate, so every item is to be looked at again. */
  receiveMatching(predicate: MessagePredicate<M>, timeout: TimeoutOption): Operation<M> {
    this.scanned = 0;
    return RECEIVE_MATCHING.call(this, predicate, timeout) as Operation<M>;
  }

  /** Looks for a match among the items not scanned yet; true if `matched` now points at one. */
  scan(predicate: MessagePredicate<M>): boolean {
    const items = this.items;
    for (let i = this.scanned; i < items.length; i++) {
      const item = items.at(i);
      if ((item as unknown) !== DRAIN_MARK && predicate(messageOf(item) as M)) {
        this.matched = i;
        return true;
      }
      this.scanned = i + 1;
    }
    return false;
  }

  /** Removes and returns the message `scan` matched. */
  takeMatched(): M {
    const item = this.items.removeAt(this.matched);
    this.taken++;
    this.matched = -1;
    this.scanned = 0;
    // Room was made: let a blocked putter in (as Queue.remove does).
    if (this.putters[SIZE] > 0) this.scheduleRound();
    if (!(item instanceof Envelope)) return item as M;
    item.opened();
    return item.message as M;
  }

  /**
   * Puts `messages` back in front of every queued item, in their order
   * (`unstashAll`), past any bound: they were in the inbox once already.
   */
  putFront(messages: readonly M[]): void {
    const items = this.items;
    for (let i = messages.length - 1; i >= 0; i--) items.unshift(messages[i]);
    // Everything moved back: a blocked selective receive looks at all of it again.
    this.scanned = 0;
    const waiter = this.selective;
    if (waiter !== null) {
      this.selective = null;
      waiter.greenlet[WAKE]();
    }
    if (this.getters[SIZE] > 0) this.scheduleRound();
  }

  /** Removes every item `test` accepts (a cancelled timer's envelopes); returns how many. */
  discardWhere(test: (item: unknown) => boolean): number {
    const items = this.items;
    let removed = 0;
    for (let i = 0; i < items.length; ) {
      if (test(items.at(i))) {
        items.removeAt(i);
        if (this.scanned > i) this.scanned--;
        removed++;
      } else i++;
    }
    if (removed > 0 && this.putters[SIZE] > 0) this.scheduleRound();
    return removed;
  }

  /** Removes and returns every item, envelopes included (the actor died: the others are dead letters). */
  takeAll(): M[] {
    const items = this.items;
    const all: M[] = [];
    for (let i = 0; i < items.length; i++) all.push(items.at(i) as M);
    items.clear();
    this.scanned = 0;
    return all;
  }

  /** Removes the first item identical to `item`; true if there was one (`demonitor`'s flush). */
  discard(item: unknown): boolean {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      if (items.at(i) === item) {
        items.removeAt(i);
        if (this.scanned > i) this.scanned--;
        if (this.putters[SIZE] > 0) this.scheduleRound();
        return true;
      }
    }
    return false;
  }
}

/** `Actor.receiveMatching`: blocks until a queued message matches; `Empty` on timeout. */
class ReceiveMatchingOp extends WaitOp<unknown> {
  readonly label = 'Actor.receiveMatching';

  protected isReady(s: WaitState): boolean {
    try {
      return (s.target as Inbox<unknown>).scan(s.arg as MessagePredicate<unknown>);
    } catch (error) {
      // The predicate threw: end the call cleanly (timer stopped, slot left) before it propagates.
      this.settle(s);
      this.detach(s);
      throw error;
    }
  }
  protected outcome(s: WaitState): unknown {
    s.arg = undefined;
    const message = (s.target as Inbox<unknown>).takeMatched();
    const hub = s.greenlet[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'actorReceive', greenlet: s.greenlet as Actor<unknown>, message });
    return message;
  }
  protected enlist(s: WaitState): void {
    (s.target as Inbox<unknown>).selective = s;
  }
  protected expire(s: WaitState): unknown {
    s.arg = undefined;
    const why = s.timeout === 0 ? 'no queued message matches' : `no matching message within ${s.timeout as number} ms`;
    throw new Empty(`${this.label}: ${why}`);
  }
  protected override detach(s: WaitState): void {
    const inbox = s.target as Inbox<unknown>;
    if (inbox.selective === s) inbox.selective = null;
  }
  override cancel(g: Greenlet<unknown>): void {
    super.cancel(g);
    g[WAIT]!.arg = undefined;
  }
}

/** The one instance of the selective receive call. */
const RECEIVE_MATCHING = new ReceiveMatchingOp();
