/**
 * Locks: `Semaphore` (n permits), `BoundedSemaphore` (a Semaphore that
 * refuses to be released past its initial value), `Lock` (one permit) and
 * `RLock` (one permit its owner greenlet may take again and again).
 *
 * All four are gevent's AbstractLinkable (`Linkable`), like Event and
 * Greenlet. `release()` never switches: it queues one notification round in
 * the hub, which wakes blocked acquirers in the order they blocked, each
 * running until it blocks, while permits remain. A permit is never handed to
 * a chosen waiter: the woken waiter takes it from the counter when it
 * resumes, right inside the round, so a waiter killed or timed out while
 * blocked simply leaves the list and swallows nothing. Barging is allowed
 * (gevent's rule): a greenlet that acquires while permits are free takes one
 * at once, even if others are blocked (they were woken for a permit that is
 * now gone, and keep waiting).
 */
import { ctx } from './internal/context.js';
import { Homed } from './internal/linkable.js';
import { Composite } from './internal/composite.js';
import { WaitOp, type WaitState } from './internal/wait.js';
import { checkOptions, optionKeys, checkScopeBody, show, type TimeoutOption } from './internal/validate.js';
import { NotInGreenlet } from './errors.js';
import { runBody } from './call.js';
import type { Greenlet } from './greenlet.js';
import type { Operation, Suspend } from './operation.js';
import { ADD_WAITER, SCHEDULE_NOTIFY, SIZE } from './internal/keys.js';

/** Options of `acquire()` and `Semaphore.wait()`. */
export interface AcquireOptions {
  /**
   * Give up after this many ms (`0`: never block): `acquire` then returns
   * false, `wait` returns 0. A Timeout given here is started for the call and
   * raised itself if it fires.
   */
  timeout?: TimeoutOption;
}
const ACQUIRE_KEYS = optionKeys<AcquireOptions>({ timeout: true });

/** The body of a `scope()`: an Operation, or a function returning one (or a plain value). */
export type ScopeBody<T> = Operation<T> | (() => Operation<T> | T);

/**
 * A release that is not allowed: a BoundedSemaphore released past its
 * initial value, a Lock or RLock that is not held, or an RLock released by a
 * greenlet that does not own it. The counter is left unchanged.
 */
export class ReleaseError extends Error {
  static {
    this.prototype.name = 'ReleaseError';
  }
}

/** `acquire()`: true once a permit is taken, false on timeout. */
class AcquireOp extends WaitOp<boolean> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    return (s.target as Acquirable).canAcquire(s.greenlet);
  }
  protected outcome(s: WaitState): boolean {
    (s.target as Acquirable).take(s.greenlet);
    return true;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Acquirable)[ADD_WAITER](s);
  }
  protected expire(): boolean {
    return false;
  }
}

/** `Semaphore.wait()`: the counter once it is above 0 (nothing taken), 0 on timeout. */
class CounterWaitOp extends WaitOp<number> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    return (s.target as Semaphore).counter > 0;
  }
  protected outcome(s: WaitState): number {
    return (s.target as Semaphore).counter;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Acquirable)[ADD_WAITER](s);
  }
  protected expire(): number {
    return 0;
  }
}

/** The blocking calls of one class, labelled with its name for messages. */
interface Calls {
  readonly name: string;
  readonly acquire: AcquireOp;
  readonly wait: CounterWaitOp;
}

function callsOf(name: string): Calls {
  return { name, acquire: new AcquireOp(`${name}.acquire`), wait: new CounterWaitOp(`${name}.wait`) };
}

const SEMAPHORE = callsOf('Semaphore');
const BOUNDED = callsOf('BoundedSemaphore');
const LOCK = callsOf('Lock');
const RLOCK = callsOf('RLock');

/**
 * What every lock shares: blocked acquirers in a FIFO list, `acquire`,
 * `tryAcquire`, `scope`. Subclasses say when a greenlet may take it and what
 * taking it does.
 */
