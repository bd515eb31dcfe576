/**
 * Greenlets: lightweight cooperative threads whose bodies are generator
 * functions, run by the hub one at a time, each until it blocks.
 *
 * A Greenlet is created not started (`new Greenlet(fn, ...args)`) or started
 * (`spawn(fn, ...args)`); `start()` queues it at the tail of the hub's ready
 * queue, and it first runs when the greenlets queued before it have run or
 * blocked. It ends by returning (its `value`), by throwing (its `exception`),
 * or by being killed: `kill()` raises `GreenletExit` at the point where it is
 * blocked, so its `finally` blocks run, and a greenlet ended by
 * `GreenletExit` counts as successful with the instance as its value.
 * Links, joiners and `get()` waiters are notified from the hub after death,
 * in the order they were added.
 *
 * Each step runs in the `AsyncLocalStorage` context the greenlet was
 * made in (internal/async-context.ts), and is timed by the hub's
 * blocking detector (blocking.ts), when those are on.
 */
import { ctx } from './internal/context.js';
import { batchingContexts, captureContext, type Context } from './internal/async-context.js';
import { watchedStep } from './blocking.js';
import { Linkable, CallbackLink, type Joiner } from './internal/linkable.js';
import { SUSPEND, WaitOp, WaitState, checkTimeout, droppedError } from './internal/wait.js';
import { OPERATION, isOperation, isThenable } from './internal/brand.js';
import type { TimerEntry } from './internal/timer-heap.js';
import { checkBody, checkBodyResult, checkFunction, checkMs, checkOptions, optionKeys, show, toException, type TimeoutOption } from './internal/validate.js';
import { ExitSignal, GreenletExit, NotInGreenlet, isPlainKill } from './errors.js';
import { getHub, type Hub } from './hub.js';
import { Timeout } from './timeout.js';
import { callOperation } from './call.js';
import type { Operation, PlainResult, Suspend } from './operation.js';
import {
  ADD_LINK, BEGIN, CHECK_STARTABLE, DIE, ENTER, EXTRA, EXTRAS, FAIL, FINISH, FLAGS, GEN,
  HUB, INTERRUPT, KILL_WITH, LOCAL_STORE, NEXT_LIVE, NOTIFY_HUB, NOTIFY_LINKS, OBSERVE,
  PENDING_ERROR, PREV_LIVE, RAISE_ON_SUSPEND, RAISE_TIMEOUT, RAW_LINK, REMOVE_CALLBACK, REPORT_LINK_ERROR, RESULT, RUN_TASK, SCHEDULED,
  SCHEDULE_NOTIFY, SETTLE, START_ON, STEP, WAIT, WAITING_ON, WAIT_STATE, WAKE, WITHDRAW,
  AWAIT_UP, FIRST_SUSPEND, HEAD, IS_UP, MARK_UP, PARENT, REMOVE, STOP_FOR_SHUTDOWN,
  RUNS, SPAWNER, START_DUE, CONTEXT, RESUME, JOINER, SIZE,
} from './internal/keys.js';

/** A greenlet's body: a generator function (the normal case), a plain function, or an async function. */
export type Body<T, A extends unknown[] = never[]> = (...args: A) => Operation<T> | PromiseLike<T> | T;

/** An `exception` option: an error class (instantiated with no arguments) or an error instance. */
export type ExceptionOption = Error | (new () => Error);

/** Options of `join()`. */
export interface JoinOptions {
  /** Give up after this many ms (`join` then returns false), or when this Timeout fires (it is raised). */
  timeout?: TimeoutOption;
}
const JOIN_KEYS = optionKeys<JoinOptions>({ timeout: true });

/** Options of `get()`. */
export interface GetOptions {
  /** Give up after this many ms and throw `Timeout`; `0` never blocks. A Timeout given here is raised itself. */
  timeout?: TimeoutOption;
}
const GET_KEYS = optionKeys<GetOptions>({ timeout: true });

/** Options of `kill()`. */
export interface KillOptions {
  /** What to raise in the greenlet: an error class or instance; `GreenletExit` by default. */
  exception?: ExceptionOption;
  /** With `yield*`: stop waiting for the death after this many ms (silently, as gevent does). */
  timeout?: TimeoutOption;
}
const KILL_KEYS = optionKeys<KillOptions>({ exception: true, timeout: true });

const STARTED = 1;
const RAN = 2;
const DEAD = 4;
const FAILED = 8;
/** Someone will see a failure (a joiner, a link, run()): the hub need not report it. */
const OBSERVED = 16;
/** Its start phase is over (see `[MARK_UP]`); stays set after death. */
const UP = 32;

/** pendingError's "nothing pending" (undefined is a legal thing to throw). */
const NO_ERROR: unique symbol = Symbol('grove.noError');

