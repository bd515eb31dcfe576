/**
 * The hub: grove's scheduler, one per program (`getHub()`), or one per test
 * (`new Hub({ clock: 'virtual' })`, which `grove/testing` creates for you).
 *
 * It owns the FIFO ready queue, the timer heap, and the bridge to Node's
 * event loop. Its loop follows gevent's: a pass runs the ready queue until
 * it is empty — greenlets and notifiers queued during the pass included, so
 * a multi-step wake-up (put → getter runs → `set()` → waiter) completes
 * before any timer looks — then fires the timers that are due, then the next
 * pass. A pass that would never end (greenlets that `sleep(0)` in a loop)
 * is cut short so timers are not starved: on a real clock after 5 ms
 * (gevent's switch interval, checked every 50 tasks, as gevent does), on a
 * virtual clock or a seeded hub after 1000 tasks (no real time passes
 * there, and a run must replay identically). So `sleep(0)` never processes
 * timers itself, and a timer that expired during a busy stretch fires after
 * the greenlets already queued. When nothing is ready
 * the hub sleeps until its next timer (a real clock arms one Node timer; a
 * virtual clock jumps straight to the deadline) or until a promise a
 * greenlet waits on settles. While a promise is pending, a virtual clock
 * does not run ahead of real time: it reaches its next deadline only once
 * as much real time has passed. When nothing at all can happen any more —
 * nothing ready, no timers, no promise that can still settle (once Node's
 * own event loop has run dry, none can) — the greenlets `run()` waits for
 * get `LoopExit` instead of hanging silently.
 * A seeded hub (`new Hub({ seed, strategy })`, as grove/testing's explore
 * makes) hands each turn of its ready queue to a schedule policy
 * (internal/schedule.ts) instead of running it FIFO. A greenlet step that
 * holds the hub too long is reported by its blocking detector (blocking.ts).
 */
import type { Observable, Subscriber } from 'rxjs';
import { ReportingObservable } from './internal/reporting-observable.js';
import { Deque, trimIdleDeques } from './internal/deque.js';
import { TimerHeap, type TimerEntry } from './internal/timer-heap.js';
import { ctx } from './internal/context.js';
import type { Task } from './internal/task.js';
import { ExitSignal, GreenletExit, LoopExit, describeReason } from './errors.js';
import { Greenlet } from './greenlet.js';
import type { Operation, PlainResult } from './operation.js';
import { checkBody, checkOptions, optionKeys } from './internal/validate.js';
import { checkSchedule, schedulePolicy, type SchedulePolicy } from './internal/schedule.js';
import { BlockingWatch, blockingDefaults, checkMaxBlockingMs } from './blocking.js';
import { batchingContexts, type Context } from './internal/async-context.js';
import {
  CONTEXT, INTERRUPT, NEXT_LIVE, PREV_LIVE, RAW_LINK, RUN_TASK, SCHEDULED, START_ON, WAITING_ON,
} from './internal/keys.js';

/** Which clock a hub's timers run on. */
export type Clock = 'real' | 'virtual';

/** How a seeded hub draws its schedule from the seed (see `HubOptions.strategy`). */
export type ScheduleStrategy = 'shuffle' | 'pct';

/** Where the hub met an error it reports. */
export interface ErrorContext {
  /** The greenlet that failed, or whose link callback failed. */
  greenlet?: Greenlet<unknown>;
  /**
   * `'greenlet'`: a greenlet died of it and nobody was watching; `'link'`: a
   * link callback threw; `'subscriber'`: a subscriber of `events$` or of
   * `toObservable(queue)` threw (the stream and the hub go on);
   * `'deadLetter'`: not an error but a notice, a message that will never be
   * handled (the `error` is the actor layer's `DeadLetter`, whose message
   * says which and why); `'blocking'`: a notice too, a greenlet step held
   * the hub longer than `maxBlockingMs` (the `error` is a `HubBlocked`).
   */
  where: 'greenlet' | 'link' | 'subscriber' | 'deadLetter' | 'blocking';
}

/**
 * Receives every error the hub reports: a greenlet that failed while nobody
 * joined or linked it, a link callback that threw, and an Observable
 * subscriber that threw. It runs in the hub; if it throws, the default
 * handler reports both.
 */
export type ErrorHandler = (error: unknown, context: ErrorContext) => void;

/**
 * The lifecycle events a hub emits, by type: on `events$` and on
 * `lifecycle$`. Other layers add theirs (actors, supervisors) by augmenting
 * this interface; an event that happens at every switch or every message
 * belongs in {@link HubTraceEvents} instead.
 */
