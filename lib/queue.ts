/**
 * Queues between greenlets: `Queue` (FIFO) and `LifoQueue`, with the errors
 * and the hand-off every queue shares. `PriorityQueue` (`priority-queue.ts`)
 * and `JoinableQueue` (`joinable-queue.ts`) extend Queue; `Channel`
 * (`channel.ts`) is the rendezvous queue; `queue-iterator.ts` and
 * `queue-bridges.ts` bridge queues to async code and rxjs.
 *
 * The hand-off is gevent's. `put()` never switches: the item goes into the
 * queue (and counts in `qsize()`), and if greenlets are blocked in `get()`
 * the queue queues one round in the hub. The round resumes the blocked
 * getters in the order they blocked, each right there and running until it
 * blocks again, and a getter takes its item itself when it resumes — an
 * item is never reserved for a waiter, so a getter that is killed or times
 * out while blocked just leaves the list, and nothing is lost or delivered
 * twice. Barging is allowed: a greenlet calling `get()` while items are
 * present takes one at once, even if others are blocked (they keep waiting).
 * On a bounded queue, putters blocked while it is full are let in by the
 * same rounds, in the order they blocked; a putter whose call ends without
 * its turn (timeout, kill) has not put its item, and never will.
 *
 * A queue can be shut down (`shutdown()`, Python 3.13's and gevent's): puts
 * then throw `QueueShutDown`, gets drain what is left and then throw it, and
 * every blocked caller is woken with it. That is also how the bridges end a
 * `for await` loop or an Observable.
 */
import { KIND_FLAG, TurnWaitOp, WaitState } from './internal/wait.js';
import { LinkList, type Link } from './internal/link-list.js';
import { Deque } from './internal/deque.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from './internal/validate.js';
import type { Hub } from './hub.js';
import type { Greenlet } from './greenlet.js';
import type { Operation } from './operation.js';
import { NONE, QueueIterator, type ForeignWaiter } from './queue-iterator.js';
import { HEAD, HUB, PUSH, RUN_TASK, SCHEDULED, SHIFT, SIZE, UNSHIFT, WAIT } from './internal/keys.js';

/** Thrown by `get` on an empty queue: `getNowait()`, `get({ timeout })` when the time is up. */
export class Empty extends Error {
  static {
    this.prototype.name = 'Empty';
  }
}

/** Thrown by `put` on a full queue: `putNowait()`, `put(item, { timeout })` when the time is up. */
export class Full extends Error {
  static {
    this.prototype.name = 'Full';
  }
}

/**
 * Thrown by every call on a queue that was shut down: puts at once, gets
 * once the queue is empty. Its `cause` is the one given to `shutdown()`.
 */
export class QueueShutDown extends Error {
  static {
    this.prototype.name = 'QueueShutDown';
  }
}

/** Options of the calls that can block: `put`, `get`, `peek`, `join`. */
export interface QueueWaitOptions {
  /**
   * Give up after this many ms (`0`: never block): `get`/`peek` then throw
   * `Empty`, `put` throws `Full`, `join` returns false. A Timeout given here
   * is started for the call and raised itself if it fires.
   */
  timeout?: TimeoutOption;
}
/** @internal */
export const QUEUE_WAIT_KEYS = optionKeys<QueueWaitOptions>({ timeout: true });

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Also drop the items still queued, so gets fail at once (Python's `shutdown(immediate=True)`). */
  immediate?: boolean;
  /** Why: becomes the `cause` of the `QueueShutDown` errors, and what `for await` and `toObservable` end with. */
  cause?: unknown;
}
/** @internal */
export const SHUTDOWN_KEYS = optionKeys<ShutdownOptions>({ immediate: true, cause: true });

/** @internal The hub that runs a queue's rounds: that of the waiter first in line. */
export function hubOf(waiter: Link): Hub {
  return waiter instanceof WaitState ? waiter.greenlet[HUB]! : (waiter as ForeignWaiter).hub;
}