/** Rarely used per-greenlet state, kept out of line so a greenlet stays small. */
interface Extras {
  name?: string;
  abort?: AbortController;
  killReason?: unknown;
  startTimer?: StartTimer;
  locals?: Map<object, object>;
  /** Interrupts that arrived while another was still being delivered. */
  pending?: unknown[];
  /** The greenlet that stops it (its supervisor), if any. */
  parent?: Greenlet<unknown>;
}

let lastId = 0;

/** The error thrown into a generator that yielded something other than an Operation. */
function badYield(g: Greenlet<unknown>, value: unknown): TypeError {
  if (ctx.fresh === value) ctx.fresh = null;
  const what = isOperation(value) ? 'an Operation' : show(value);
  return new TypeError(
    `${g.name} yielded ${what} to the hub: a greenlet may only use \`yield*\` with Operations ` +
      '(write `yield* sleep(1)`, not `yield sleep(1)`)',
  );
}

/**
 * A cooperative thread. Construct it with a body and arguments, or subclass
 * it and override `run()` (gevent's `_run`).
 */
export class Greenlet<T = unknown> extends Linkable {
  /** A process-wide unique number, in creation order. */
  readonly id: number;
  /** @internal the hub it runs on; set when it is started. */
  [HUB]: Hub | null = null;
  /**
   * @internal the running body; before its first step, the arguments for
   * the body (null without any): the slot is free until then.
   */
  [GEN]: Iterator<unknown, unknown, unknown> | unknown[] | null = null;
  /** @internal the kind of blocking call it is suspended in. */
  [WAITING_ON]: WaitOp<unknown> | null = null;
  /** @internal its blocking call's state; made on first need. */
  [WAIT]: WaitState | null = null;
  /** @internal an error to raise when it next resumes. */
  [PENDING_ERROR]: unknown = NO_ERROR;
  /** @internal neighbours in the hub's list of live greenlets. */
  [PREV_LIVE]: Greenlet<unknown> | null = null;
  /** @internal */
  [NEXT_LIVE]: Greenlet<unknown> | null = null;
  /**
   * @internal the first `joinAll` or `wait` on it, when nothing else was
   * linked to it yet: held here rather than as a node among its links (a
   * joinAll of many greenlets allocates no node for each), and notified
   * before them, which were all added after it.
   */
  [JOINER]: Joiner | null = null;
  /** @internal */
  private [FLAGS] = 0;
  /**
   * @internal what it returned or threw, once dead; before its first step,
   * the function given to the constructor (undefined for a subclass's
   * `run()`): the slot is free then, and a greenlet is 8 bytes smaller.
   */
  private [RESULT]: unknown;
  /** @internal */
  private [EXTRAS]: Extras | null = null;
  /** @internal how many times the hub has switched into it (Erlang's reductions, roughly). */
  [RUNS] = 0;
  /** @internal the id of the greenlet that started it; 0 when started outside any greenlet. */
  [SPAWNER] = 0;
  /** @internal the async context it runs in (internal/async-context.ts), shared with others; null when not captured. */
  [CONTEXT]: Context | null = captureContext();

  /**
   * A greenlet that will run `fn(...args)` once started. Subclasses that
   * override `run()` call `super()` with no arguments.
   */
  constructor(fn: (...args: never[]) => Operation<T>, ...args: unknown[]);
  constructor(fn: (...args: never[]) => PromiseLike<T>, ...args: unknown[]);
  constructor(fn: (...args: never[]) => PlainResult<T>, ...args: unknown[]);
  /** For a subclass that overrides `run()`: `super()`. */
  constructor();
  constructor(fn?: Body<T>, ...args: unknown[]) {
    super();
    this.id = ++lastId;
    if (fn === undefined || fn === null) {
      if (this.run === Greenlet.prototype.run) {
        throw new TypeError('new Greenlet: give it a function to run, or subclass Greenlet and override run()');
      }
      this[RESULT] = undefined;
    } else {
      checkBody('new Greenlet', 'fn', fn);
      this[RESULT] = fn;
      if (args.length > 0) this[GEN] = args;
    }
  }

