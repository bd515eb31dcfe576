/**
 * `IMap`: the results of `Group.imap` / `imapUnordered` (and so of `map`),
 * as they come — gevent's `IMap` and `IMapUnordered`.
 *
 * A feeder greenlet (not a member of the group) walks the input and spawns
 * one member per item through the group, so under a `Pool` it blocks while
 * the pool is full and items start in input order. Each item's result is
 * recorded when the item dies; `next()` hands them out in input order
 * (`imap`) or in the order the items finished (`imapUnordered`), and throws
 * an item's error at the position where that item's result would be. Also
 * here: `Waiters`, the wake-up list every blocking call of `pool.ts` and
 * `imap.ts` waits in.
 */
import { Link, LinkList } from './internal/link-list.js';
import { WaitOp, type WaitState } from './internal/wait.js';
import { Deque } from './internal/deque.js';
import type { Task } from './internal/task.js';
import { checkOptions, optionKeys, type TimeoutOption } from './internal/validate.js';
import { Greenlet } from './greenlet.js';
import { GreenletExit } from './errors.js';
import { Timeout } from './timeout.js';
import type { Operation, Suspend } from './operation.js';
import {
  ADD_LINK, HEAD, HUB, KILL_WITH, OBSERVE, PUSH, RAW_LINK, RUN_TASK, SCHEDULED, SHIFT, SIZE,
} from './internal/keys.js';

/**
 * @internal Blocked calls waiting for the same kind of change (a group
 * emptied, a slot freed, a result arrived). A change queues one round in the
 * hub — never inside the call that made it — which resumes the calls waiting
 * at that moment in the order they blocked, each running until it blocks
 * again; a call that finds the change gone (another took the result) waits
 * again, at the tail.
 */
export class Waiters extends LinkList implements Task {
  [SCHEDULED] = false;

  /** Queues the wake-up round, once. */
  wake(): void {
    const first = this[HEAD] as WaitState | null;
    if (!this[SCHEDULED] && first !== null) first.greenlet[HUB]!.schedule(this);
  }

  [RUN_TASK](): void {
    this[SCHEDULED] = false;
    // Only the calls waiting now: one that checks again and re-enlists waits for the next round.
    for (let n = this[SIZE]; n > 0; n--) {
      const s = this[SHIFT]();
      if (s === null) return;
      s.notify(this);
    }
  }
}

/** Options of `IMap.next`. */
export interface IMapNextOptions {
  /** Give up after this many ms and throw `Timeout` (`0`: never block); a Timeout given here is raised itself. */
  timeout?: TimeoutOption;
}
const NEXT_KEYS = optionKeys<IMapNextOptions>({ timeout: true });

/** Starts one item in the group: plain for a Group, blocking while a Pool is full. */
export type Admit = (greenlet: Greenlet<unknown>) => Operation<Greenlet<unknown>>;

/** One item's result: its value, or the error it (or the input) failed with. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown; greenlet: Greenlet<unknown> | null };

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/** Records an item's result when it dies (hub context). */
class ItemLink extends Link {
  constructor(
    private readonly imap: IMap<unknown>,
    private readonly index: number,
  ) {
    super();
  }
  notify(source: Greenlet<unknown>): void {
    this.imap.arrived(this.index, source);
  }
}

/**
 * The results of `Group.imap` (input order) or `Group.imapUnordered`
 * (completion order). Made by those methods, which return it at once; the
 * items start when the caller next blocks. Read it with
 * `for (let r = yield* it.next(); !r.done; r = yield* it.next()) { ... }`.
 */
export class IMap<R> {
  /** @internal */
  readonly waiters = new Waiters();
  /** Unordered: results in completion order. */
  private readonly queued = new Deque<Outcome>();
  /** Ordered: results by input position, until their turn. */
  private readonly byIndex = new Map<number, Outcome>();
  /** Ordered: the position `next()` gives next. */
  private nextIndex = 0;
  /** Positions in the sequence so far: items started, plus one for an input that failed. */
  private positions = 0;
  private delivered = 0;
  private feeding = true;
  /** The feeder reached the end of the input, or recorded why it could not. */
  private fed = false;
  private closed = false;
  private feeder: Greenlet<void> | null;

  /** @internal use `Group.imap` / `Group.imapUnordered`. */
  constructor(
    private readonly ordered: boolean,
    fn: (item: never) => unknown,
    items: Iterator<unknown>,
    admit: Admit,
  ) {
    const feeder = new Greenlet<void>(() => this.feed(fn, items, admit));
    this.feeder = feeder;
    // The feeder catches everything; this link also covers a feeder killed before it ever ran.
    feeder[RAW_LINK](() => this.feederDied(feeder), true);
    feeder.start();
  }

