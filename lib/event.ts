/**
 * `Event` and `AsyncResult`: one greenlet (or any code) signals, any number
 * of greenlets wait. An Event is a flag (`set`, `clear`, `wait`); an
 * AsyncResult carries a value or an error to its waiters (a future).
 *
 * Both are gevent's AbstractLinkable (`Linkable`, as Greenlet is): `set()`
 * never switches; it queues one notification round in the hub, and the round
 * wakes the waiters and link callbacks present when it starts, in the order
 * they arrived, each woken greenlet running until it blocks before the next
 * is woken. `wait([event, result, greenlet])` (lib/join.ts) works on both.
 */
import { Link } from './internal/link-list.js';
import { CallbackLink, Homed } from './internal/linkable.js';
import { KIND_FLAG, TurnWaitOp, type WaitState } from './internal/wait.js';
import { checkFunction, checkOptions, optionKeys, type TimeoutOption } from './internal/validate.js';
import { Timeout } from './timeout.js';
import type { Operation } from './operation.js';
import {
  ADD_LINK, ADD_WAITER, PUSH, REMOVE, REMOVE_CALLBACK, RUN_TASK, SCHEDULED, SCHEDULE_NOTIFY, SHIFT, SIZE,
} from './internal/keys.js';

/** Options of `Event.wait`, `AsyncResult.wait` and `AsyncResult.get`. */
export interface EventWaitOptions {
  /**
   * Give up after this many ms (`0`: never block); what the call then gives
   * depends on the call. A Timeout given here is started for the call and
   * raised itself if it fires.
   */
  timeout?: TimeoutOption;
}
const WAIT_KEYS = optionKeys<EventWaitOptions>({ timeout: true });

/** WaitState.flags: the waiter's turn came in a notification round. */
const WOKEN = KIND_FLAG;

/** Marks where a round ends: links added during the round wait for the next one. */
class RoundEnd extends Link {
  notify(): void {}
}

/**
 * Rounds never nest (a round resumes greenlets, and greenlets never run hub
 * tasks), so one marker serves every object; a fresh one is made should that
 * ever not hold.
 */
const ROUND_END = new RoundEnd();

/**
 * What Event and AsyncResult share: waiters that enlist behind a pending
 * round, and rounds that notify every link present when they start — ready
 * or not, since gevent's `set(); clear()` still wakes all the waiters.
 */
abstract class Notifier extends Homed {
  /** True while a round runs (`SCHEDULED` is already false then). */
  private notifying = false;

  /**
   * True while a round is queued or running: a greenlet that waits now,
   * even on a set Event, queues behind the waiters already notified
   * (gevent's order).
   */
  protected get roundPending(): boolean {
    return this[SCHEDULED] || this.notifying;
  }

  /** @internal */
  override [RUN_TASK](): void {
    this[SCHEDULED] = false;
    if (this[SIZE] === 0) return;
    const end = ROUND_END.list === null ? ROUND_END : new RoundEnd();
    this[PUSH](end);
    this.notifying = true;
    try {
      for (let link = this[SHIFT](); link !== end && link !== null; link = this[SHIFT]()) link.notify(this);
    } finally {
      this.notifying = false;
      end.list?.[REMOVE](end);
    }
    // Waiters that arrived during the round, while the object stayed ready, get a round of their own.
    if (this.ready()) this[SCHEDULE_NOTIFY]();
  }

  protected addCallback(call: string, callback: (source: this) => void): void {
    checkFunction(call, 'callback', callback);
    this[ADD_LINK](new CallbackLink<this>(callback, null));
  }

  /** @internal a new `wait()` need not block: ready, and no round it must queue behind. */
  readyFor(s: WaitState): boolean {
    return this.ready() && (s.timeout === 0 || !this.roundPending);
  }
}

/** Waiting in a Notifier: the waiter is marked WOKEN before it resumes. */
abstract class NotifierWait<T> extends TurnWaitOp<T> {
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Notifier)[ADD_WAITER](s);
  }
}