  /**
   * Creates and starts a greenlet: `Greenlet.spawn(fn, ...args)`, or for a
   * subclass, `Sub.spawn(...constructorArgs)`.
   */
  static spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T>, ...args: A): Greenlet<T>;
  static spawn<T, A extends unknown[]>(fn: (...args: A) => PromiseLike<T>, ...args: A): Greenlet<T>;
  static spawn<T, A extends unknown[]>(fn: (...args: A) => PlainResult<T>, ...args: A): Greenlet<T>;
  static spawn<G extends Greenlet<unknown>, P extends unknown[]>(this: new (...args: P) => G, ...args: P): G;
  static spawn(this: new (...args: unknown[]) => Greenlet<unknown>, ...args: unknown[]): Greenlet<unknown> {
    const g = new this(...args);
    g.start();
    return g;
  }

  /**
   * The body, for subclasses to override (gevent's `_run`): a generator
   * method (or a plain or async one). Not called when a function was given
   * to the constructor.
   */
  protected run(): Operation<T> | PromiseLike<T> | T {
    throw new TypeError(`${this.name} has no body`);
  }

  // ---- state -------------------------------------------------------------

  /**
   * True once `start()` (or `startLater`) was called, and from then on: it
   * stays true after death, also for a greenlet killed before it ran (gevent
   * resets it to false; grove does not, on purpose). False for a greenlet
   * never started, killed or not.
   */
  get started(): boolean {
    return (this[FLAGS] & STARTED) !== 0;
  }

  /** True once the greenlet has ended, whichever way. */
  get dead(): boolean {
    return (this[FLAGS] & DEAD) !== 0;
  }

  /** True once the greenlet has ended (gevent's `ready()`). */
  override ready(): boolean {
    return (this[FLAGS] & DEAD) !== 0;
  }

  /** True if it ended by returning or by `GreenletExit`. */
  successful(): boolean {
    return (this[FLAGS] & (DEAD | FAILED)) === DEAD;
  }

  /**
   * What it returned; undefined until then or if it failed. gevent's rule: a
   * greenlet killed with `GreenletExit` ended successfully and its value is
   * that `GreenletExit` instance (the type says `T`; check `exitReason(g)`
   * or `instanceof GreenletExit` when a kill is possible).
   */
  get value(): T | undefined {
    return this.successful() ? (this[RESULT] as T) : undefined;
  }

  /** The error it died of; undefined if it succeeded or is still running. */
  get exception(): unknown {
    return (this[FLAGS] & FAILED) !== 0 ? this[RESULT] : undefined;
  }

  /** A readable name: given, or `<Class>-<id>` (`Greenlet-3`). */
  get name(): string {
    return this[EXTRAS]?.name ?? `${this.constructor.name || 'Greenlet'}-${this.id}`;
  }

  set name(name: string) {
    if (typeof name !== 'string') throw new TypeError(`Greenlet.name must be a string, got ${show(name)}`);
    this[EXTRA]().name = name;
  }

  /**
   * Aborted when the greenlet is killed, with the kill's exception as reason:
   * pass it to promise-based work (`fetch(url, { signal })`) to cancel it.
   */
  get signal(): AbortSignal {
    const extras = this[EXTRA]();
    if (extras.abort === undefined) {
      extras.abort = new AbortController();
      if (extras.killReason !== undefined) extras.abort.abort(extras.killReason);
    }
    return extras.abort.signal;
  }

  override toString(): string {
    return `<${this.constructor.name || 'Greenlet'} "${this.name}">`;
  }

  /** How Node's `console.log` and `util.inspect` show it: `<Actor "worker-1">`, not its whole object graph. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- starting ----------------------------------------------------------

  /**
   * Queues the greenlet to run at the tail of the ready queue; it runs when
   * the greenlets queued before it have run. Starting a greenlet that was
   * killed before it started does nothing; starting one twice, or one that
   * already ran, is an error.
   */
  start(): this {
    if (this[CHECK_STARTABLE]('start')) this[START_ON](ctx.hub ?? getHub());
    return this;
  }

  /** Starts the greenlet after `ms` milliseconds (Infinity: never; it can still be killed). */
  startLater(ms: number): this {
    checkMs('Greenlet.startLater', 'ms', ms);
    if (!this[CHECK_STARTABLE]('startLater')) return this;
    const hub = this[ENTER](ctx.hub ?? getHub());
    const timer = new StartTimer(this);
    this[EXTRA]().startTimer = timer;
    hub.addTimer(timer, ms);
    return this;
  }

  /** @internal starts the greenlet on a given hub. */
  [START_ON](hub: Hub): void {
    this[ENTER](hub);
    this[WAKE]();
  }

  /** @internal */
  private [CHECK_STARTABLE](call: string): boolean {
    // Killed before it ran (started or not): starting it does nothing (it never runs), as in gevent.
    if ((this[FLAGS] & (DEAD | RAN)) === DEAD) return false;
    if ((this[FLAGS] & DEAD) !== 0) throw new Error(`Greenlet.${call}: ${this.name} already ran; a greenlet runs once (make a new one)`);
    if ((this[FLAGS] & STARTED) !== 0) throw new Error(`Greenlet.${call}: ${this.name} was already started`);
    return true;
  }

  /** @internal */
  private [ENTER](hub: Hub): Hub {
    this[HUB] = hub;
    this[FLAGS] |= STARTED;
    const spawner = ctx.current;
    if (spawner !== null) this[SPAWNER] = spawner.id;
    hub.addLive(this);
    if (hub.listeners !== null) hub.emit({ type: 'spawn', greenlet: this });
    return hub;
  }

  // ---- running (internal) ------------------------------------------------

  /** @internal queues the greenlet to resume, once. */
  [WAKE](): void {
    if (!this[SCHEDULED]) this[HUB]!.schedule(this);
  }

  /** @internal run by the hub: resume the greenlet, or notify its links once it is dead. */
  override [RUN_TASK](): void {
    this[SCHEDULED] = false;
    if ((this[FLAGS] & DEAD) !== 0) this[NOTIFY_LINKS]();
    else this[STEP]();
  }

  /** @internal queues the notification round, once: for its joiner (see `JOINER`) and its links. */
  override [SCHEDULE_NOTIFY](): void {
    if (!this[SCHEDULED] && (this[SIZE] > 0 || this[JOINER] !== null)) this[NOTIFY_HUB]().schedule(this);
  }

  /** @internal the joiner first (it was linked before the others), then the links in order. */
  protected override [NOTIFY_LINKS](): void {
    const joiner = this[JOINER];
    if (joiner !== null) {
      this[JOINER] = null;
      joiner.leftSlot(this as Greenlet<unknown>);
    }
    super[NOTIFY_LINKS]();
  }

  /**
   * @internal resumes the greenlet until it blocks or ends: `RESUME`, in
   * its async context (entered for this step unless the hub is in it
   * already: internal/async-context.ts), timed by the blocking detector
   * when it is on (blocking.ts). Called only by the hub.
   */
  [STEP](): void {
    const context = this[CONTEXT];
    if (context !== null && context !== ctx.scope) context.run(stepInScope, this as Greenlet<unknown>);
    else stepHere(this as Greenlet<unknown>);
  }

  /**
   * @internal the driver: resumes the greenlet until it blocks (its
   * innermost Operation yields SUSPEND) or ends.
   */
  [RESUME](): void {
    const hub = this[HUB]!;
    hub.switches++;
    if (hub.tracers !== null) {
      // Emitted from the hub, before the greenlet runs: a subscriber that kills it
      // interrupts it as any caller would, and one that never ran is dead now.
      hub.trace({ type: 'switch', greenlet: this });
      if ((this[FLAGS] & DEAD) !== 0) return;
    }
    this[RUNS]++;
    ctx.current = this as Greenlet<unknown>;
    let r: IteratorResult<unknown, unknown>;
    let first = false;
    try {
      let gen: Iterator<unknown, unknown, unknown>;
      if ((this[FLAGS] & RAN) !== 0) gen = this[GEN] as Iterator<unknown, unknown, unknown>;
      else {
        first = true;
        const begun = this[BEGIN]();
        if (begun === null) {
          ctx.current = null;
          this[SETTLE](this[RESULT]);
          return;
        }
        gen = begun;
      }
      const error = this[PENDING_ERROR];
      if (error === NO_ERROR) r = gen.next();
      else {
        this[PENDING_ERROR] = NO_ERROR;
        r = gen.throw!(error);
      }
      while (r.done !== true && r.value !== SUSPEND) r = gen.throw!(badYield(this, r.value));
    } catch (error) {
      ctx.current = null;
      this[DIE](error);
      return;
    }
    ctx.current = null;
    if (r.done === true) this[SETTLE](r.value);
    else {
      if (first) this[FIRST_SUSPEND]();
      const pending = this[EXTRAS]?.pending;
      if (pending !== undefined && pending.length > 0) this[INTERRUPT](pending.shift());
    }
  }

  /** @internal calls the body; returns the iterator to drive, or null for a plain value (kept in `result`). */
  private [BEGIN](): Iterator<unknown, unknown, unknown> | null {
    this[FLAGS] |= RAN;
    const fn = this[RESULT] as ((...args: unknown[]) => unknown) | undefined;
    const args = this[GEN] as unknown[] | null;
    this[RESULT] = undefined;
    this[GEN] = null;
    const result = fn === undefined ? this.run() : args === null ? fn() : fn(...args);
    if (isOperation(result)) return (this[GEN] = result[Symbol.iterator]() as Iterator<unknown, unknown, unknown>);
    if (isThenable(result)) return (this[GEN] = callOperation(result)[Symbol.iterator]() as Iterator<unknown, unknown, unknown>);
    checkBodyResult(`the body of ${this.name}`, result);
    this[RESULT] = result;
    return null;
  }

  /**
   * @internal raises `error` in the greenlet where it is blocked: its wait is
   * cancelled and it resumes with the error. Raised at once if the greenlet
   * is the one running; queued behind an interrupt not yet delivered.
   */
  [INTERRUPT](error: unknown): void {
    if ((this[FLAGS] & DEAD) !== 0) return;
    if (ctx.current === (this as Greenlet<unknown>)) throw error;
    if (this[PENDING_ERROR] !== NO_ERROR) {
      (this[EXTRA]().pending ??= []).push(error);
      return;
    }
    this[PENDING_ERROR] = error;
    const waitingOn = this[WAITING_ON];
    if (waitingOn !== null) {
      this[WAITING_ON] = null;
      waitingOn.cancel(this as Greenlet<unknown>);
    }
    this[WAKE]();
  }

  /**
   * @internal raises a fired Timeout's `error` (hub context). If the call
   * the greenlet is blocked in has already completed (`WaitOp.completed`),
   * the call keeps its result and the error waits for the greenlet's next
   * blocking call; so it does behind an interrupt not yet delivered. Returns
   * true when it was queued that way, so that `cancel()` can withdraw it.
   */
  [RAISE_TIMEOUT](error: unknown): boolean {
    if ((this[FLAGS] & DEAD) !== 0) return false;
    const waitingOn = this[WAITING_ON];
    if (this[PENDING_ERROR] === NO_ERROR && (waitingOn === null || !waitingOn.completed(this[WAIT]!))) {
      this[INTERRUPT](error);
      return false;
    }
    (this[EXTRA]().pending ??= []).push(error);
    return true;
  }

  /** @internal takes back a queued interrupt not yet delivered (a Timeout cancelled meanwhile). */
  [WITHDRAW](error: unknown): void {
    const pending = this[EXTRAS]?.pending;
    if (pending === undefined) return;
    const index = pending.indexOf(error);
    if (index >= 0) pending.splice(index, 1);
  }

  /** @internal */
  private [DIE](error: unknown): void {
    if (error instanceof GreenletExit) this[SETTLE](error);
    else this[FAIL](error);
  }

  /** @internal */
  private [SETTLE](value: unknown): void {
    // Its own step just ended (the hub clears `current` first) with an Operation unused: it was this
    // greenlet's (see ctx.fresh). Killed before it ran, by a greenlet running now: that one's is not ours.
    const fresh = ctx.current === null ? ctx.fresh : null;
    if (fresh !== null) {
      ctx.fresh = null;
      this[FINISH](droppedError(fresh.label), FAILED);
    } else this[FINISH](value, 0);
  }

  /** @internal */
  private [FAIL](error: unknown): void {
    if (ctx.current === null) ctx.fresh = null;
    this[FINISH](error, FAILED);
  }

  /** @internal */
  private [FINISH](result: unknown, failed: number): void {
    this[FLAGS] |= DEAD | failed;
    this[RESULT] = result;
    this[GEN] = null;
    this[WAITING_ON] = null;
    this[WAIT] = null;
    this[PENDING_ERROR] = NO_ERROR;
    this[CONTEXT] = null;
    const hub = this[NOTIFY_HUB]();
    const extras = this[EXTRAS];
    if (extras !== null) {
      extras.pending = undefined;
      extras.locals = undefined;
      if (extras.startTimer !== undefined) {
        hub.removeTimer(extras.startTimer);
        extras.startTimer = undefined;
      }
    }
    hub.removeLive(this as Greenlet<unknown>);
    if (failed !== 0 && (this[FLAGS] & OBSERVED) === 0) hub.report(result, { greenlet: this, where: 'greenlet' });
    if (hub.listeners !== null) hub.emit({ type: 'exit', greenlet: this, reason: exitReason(this) });
    this[SCHEDULE_NOTIFY]();
  }

  /** @internal */
  protected override [NOTIFY_HUB](): Hub {
    return this[HUB] ?? ctx.hub ?? getHub();
  }

  /** @internal */
  override [REPORT_LINK_ERROR](error: unknown): void {
    this[NOTIFY_HUB]().report(error, { greenlet: this, where: 'link' });
  }

  /** @internal the state of its blocking calls. */
  [WAIT_STATE](): WaitState {
    return (this[WAIT] ??= new WaitState(this as Greenlet<unknown>));
  }

  /** @internal */
  private [EXTRA](): Extras {
    return (this[EXTRAS] ??= {});
  }

  /** @internal per-greenlet storage of `local` objects. */
  [LOCAL_STORE](): Map<object, object> {
    return (this[EXTRA]().locals ??= new Map());
  }

  /** @internal marks the greenlet as watched: its failure is seen by someone, not reported. */
  [OBSERVE](): void {
    this[FLAGS] |= OBSERVED;
  }

  // ---- being up (internal) ----------------------------------------------

  /**
   * @internal Its start phase is over: for a plain greenlet, once its first
   * step has run to a blocking point; an Actor says when (its `init`
   * returned). Wakes the callers of `[AWAIT_UP]`.
   */
  [MARK_UP](): void {
    if ((this[FLAGS] & (UP | DEAD)) !== 0) return;
    this[FLAGS] |= UP;
    // Up-waiters sit among the death links (so a death wakes them too): take them out and wake them.
    for (let link = this[HEAD]; link !== null; ) {
      const next = link.nextLink;
      if (link instanceof WaitState && link.op === (UP_WAIT as WaitOp<unknown>)) {
        this[REMOVE](link);
        link.greenlet[WAKE]();
      }
      link = next;
    }
  }

  /** @internal true once its start phase was over (see `[MARK_UP]`), also after its death. */
  [IS_UP](): boolean {
    return (this[FLAGS] & UP) !== 0;
  }

  /** @internal its first step suspended: a plain greenlet is up. Actors override it. */
  [FIRST_SUSPEND](): void {
    this[MARK_UP]();
  }

  /**
   * @internal waits until it is up (true) or dead without having been up
   * (false); `Timeout` after `timeout` ms. What a supervisor waits for when
   * it starts a child, and what `Actor.up()` builds on.
   */
  [AWAIT_UP](timeout?: TimeoutOption): Operation<boolean> {
    return UP_WAIT.call(this, undefined, timeout);
  }

  /** @internal the hub time at which a `startLater` starts it; undefined when none is pending. */
  [START_DUE](): number | undefined {
    const timer = this[EXTRAS]?.startTimer;
    return timer !== undefined && timer.heapIndex >= 0 ? timer.deadline : undefined;
  }

  /** @internal the greenlet that stops it (its supervisor), or null. */
  get [PARENT](): Greenlet<unknown> | null {
    return this[EXTRAS]?.parent ?? null;
  }

  /** @internal */
  set [PARENT](parent: Greenlet<unknown> | null) {
    this[EXTRA]().parent = parent ?? undefined;
  }

  /**
   * @internal how `shutdown()` stops it: raises `exception` (a GreenletExit
   * when none is given). Actors stop the way their parent would stop them.
   */
  [STOP_FOR_SHUTDOWN](exception: Error | undefined): void {
    this[KILL_WITH](exception ?? new GreenletExit());
  }

  // ---- waiting on it -----------------------------------------------------

  /**
   * Waits until the greenlet is dead. Returns true, or false when the
   * timeout (ms) expires first; a Timeout given as `timeout` is raised
   * instead. Never throws the greenlet's error. If the caller is killed
   * while waiting, it stops waiting and the kill goes on.
   */
  join(options?: JoinOptions): Operation<boolean> {
    checkOptions('Greenlet.join', options, JOIN_KEYS);
    if (ctx.current === (this as Greenlet<unknown>)) throw new Error(`Greenlet.join: ${this.name} cannot join itself`);
    this[OBSERVE]();
    return JOIN.call(this, undefined, options?.timeout);
  }

  /**
   * Waits until the greenlet is dead and returns its value, or throws its
   * exception. Throws `Timeout` if the timeout (ms) expires first (`0`:
   * never blocks); a Timeout given as `timeout` is raised itself.
   */
  get(options?: GetOptions): Operation<T> {
    checkOptions('Greenlet.get', options, GET_KEYS);
    if (ctx.current === (this as Greenlet<unknown>)) throw new Error(`Greenlet.get: ${this.name} cannot wait for itself`);
    this[OBSERVE]();
    return GET.call(this, undefined, options?.timeout) as Operation<T>;
  }

  /**
   * Raises `GreenletExit` (or `exception`) in the greenlet where it is
   * blocked, so its `finally` blocks run. Takes effect when called and does
   * not block; the returned Operation, used with `yield*`, waits for the
   * death (up to `timeout` ms, then gives up silently). A greenlet that has
   * not started yet never runs; killing a dead one does nothing. Killing
   * the running greenlet raises the exception right here.
   */
  kill(options?: KillOptions): Operation<void> {
    checkOptions('Greenlet.kill', options, KILL_KEYS);
    const error = toException('Greenlet.kill', options?.exception) ?? new GreenletExit();
    const timeout = checkTimeout('Greenlet.kill', options?.timeout);
    this[KILL_WITH](error);
    return waitForDeath([this], timeout);
  }

  /**
   * @internal raises `error` at the blocking call the greenlet is suspending
   * in right now (from a `suspend` event: grove/testing's fault injection).
   * It is delivered as the greenlet suspends, as a kill would be then.
   */
  [RAISE_ON_SUSPEND](error: unknown): void {
    if ((this[FLAGS] & DEAD) !== 0) return;
    (this[EXTRA]().pending ??= []).push(error);
  }

  /** @internal kill without waiting. */
  [KILL_WITH](error: unknown): void {
    if ((this[FLAGS] & DEAD) !== 0) return;
    const extras = this[EXTRA]();
    extras.killReason = error;
    extras.abort?.abort(error);
    if ((this[FLAGS] & RAN) === 0) {
      // It never ran, so it never will: dead at once, links on the next turn. `started` stays as it was.
      this[DIE](error);
      return;
    }
    this[INTERRUPT](error);
  }

  // ---- links -------------------------------------------------------------

  /**
   * Calls `callback(greenlet)` from the hub after the greenlet dies, in the
   * order links were added; at the next turn if it is already dead.
   * Callbacks must not block (spawn a greenlet for that); an error they throw
   * is reported and the other links still run.
   */
  link(callback: (greenlet: this) => void): void {
    checkFunction('Greenlet.link', 'callback', callback);
    this[OBSERVE]();
    this[ADD_LINK](new CallbackLink<this>(callback, null));
  }

  /** Like `link`, but only when the greenlet succeeds (returned, or killed with GreenletExit). */
  linkValue(callback: (greenlet: this) => void): void {
    checkFunction('Greenlet.linkValue', 'callback', callback);
    this[ADD_LINK](new CallbackLink<this>(callback, (g) => g.successful()));
  }

  /** Like `link`, but only when the greenlet fails. */
  linkException(callback: (greenlet: this) => void): void {
    checkFunction('Greenlet.linkException', 'callback', callback);
    this[OBSERVE]();
    this[ADD_LINK](new CallbackLink<this>(callback, (g) => !g.successful()));
  }

  /** Removes every link of `callback`. */
  unlink(callback: (greenlet: this) => void): void {
    this[REMOVE_CALLBACK](callback);
  }

  /** @internal a link that runs whether or not anyone else watches; `observe` marks failures as seen. */
  [RAW_LINK](callback: (greenlet: this) => void, observe: boolean): void {
    if (observe) this[OBSERVE]();
    this[ADD_LINK](new CallbackLink<this>(callback, null));
  }
}