abstract class Acquirable extends Homed {
  /** @internal the blocking calls, named after the class. */
  protected abstract get calls(): Calls;
  /** @internal true when `g` (null: outside a greenlet) can take it now. */
  abstract canAcquire(g: Greenlet<unknown> | null): boolean;
  /** @internal takes it for `g`; `canAcquire(g)` was true. */
  abstract take(g: Greenlet<unknown> | null): void;
  /** Gives back what `acquire` took; see each class for who may call it. */
  abstract release(): void;
  /** True when an `acquire()` would block. */
  abstract locked(): boolean;

  /** True when a blocked acquirer could go on: what a notification round waits for. */
  override ready(): boolean {
    return !this.locked();
  }

  /**
   * Blocks until it can be taken, takes it and returns true. Returns at once
   * when free, even if other greenlets are blocked (barging). With `timeout`
   * (ms): false if it expires first (`0`: never blocks); a Timeout given as
   * `timeout` is raised instead. Blocked acquirers are served in the order
   * they blocked. If the caller is killed while blocked it leaves the list,
   * takes nothing, and the kill goes on.
   */
  acquire(options?: AcquireOptions): Operation<boolean> {
    const acquire = this.calls.acquire;
    checkOptions(acquire.label, options, ACQUIRE_KEYS);
    return acquire.call(this, undefined, options?.timeout);
  }

  /** Takes it if that can be done without blocking; returns whether it did. Never switches. */
  tryAcquire(): boolean {
    const g = ctx.current;
    if (!this.canAcquire(g)) return false;
    this.take(g);
    return true;
  }

  /**
   * gevent's `with lock:`: acquires (blocking as `acquire()` does), runs
   * `body` (an Operation, or a function returning one or a plain value) and
   * releases when it ends — by returning, by throwing, or because the
   * greenlet was killed or timed out inside it. Returns the body's value. A
   * kill or Timeout while still waiting to acquire releases nothing.
   */
  scope<T>(body: ScopeBody<T>): Operation<T> {
    const label = `${this.calls.name}.scope`;
    checkScopeBody(label, body);
    return new Composite<T>(label, (rearm) => this.runScope(body, rearm), body);
  }

  private *runScope<T>(body: ScopeBody<T>, rearm: () => void): Generator<Suspend, T, unknown> {
    if (!this.tryAcquire()) yield* this.acquire();
    try {
      if (typeof body === 'function') return yield* runBody(body);
      rearm();
      return yield* body;
    } finally {
      this.release();
    }
  }
}

function checkInitial(call: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${call}: initial value must be a number, got ${show(value)}`);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${call}: initial value must be an integer >= 0, got ${show(value)}`);
  }
  return value;
}

/**
 * A counter of permits (gevent's `Semaphore`, default 1): `acquire()` takes
 * one, blocking while there are none; `release()` gives one back. A plain
 * Semaphore may be released more often than acquired: the counter grows.
 */
export class Semaphore extends Acquirable {
  private count: number;

  /** `value`: the number of permits, an integer >= 0 (RangeError otherwise). */
  constructor(value = 1) {
    super();
    this.count = checkInitial(`new ${new.target.name}`, value);
  }

  /** @internal */
  protected get calls(): Calls {
    return SEMAPHORE;
  }

  /** The number of free permits. */
  get counter(): number {
    return this.count;
  }

  /** True when no permit is free. */
  locked(): boolean {
    return this.count <= 0;
  }

  /** @internal */
  canAcquire(): boolean {
    return this.count > 0;
  }

  /** @internal */
  take(): void {
    this.count--;
  }

  /**
   * Gives a permit back and, if greenlets are blocked, queues a round that
   * wakes them in order while permits remain. Never switches; callable from
   * anywhere, by any greenlet.
   */
  release(): void {
    this.count++;
    this[SCHEDULE_NOTIFY]();
  }

