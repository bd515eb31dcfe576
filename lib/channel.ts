/**
 * `Channel`: the rendezvous queue (gevent's Channel, a queue of maxsize 0).
 * It stores nothing: `put()` blocks until a getter has taken the item, and
 * `get()` takes the item of the first blocked putter.
 *
 * The hand-off follows Queue's (`queue.ts`). A getter takes a putter's item
 * itself, when it runs: at once if a putter is already blocked (barging, no
 * switch), else when a round of the channel resumes it. The putter, whose
 * item is now taken, is resumed by the next round, after the getter has run
 * until it blocked — gevent's order. A putter killed or timed out before a
 * getter took its item has not put it, and never will; once its item is
 * taken, its `put()` has succeeded, whatever happens to it next.
 */
import { KIND_FLAG, TurnWaitOp, WaitOp, type WaitState } from './internal/wait.js';
import { LinkList, type Link } from './internal/link-list.js';
import { Deque } from './internal/deque.js';
import { checkOptions, show } from './internal/validate.js';
import type { Greenlet } from './greenlet.js';
import type { Operation } from './operation.js';
import { Empty, Full, QUEUE_WAIT_KEYS, SHUTDOWN_KEYS, hubOf, shutDownError, type QueueWaitOptions, type ShutdownOptions } from './queue.js';
import { NONE, QueueIterator } from './queue-iterator.js';
import { HEAD, PUSH, RUN_TASK, SCHEDULED, SHIFT, SIZE, UNSHIFT, WAIT } from './internal/keys.js';

/** `Channel.put()`: KIND_FLAG means a getter took the item. */
class ChannelPutOp extends WaitOp<void> {
  readonly label = 'Channel.put';

  protected isReady(s: WaitState): boolean {
    const ch = s.target as Channel<unknown>;
    if ((s.flags & KIND_FLAG) !== 0 || ch.isShutdown) return true;
    // With `timeout: 0` it behaves as putNowait: it succeeds if a getter is waiting.
    return s.timeout === 0 && ch.canOffer();
  }
  protected outcome(s: WaitState): void {
    if ((s.flags & KIND_FLAG) !== 0) return;
    const ch = s.target as Channel<unknown>;
    if (ch.isShutdown) throw shutDownError(this.label, ch.shutdownCause, 'channel');
    const item = s.arg;
    s.arg = undefined;
    ch.offer(item);
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Channel<unknown>).enlistPutter(s);
  }
  /** A getter took the item: the put has succeeded, whatever fires before the putter resumes. */
  override completed(s: WaitState): boolean {
    return (s.flags & KIND_FLAG) !== 0;
  }
  protected expire(s: WaitState): void {
    const why = s.timeout === 0 ? 'no getter is waiting' : `no getter took the item within ${s.timeout as number} ms`;
    throw new Full(`${this.label}: ${why}`);
  }
  override cancel(g: Greenlet<unknown>): void {
    super.cancel(g);
    g[WAIT]!.arg = undefined;
  }
}

/** `Channel.get()`: KIND_FLAG means its turn came. */
class ChannelGetOp extends TurnWaitOp<unknown> {
  readonly label = 'Channel.get';

  protected isReady(s: WaitState): boolean {
    const ch = s.target as Channel<unknown>;
    return ch.canTake() || ch.isShutdown;
  }
  protected outcome(s: WaitState): unknown {
    const ch = s.target as Channel<unknown>;
    if (ch.canTake()) return ch.take();
    throw shutDownError(this.label, ch.shutdownCause, 'channel');
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Channel<unknown>).enlistGetter(s, (s.flags & KIND_FLAG) !== 0);
  }
  protected expire(s: WaitState): unknown {
    const why = s.timeout === 0 ? 'no putter is waiting' : `no item within ${s.timeout as number} ms`;
    throw new Empty(`${this.label}: ${why}`);
  }
}

const PUT = new ChannelPutOp();
const GET = new ChannelGetOp();