export interface HubEvents {
  /** A greenlet was started (or scheduled to start, for `startLater`). */
  spawn: { greenlet: Greenlet<unknown> };
  /** A greenlet ended: `'normal'`, `'killed'` (GreenletExit), an ExitSignal's reason, or the error. */
  exit: { greenlet: Greenlet<unknown>; reason: unknown };
  /**
   * A step of `greenlet` held the hub about `ms` ms, over the hub's
   * `maxBlockingMs`: from the blocking call `resumedIn` (`'start'` for its
   * first step) to `suspendedIn` (`'exit'` if it ended). See `HubBlocked`.
   */
  blocking: { greenlet: Greenlet<unknown>; ms: number; resumedIn: string; suspendedIn: string };
  /** The hub reported an error (see {@link ErrorHandler}): a greenlet's or a link callback's, not a notice nor a subscriber's own error (which would loop). */
  error: { error: unknown; greenlet?: Greenlet<unknown>; where: 'greenlet' | 'link' };
}

/**
 * The events a hub emits at every switch or every message, by type: on
 * `events$` only, not on `lifecycle$`, so that a subscriber of the
 * lifecycle (grove/observer) does not slow every switch down. Augmented
 * like {@link HubEvents} (grove/actors adds `actorMessage`).
 */
export interface HubTraceEvents {
  /**
   * The hub is switching into a greenlet: emitted from the hub just before it
   * runs. A subscriber that kills it interrupts it as any caller would; one
   * that never ran then never runs.
   */
  switch: { greenlet: Greenlet<unknown> };
  /**
   * The running greenlet blocks in the call `label` (`'Queue.get'`, `'sleep'`...).
   * Emitted as it suspends, while the call's frames are still on the stack.
   */
  suspend: { greenlet: Greenlet<unknown>; label: string };
  /**
   * A timer of `greenlet` fired: the end of a `sleep` (label `'sleep'`), the
   * `{ timeout }` of a blocking call (its label, e.g. `'Queue.get'`), a
   * started `Timeout` (`'Timeout'`) or a `startLater` (`'startLater'`).
   */
  timer: { greenlet: Greenlet<unknown>; label: string };
}

/** One lifecycle event, of `hub.lifecycle$` and `hub.events$`: `{ type, ...fields }`. */
export type LifecycleEvent = { [K in keyof HubEvents]: { type: K } & HubEvents[K] }[keyof HubEvents];

/** One event of `hub.events$`: a lifecycle event or a per-switch, per-message one. */
export type HubEvent = LifecycleEvent | { [K in keyof HubTraceEvents]: { type: K } & HubTraceEvents[K] }[keyof HubTraceEvents];

/** What `hub.hold()` returns. */
export interface HubHold {
  /** Ends the hold; the hub may then find its greenlets stuck and deliver LoopExit. */
  release(): void;
}

/** Options of `new Hub()`. */
export interface HubOptions {
  /** `'real'` (default): timers follow wall time. `'virtual'`: time jumps to the next timer when nothing is ready. */
  clock?: Clock;
  /** Replaces the default error report (one line and the stack on stderr). */
  onError?: ErrorHandler;
  /**
   * Makes the schedule a reproducible pseudo-random interleaving, drawn
   * from this seed by `strategy`, instead of FIFO; timers due at the same
   * instant also fire in a drawn order.
   */
  seed?: number;
  /**
   * How a seed draws the schedule: `'shuffle'` (default) runs each batch of
   * ready tasks in a drawn order, now and then deferring one to the next
   * batch; `'pct'` is Probabilistic Concurrency Testing: random priorities,
   * the highest-priority ready task runs, and at `depth - 1` random steps
   * the running one drops below all others (it finds deep races; see
   * grove/testing's `explore`). Needs a seed.
   */
  strategy?: ScheduleStrategy;
  /** PCT's depth: 1 + the number of priority drops (a positive integer, default 2). */
  depth?: number;
  /** PCT's horizon: the drops happen within the first `steps` scheduling steps (a positive integer, default 100). */
  steps?: number;
  /**
   * The blocking detector's threshold: a greenlet step that holds the hub
   * longer than this many ms is reported (see `HubBlocked`); null turns it
   * off. By default 100 on a real clock and off on a virtual one (see
   * `configure({ maxBlockingMs })`).
   */
  maxBlockingMs?: number | null;
}
const HUB_KEYS = optionKeys<HubOptions>({ clock: true, onError: true, seed: true, strategy: true, depth: true, steps: true, maxBlockingMs: true });