/** @internal the error of a call on a shut-down queue. */
export function shutDownError(call: string, cause: unknown, noun = 'queue'): QueueShutDown {
  return new QueueShutDown(`${call}: the ${noun} is shut down`, cause === undefined ? undefined : { cause });
}

/** The putters of every queue no put ever blocked on: empty, and frozen so nothing is ever added to it. */
const NO_PUTTERS = Object.freeze(new LinkList());

function checkMaxsize(call: string, maxsize: unknown): number {
  if (maxsize === undefined || maxsize === null || maxsize === Infinity) return Infinity;
  if (typeof maxsize !== 'number') {
    throw new TypeError(`${call}: maxsize must be a positive integer (or omitted: unbounded), got ${show(maxsize)}`);
  }
  if (!Number.isInteger(maxsize) || maxsize < 1) {
    const hint = maxsize === 0 ? ' (a rendezvous queue is a Channel)' : '';
    throw new RangeError(`${call}: maxsize must be a positive integer (or omitted: unbounded), got ${show(maxsize)}${hint}`);
  }
  return maxsize;
}

// ---- the blocking calls --------------------------------------------------

/** `put()`: stores the item when there is room; `Full` on timeout. KIND_FLAG: its turn came. */
class PutOp extends TurnWaitOp<void> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    const q = s.target as Queue<unknown>;
    return q.isShutdown || q.qsize() < q.maxsize;
  }
  protected outcome(s: WaitState): void {
    const q = s.target as Queue<unknown>;
    if (q.isShutdown) throw shutDownError(this.label, q.shutdownCause);
    const item = s.arg;
    s.arg = undefined;
    q.insert(item);
  }
  protected enlist(s: WaitState): void {
    if (s.list !== null) return;
    const q = s.target as Queue<unknown>;
    // A putter that was let in but found no room (taken by a barging put) keeps its place.
    if ((s.flags & KIND_FLAG) !== 0) q.putterList()[UNSHIFT](s);
    else q.putterList()[PUSH](s);
    if (q.getters[SIZE] > 0) q.scheduleRound();
  }
  protected expire(s: WaitState): void {
    const q = s.target as Queue<unknown>;
    const why = s.timeout === 0 ? 'the queue is full' : `no room within ${s.timeout as number} ms`;
    throw new Full(`${this.label}: ${why} (maxsize ${q.maxsize})`);
  }
  override cancel(g: Greenlet<unknown>): void {
    super.cancel(g);
    g[WAIT]!.arg = undefined; // the item was not put and never will be: do not keep it alive
  }
}

/** `get()` and `peek()`: wait for an item; `Empty` on timeout. KIND_FLAG: its turn came. */
abstract class GetterOp extends TurnWaitOp<unknown> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    const q = s.target as Queue<unknown>;
    return q.qsize() > 0 || q.isShutdown;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Queue<unknown>).enlistGetter(s, (s.flags & KIND_FLAG) !== 0);
  }
  protected expire(s: WaitState): unknown {
    const why = s.timeout === 0 ? 'the queue is empty' : `no item within ${s.timeout as number} ms`;
    throw new Empty(`${this.label}: ${why}`);
  }
}

class GetOp extends GetterOp {
  protected outcome(s: WaitState): unknown {
    const q = s.target as Queue<unknown>;
    if (q.qsize() > 0) return q.remove();
    throw shutDownError(this.label, q.shutdownCause);
  }
}

class PeekOp extends GetterOp {
  protected outcome(s: WaitState): unknown {
    const q = s.target as Queue<unknown>;
    if (q.qsize() > 0) return q.front();
    throw shutDownError(this.label, q.shutdownCause);
  }
}

/** A class's blocking calls, labelled with its name for messages (`PriorityQueue.get`). */
interface QueueCalls {
  readonly put: PutOp;
  readonly get: GetOp;
  readonly peek: PeekOp;
}