/**
 * How a dead greenlet ended, in Erlang's terms: `'normal'` (it returned,
 * or an actor was stopped), `'killed'` (GreenletExit), an ExitSignal's
 * reason, or the error it threw.
 * Undefined while it is alive.
 */
export function exitReason(g: Greenlet<unknown>): unknown {
  checkGreenlet('exitReason', g);
  if (!g.dead) return undefined;
  if (g.successful()) return isPlainKill(g.value) ? 'killed' : 'normal';
  const error = g.exception;
  return error instanceof ExitSignal ? error.reason : error;
}

/**
 * @internal throws a TypeError unless `value` is a Greenlet (an Actor is
 * one), naming the call and, when given, the argument.
 */
export function checkGreenlet(call: string, value: unknown, field?: string): asserts value is Greenlet<unknown> {
  if (value instanceof Greenlet) return;
  const what = field === undefined ? 'expected a Greenlet' : `${field} must be a Greenlet or an Actor`;
  throw new TypeError(`${call}: ${what}, got ${show(value)}`);
}

/**
 * A step run in the scope the hub is in: timed when the hub watches for
 * blocking; if it changed the context entered (`enterWith`), the greenlet
 * keeps the change as a context of its own and the shared one is put back.
 */
function stepHere(g: Greenlet<unknown>): void {
  const hub = g[HUB]!;
  if (hub.watch === null) g[RESUME]();
  else watchedStep(g, hub);
  const scope = ctx.scope;
  if (scope !== null && scope.changed()) {
    const own = scope.split();
    if (own !== null && !g.dead) g[CONTEXT] = own;
  }
}