/** How often (in passes that emptied the ready queue) a long-running loop checks whether to let Node's event loop run. */
const SLICE_CHECK_MASK = 63;
/** gevent's CALLBACK_CHECK_COUNT: a real-clock pass looks at the time after every this many tasks. */
const PASS_CHECK_EVERY = 50;
/** gevent's switch interval (Python's `sys.getswitchinterval()`): a real-clock pass ends after this many ms. */
const PASS_MS = 5;
/**
 * The most tasks a pass runs on a virtual clock or a seeded hub, where no
 * real time passes during a pass and a run must end its passes at the same
 * points every time (a count, not a time). gevent's own bound before it
 * had a switch interval.
 */
const PASS_TASKS = 1000;
/** After this many ms of uninterrupted running, the loop yields to Node (I/O, promises). */
const SLICE_MS = 20;

/**
 * The longest delay Node's setTimeout takes (2^31 - 1 ms, ~24.8 days); a
 * longer one warns and becomes 1 ms, which would spin the loop. A later
 * deadline is reached in steps of at most this much.
 */
const MAX_NODE_DELAY = 2 ** 31 - 1;

/** The default error report: `<name> failed with <Error>: <message>` and the stack, on stderr. */
export function defaultErrorHandler(error: unknown, context: ErrorContext): void {
  if (context.where === 'deadLetter' || context.where === 'blocking') {
    // A notice, not a crash: one line, no stack.
    console.error(error instanceof Error ? error.message : describeReason(error));
    return;
  }
  const who = context.greenlet ? context.greenlet.name : 'hub';
  const what =
    context.where === 'link' ? `a link callback of ${who}` : context.where === 'subscriber' ? 'an Observable subscriber' : who;
  let stack = '';
  if (error instanceof Error && typeof error.stack === 'string') {
    const newline = error.stack.indexOf('\n');
    if (newline >= 0) stack = error.stack.slice(newline + 1) + '\n';
  }
  console.error(`${what} failed with ${describeReason(error)}\n${stack}`);
}

/**
 * The scheduler. Use `getHub()` for the program's hub; create one for a
 * test with `new Hub({ clock: 'virtual' })` and run code on it with
 * `hub.run(main)`.
 */
export class Hub {
  /** The clock its timers run on. */
  readonly clock: Clock;
  /** Called for every error the hub reports; see {@link ErrorHandler}. */
  onError: ErrorHandler;
  /** Number of times the hub switched into a greenlet. */
  switches = 0;
  /** The blocking detector's threshold in ms (see {@link HubOptions.maxBlockingMs}); null when it is off. */
  readonly maxBlockingMs: number | null;
  /**
   * Number of dead letters on this hub: messages to actors that will never
   * handle them (sent after the actor died, or still queued when it died).
   * Counted whether or not anyone subscribes; the first few are also
   * reported (see grove/actors' `configureActors`).
   */
  deadLetters = 0;
  /**
   * Number of messages put in the inboxes of actors on this hub: sent, and
   * the `EXIT` and `DOWN` messages the runtime delivered. Counted whether or
   * not anyone subscribes (grove/observer shows it as messages/s).
   */
  messages = 0;
  /**
   * Every event as an Observable: the lifecycle (see {@link HubEvents}) and
   * an event at every switch and every message (see {@link HubTraceEvents}).
   * Costs nothing while nobody subscribes: the hub builds no event objects
   * then. A subscriber slows every switch down (a counting subscriber takes
   * `sleep(0)`'s rate from about 7.8 M to 4.8 M switches/s); one that needs
   * only the lifecycle subscribes to `lifecycle$`. Events are emitted from
   * inside the hub, so a subscriber must not block; an error it throws
   * (directly or at the end of a `pipe()`, here or on `lifecycle$`) is
   * reported to `onError` with `where: 'subscriber'`, and the hub and the
   * stream go on.
   */
  readonly events$: Observable<HubEvent>;
  /**
   * The lifecycle events alone (greenlets and actors started and ended,
   * errors, dead letters, supervisors' starts, restarts and give-ups): what
   * `events$` carries but the per-switch and per-message events, which are
   * not even built for it. Costs nothing while nobody subscribes; a
   * subscriber costs an event object per spawn and per exit.
   */
  readonly lifecycle$: Observable<LifecycleEvent>;