  /**
   * Waits for the next result and returns `{ done: false, value }`, or
   * `{ done: true }` once every item's result was given (or after
   * `close()`). An item that failed throws its error here, at its place in
   * the order; iterating on gives the following results. On timeout throws
   * `Timeout` (the iterator stays usable). If the caller is killed while
   * waiting, it stops waiting; the items keep running.
   */
  next(options?: IMapNextOptions): Operation<IteratorResult<R, undefined>> {
    checkOptions('IMap.next', options, NEXT_KEYS);
    return NEXT.call(this, undefined, options?.timeout) as Operation<IteratorResult<R, undefined>>;
  }

  /**
   * Stops: no further items are started (the feeder is killed, and a slot it
   * waited for goes to the next in line), results not yet taken are dropped
   * and `next()` gives `{ done: true }`. Items already running go on as
   * members of the group. Failures nobody will now see — those dropped and
   * those still to come — are reported by the hub like any unwatched
   * greenlet's. `map` calls it when it ends, whichever way.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.feeder?.[KILL_WITH](new GreenletExit());
    for (const outcome of this.queued) this.dropped(outcome);
    for (const outcome of this.byIndex.values()) this.dropped(outcome);
    this.queued.clear();
    this.byIndex.clear();
    this.waiters.wake();
  }

  /** @internal true when `next()` can answer at once. */
  hasNext(): boolean {
    if (this.closed || this.exhausted()) return true;
    return this.ordered ? this.byIndex.has(this.nextIndex) : this.queued.length > 0;
  }

  /** @internal the next answer (hasNext() is true); throws a failed item's error. */
  take(): IteratorResult<R, undefined> {
    if (this.closed) return DONE;
    let outcome: Outcome | undefined;
    if (this.ordered) {
      outcome = this.byIndex.get(this.nextIndex);
      if (outcome !== undefined) {
        this.byIndex.delete(this.nextIndex);
        this.nextIndex++;
      }
    } else outcome = this.queued.shift();
    if (outcome === undefined) return DONE;
    this.delivered++;
    if (!outcome.ok) throw outcome.error;
    return { done: false, value: outcome.value as R };
  }

  /** @internal an item died (hub context): record its result. */
  arrived(index: number, item: Greenlet<unknown>): void {
    const outcome: Outcome = item.successful()
      ? { ok: true, value: item.value }
      : { ok: false, error: item.exception, greenlet: item };
    this.record(index, outcome);
  }

  private exhausted(): boolean {
    return !this.feeding && this.delivered >= this.positions;
  }

  private record(index: number, outcome: Outcome): void {
    if (this.closed) {
      this.dropped(outcome);
      return;
    }
    if (this.ordered) this.byIndex.set(index, outcome);
    else this.queued.push(outcome);
    this.waiters.wake();
  }

  /** A failure that will never be thrown to anyone: the hub reports it instead. */
  private dropped(outcome: Outcome): void {
    if (outcome.ok) return;
    const greenlet = outcome.greenlet;
    if (greenlet !== null) greenlet[HUB]!.report(outcome.error, { greenlet, where: 'greenlet' });
  }

  /** The input failed (its iterator threw, or the feeder was killed by someone else): its position fails. */
  private inputFailed(error: unknown): void {
    if (this.fed) return;
    this.fed = true;
    if (this.closed) return;
    this.record(this.positions++, { ok: false, error, greenlet: null });
  }

  private *feed(fn: (item: never) => unknown, items: Iterator<unknown>, admit: Admit): Generator<Suspend, void, unknown> {
    try {
      for (;;) {
        const step = items.next();
        if (step.done === true) break;
        const item = yield* admit(new Greenlet(fn as (item: unknown) => unknown, step.value));
        // Linked before the item can run: admit() only queued it.
        item[OBSERVE]();
        item[ADD_LINK](new ItemLink(this as IMap<unknown>, this.positions++));
      }
      this.fed = true;
    } catch (error) {
      if (!this.closed) this.inputFailed(error);
    }
  }

  private feederDied(feeder: Greenlet<void>): void {
    this.feeder = null;
    if (!this.fed && !this.closed) this.inputFailed(feeder.exception ?? feeder.value);
    this.feeding = false;
    this.waiters.wake();
  }
}

/** `IMap.next`. */
class NextOp extends WaitOp<IteratorResult<unknown, undefined>> {
  readonly label = 'IMap.next';
  protected isReady(s: WaitState): boolean {
    return (s.target as IMap<unknown>).hasNext();
  }
  protected outcome(s: WaitState): IteratorResult<unknown, undefined> {
    return (s.target as IMap<unknown>).take();
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as IMap<unknown>).waiters[PUSH](s);
  }
  protected expire(s: WaitState): IteratorResult<unknown, undefined> {
    throw new Timeout(s.timeout as number);
  }
}

const NEXT = new NextOp();
