/**
 * Timeouts: a limit on how long a greenlet may stay blocked.
 *
 * A started `Timeout` raises itself (or its `exception`) in the greenlet that
 * started it, wherever that greenlet is blocked when the time is up; it is a
 * signal (an `Interrupt`), so `catch (e) { if (e !== timeout) throw e }` tells
 * one timeout from another. `timeout.scope(body)` is gevent's
 * `with Timeout(...)`, and `withTimeout(ms, fn)` runs a function under one.
 * Every blocking call also takes `{ timeout }`: ms (the call then returns
 * false or throws, by its kind), or a Timeout (started for the call,
 * cancelled when it returns, raised itself if it fires).
 *
 * Scheduling is cooperative: a greenlet that never blocks is never
 * interrupted, even by an expired Timeout.
 *
 * Two invariants hold whatever the interleaving. A call that completed
 * returns its result: if the Timeout fires after the call's outcome was
 * settled (a getter took the put's item, the ask's reply came, the promise
 * settled) but before the greenlet resumed, the Timeout is raised at the
 * greenlet's next blocking call while still in force, and not at all once
 * cancelled — which the end of its scope, or of the call it was given to,
 * does. And a cancelled Timeout is never raised, then or later, even when
 * it fired in the same turn as another interrupt.
 */
import { Interrupt } from './errors.js';
import { ctx } from './internal/context.js';
import { Composite } from './internal/composite.js';
import { TIMEOUT } from './internal/brand.js';
import { checkBody, checkException, checkMs, checkScopeBody, checkOptions, optionKeys, toException } from './internal/validate.js';
import { NotInGreenlet } from './errors.js';
import { runBody } from './call.js';
import type { Operation, Suspend } from './operation.js';
import type { Greenlet, ExceptionOption } from './greenlet.js';
import { HUB, RAISE_TIMEOUT, WITHDRAW } from './internal/keys.js';

/** `queued` when nothing is queued (undefined is a legal exception). */
const NOT_QUEUED: unique symbol = Symbol('grove.notQueued');

/** Options of `new Timeout`. */
export interface TimeoutOptions {
  /** Raise this (an error class, instantiated when it fires, or an instance) instead of the Timeout itself. */
  exception?: ExceptionOption;
  /** Raise the Timeout, and let `scope()` swallow it: the block just ends (gevent's `Timeout(t, False)`). */
  silent?: boolean;
}
const TIMEOUT_KEYS = optionKeys<TimeoutOptions>({ exception: true, silent: true });

/**
 * A timer that raises an error in the greenlet that started it. `ms`
 * undefined, null or Infinity: it never fires. Its message is `"<ms> ms"`.
 */
// It is its own entry in the hub's timer heap (a TimerEntry, checked where it is added), not declared
// `implements TimerEntry`: that interface is internal, left out of the published types.
export class Timeout extends Interrupt {
  static {
    this.prototype.name = 'Timeout';
    (this.prototype as unknown as { [TIMEOUT]: boolean })[TIMEOUT] = true;
  }
  /** The delay in ms, or null for a Timeout that never fires. */
  readonly ms: number | null;
  /** @internal */
  deadline = 0;
  /** @internal */
  seq = 0;
  /** @internal */
  heapIndex = -1;
  private readonly exception: ExceptionOption | undefined;
  private readonly silent: boolean;
  private owner: Greenlet<unknown> | null = null;
  /** The error it fired and the owner queued (see `Greenlet[RAISE_TIMEOUT]`), until cancelled or restarted. */
  private queued: unknown = NOT_QUEUED;

  constructor(ms?: number | null, options: TimeoutOptions = {}) {
    const checked = ms === undefined || ms === null ? null : checkMs('new Timeout', 'ms', ms);
    const delay = checked === Infinity ? null : checked;
    checkOptions('new Timeout', options, TIMEOUT_KEYS);
    checkException('new Timeout', options.exception);
    const silent = options.silent === true;
    let message = delay === null ? '' : `${delay} ms`;
    if (silent) message += ' (silent)';
    else if (options.exception instanceof Error) message += `: ${options.exception.message}`;
    super(message);
    this.ms = delay;
    this.exception = options.exception;
    this.silent = silent;
  }

  /** Creates a Timeout and starts it. */
  static startNew(ms?: number | null, options?: TimeoutOptions): Timeout {
    return new Timeout(ms, options).start();
  }

  /** True while started and not yet fired or cancelled. */
  get pending(): boolean {
    return this.heapIndex >= 0;
  }