  /** @internal subscribers of events$ and lifecycle$, null when there are none: lifecycle events are built only then. */
  listeners: Set<Subscriber<HubEvent>> | null = null;
  /** @internal subscribers of events$, null when there are none: per-switch and per-message events are built only then. */
  tracers: Set<Subscriber<HubEvent>> | null = null;
  /** @internal holds and promises greenlets are waiting on; while > 0 the hub is not stuck. */
  externals = 0;
  /** @internal greenlets started and not dead, as an intrusive list. */
  liveHead: Greenlet<unknown> | null = null;
  /** @internal number of live greenlets. */
  liveCount = 0;
  /** @internal how a seeded hub orders ready tasks (internal/schedule.ts); null: FIFO. */
  readonly policy: SchedulePolicy | null;
  /** @internal the `seed` option, for other draws that must replay with the schedule (a router's random pick). */
  readonly seed: number | undefined;
  /** @internal the blocking detector, null when it is off. */
  readonly watch: BlockingWatch | null;

  private readonly ready = new Deque<Task>();
  /** Whether tasks run in batches by async context (internal/async-context.ts's `batchingContexts`). */
  private readonly batching = batchingContexts();
  /** @internal the context of the last scope entered: where a batch that starts with a queue's or event's round runs. */
  lastContext: Context | null = null;
  /** The pass being run: tasks left before it looks at its bound, when it expires (real clock), whether it was cut. */
  private passLeft = 0;
  private passExpires = 0;
  private passCut = false;
  private readonly timers = new TimerHeap();
  private running = false;
  private loopRequested = false;
  /** The hub looked stuck and is giving Node one turn before delivering LoopExit. */
  private confirmingStuck = false;
  private virtualNow = 0;
  private readonly origin = performance.now();
  private nodeTimer: ReturnType<typeof setTimeout> | null = null;
  private nodeTimerDue = Infinity;
  /** Virtual clock: the deadline up to which real time has caught up while a promise was pending. */
  private pacedUntil = -Infinity;
  /** Greenlets `run()` is waiting for: they get LoopExit when the hub is stuck. */
  private readonly mains = new Set<Greenlet<unknown>>();
  /** The `call()`s waiting on a promise that may still settle; each counts in `externals`. */
  private readonly promises = new Set<object>();
  private readonly boundLoop = (): void => this.loop();
  private readonly onNodeTimer = (): void => {
    if (this.clock === 'virtual') this.pacedUntil = this.nodeTimerDue;
    this.nodeTimer = null;
    this.nodeTimerDue = Infinity;
    this.loop();
  };

  constructor(options: HubOptions = {}) {
    checkOptions('new Hub', options, HUB_KEYS);
    const { clock = 'real', onError = defaultErrorHandler } = options;
    if (clock !== 'real' && clock !== 'virtual') {
      throw new TypeError(`new Hub: clock must be 'real' or 'virtual', got ${JSON.stringify(clock)}`);
    }
    if (typeof onError !== 'function') throw new TypeError('new Hub: onError must be a function');
    checkSchedule('new Hub', options);
    this.clock = clock;
    this.onError = onError;
    this.policy = schedulePolicy(options);
    this.seed = options.seed;
    const maxBlockingMs =
      options.maxBlockingMs === undefined ? blockingDefaults[clock] : checkMaxBlockingMs('new Hub', 'maxBlockingMs', options.maxBlockingMs);
    this.maxBlockingMs = maxBlockingMs;
    this.watch = maxBlockingMs === null ? null : new BlockingWatch(maxBlockingMs);
    this.events$ = new ReportingObservable<HubEvent>((error) => this.report(error, { where: 'subscriber' }), (subscriber) => {
      (this.listeners ??= new Set()).add(subscriber);
      (this.tracers ??= new Set()).add(subscriber);
      return () => {
        this.unlisten(subscriber);
        this.tracers?.delete(subscriber);
        if (this.tracers?.size === 0) this.tracers = null;
      };
    });
    this.lifecycle$ = new ReportingObservable<LifecycleEvent>((error) => this.report(error, { where: 'subscriber' }), (subscriber) => {
      (this.listeners ??= new Set()).add(subscriber as Subscriber<HubEvent>);
      return () => this.unlisten(subscriber as Subscriber<HubEvent>);
    });
  }

  /** The hub's time in ms: since the hub was created (real), or the virtual clock's reading. */
  now(): number {
    return this.clock === 'virtual' ? this.virtualNow : performance.now() - this.origin;
  }

  /** True when the schedule is drawn from a seed (`new Hub({ seed })`); false for FIFO. */
  get seeded(): boolean {
    return this.policy !== null;
  }