/**
 * A rendezvous between greenlets: each item passes straight from a putter
 * to a getter. Blocked putters and getters are each served in the order
 * they blocked.
 */
export class Channel<T> implements AsyncIterable<T> {
  /** A channel holds no items. */
  readonly maxsize = 0;
  /** @internal in the hub's ready queue, or running its round. */
  [SCHEDULED] = false;
  /** @internal blocked `get` calls and foreign getters, in the order they blocked. */
  readonly getters = new LinkList();
  /** @internal blocked `put` calls whose item no getter has taken yet, in the order they blocked. */
  readonly putters = new LinkList();
  /** Putters whose item was taken, waiting for a round to resume them. */
  private readonly delivered = new LinkList();
  /** Items of `putNowait`, each promised to a getter that was waiting; the next getters take them first. */
  private readonly offers = new Deque<T>();
  private shut = false;
  private cause: unknown = undefined;

  /** Blocked putters minus blocked getters (gevent's `balance`). */
  get balance(): number {
    return this.putters[SIZE] - this.getters[SIZE];
  }

  /**
   * The channel takes no arguments: it is a rendezvous (maxsize 0). A
   * `new Channel(5)` would silently be one, so it is refused: a buffer of 5
   * is `new Queue(5)`.
   */
  constructor(...args: never[]);
  constructor(...args: unknown[]) {
    if (args.length > 0) {
      throw new TypeError(`new Channel: a Channel takes no arguments (it holds no items), got ${show(args[0])}; for a buffer use new Queue(${show(args[0])})`);
    }
  }

  /**
   * Items handed by `putNowait` to waiting getters and not taken yet
   * (gevent's Channel has none: its put_nowait switches to the getter).
   * Items of blocked putters are not counted: they are not put until taken.
   */
  qsize(): number {
    return this.offers.length;
  }

  /** True when no item handed by `putNowait` is waiting to be taken. */
  empty(): boolean {
    return this.offers.length === 0;
  }