const CALLS = new Map<string, QueueCalls>();

function callsOf(name: string): QueueCalls {
  let calls = CALLS.get(name);
  if (calls === undefined) {
    calls = {
      put: new PutOp(`${name}.put`),
      get: new GetOp(`${name}.get`),
      peek: new PeekOp(`${name}.peek`),
    };
    CALLS.set(name, calls);
  }
  return calls;
}

// ---- Queue -----------------------------------------------------------------

/**
 * A FIFO queue of items of type `T`, bounded by `maxsize` or unbounded.
 * Safe between greenlets: each item is got exactly once.
 *
 * `put`, `get`, `peek` block and are used with `yield*` in a greenlet; the
 * `...Nowait` calls, `shutdown` and `for await` work anywhere, ordinary
 * async code included. The hub cannot see such code, though: a greenlet
 * that `run()` waits for, blocked on a queue that only plain code will
 * fill, gets `LoopExit` — except while a `for await` loop or a
 * `fromObservable` feed on the queue is active on a real-clock hub.
 */
// The queue is itself the list of its blocked getters (an inbox always has one: its actor), and the
// putters' list is made on first need (only a full bounded queue blocks a put): a list object less
// each, 96 bytes less per idle actor.
export class Queue<T> extends LinkList implements AsyncIterable<T> {
  /**
   * `maxsize`, 0 for unbounded: a field that only ever holds small integers
   * is stored inline, where one holding Infinity gets a boxed number in
   * every queue (16 bytes per idle actor's inbox).
   */
  private readonly bound: number;
  /** @internal in the hub's ready queue, or running its round. */
  [SCHEDULED] = false;
  /** @internal blocked `put` calls, in the order they blocked; each holds its item. A shared empty list until one blocks (see `putterList`). */
  putters: LinkList = NO_PUTTERS;
  /** @internal the blocking calls, named after the class. */
  protected readonly calls: QueueCalls;
  /** The items of a FIFO or LIFO queue (a PriorityQueue keeps a heap instead). */
  protected readonly items = new Deque<T>();
  private shut = false;
  private cause: unknown = undefined;
  private shutdownHooks: Set<() => void> | null = null;

  /**
   * `maxsize`: a positive integer, or omitted (also `null`, `Infinity`) for
   * an unbounded queue. Anything else throws, naming the value: `0` in
   * particular (for gevent "unbounded", for others "rendezvous") — the
   * rendezvous queue is `Channel`.
   */
  constructor(maxsize?: number | null) {
    super();
    const checked = checkMaxsize(`new ${new.target.name}`, maxsize);
    this.bound = checked === Infinity ? 0 : checked;
    this.calls = callsOf(new.target.name);
  }

  /** The most items it holds; `Infinity` when unbounded. */
  get maxsize(): number {
    return this.bound === 0 ? Infinity : this.bound;
  }

  /** @internal blocked `get`/`peek` calls and foreign getters, in the order they blocked: the queue itself. */
  get getters(): LinkList {
    return this;
  }

  /** @internal the putters' list, to add one to. */
  putterList(): LinkList {
    return this.putters === NO_PUTTERS ? (this.putters = new LinkList()) : this.putters;
  }

  /** The number of items in the queue, including those put and not yet handed to a blocked getter. */
  qsize(): number {
    return this.items.length;
  }

  /** True when it holds no items. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** True when it holds `maxsize` items (never, unbounded). */
  full(): boolean {
    return this.qsize() >= this.maxsize;
  }

  /** True once `shutdown()` was called. */
  get isShutdown(): boolean {
    return this.shut;
  }

  /** The `cause` given to `shutdown()`; undefined without one. */
  get shutdownCause(): unknown {
    return this.cause;
  }

