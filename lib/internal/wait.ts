/**
 * The base of every call that can block: gevent's "switch to the hub and
 * wait to be switched back", written once.
 *
 * A blocking call (`q.get()`, `sleep(5)`, `g.join()`) returns the shared
 * operation of its kind — one `WaitOp` instance per kind of call, not one
 * per call — after writing the call's arguments into the calling greenlet's
 * `WaitState`. That works because a greenlet has exactly one blocking call
 * in flight: an Operation must be used with `yield*` right after the call
 * that made it, before the greenlet makes another (the runtime checks this,
 * which is also how it catches a call made without `yield*`). The payoff is
 * that blocking allocates nothing: the operation is its own iterator, and
 * the WaitState — allocated once per greenlet — is the iterator result (V8's
 * `yield*` hands an inner result object through unchanged and reads
 * `done`/`value` at once), the node that sits in the waiter list of what it
 * waits on and the entry of its timer. The result lives in the greenlet's
 * WaitState, not in the shared operation, so it is gone at the greenlet's
 * next call or death: a shared operation would keep the last result of its
 * kind alive (a joinAll of a burst of greenlets, all of them) until the next
 * call of that kind anywhere.
 *
 * A call's life: `next()` completes at once (`isReady`) or registers
 * (`enlist`), arms the timeout and yields SUSPEND to the hub. It is woken by
 * what it waits on (`notify`: the greenlet resumes on the spot, as gevent's
 * notifiers switch into each waiter in turn), by its timeout (`fire`), or
 * interrupted by a kill, a Timeout or LoopExit (`cancel`, then the error is
 * thrown into the greenlet). On waking it checks again, so a wake-up that
 * lost its item to a barging greenlet just waits again.
 */
import { ctx } from './context.js';
import { Link } from './link-list.js';
import type { TimerEntry } from './timer-heap.js';
import { OPERATION, isTimeout } from './brand.js';
import { DroppedOperation, NotInGreenlet } from '../errors.js';
import { show } from './validate.js';
import type { Timeout } from '../timeout.js';
import type { Operation, Suspend } from '../operation.js';
import type { Greenlet } from '../greenlet.js';
import { HUB, REMOVE, STEP, WAIT, WAITING_ON, WAIT_STATE, WAKE } from './keys.js';

/** The value a suspended operation yields to the hub. */
export const SUSPEND = Symbol('grove.suspend') as unknown as Suspend;

/** WaitState.flags: the timeout is armed (the call has blocked once). */
const ARMED = 1;
/** WaitState.flags: the per-call timeout expired. */
const TIMED_OUT = 2;
/** WaitState.flags: free for each kind of call (a sleep's timer fired, an item was handed over...). */
export const KIND_FLAG = 4;

/**
 * Whether `markFresh` records where each Operation is made, for
 * `DroppedOperation` to show: `configure({ traceOperations })`, or
 * GROVE_TRACE_OPERATIONS=1 in the environment when grove loads. Off, the
 * hot path pays one test of this flag; on, a stack capture per blocking call.
 */
let tracing = typeof process === 'object' && /^(1|true)$/i.test(process.env?.GROVE_TRACE_OPERATIONS ?? '');

/** @internal turns the tracing of Operations on or off (config.ts). */
export function traceOperations(on: boolean): void {
  tracing = on;
  // A site captured before a switch may belong to another Operation: never shown.
  ctx.freshSite = null;
}

/** @internal whether Operations are traced. */
export function tracingOperations(): boolean {
  return tracing;
}

/** The error for an Operation that was created and never used with `yield*`. */
export function droppedError(label: string): DroppedOperation {
  let message = `${label}() was called without yield*: the Operation it returned never ran. Write \`yield* ${label}(...)\`.`;
  const site = tracing ? ctx.freshSite : null;
  if (site !== null && site.stack !== undefined) {
    // The stack was captured in markFresh: drop its header line and the frame of markFresh's caller
    // (WaitOp.call, sleep's yieldNow, Composite's constructor), so it starts at the call the user made.
    const frames = site.stack.split('\n').slice(2).join('\n');
    message += `\n${label}() was called\n${frames}`;
  }
  return new DroppedOperation(message);
}

/** Something the fresh-operation check can name. */
export interface Labelled {
  readonly label: string;
}

/**
 * Registers `op` as the running greenlet's unused Operation and returns the
 * greenlet; throws `DroppedOperation` if the previous one was never used,
 * and `NotInGreenlet` outside a greenlet.
 */