  /**
   * Blocks until a permit is free, without taking it, and returns the
   * counter. With `timeout` (ms): 0 if it expires first (`0`: never blocks);
   * a Timeout given as `timeout` is raised instead. If the caller is killed
   * while blocked it leaves the list and the kill goes on.
   */
  wait(options?: AcquireOptions): Operation<number> {
    const wait = this.calls.wait;
    checkOptions(wait.label, options, ACQUIRE_KEYS);
    return wait.call(this, undefined, options?.timeout);
  }

  override toString(): string {
    return `<${this.constructor.name} counter=${this.count}, ${this[SIZE]} waiting>`;
  }
}

/**
 * A Semaphore that cannot be released past its initial value: the extra
 * `release()` throws `ReleaseError` and leaves the counter unchanged.
 */
export class BoundedSemaphore extends Semaphore {
  /** The initial value, which the counter never exceeds. */
  readonly bound: number;

  /** `value`: the number of permits, an integer >= 0 (RangeError otherwise). */
  constructor(value = 1) {
    super(value);
    this.bound = value;
  }

  /** @internal */
  protected override get calls(): Calls {
    return BOUNDED;
  }

  /** Gives a permit back (see `Semaphore.release`); throws `ReleaseError` if none is taken. */
  override release(): void {
    if (this.counter >= this.bound) throw this.overRelease();
    super.release();
  }

  protected overRelease(): ReleaseError {
    return new ReleaseError(
      `BoundedSemaphore.release: released too many times (the counter is already at its initial value, ${this.bound})`,
    );
  }
}

/**
 * A lock: one permit, taken by `acquire()`, given back by `release()` from
 * any greenlet (it has no owner; see RLock for one that has). Releasing a
 * Lock that is not held throws `ReleaseError`.
 */
export class Lock extends BoundedSemaphore {
  constructor() {
    super(1);
  }

  /** @internal */
  protected override get calls(): Calls {
    return LOCK;
  }

  protected override overRelease(): ReleaseError {
    return new ReleaseError('Lock.release: the lock is not held');
  }
}

/**
 * A re-entrant lock: the greenlet that holds it (its owner) may acquire it
 * again without blocking, and must release it as many times to free it.
 * Only the owner may release it. Acquiring and releasing need a greenlet
 * (`NotInGreenlet` otherwise), since the owner is the calling greenlet.
 */
export class RLock extends Acquirable {
  private holder: Greenlet<unknown> | null = null;
  private depth = 0;

  /** @internal */
  protected get calls(): Calls {
    return RLOCK;
  }

  /** The greenlet holding the lock, or null. */
  get owner(): Greenlet<unknown> | null {
    return this.holder;
  }

  /** True while some greenlet holds it. */
  locked(): boolean {
    return this.holder !== null;
  }

  /** @internal */
  canAcquire(g: Greenlet<unknown> | null): boolean {
    if (g === null) throw new NotInGreenlet('RLock.tryAcquire()');
    return this.holder === null || this.holder === g;
  }

  /** @internal */
  take(g: Greenlet<unknown> | null): void {
    this.holder = g;
    this.depth++;
  }

  /**
   * Undoes one `acquire()` by the owner; the last one frees the lock and
   * wakes the greenlets blocked on it, in order. Never switches. Throws
   * `ReleaseError` if the lock is not held or the caller does not own it.
   */
  release(): void {
    const g = ctx.current;
    if (g === null) throw new NotInGreenlet('RLock.release()');
    const holder = this.holder;
    if (holder === null) throw new ReleaseError('RLock.release: the lock is not held');
    if (holder !== g) {
      throw new ReleaseError(`RLock.release: cannot release a lock owned by ${holder.name} (called from ${g.name})`);
    }
    if (--this.depth > 0) return;
    this.holder = null;
    this[SCHEDULE_NOTIFY]();
  }

  override toString(): string {
    const state = this.holder === null ? 'unlocked' : `owned by ${this.holder.name} x${this.depth}`;
    return `<RLock ${state}, ${this[SIZE]} waiting>`;
  }
}