  /**
   * Puts `item` in the queue, blocking while it is full; never switches when
   * there is room. Blocked putters are let in in the order they blocked.
   * With `timeout` (ms; `0`: never block), throws `Full` if no room came in
   * time; a Timeout given as `timeout` is raised itself. A call that ends
   * with `Full`, a kill or a Timeout has not put its item, and never will
   * (if room frees in the very instant the timeout expires, the put may
   * still succeed when the putter runs). Throws `QueueShutDown` once the
   * queue is shut down (a blocked putter too).
   */
  put(item: T, options?: QueueWaitOptions): Operation<void> {
    const put = this.calls.put;
    checkOptions(put.label, options, QUEUE_WAIT_KEYS);
    return put.call(this, item, options?.timeout);
  }

  /** Puts `item` if there is room, else throws `Full`. Never switches; callable from anywhere. */
  putNowait(item: T): void {
    if (this.shut) throw shutDownError(`${this.constructor.name}.putNowait`, this.cause);
    if (this.qsize() >= this.maxsize) {
      throw new Full(`${this.constructor.name}.putNowait: the queue is full (maxsize ${this.maxsize})`);
    }
    this.insert(item);
  }

  /**
   * Removes and returns the next item, blocking while the queue is empty;
   * never switches when there is one. Blocked getters are served in the
   * order they blocked. With `timeout` (ms; `0`: never block), throws
   * `Empty` if no item came in time; a Timeout given as `timeout` is raised
   * itself. A getter killed or timed out while blocked takes nothing; if an
   * item arrives in the very instant the timeout expires, the getter takes
   * it when it runs if it is still there, else throws `Empty` and leaves it
   * for others. Once the queue is shut down, throws `QueueShutDown` when it
   * is empty.
   */
  get(options?: QueueWaitOptions): Operation<T> {
    const get = this.calls.get;
    checkOptions(get.label, options, QUEUE_WAIT_KEYS);
    return get.call(this, undefined, options?.timeout) as Operation<T>;
  }

  /** Removes and returns the next item if there is one, else throws `Empty`. Never switches. */
  getNowait(): T {
    if (this.qsize() > 0) return this.remove();
    if (this.shut) throw shutDownError(`${this.constructor.name}.getNowait`, this.cause);
    throw new Empty(`${this.constructor.name}.getNowait: the queue is empty`);
  }

  /**
   * Returns the next item without removing it, blocking as `get()` does.
   * Waits in line with the getters; a peeker whose turn comes looks and
   * lets the next in line have the item.
   */
  peek(options?: QueueWaitOptions): Operation<T> {
    const peek = this.calls.peek;
    checkOptions(peek.label, options, QUEUE_WAIT_KEYS);
    return peek.call(this, undefined, options?.timeout) as Operation<T>;
  }

  /** Returns the next item without removing it, or throws `Empty`. Never switches. */
  peekNowait(): T {
    if (this.qsize() > 0) return this.front();
    if (this.shut) throw shutDownError(`${this.constructor.name}.peekNowait`, this.cause);
    throw new Empty(`${this.constructor.name}.peekNowait: the queue is empty`);
  }

  /**
   * Shuts the queue down for good: puts throw `QueueShutDown` from now on,
   * gets take what is left and then throw it, and every blocked putter (its
   * item is not put) and every getter blocked on the empty queue is woken
   * with it, in a round. `immediate` drops the items left (for a
   * JoinableQueue, each counts as done). `cause` becomes the errors' cause
   * (the first one given is kept). Never switches; callable from anywhere.
   * `for await` loops over the queue end, and `toObservable` completes (or
   * errors with `cause`).
   */
  shutdown(options?: ShutdownOptions): void {
    checkOptions(`${this.constructor.name}.shutdown`, options, SHUTDOWN_KEYS);
    if (!this.shut) {
      this.shut = true;
      this.cause = options?.cause;
    }
    if (options?.immediate === true) this.drain();
    this.scheduleRound();
    const hooks = this.shutdownHooks;
    if (hooks !== null) {
      this.shutdownHooks = null;
      for (const hook of hooks) hook();
    }
  }