/**
 * A step in the scope of its own context, entered for it (`this` is the
 * greenlet: `Context.run` calls it so). The hub's next batch that starts
 * with a queue's or event's round will run in that context too.
 */
function stepInScope(this: Greenlet<unknown>): void {
  const outer = ctx.scope;
  const context = this[CONTEXT];
  if (batchingContexts()) {
    ctx.scope = context;
    this[HUB]!.lastContext = context;
  }
  try {
    stepHere(this);
  } finally {
    ctx.scope = outer;
  }
}

/** Fires `startLater`. */
class StartTimer implements TimerEntry {
  deadline = 0;
  seq = 0;
  heapIndex = -1;
  constructor(private readonly greenlet: Greenlet<unknown>) {}
  fire(): void {
    this.heapIndex = -1;
    const hub = this.greenlet[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'timer', greenlet: this.greenlet, label: 'startLater' });
    this.greenlet[WAKE]();
  }
}

/** Waiting for a greenlet's death: `join()` and `get()`. */
abstract class DeathWait<T> extends WaitOp<T> {
  protected isReady(s: WaitState): boolean {
    return (s.target as Greenlet<unknown>).dead;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Greenlet<unknown>)[ADD_LINK](s);
  }
}

/** `join()`: true, or false on timeout. */
class JoinOp extends DeathWait<boolean> {
  readonly label = 'Greenlet.join';
  protected outcome(): boolean {
    return true;
  }
  protected expire(): boolean {
    return false;
  }
}