  /**
   * Runs `main(...args)` as a greenlet on this hub and returns a promise of
   * its value (rejected with its error). If `main` blocks and nothing can
   * ever wake it, it gets `LoopExit`. Accepts the same bodies as `spawn`.
   * The greenlets it leaves behind go on as the module function `run`
   * says; on a virtual clock, time moves only while a `run()` waits.
   */
  run<T, A extends unknown[]>(main: (...args: A) => Operation<T>, ...args: A): Promise<T>;
  run<T, A extends unknown[]>(main: (...args: A) => PromiseLike<T>, ...args: A): Promise<T>;
  run<T, A extends unknown[]>(main: (...args: A) => PlainResult<T>, ...args: A): Promise<T>;
  run<T, A extends unknown[]>(main: (...args: A) => Operation<T> | PromiseLike<T> | T, ...args: A): Promise<T> {
    checkBody('run', 'main', main);
    const g = new Greenlet<T>(main as unknown as () => Operation<T>, ...args);
    this.addMain(g);
    return new Promise<T>((resolve, reject) => {
      g[RAW_LINK](() => {
        this.removeMain(g);
        if (g.successful()) resolve(g.value as T);
        else reject(g.exception);
      }, true);
      g[START_ON](this);
    });
  }

  /**
   * Tells the hub that code outside it (an HTTP handler that will `set()`
   * an Event or `putNowait` into a Queue, a socket callback) may still wake
   * its greenlets: while held, a blocked `run()` main is not given
   * `LoopExit`, and a virtual clock does not run ahead of real time (as
   * while a greenlet waits in `call()`). Release the hold when that outside
   * source is gone; releasing twice does nothing.
   */
  hold(): HubHold {
    this.externals++;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.externals--;
        // The hub may be idle with a greenlet only the hold kept from LoopExit: let it look again.
        if (this.externals === 0 && !this.running) this.requestLoop();
      },
    };
  }

  /**
   * True when nothing else can run at the current instant: the ready queue
   * is empty (the caller aside) and no timer is due. Test helpers use it to
   * wait until a virtual instant has played out.
   */
  settled(): boolean {
    const next = this.timers.peek();
    return this.ready.length === 0 && (this.policy === null || this.policy.held === 0) && (next === undefined || next.deadline > this.now());
  }

  /** A snapshot of the greenlets started on this hub and not yet dead, oldest first. */
  greenlets(): Greenlet<unknown>[] {
    // The live list holds the newest first.
    const all: Greenlet<unknown>[] = [];
    for (let g = this.liveHead; g !== null; g = g[NEXT_LIVE]) all.push(g);
    return all.reverse();
  }

  // ---- scheduling (internal) -------------------------------------------

  /** @internal queues a task at the tail of the ready queue. */
  schedule(task: Task): void {
    task[SCHEDULED] = true;
    this.ready.push(task);
    if (!this.running) this.requestLoop();
  }

  /**
   * @internal starts a timer entry `ms` from now. `Infinity` means never:
   * nothing is scheduled (the entry stays not pending), so a greenlet that
   * only waits for it can be woken by nothing else and, if `run()` waits for
   * it, gets LoopExit; a virtual clock never jumps to Infinity.
   */
  addTimer(entry: TimerEntry, ms: number): void {
    if (ms === Infinity) return;
    const tie = this.policy === null ? undefined : this.policy.tie();
    this.timers.add(entry, this.now() + ms, tie);
    if (!this.running) this.requestLoop();
  }

  /** @internal stops a timer entry; a no-op if it is not pending. */
  removeTimer(entry: TimerEntry): void {
    const timers = this.timers;
    timers.remove(entry);
    // The last timer gone: Node's wake-up for it would only spin the loop once for nothing.
    if (timers.size === 0 && this.nodeTimer !== null) {
      clearTimeout(this.nodeTimer);
      this.nodeTimer = null;
      this.nodeTimerDue = Infinity;
    }
  }

  /**
   * @internal a greenlet waits on a promise (`call`'s record is the token):
   * until `removePromise`, the hub is not stuck and a virtual clock stands
   * still — unless Node's event loop runs dry first, which no promise can
   * outlive (see `stallPromises`).
   */
  addPromise(token: object): void {
    this.promises.add(token);
    this.externals++;
    watchForDryLoop(this);
  }

  /** @internal the wait on `token` ended (its promise settled, or the call gave up). */
  removePromise(token: object): void {
    if (!this.promises.delete(token)) return;
    this.externals--;
    if (this.promises.size === 0) hubsWithPromises.delete(this);
    if (this.externals === 0 && !this.running) this.requestLoop();
  }

  /**
   * @internal Node's event loop has nothing left to do ('beforeExit'): no
   * pending promise can settle any more (whatever could settle one would be
   * in that loop). They stop holding the hub, so a virtual clock moves on
   * (a call's own timeout, a Timeout around it, can fire) and a `run()` main
   * blocked for good gets LoopExit naming the call, instead of the process
   * exiting with it silently unfinished. One that settles after all is still
   * delivered.
   */
  stallPromises(): void {
    if (this.promises.size === 0) return;
    this.externals -= this.promises.size;
    this.promises.clear();
    if (!this.running) this.requestLoop();
  }

  /** @internal `run()` waits for `g`: it gets LoopExit if the hub gets stuck. */
  addMain(g: Greenlet<unknown>): void {
    this.mains.add(g);
    if (this.nodeTimer !== null) this.nodeTimer.ref();
  }

  /** @internal `run()` no longer waits for `g`. */
  removeMain(g: Greenlet<unknown>): void {
    this.mains.delete(g);
    // Greenlets left blocked after the last run() ends must not keep Node alive (gevent's rule).
    if (this.mains.size === 0 && this.nodeTimer !== null) this.nodeTimer.unref();
  }

  /** @internal greenlet `g` was started. */
  addLive(g: Greenlet<unknown>): void {
    g[PREV_LIVE] = null;
    g[NEXT_LIVE] = this.liveHead;
    if (this.liveHead !== null) this.liveHead[PREV_LIVE] = g;
    this.liveHead = g;
    this.liveCount++;
  }

  /** @internal greenlet `g` died. */
  removeLive(g: Greenlet<unknown>): void {
    if (g[PREV_LIVE] === null) {
      if (this.liveHead !== g) return;
      this.liveHead = g[NEXT_LIVE];
    } else g[PREV_LIVE][NEXT_LIVE] = g[NEXT_LIVE];
    if (g[NEXT_LIVE] !== null) g[NEXT_LIVE][PREV_LIVE] = g[PREV_LIVE];
    g[PREV_LIVE] = g[NEXT_LIVE] = null;
    this.liveCount--;
  }

  /** @internal emits a lifecycle event to both streams; callers check `listeners !== null` first. */
  emit(event: LifecycleEvent): void {
    const listeners = this.listeners;
    if (listeners === null) return;
    for (const subscriber of [...listeners]) subscriber.next(event);
  }

  /** @internal emits a per-switch or per-message event to `events$`; callers check `tracers !== null` first. */
  trace(event: HubEvent): void {
    const tracers = this.tracers;
    if (tracers === null) return;
    for (const subscriber of [...tracers]) subscriber.next(event);
  }

  private unlisten(subscriber: Subscriber<HubEvent>): void {
    this.listeners?.delete(subscriber);
    if (this.listeners?.size === 0) this.listeners = null;
  }

  /** @internal reports an error through the handler; never throws. */
  report(error: unknown, context: ErrorContext): void {
    if (error instanceof GreenletExit || error instanceof ExitSignal) return;
    try {
      this.onError(error, context);
    } catch (handlerError) {
      defaultErrorHandler(error, context);
      defaultErrorHandler(handlerError, { where: context.where });
    }
    // A dead letter and a blocking step have their own events (actorDeadLetter, blocking); 'error' is for errors.
    // A subscriber's own error is not emitted again: a subscriber that throws on every event would loop.
    const where = context.where;
    if (this.listeners !== null && (where === 'greenlet' || where === 'link')) {
      this.emit({ type: 'error', error, greenlet: context.greenlet, where });
    }
  }

  // ---- the loop ----------------------------------------------------------

  private requestLoop(): void {
    if (this.loopRequested || this.running) return;
    this.loopRequested = true;
    queueMicrotask(this.boundLoop);
  }

  private loop(): void {
    this.loopRequested = false;
    if (this.running) return;
    // Loops of different hubs never nest: each is entered from Node's event loop.
    const outer = ctx.hub;
    this.running = true;
    ctx.hub = this;
    const sliceStart = performance.now();
    const watch = this.watch;
    if (watch !== null) watch.enter(sliceStart);
    let passes = 0;
    const confirming = this.confirmingStuck;
    this.confirmingStuck = false;
    let ran = false;
    try {
      for (;;) {
        if (this.ready.length > 0) ran = true;
        const cut = this.runPass();
        this.fireDueTimers();
        if (this.ready.length > 0) {
          // A pass cut short ran for a while: look at the clock; after one that emptied the queue, now and then.
          if ((cut || (++passes & SLICE_CHECK_MASK) === 0) && performance.now() - sliceStart > SLICE_MS) {
            // Let Node run I/O callbacks and settle promises, then carry on.
            this.loopRequested = true;
            setImmediate(this.boundLoop);
            return;
          }
          continue;
        }
        // Nothing ready: a burst, if there was one, is over; queues that grew for it need not stay big.
        trimIdleDeques();
        const next = this.timers.peek();
        if (next !== undefined) {
          if (this.clock === 'virtual') {
            // Virtual time passes only for someone: once no run() is waiting
            // any more (greenlets left sleeping in a loop would spin the
            // clock forever), it stands still.
            if (this.mains.size === 0) return;
            // While a greenlet waits on a real promise, the clock does not run
            // ahead of real time: it moves to the next deadline only once as
            // much real time has passed (a timeout around real I/O does not
            // fire at once, and one around a promise that never settles does).
            if (this.externals > 0 && next.deadline > this.pacedUntil) {
              this.armNodeTimer(next.deadline);
              return;
            }
            if (next.deadline > this.virtualNow) this.virtualNow = next.deadline;
            continue;
          }
          this.armNodeTimer(next.deadline);
          return;
        }
        if (this.externals > 0 || this.mains.size === 0) return;
        if (ran || !confirming) {
          // Looks stuck; but code outside the hub may have a callback queued
          // (a promise reaction, an immediate) that will wake someone. Give
          // Node one turn, and deliver LoopExit only if nothing changed.
          this.confirmingStuck = true;
          this.loopRequested = true;
          setImmediate(this.boundLoop);
          return;
        }
        if (!this.deliverLoopExit()) return;
      }
    } finally {
      this.running = false;
      ctx.hub = outer;
      if (watch !== null) watch.leave();
    }
  }

  /**
   * Runs the ready queue until it is empty, tasks queued meanwhile included
   * (gevent's `_run_callbacks`), or until the pass is cut short (see
   * PASS_MS, PASS_TASKS); returns true when it was cut with tasks left.
   */
  private runPass(): boolean {
    const ready = this.ready;
    const policy = this.policy;
    if (policy !== null) {
      // A policy runs a batch or a step per call; the bound counts the tasks it ran, so a seed replays.
      const until = policy.steps + PASS_TASKS;
      while (ready.length > 0) {
        if (policy.steps >= until) return true;
        policy.run(ready);
      }
      return false;
    }
    this.passCut = false;
    if (this.clock === 'virtual') this.passLeft = PASS_TASKS;
    else {
      this.passLeft = PASS_CHECK_EVERY;
      this.passExpires = performance.now() + PASS_MS;
    }
    this.drain();
    return this.passCut;
  }

  /**
   * Runs ready tasks, FIFO, until the queue is empty or the pass is cut
   * (`passCut`), in batches by async context (internal/async-context.ts):
   * a greenlet whose context is not the one entered starts a batch in its
   * own, and the batch goes on — queue and event rounds included, whose
   * steps are most likely of that context too — until a greenlet of
   * another context is next. Where contexts cannot be shared (see
   * `batchingContexts`), each step enters its own instead.
   */
  private drain(): void {
    const ready = this.ready;
    for (;;) {
      const task = ready.shift();
      if (task === undefined) return;
      const scope = ctx.scope;
      const context = (task as { [CONTEXT]?: Context | null })[CONTEXT] ?? null;
      if (scope !== null) {
        if (context !== null && context !== scope) {
          // A greenlet of another context: it is next, in the batch of its own.
          ready.unshift(task);
          return;
        }
      } else if (this.batching) {
        // Not in a batch yet: start one, in the task's context or, for a queue's or event's round, the last one.
        const next = context ?? this.lastContext;
        if (next !== null) {
          ready.unshift(task);
          this.enterBatch(next);
          if (this.passCut) return;
          continue;
        }
      }
      task[RUN_TASK]();
      if (context === null) {
        // A round's link callback, say, changed the batch's context: the change is not kept (no greenlet
        // owns it). A greenlet's own step was looked at already (greenlet.ts's stepHere).
        const entered = ctx.scope;
        if (entered !== null && entered.changed()) entered.split();
      }
      if (--this.passLeft === 0 && this.passOver()) {
        this.passCut = true;
        return;
      }
    }
  }

  /** Runs `drain` in `context`'s scope, which stays entered for the tasks that follow while they fit it. */
  private enterBatch(context: Context): void {
    const outer = ctx.scope;
    ctx.scope = context;
    this.lastContext = context;
    try {
      context.run(drainInBatch, this);
    } finally {
      ctx.scope = outer;
    }
  }

  /** The count of the pass ran out: true when the pass ends here (see PASS_TASKS, PASS_MS); else counts again. */
  private passOver(): boolean {
    if (this.ready.length === 0) return false;
    if (this.clock === 'virtual') return true;
    if (performance.now() >= this.passExpires) return true;
    this.passLeft = PASS_CHECK_EVERY;
    return false;
  }

  /** @internal for `drainInBatch` only. */
  drainBatch(): void {
    this.drain();
  }

  private fireDueTimers(): void {
    const timers = this.timers;
    if (timers.size === 0) return;
    const now = this.now();
    for (;;) {
      const entry = timers.peek();
      if (entry === undefined || entry.deadline > now) return;
      timers.shift();
      entry.fire();
    }
  }

  private armNodeTimer(deadline: number): void {
    const now = this.now();
    // Node's timers count whole ms; rounding up means the loop wakes at or after the deadline.
    let delay = Math.max(0, Math.ceil(deadline - now));
    let due = deadline;
    if (delay > MAX_NODE_DELAY) {
      // Too far for one Node timer: wake at the limit, and arm again from there.
      delay = MAX_NODE_DELAY;
      due = now + delay;
    }
    if (this.nodeTimer !== null) {
      if (this.nodeTimerDue <= due) return;
      clearTimeout(this.nodeTimer);
    }
    this.nodeTimerDue = due;
    this.nodeTimer = setTimeout(this.onNodeTimer, delay);
    if (this.mains.size === 0) this.nodeTimer.unref();
  }

  /** Nothing is ready, no timers, no promises: wake the stuck mains with LoopExit. */
  private deliverLoopExit(): boolean {
    let delivered = false;
    for (const main of this.mains) {
      if (main.dead || main[SCHEDULED]) continue;
      const blockedIn = main[WAITING_ON]?.label;
      main[INTERRUPT](new LoopExit(`${main.name} is blocked${blockedIn ? ` in ${blockedIn}()` : ''} and nothing can wake it`));
      delivered = true;
    }
    return delivered;
  }
}