/** `Event.wait()`: true once woken (even if the Event was cleared since), false on timeout. */
class EventWaitOp extends NotifierWait<boolean> {
  readonly label = 'Event.wait';
  protected isReady(s: WaitState): boolean {
    return (s.flags & WOKEN) !== 0 || (s.target as Notifier).readyFor(s);
  }
  protected outcome(): boolean {
    return true;
  }
  protected expire(): boolean {
    return false;
  }
}

/** `AsyncResult.get()`: the value or the error; Timeout on timeout. */
class ResultGetOp extends NotifierWait<unknown> {
  readonly label = 'AsyncResult.get';
  protected isReady(s: WaitState): boolean {
    return (s.target as AsyncResult<unknown>).ready();
  }
  protected outcome(s: WaitState): unknown {
    return (s.target as AsyncResult<unknown>).getNowait();
  }
  protected expire(s: WaitState): unknown {
    throw new Timeout(s.timeout as number);
  }
}

/** `AsyncResult.wait()`: the value (undefined for an error) once ready; undefined on timeout. */
class ResultWaitOp extends NotifierWait<unknown> {
  readonly label = 'AsyncResult.wait';
  protected isReady(s: WaitState): boolean {
    return (s.flags & WOKEN) !== 0 || (s.target as Notifier).readyFor(s);
  }
  protected outcome(s: WaitState): unknown {
    return (s.target as AsyncResult<unknown>).value;
  }
  protected expire(): unknown {
    return undefined;
  }
}

const EVENT_WAIT = new EventWaitOp();
const RESULT_GET = new ResultGetOp();
const RESULT_WAIT = new ResultWaitOp();

/**
 * A flag greenlets can wait for (gevent's `Event`). Starts cleared.
 *
 * ```ts
 * const ready = new Event();
 * spawn(function* () { yield* ready.wait(); console.log('go'); });
 * ready.set();
 * ```
 */
export class Event extends Notifier {
  private flag = false;

  /**
   * Sets the flag and wakes every waiter. Never switches: the waiters are
   * woken from the hub, in the order they called `wait()`, each running
   * until it blocks before the next wakes. Can be called from anywhere,
   * outside greenlets too.
   */
  set(): void {
    this.flag = true;
    this[SCHEDULE_NOTIFY]();
  }

  /**
   * Clears the flag: later `wait()` calls block. Waiters that a `set()`
   * already released still wake (and their `wait()` returns true).
   */
  clear(): void {
    this.flag = false;
  }

  /** True while the flag is set. */
  isSet(): boolean {
    return this.flag;
  }

  /** Same as `isSet()` (for `wait(objects)` and gevent's `ready()`). */
  override ready(): boolean {
    return this.flag;
  }

  /**
   * Blocks until the flag is set; returns true. Returns at once if it is set
   * and no wake-up round is pending (otherwise it queues behind that round's
   * waiters). With `timeout` (ms): false if it expires first (`0`: never
   * blocks); a Timeout given as `timeout` is raised instead. If the caller
   * is killed while waiting it leaves the waiters and the kill goes on.
   */
  wait(options?: EventWaitOptions): Operation<boolean> {
    checkOptions('Event.wait', options, WAIT_KEYS);
    return EVENT_WAIT.call(this, undefined, options?.timeout);
  }

  /**
   * Calls `callback(event)` from the hub on every `set()` (gevent's
   * `rawlink`), in turn with the waiters, in the order they were added; at
   * the next turn if the Event is already set. It must not block; an error
   * it throws is reported and the others still run. Unlike a waiter it stays
   * linked only for one round: link again to hear the next `set()`.
   */
  link(callback: (event: this) => void): void {
    this.addCallback('Event.link', callback);
  }

  /** Removes every pending link of `callback`. */
  unlink(callback: (event: this) => void): void {
    this[REMOVE_CALLBACK](callback);
  }

  override toString(): string {
    return `<Event ${this.flag ? 'set' : 'clear'}, ${this[SIZE]} waiting>`;
  }
}