  /**
   * Starts the timer in the running greenlet, which it will interrupt. A
   * pending Timeout cannot be started again (cancel it first); a fired one can.
   */
  start(): this {
    const owner = ctx.current;
    if (owner === null) throw new NotInGreenlet('Timeout.start()');
    if (this.pending) throw new Error(`Timeout.start: this Timeout (${this.message}) is already pending; cancel it first`);
    this.withdraw();
    this.owner = owner;
    if (this.ms !== null) owner[HUB]!.addTimer(this, this.ms);
    return this;
  }

  /**
   * Stops the timer; nothing is raised, then or later. Also withdraws a
   * Timeout that fired while its greenlet was finishing a call that had
   * already completed, and was waiting for the next blocking call. Once it
   * has been raised there is nothing to cancel.
   */
  cancel(): void {
    if (this.heapIndex >= 0) this.owner![HUB]!.removeTimer(this);
    else if (this.queued !== NOT_QUEUED) this.withdraw();
  }

  /**
   * @internal the time is up: raise in the owner, wherever it is blocked —
   * unless the call it is blocked in has already completed: that call keeps
   * its result, and the Timeout is raised at the next blocking call if it is
   * still in force then (not cancelled by the end of its scope).
   */
  fire(): void {
    this.heapIndex = -1;
    const owner = this.owner;
    if (owner === null || owner.dead) return;
    const hub = owner[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'timer', greenlet: owner, label: 'Timeout' });
    const error = toException('Timeout', this.exception) ?? this;
    if (owner[RAISE_TIMEOUT](error)) this.queued = error;
  }

  private withdraw(): void {
    if (this.queued === NOT_QUEUED) return;
    this.owner?.[WITHDRAW](this.queued);
    this.queued = NOT_QUEUED;
  }

  /**
   * gevent's `with Timeout(...)`: starts the timer, runs `body` (an Operation,
   * or a function returning one or a plain value) and cancels the timer when
   * it ends, whichever way. Returns the body's value, or `undefined` if a
   * silent Timeout fired; otherwise the Timeout (or its exception) propagates.
   */
  scope<T>(body: Operation<T> | (() => Operation<T> | T)): Operation<T | undefined> {
    checkScopeBody('Timeout.scope', body);
    return new Composite<T | undefined>('Timeout.scope', (rearm) => this.runScope(body, rearm), body);
  }

  private *runScope<T>(body: Operation<T> | (() => Operation<T> | T), rearm: () => void): Generator<Suspend, T | undefined, unknown> {
    this.start();
    try {
      if (typeof body === 'function') return yield* runBody(body);
      rearm();
      return yield* body;
    } catch (error) {
      if (error === this && this.silent) return undefined;
      throw error;
    } finally {
      this.cancel();
    }
  }
}

/** Options of `withTimeout`. */
export interface WithTimeoutOptions<D> {
  /** Returned instead of raising when the time is up (`undefined` counts when given). */
  timeoutValue: D;
}
const WITH_TIMEOUT_KEYS = optionKeys<WithTimeoutOptions<unknown>>({ timeoutValue: true });

/**
 * Runs `fn()` (a generator function or a plain one) in the calling greenlet
 * under a Timeout of `ms`: returns its value; when the time is up, returns
 * `timeoutValue` if the option was given, else throws the `Timeout`.
 */
export function withTimeout<T>(ms: number, fn: () => Operation<T> | T): Operation<T>;
export function withTimeout<T, D>(ms: number, fn: () => Operation<T> | T, options: WithTimeoutOptions<D>): Operation<T | D>;
export function withTimeout<T, D>(
  ms: number,
  fn: () => Operation<T> | T,
  options?: WithTimeoutOptions<D>,
): Operation<T | D> {
  checkMs('withTimeout', 'ms', ms);
  checkBody('withTimeout', 'fn', fn);
  checkOptions('withTimeout', options, WITH_TIMEOUT_KEYS);
  const hasValue = options !== undefined && 'timeoutValue' in options;
  return new Composite<T | D>('withTimeout', () => runWithTimeout(ms, fn, hasValue, options?.timeoutValue as D));
}

function* runWithTimeout<T, D>(
  ms: number,
  fn: () => Operation<T> | T,
  hasValue: boolean,
  timeoutValue: D,
): Generator<Suspend, T | D, unknown> {
  const timeout = new Timeout(ms).start();
  try {
    return yield* runBody(fn);
  } catch (error) {
    if (error === timeout && hasValue) return timeoutValue;
    throw error;
  } finally {
    timeout.cancel();
  }
}
