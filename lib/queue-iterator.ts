/**
 * Waiting on a Queue or a Channel without a greenlet: `for await (const item
 * of queue)` from ordinary async code, and the protocol the rxjs bridges
 * (`queue-bridges.ts`) use.
 *
 * A waiter from outside (a `ForeignWaiter`) sits in the queue's getter list
 * beside the greenlets' blocked calls and is served by the same FIFO rounds:
 * when its turn comes it takes an item right there, in the hub, exactly as a
 * resumed greenlet takes its own — so an item is never reserved for a waiter
 * that is no longer there, and nothing is lost or delivered twice.
 *
 * Async iteration consumes items (each goes to one consumer, greenlet or
 * not). It ends when the queue is shut down and empty, and throws the
 * `cause` given to `shutdown()` if there was one. Leaving a `for await` loop
 * early (`break`, an exception) stops consuming and leaves the queue as it is.
 */
import { Link } from './internal/link-list.js';
import { getHub, type Hub, type HubHold } from './hub.js';
import { REMOVE } from './internal/keys.js';

/** `pull()`'s "nothing to take now" (undefined is a legal item). */
export const NONE: unique symbol = Symbol('grove.none');

/** @internal What a foreign waiter takes items from: a Queue or a Channel. */
export interface PullSource<T> {
  /** Takes the next item if one can be had without blocking, else NONE. */
  pull(): T | typeof NONE;
  /** True once `shutdown()` was called. */
  readonly isShutdown: boolean;
  /** The `cause` given to `shutdown()`; undefined without one. */
  readonly shutdownCause: unknown;
  /** Puts a waiter on the getter list: at the tail, or at the front for one that lost its turn. */
  enlistGetter(waiter: Link, front: boolean): void;
}

/** @internal A getter that is not a greenlet: `notify` runs in the hub when its turn comes. */
export abstract class ForeignWaiter extends Link {
  /** The hub that runs the queue's rounds when this waiter is first in line. */
  constructor(readonly hub: Hub) {
    super();
  }
}

/**
 * @internal Tells a real-clock hub that code outside it (an async consumer, an
 * Observable feeding a queue) may still put or get, so a greenlet blocked on
 * that queue is not given `LoopExit` meanwhile — as a pending `call()` does.
 * A virtual-clock hub is not held: it would stop its clock for good, and in a
 * simulation a greenlet waiting on real-world input should fail loudly.
 */
export class ExternalHold {
  private readonly hold: HubHold | null;

  constructor(hub: Hub) {
    this.hold = hub.clock === 'real' ? hub.hold() : null;
  }

  release(): void {
    this.hold?.release();
  }
}

/** One pending `next()` of a QueueIterator. */
class AsyncGetter<T> extends ForeignWaiter {
  constructor(
    private readonly iterator: QueueIterator<T>,
    readonly resolve: (result: IteratorResult<T, undefined>) => void,
    readonly reject: (error: unknown) => void,
  ) {
    super(iterator.hub);
  }

  notify(): void {
    this.iterator.serve(this);
  }
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * `queue[Symbol.asyncIterator]()`: gets items for ordinary async code. Each
 * `next()` takes an item at once if there is one; otherwise it waits in line
 * with the greenlets blocked in `get()`, FIFO.
 */
export class QueueIterator<T> implements AsyncIterableIterator<T> {
  /** @internal */
  readonly hub: Hub;
  private hold: ExternalHold | null;
  private finished = false;
  /** `next()` calls not yet answered, oldest first; they are answered in call order. */
  private readonly pending: AsyncGetter<T>[] = [];

  constructor(private readonly source: PullSource<T>) {
    this.hub = getHub();
    this.hold = new ExternalHold(this.hub);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return Promise.resolve(DONE);
    if (this.pending.length === 0) {
      const item = this.source.pull();
      if (item !== NONE) return Promise.resolve({ done: false, value: item });
      if (this.source.isShutdown) {
        this.finish();
        const cause = this.source.shutdownCause;
        return cause === undefined ? Promise.resolve(DONE) : Promise.reject(cause);
      }
    }
    return new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
      const waiter = new AsyncGetter(this, resolve, reject);
      this.pending.push(waiter);
      this.source.enlistGetter(waiter, false);
    });
  }

  /** Stops consuming: pending `next()` calls end with `done`, and the queue is left as it is. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.finish();
    for (const waiter of this.pending.splice(0)) {
      waiter.list?.[REMOVE](waiter);
      waiter.resolve(DONE);
    }
    return Promise.resolve(DONE);
  }

  /** @internal a waiter's turn came (in the hub): hand it an item, the end, or its place back. */
  serve(waiter: AsyncGetter<T>): void {
    const item = this.source.pull();
    if (item !== NONE) {
      this.settled(waiter);
      waiter.resolve({ done: false, value: item });
    } else if (this.source.isShutdown) {
      this.finish();
      const cause = this.source.shutdownCause;
      for (const other of this.pending.splice(0)) {
        other.list?.[REMOVE](other);
        if (cause === undefined) other.resolve(DONE);
        else other.reject(cause);
      }
    } else {
      // Its item went to a greenlet that took one without waiting: it keeps its place.
      this.source.enlistGetter(waiter, true);
    }
  }

  private settled(waiter: AsyncGetter<T>): void {
    const index = this.pending.indexOf(waiter);
    if (index >= 0) this.pending.splice(index, 1);
  }

  private finish(): void {
    this.finished = true;
    this.hold?.release();
    this.hold = null;
  }
}