/** What a batch runs in its context's scope (`Context.run` calls it with the hub as `this`). */
function drainInBatch(this: Hub): void {
  this.drainBatch();
}

let defaultHub: Hub | null = null;

/** Hubs with a `call()` waiting on a promise: told when Node's event loop runs dry. */
const hubsWithPromises = new Set<Hub>();
let listeningForDryLoop = false;

function watchForDryLoop(hub: Hub): void {
  hubsWithPromises.add(hub);
  if (listeningForDryLoop || typeof process !== 'object' || typeof process.on !== 'function') return;
  listeningForDryLoop = true;
  // 'beforeExit' comes when the loop is empty; work scheduled by a listener keeps the process going.
  process.on('beforeExit', () => {
    const hubs = [...hubsWithPromises];
    hubsWithPromises.clear();
    for (const each of hubs) each.stallPromises();
  });
}

/**
 * The hub of the code that is running: inside a hub's loop (a greenlet, a
 * link callback), that hub; anywhere else the program's default hub, a
 * real-clock hub created on first use.
 */
export function getHub(): Hub {
  return ctx.hub ?? (defaultHub ??= new Hub());
}

/**
 * Runs `main(...args)` as a greenlet on the current hub (the program's hub
 * outside any loop) and returns a promise of its value, rejected with its
 * error: the bridge from ordinary async code, and from tests. If `main`
 * blocks and nothing can ever wake it, it gets `LoopExit` — never a silent
 * hang. When it ends, the greenlets it leaves behind go on: those ready
 * (ones that never ran included) run at once, those blocked when woken, for
 * as long as the process lives; what they wait on does not keep the
 * process alive, and at its exit they are abandoned, `finally` blocks not
 * run (gevent's rule). A virtual clock moves only while a `run()` waits.
 */
export function run<T, A extends unknown[]>(main: (...args: A) => Operation<T>, ...args: A): Promise<T>;
export function run<T, A extends unknown[]>(main: (...args: A) => PromiseLike<T>, ...args: A): Promise<T>;
export function run<T, A extends unknown[]>(main: (...args: A) => PlainResult<T>, ...args: A): Promise<T>;
export function run<T, A extends unknown[]>(main: (...args: A) => Operation<T> | PromiseLike<T> | T, ...args: A): Promise<T> {
  return getHub().run(main as (...args: A) => Operation<T>, ...args);
}