export function markFresh(op: Labelled): Greenlet<unknown> {
  const g = ctx.current;
  if (g === null) throw new NotInGreenlet(`${op.label}()`);
  const fresh = ctx.fresh;
  if (fresh !== null) {
    ctx.fresh = null;
    throw droppedError(fresh.label);
  }
  ctx.fresh = op;
  if (tracing) {
    const site: { stack?: string } = {};
    Error.captureStackTrace(site, markFresh);
    ctx.freshSite = site;
  }
  return g;
}

/**
 * Called when `op` is iterated: it must be the running greenlet's unused
 * Operation. Anything else is an Operation used twice, or kept and used
 * after another blocking call: its arguments are gone.
 */
export function claimFresh(op: Labelled): void {
  // Outside a greenlet `fresh` is null, so this is false there too.
  if (ctx.fresh !== op) {
    throw new TypeError(
      `${op.label}(): an Operation runs once, with yield* right where it was created; call ${op.label}() again instead of reusing it`,
    );
  }
  ctx.fresh = null;
}

/** Validates a `{ timeout }` option; Infinity and null mean none. */
export function checkTimeout(call: string, timeout: unknown): number | Timeout | null {
  if (timeout === undefined || timeout === null || timeout === Infinity) return null;
  if (isTimeout(timeout)) return timeout;
  if (typeof timeout !== 'number') {
    throw new TypeError(`${call}: timeout must be a number of ms or a Timeout, got ${show(timeout)}`);
  }
  if (!(timeout >= 0)) {
    throw new RangeError(`${call}: timeout must be a non-negative number of ms, got ${show(timeout)}`);
  }
  return timeout;
}

/**
 * A greenlet's blocking call in flight: its arguments, and the node and
 * timer entry it uses while blocked. One per greenlet, made on first need.
 */
export class WaitState extends Link implements TimerEntry {
  /** Iterator-result field: false while suspended, true once the value is known. */
  done = false;
  /** Iterator-result field: SUSPEND while suspended, then the result (until the next call). */
  value: unknown = undefined;
  /** The kind of call in flight. */
  op: WaitOp<unknown> | null = null;
  /** What it waits on (a queue, an event, a greenlet, a per-call record). */
  target: unknown = null;
  /** The call's argument (an item to put, a sleep's ms...). */
  arg: unknown = undefined;
  /** ms (> 0 arms a timer, 0 never blocks), a Timeout run for the call, or null. */
  timeout: number | Timeout | null = null;
  flags = 0;
  /**
   * Its deadline while its timer is armed (timer-heap.ts). It starts as
   * null, not 0: V8 gives a field that went from small integers to
   * fractions a boxed double in every object of the class, armed or not —
   * 16 bytes per idle actor — while one that started with an object holds
   * a number only once one is stored.
   */
  deadline = null as unknown as number;
  seq = 0;
  heapIndex = -1;

  constructor(readonly greenlet: Greenlet<unknown>) {
    super();
  }

  /** Its turn came in the list it waits in (hub context). */
  notify(source: unknown): void {
    this.op!.notify(this, source);
  }

  /** Its timer expired (hub context). */
  fire(): void {
    this.heapIndex = -1;
    const hub = this.greenlet[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'timer', greenlet: this.greenlet, label: this.op!.label });
    this.op!.fire(this);
  }
}

/**
 * A kind of blocking call. Subclasses are instantiated once; their factory
 * functions validate the arguments and return `this.call(...)`.
 */
export abstract class WaitOp<T> implements Operation<T>, Labelled {
  declare readonly [OPERATION]: true;

  /** The call's name for messages, e.g. `'Queue.get'`. */
  abstract readonly label: string;

  /** True when the call can complete now. */
  protected abstract isReady(s: WaitState): boolean;
  /** The result of a ready call (may throw, e.g. a failed greenlet's error). */
  protected abstract outcome(s: WaitState): T;
  /** Puts the call on the waiter list of what it waits on. */
  protected abstract enlist(s: WaitState): void;
  /** The result when a numeric timeout expires: a value (wait-style calls) or a throw (get-style). */
  protected abstract expire(s: WaitState): T;

  /**
   * True once the call's outcome was settled by someone else (a getter took
   * the item, the reply came, the promise settled) and the greenlet is
   * already on its way back to collect it. A Timeout that fires now must not
   * undo it: the call returns its result and the Timeout waits for the next
   * blocking call. Kinds whose waiter is resumed on the spot never see this.
   */
  completed(_s: WaitState): boolean {
    return false;
  }