  /** Always true: a put never finds room, it waits for a getter (as gevent's). */
  full(): boolean {
    return true;
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
   * Offers `item` and blocks until a getter has taken it. With `timeout`
   * (ms), throws `Full` if no getter took it in time (`0`: succeeds only if
   * a getter is already waiting, as `putNowait`); a Timeout given as
   * `timeout` is raised itself. Killed or timed out before a getter took
   * it, the item is not put. Throws `QueueShutDown` once the channel is
   * shut down (a blocked putter too).
   */
  put(item: T, options?: QueueWaitOptions): Operation<void> {
    checkOptions(PUT.label, options, QUEUE_WAIT_KEYS);
    return PUT.call(this, item, options?.timeout);
  }

  /**
   * Hands `item` to a getter that is waiting, else throws `Full`. Never
   * switches; callable from anywhere. The item goes to the first getter the
   * next round resumes (if the waiting one is killed first, to the next
   * getter).
   */
  putNowait(item: T): void {
    if (this.shut) throw shutDownError('Channel.putNowait', this.cause, 'channel');
    if (!this.canOffer()) throw new Full('Channel.putNowait: no getter is waiting');
    this.offer(item);
  }

  /**
   * Takes the item of the first blocked putter, at once if there is one,
   * else blocks until a putter comes. With `timeout` (ms; `0`: never
   * block), throws `Empty` if none came in time; a Timeout given as
   * `timeout` is raised itself. A getter killed or timed out while blocked
   * takes nothing. Once the channel is shut down, throws `QueueShutDown`.
   */
  get(options?: QueueWaitOptions): Operation<T> {
    checkOptions(GET.label, options, QUEUE_WAIT_KEYS);
    return GET.call(this, undefined, options?.timeout) as Operation<T>;
  }

  /** Takes the item of a blocked putter if there is one, else throws `Empty`. Never switches. */
  getNowait(): T {
    if (this.canTake()) return this.take();
    if (this.shut) throw shutDownError('Channel.getNowait', this.cause, 'channel');
    throw new Empty('Channel.getNowait: no putter is waiting');
  }

  /**
   * Shuts the channel down for good: every call throws `QueueShutDown` from
   * now on, and blocked putters (their items not taken) and getters are
   * woken with it, in a round. Items of `putNowait` not yet taken are still
   * handed out unless `immediate`. `cause` becomes the errors' cause. Never
   * switches; callable from anywhere.
   */
  shutdown(options?: ShutdownOptions): void {
    checkOptions('Channel.shutdown', options, SHUTDOWN_KEYS);
    if (!this.shut) {
      this.shut = true;
      this.cause = options?.cause;
    }
    if (options?.immediate === true) this.offers.clear();
    this.scheduleRound();
  }

  /**
   * Iterates from ordinary async code: `for await (const item of channel)`
   * takes the items of blocked putters, waiting in line with blocked
   * getters; the loop ends when the channel is shut down.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new QueueIterator<T>(this);
  }

  toString(): string {
    const state = this.shut ? ' shut down' : '';
    return `<Channel getters=${this.getters[SIZE]} putters=${this.putters[SIZE]}${state}>`;
  }

  // ---- the hand-off (internal) ----

  /** @internal true when a getter can take an item now. */
  canTake(): boolean {
    return this.offers.length > 0 || this.putters[SIZE] > 0;
  }

  /** @internal true when a waiting getter has not been promised an offered item yet. */
  canOffer(): boolean {
    return this.getters[SIZE] > this.offers.length;
  }

  /**
   * @internal takes the next item (`canTake()` is true): an offered one, or
   * the first blocked putter's, whose put has then succeeded; that putter is
   * resumed by the next round.
   */
  take(): T {
    if (this.offers.length > 0) return this.offers.shift() as T;
    const putter = this.putters[SHIFT]() as WaitState;
    const item = putter.arg as T;
    putter.arg = undefined;
    putter.flags |= KIND_FLAG;
    this.delivered[PUSH](putter);
    this.scheduleRound();
    return item;
  }

  /** @internal an item promised to a waiting getter. */
  offer(item: unknown): void {
    this.offers.push(item as T);
    this.scheduleRound();
  }

  /** @internal takes an item for a foreign getter if one is there. */
  pull(): T | typeof NONE {
    return this.canTake() ? this.take() : NONE;
  }

  /** @internal adds a blocked putter; a round pairs it with a getter if one is blocked. */
  enlistPutter(s: WaitState): void {
    this.putters[PUSH](s);
    if (this.getters[SIZE] > 0) this.scheduleRound();
  }

  /** @internal adds a blocked getter: at the tail, or at the front for one that lost its turn. */
  enlistGetter(waiter: Link, front: boolean): void {
    if (front) this.getters[UNSHIFT](waiter);
    else this.getters[PUSH](waiter);
    if (this.canTake()) this.scheduleRound();
  }

  /** @internal queues the round, once, on the hub of the first waiter. */
  scheduleRound(): void {
    if (this[SCHEDULED]) return;
    const head = this.delivered[HEAD] ?? this.getters[HEAD] ?? this.putters[HEAD];
    if (head !== null) hubOf(head).schedule(this);
  }

  /**
   * @internal the round (gevent's Channel `_unlock`): resume the putters
   * whose items were taken, then the first blocked getter if there is
   * something to take (it takes it itself), then that getter's putter, and
   * so on; on a shut-down channel, wake every blocked putter and getter.
   * `scheduled` stays true meanwhile, as in Queue's round.
   */
  [RUN_TASK](): void {
    const getters = this.getters;
    for (;;) {
      const done = this.delivered[SHIFT]();
      if (done !== null) done.notify(this);
      else if (this.shut && this.putters[SIZE] > 0) this.putters[SHIFT]()!.notify(this);
      else if (getters[SIZE] > 0 && (this.shut || this.canTake())) getters[SHIFT]()!.notify(this);
      else break;
    }
    this[SCHEDULED] = false;
  }
}