/** `get()`: the value, or the error rethrown; Timeout on timeout. */
class GetOp extends DeathWait<unknown> {
  readonly label = 'Greenlet.get';
  protected outcome(s: WaitState): unknown {
    const target = s.target as Greenlet<unknown>;
    if (!target.successful()) throw target.exception;
    return target.value;
  }
  protected expire(s: WaitState): unknown {
    throw new Timeout(s.timeout as number);
  }
}

/** `[AWAIT_UP]`: true once up, false if it died first; Timeout on timeout. */
class UpWaitOp extends DeathWait<boolean> {
  readonly label = 'Actor.up';
  protected override isReady(s: WaitState): boolean {
    const g = s.target as Greenlet<unknown>;
    return g.dead || g[IS_UP]();
  }
  protected outcome(s: WaitState): boolean {
    return (s.target as Greenlet<unknown>)[IS_UP]();
  }
  protected expire(s: WaitState): boolean {
    throw new Timeout(s.timeout as number);
  }
}

const JOIN = new JoinOp();
const GET = new GetOp();
const UP_WAIT = new UpWaitOp();

/**
 * The Operation `kill`, `killAll` and `shutdown` return: the kill already
 * happened, so leaving it unused is fine (it is not checked as a dropped
 * call); used with `yield*` it waits for every victim's death.
 */