  /**
   * Records a call on the running greenlet and returns the Operation to
   * `yield*`. `timeout` is validated first, so a bad one throws before
   * anything is recorded.
   */
  call(target: unknown, arg: unknown, timeout?: unknown): Operation<T> {
    const limit = timeout === undefined ? null : checkTimeout(this.label, timeout);
    const g = markFresh(this);
    const s = g[WAIT_STATE]();
    s.op = this as WaitOp<unknown>;
    s.target = target;
    s.arg = arg;
    s.timeout = limit;
    s.flags = 0;
    return this;
  }

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    claimFresh(this);
    return this as unknown as Iterator<Suspend, T, unknown>;
  }

  next(): IteratorResult<Suspend, T> {
    const s = ctx.current![WAIT]!;
    if (this.isReady(s)) {
      this.settle(s);
      return complete(s, this.outcome(s));
    }
    if ((s.flags & TIMED_OUT) !== 0 || s.timeout === 0) {
      s.flags |= TIMED_OUT;
      this.settle(s);
      return complete(s, this.expire(s));
    }
    this.enlist(s);
    return this.suspend(s);
  }

  /** An interrupt arrives here after `cancel` has cleaned up: let it through. */
  throw(error: unknown): never {
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspend, T> {
    const g = ctx.current;
    if (g !== null && g[WAITING_ON] === (this as WaitOp<unknown>)) {
      g[WAITING_ON] = null;
      this.cancel(g);
    }
    return { done: true, value: value as T };
  }

  /**
   * What a blocked call waits on, as `greenletInfo` shows it: its target (a
   * Queue, an Event, a Greenlet...); kinds whose target is a record of their
   * own give the public object behind it instead.
   */
  waitTarget(s: WaitState): unknown {
    return s.target;
  }

  /** Suspends the greenlet; arms the timeout the first time. */
  protected suspend(s: WaitState): IteratorResult<Suspend, T> {
    if ((s.flags & ARMED) === 0) {
      s.flags |= ARMED;
      const timeout = s.timeout;
      if (typeof timeout === 'number') s.greenlet[HUB]!.addTimer(s, timeout);
      else if (timeout !== null && !timeout.pending) timeout.start();
    }
    const g = s.greenlet;
    g[WAITING_ON] = this as WaitOp<unknown>;
    s.done = false;
    s.value = SUSPEND;
    const hub = g[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'suspend', greenlet: g, label: this.label });
    return s as IteratorResult<Suspend, T>;
  }

  /** The wait is over: stop the timeout. Called before computing a result that may throw. */
  protected settle(s: WaitState): void {
    this.disarm(s);
    s.greenlet[WAITING_ON] = null;
  }


  /** Its turn came: resume the greenlet right now, inside the notifier (gevent's order). */
  notify(s: WaitState, _source: unknown): void {
    s.greenlet[STEP]();
  }

  /**
   * The per-call timeout expired: stop waiting, and let the greenlet see it.
   * It stays `waitingOn` this call until it resumes, so that an interrupt
   * landing in between still runs `cancel` (an ask's ReplyTo, a call's
   * promise are let go there, not only in `expire`).
   */
  fire(s: WaitState): void {
    s.flags |= TIMED_OUT;
    this.detach(s);
    s.greenlet[WAKE]();
  }

  /** Interrupted (a kill, a Timeout, LoopExit): leave every list, stop the timer. */
  cancel(g: Greenlet<unknown>): void {
    const s = g[WAIT]!;
    this.detach(s);
    this.disarm(s);
  }

  /** Leaves the waiter list; kinds that were handed something pass it on here. */
  protected detach(s: WaitState): void {
    s.list?.[REMOVE](s);
  }

  private disarm(s: WaitState): void {
    const timeout = s.timeout;
    if (timeout === null) return;
    if (typeof timeout === 'number') {
      if (s.heapIndex >= 0) s.greenlet[HUB]!.removeTimer(s);
    } else {
      // gevent cancels a Timeout given as `timeout=` when the call returns, whichever way.
      timeout.cancel();
    }
  }
}
(WaitOp.prototype as unknown as { [OPERATION]: boolean })[OPERATION] = true;

/** Ends a call with `value`, carried by the greenlet's own WaitState. */
function complete<T>(s: WaitState, value: T): IteratorResult<Suspend, T> {
  s.value = value;
  s.done = true;
  return s as IteratorResult<Suspend, T>;
}

/**
 * A call woken by its turn in a waiter list (a queue's or an event's round):
 * KIND_FLAG records that the turn came, then the greenlet resumes on the spot.
 */
export abstract class TurnWaitOp<T> extends WaitOp<T> {
  override notify(s: WaitState): void {
    s.flags |= KIND_FLAG;
    s.greenlet[STEP]();
  }
}