  /**
   * Iterates from ordinary async code: `for await (const item of queue)`.
   * Each step gets an item (consuming it), waiting in line with blocked
   * greenlets; the loop ends when the queue is shut down and empty (throwing
   * the shutdown's `cause`, if any). Breaking out leaves the queue as it is.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new QueueIterator<T>(this);
  }

  override toString(): string {
    return `<${this.constructor.name} ${this.describe()}>`;
  }

  /** The state `toString()` shows. */
  protected describe(): string {
    const bound = this.maxsize === Infinity ? '' : ` maxsize=${this.maxsize}`;
    const state = this.shut ? ' shut down' : '';
    return `qsize=${this.qsize()}${bound} getters=${this.getters[SIZE]} putters=${this.putters[SIZE]}${state}`;
  }

  // ---- storage: what the variants change ----

  /** Adds an item (there is room). */
  protected store(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the next item (there is one). */
  protected take(): T {
    return this.items.shift() as T;
  }

  /** @internal the next item, not removed (there is one). */
  front(): T {
    return this.items.at(0) as T;
  }

  /** Drops every item; returns how many there were. */
  protected drain(): number {
    const count = this.items.length;
    this.items.clear();
    return count;
  }

  // ---- the hand-off (internal) ----

  /** @internal stores an item that fits and calls a round if getters are blocked. */
  insert(item: T): void {
    this.store(item);
    if (this.getters[SIZE] > 0) this.scheduleRound();
  }

  /** @internal removes the next item (there is one) and calls a round if putters are blocked. */
  remove(): T {
    const item = this.take();
    if (this.putters[SIZE] > 0) this.scheduleRound();
    return item;
  }

  /** @internal takes an item for a foreign getter if one is there. */
  pull(): T | typeof NONE {
    return this.qsize() > 0 ? this.remove() : NONE;
  }

  /** @internal adds a blocked getter: at the tail, or at the front for one that lost its turn. */
  enlistGetter(waiter: Link, front: boolean): void {
    if (front) this.getters[UNSHIFT](waiter);
    else this.getters[PUSH](waiter);
    if (this.putters[SIZE] > 0) this.scheduleRound();
  }

  /** @internal queues the round, once, on the hub of the first waiter. */
  scheduleRound(): void {
    if (this[SCHEDULED]) return;
    const head = this.getters[HEAD] ?? this.putters[HEAD];
    if (head !== null) hubOf(head).schedule(this);
  }

  /**
   * @internal the round (gevent's `_unlock`): while something can move, let
   * the first blocked putter in if there is room, then the first blocked
   * getter if there is an item, each resumed right here until it blocks.
   * `scheduled` stays true meanwhile: what a resumed greenlet changes is
   * handled by this same loop, which looks again after each one.
   */
  [RUN_TASK](): void {
    for (;;) {
      let moved = false;
      // The putters' list is read each time: a getter resumed here may make it, blocking in a put.
      const putters = this.putters;
      if (putters[SIZE] > 0 && (this.shut || this.qsize() < this.maxsize)) {
        moved = true;
        putters[SHIFT]()!.notify(this);
      }
      if (this[SIZE] > 0 && (this.shut || this.qsize() > 0)) {
        moved = true;
        this[SHIFT]()!.notify(this);
      }
      if (!moved) break;
    }
    this[SCHEDULED] = false;
  }

  /** @internal called once when the queue is shut down (the bridges end their subscriptions). */
  addShutdownHook(hook: () => void): void {
    (this.shutdownHooks ??= new Set()).add(hook);
  }

  /** @internal */
  removeShutdownHook(hook: () => void): void {
    this.shutdownHooks?.delete(hook);
  }
}

/** A queue that hands out the most recently put item first. */
export class LifoQueue<T> extends Queue<T> {
  protected override take(): T {
    return this.items.pop() as T;
  }
  override front(): T {
    return this.items.at(this.items.length - 1) as T;
  }
}