export function waitForDeath(victims: Greenlet<unknown>[], timeout: number | Timeout | null): Operation<void> {
  const op: Operation<void> & { [OPERATION]: true } = {
    [OPERATION]: true,
    *[Symbol.iterator](): Generator<Suspend, void, unknown> {
      if (timeout instanceof Timeout) {
        // One Timeout covers every join: started once, cancelled at the end.
        if (!timeout.pending) timeout.start();
        try {
          for (const victim of victims) if (!victim.dead) yield* JOIN.call(victim, undefined);
        } finally {
          timeout.cancel();
        }
        return;
      }
      const hub = getHub();
      const deadline = timeout === null ? Infinity : hub.now() + timeout;
      for (const victim of victims) {
        if (victim.dead) continue;
        const left = deadline === Infinity ? null : Math.max(0, deadline - hub.now());
        if (!(yield* JOIN.call(victim, undefined, left))) return;
      }
    },
  };
  return op;
}

/**
 * Creates a greenlet running `fn(...args)` and starts it: it runs when the
 * greenlets already queued have run. Never switches.
 */
export function spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T>, ...args: A): Greenlet<T>;
export function spawn<T, A extends unknown[]>(fn: (...args: A) => PromiseLike<T>, ...args: A): Greenlet<T>;
export function spawn<T, A extends unknown[]>(fn: (...args: A) => PlainResult<T>, ...args: A): Greenlet<T>;
export function spawn<T, A extends unknown[]>(fn: Body<T, A>, ...args: A): Greenlet<T> {
  checkBody('spawn', 'fn', fn);
  const g = new Greenlet<T>(fn as unknown as () => Operation<T>);
  if (args.length > 0) g[GEN] = args; // the arguments wait in the body's slot until it starts
  g.start();
  return g;
}

/** Creates a greenlet running `fn(...args)` and starts it after `ms` milliseconds. */
export function spawnLater<T, A extends unknown[]>(ms: number, fn: (...args: A) => Operation<T>, ...args: A): Greenlet<T>;
export function spawnLater<T, A extends unknown[]>(ms: number, fn: (...args: A) => PromiseLike<T>, ...args: A): Greenlet<T>;
export function spawnLater<T, A extends unknown[]>(ms: number, fn: (...args: A) => PlainResult<T>, ...args: A): Greenlet<T>;
export function spawnLater<T, A extends unknown[]>(ms: number, fn: Body<T, A>, ...args: A): Greenlet<T> {
  checkMs('spawnLater', 'ms', ms);
  checkBody('spawnLater', 'fn', fn);
  const g = new Greenlet<T>(fn as unknown as () => Operation<T>);
  if (args.length > 0) g[GEN] = args; // the arguments wait in the body's slot until it starts
  g.startLater(ms);
  return g;
}

/** The greenlet running now. Throws `NotInGreenlet` outside any greenlet. */
export function getCurrent(): Greenlet<unknown> {
  const g = ctx.current;
  if (g === null) throw new NotInGreenlet('getCurrent()');
  return g;
}