/**
 * A value that will be set later, or an error (gevent's `AsyncResult`, a
 * future): greenlets `get()` it, blocking until one of `set(value)` and
 * `setException(error)` is called.
 *
 * Once a value is set it wins: a later `setException` does not change what
 * `get()` returns, though `exception` records it. A second `set()` replaces
 * the value.
 */
export class AsyncResult<T = unknown> extends Notifier {
  private hasValue = false;
  private hasError = false;
  private result: T | undefined = undefined;
  private error: unknown = undefined;

  /**
   * Stores `value` and wakes the waiters (from the hub, in the order they
   * called `get()`/`wait()`). Never switches. Calling it again replaces the
   * value.
   */
  set(value: T): void {
    this.result = value;
    this.hasValue = true;
    this[SCHEDULE_NOTIFY]();
  }

  /**
   * Stores `error`, to be thrown (the same instance) by `get()`, and wakes
   * the waiters. Never switches. Ignored by `get()` once a value is set
   * (the value wins, as in gevent), but `exception` shows it; replaces an
   * earlier error.
   */
  setException(error: unknown): void {
    if (error === undefined) throw new TypeError('AsyncResult.setException: error must not be undefined');
    this.error = error;
    this.hasError = true;
    this[SCHEDULE_NOTIFY]();
  }

  /** True once `set` or `setException` was called. */
  override ready(): boolean {
    return this.hasValue || this.hasError;
  }

  /** True once a value was set. */
  successful(): boolean {
    return this.hasValue;
  }

  /** The value set; undefined until then and for an error. */
  get value(): T | undefined {
    return this.hasValue ? this.result : undefined;
  }

  /**
   * The error given to the last `setException`, undefined if none was: it is
   * recorded even beside a value, which still wins for `get()` and
   * `successful()` (gevent's AsyncResult).
   */
  get exception(): unknown {
    return this.hasError ? this.error : undefined;
  }

  /**
   * Blocks until the result is ready, then returns the value or throws the
   * error (the instance given to `setException`). Returns at once if it is
   * ready. With `timeout` (ms), throws `Timeout` if it expires first (`0`:
   * never blocks); a Timeout given as `timeout` is raised itself. If the
   * caller is killed while waiting it leaves the waiters and the kill goes on.
   */
  get(options?: EventWaitOptions): Operation<T> {
    checkOptions('AsyncResult.get', options, WAIT_KEYS);
    return RESULT_GET.call(this, undefined, options?.timeout) as Operation<T>;
  }

  /** The value, or the error thrown, without blocking; throws `Timeout` (message `''`) if not ready. */
  getNowait(): T {
    if (this.hasValue) return this.result as T;
    if (this.hasError) throw this.error;
    throw new Timeout();
  }

  /**
   * Blocks until the result is ready and returns the value — undefined for
   * an error, which `wait()` never throws. With `timeout` (ms), returns
   * undefined if it expires first (`0`: never blocks); a Timeout given as
   * `timeout` is raised instead. Like `Event.wait`, it queues behind a
   * pending wake-up round. If the caller is killed while waiting it leaves
   * the waiters and the kill goes on.
   */
  wait(options?: EventWaitOptions): Operation<T | undefined> {
    checkOptions('AsyncResult.wait', options, WAIT_KEYS);
    return RESULT_WAIT.call(this, undefined, options?.timeout) as Operation<T | undefined>;
  }

  /**
   * Calls `callback(result)` from the hub once the result is ready (at the
   * next turn if it already is), in turn with the waiters, in the order they
   * were added. It must not block; an error it throws is reported.
   */
  link(callback: (result: this) => void): void {
    this.addCallback('AsyncResult.link', callback);
  }

  /** Removes every pending link of `callback`. */
  unlink(callback: (result: this) => void): void {
    this[REMOVE_CALLBACK](callback);
  }

  override toString(): string {
    const state = this.hasValue ? 'value' : this.hasError ? 'exception' : 'unset';
    return `<AsyncResult ${state}, ${this[SIZE]} waiting>`;
  }
}
