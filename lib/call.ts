/**
 * `call`: wait for a promise without blocking the hub — grove's bridge to
 * promise-based code (fetch, fs/promises, database drivers), the analogue of
 * gevent's cooperative I/O. The greenlet blocks; the others run.
 */
import { WaitOp, type WaitState } from './internal/wait.js';
import { isOperation, isThenable } from './internal/brand.js';
import { checkBodyResult, checkOptions, optionKeys, show, type TimeoutOption } from './internal/validate.js';
import { Timeout } from './timeout.js';
import type { Operation, Suspend } from './operation.js';
import type { Greenlet } from './greenlet.js';
import { HUB, PENDING_ERROR, WAIT, WAITING_ON, WAKE } from './internal/keys.js';

/** Options of `call`. */
export interface CallOptions {
  /** Give up after this many ms and throw `Timeout` (the promise's result is then ignored). */
  timeout?: TimeoutOption;
}
const CALL_KEYS = optionKeys<CallOptions>({ timeout: true });

/** Something `call` can wait for: a promise, or a function given an AbortSignal that returns one. */
export type Awaitable<T> = PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>);

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** One `call`: the promise's outcome, and whether the hub still counts it as pending. */
class CallRecord {
  state = PENDING;
  result: unknown = undefined;
  /** True between subscribing to the promise and its settling or being dropped. */
  waiting = false;
  abort: AbortController | null = null;
  greenlet: Greenlet<unknown> | null = null;

  constructor(readonly source: Awaitable<unknown>) {}

  start(s: WaitState): void {
    let promise: PromiseLike<unknown>;
    if (typeof this.source === 'function') {
      this.abort = new AbortController();
      promise = this.source(this.abort.signal);
      if (!isThenable(promise)) {
        throw new TypeError(`call: the function must return a promise, got ${show(promise)}`);
      }
    } else promise = this.source;
    this.greenlet = s.greenlet;
    this.waiting = true;
    // While a greenlet waits on a promise the hub is not stuck: no LoopExit, no virtual time jump.
    s.greenlet[HUB]!.addPromise(this);
    promise.then(
      (value) => this.settle(FULFILLED, value),
      (error: unknown) => this.settle(REJECTED, error),
    );
  }

  private settle(state: number, result: unknown): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.state = state;
    this.result = result;
    this.abort = null;
    const g = this.greenlet!;
    g[HUB]!.removePromise(this);
    if (g[WAITING_ON] === (CALL as WaitOp<unknown>) && g[WAIT]!.target === this) g[WAKE]();
  }

  /** Stop waiting: the result, whenever it comes, is ignored; a function's signal aborts with `reason`. */
  drop(reason: unknown): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.greenlet![HUB]!.removePromise(this);
    this.abort?.abort(reason);
    this.abort = null;
  }
}

class CallOp extends WaitOp<unknown> {
  readonly label = 'call';

  protected isReady(s: WaitState): boolean {
    return (s.target as CallRecord).state !== PENDING;
  }
  protected outcome(s: WaitState): unknown {
    const record = s.target as CallRecord;
    if (record.state === REJECTED) throw record.result;
    return record.result;
  }
  protected expire(s: WaitState): unknown {
    const timeout = new Timeout(s.timeout as number);
    (s.target as CallRecord).drop(timeout);
    throw timeout;
  }
  /** The promise settled: its outcome stands, whatever fires before the greenlet resumes. */
  override completed(s: WaitState): boolean {
    return this.isReady(s);
  }
  protected enlist(s: WaitState): void {
    const record = s.target as CallRecord;
    if (!record.waiting) record.start(s);
  }
  /** Interrupted: the interrupt (already pending on the greenlet) is the abort reason. */
  override cancel(g: Greenlet<unknown>): void {
    super.cancel(g);
    (g[WAIT]!.target as CallRecord).drop(g[PENDING_ERROR]);
  }
  /** A promise settles from outside the hub: the greenlet is queued, not resumed inline. */
  override notify(): void {}
  /** The promise (or the function that made it), not the record. */
  override waitTarget(s: WaitState): unknown {
    return (s.target as CallRecord).source;
  }
}

const CALL = new CallOp();

/** @internal the Operation that waits for `source`. */
export function callOperation<T>(source: Awaitable<T>, timeout?: TimeoutOption): Operation<T> {
  return CALL.call(new CallRecord(source), undefined, timeout) as Operation<T>;
}

/**
 * Waits for a promise without blocking the hub, and returns its value or
 * throws its rejection. Given a function, calls it with an AbortSignal that
 * aborts if the wait is interrupted (a kill, a Timeout, `{ timeout }`), so
 * the work can be cancelled: `yield* call((signal) => fetch(url, { signal }))`.
 *
 * On a virtual clock (`simulate`), time does not run ahead of real time
 * while the promise is pending, so a `{ timeout }` (or a Timeout around the
 * call) fires after as many real ms if the promise has not settled. A call
 * that can never return — no timeout, and Node's event loop has run dry so
 * nothing can settle its promise — gives a `run()` main waiting on it
 * `LoopExit` ("... is blocked in call() and nothing can wake it").
 */
export function call<T>(source: Awaitable<T>, options?: CallOptions): Operation<T> {
  if (typeof source !== 'function' && !isThenable(source)) {
    throw new TypeError(`call: expected a promise or a function returning one, got ${show(source)}`);
  }
  checkOptions('call', options, CALL_KEYS);
  return callOperation(source, options?.timeout);
}

/**
 * @internal runs a body function in the calling greenlet: drives the
 * Operation it returns, waits for a promise, or returns a plain value.
 */
export function* runBody<T>(fn: () => Operation<T> | PromiseLike<T> | T): Generator<Suspend, T, unknown> {
  const result = fn();
  if (isOperation(result)) return yield* result as Operation<T>;
  if (isThenable(result)) return yield* callOperation(result as PromiseLike<T>);
  checkBodyResult('the body', result);
  return result as T;
}
