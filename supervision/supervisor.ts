/**
 * `Supervisor`: Erlang/OTP's supervisor as a grove actor. It starts its
 * children one at a time, watches them through links (it traps exits),
 * restarts them by its strategy, gives up when restarts come too often, and
 * stops them in reverse start order when it ends.
 *
 * Everything it decides is decided elsewhere, purely: which children a
 * restart touches (strategy.ts), whether an exit is restarted
 * (restart-decision.ts), whether intensity is exceeded (intensity.ts), how
 * long to back off (backoff.ts). Its state is one immutable record
 * (state.ts). This file carries the decisions out: its greenlet is the only
 * place children are started and stopped (stopping.ts holds the shutdown
 * protocol), and calls from other greenlets reach it as messages
 * (calls.ts), handled in turn with its children's exits.
 */
import { Greenlet, exitReason } from '../lib/greenlet.js';
import { ExitSignal, GreenletExit, Interrupt, NormalExit } from '../lib/errors.js';
import { Empty } from '../lib/queue.js';
import { Event } from '../lib/event.js';
import { sleep } from '../lib/sleep.js';
import { ctx } from '../lib/internal/context.js';
import { Composite } from '../lib/internal/composite.js';
import { show } from '../lib/internal/validate.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { Actor } from '../actors/actor.js';
import { ask, type ReplyTo } from '../actors/ask.js';
import { link } from '../actors/link.js';
import type { ExitMessage } from '../actors/signal.js';
import { badStartResult, checkChildSpec, type ChildSpec, type ChildType } from './child-spec.js';
import { checkSupervisorOptions, type SupervisorConfig, type SupervisorOptions } from './options.js';
import { ChildRunning, ChildStartFailed, UnknownChild, WrongStrategy } from './errors.js';
import { refusalError, type CallOutcome, type SupervisorRequest } from './calls.js';
import { planRestart, type RestartPlan } from './strategy.js';
import { wantsRestart } from './restart-decision.js';
import { intensityExceeded } from './intensity.js';
import { backoffDelay, jitterSource, nextAttempt, resetAfterMs } from './backoff.js';
import { signalStop, awaitStop } from './stopping.js';
import { emitEvent } from './events.js';
import {
  addChild,
  allGone,
  childExited,
  childStarted,
  childStopped,
  findByGreenlet,
  findById,
  findByKey,
  initialState,
  nextDue,
  planView,
  removeChild,
  restartCancelled,
  restartCounted,
  restartPending,
  statusOf,
  stopRequested,
  type ChildRecord,
  type SupervisorState,
} from './state.js';

/** What a supervisor's inbox holds: its children's exits, and calls made through its methods. */
export type SupervisorMessage = ExitMessage | SupervisorRequest;

/** One child in `whichChildren()`'s snapshot. */
export interface ChildInfo {
  readonly id: string;
  /** The child's greenlet while it runs; undefined while it is stopped or waiting to be restarted. */
  readonly greenlet: Greenlet<unknown> | undefined;
  readonly type: ChildType;
}

/** What `countChildren()` returns (OTP's `count_children`). */
export interface ChildCounts {
  /** Child specs: all children kept, running or not (1 for `simpleOneForOne`: its template). */
  readonly specs: number;
  /** Children whose greenlet is alive. */
  readonly active: number;
  /** Children of type `'supervisor'`, running or not. */
  readonly supervisors: number;
  /** Children of type `'worker'`, running or not. */
  readonly workers: number;
}

/**
 * A supervisor. Construct it with its options (validated at once), then
 * `start()` it like any greenlet: it starts its children one at a time, in
 * order, each up before the next — a worker once it has run to its first
 * blocking point, a child supervisor once all its own children are up. If
 * one fails to start, it stops those already started (in reverse) and
 * exits with a `ChildStartFailed` naming the child.
 *
 * When a child exits, its restart type and exit reason say whether it is
 * restarted; the strategy says which children are stopped (last started
 * first) and started again (in start order). Every restart counts towards
 * the intensity; past it the supervisor gives up: it stops its children in
 * reverse start order and exits with reason `'shutdown'`, which its own
 * supervisor sees as that child's exit.
 *
 * It ends the same orderly way when it is killed with an `ExitSignal` (or
 * `stop()`ped), exiting with that reason; a plain `kill()` kills its
 * children plainly, last started first, and it exits `'killed'`. It can be
 * linked, monitored, registered and supervised like any actor. A greenlet
 * linked to it that exits abnormally (or `exit(supervisor, reason)`)
 * ends it the same orderly way, with that reason.
 */
export class Supervisor extends Actor<SupervisorMessage> {
  /** @internal set once every initial child is up, and when the supervisor dies: what its parent waits for. */
  readonly up = new Event();
  /** @internal true once it gave up (restart intensity exceeded). */
  gaveUp = false;
  private readonly config: SupervisorConfig;
  private state: SupervisorState;
  /** Every greenlet it started as a child: a late EXIT of an old incarnation is not a stranger's. */
  private readonly incarnations = new WeakSet<Greenlet<unknown>>();
  private jitter: (() => number) | null = null;
  private snapshot: { of: SupervisorState; children: readonly ChildInfo[] } | null = null;

  /**
   * A supervisor, not started. Throws at once if an option or child spec is
   * wrong (a `TypeError` or `RangeError` naming the field; `DuplicateChild`
   * for an id used twice).
   */
  constructor(options: SupervisorOptions) {
    const config = checkSupervisorOptions(options);
    super({ name: options.name, trapExit: true });
    this.config = config;
    this.state = initialState(config.strategy === 'simpleOneForOne' ? [] : config.children);
    this.rawLink(() => this.up.set(), false);
  }

  /** Always true: a supervisor learns of its children's exits as messages. Setting it to false throws. */
  override get trapExit(): boolean {
    return super.trapExit;
  }

  override set trapExit(on: boolean) {
    if (on !== true) throw new TypeError(`Supervisor.trapExit: a supervisor always traps exits, got ${show(on)}`);
    super.trapExit = on;
  }

  // ---- the public API ------------------------------------------------------

  /**
   * Adds a child and starts it (`spec` for `oneForOne`, `oneForAll` and
   * `restForOne`, placed last in the start order; for `simpleOneForOne`,
   * the arguments of its template's `start`). Blocks until the child is up,
   * and returns its greenlet. Throws `DuplicateChild` if the id is taken
   * (the spec is not added), `ChildStartFailed` if the child could not be
   * started (its spec is not kept), `AskFailed` if the supervisor is not
   * alive or exits meanwhile. A bad spec throws at once.
   */
  startChild(spec: ChildSpec): Operation<Greenlet<unknown>>;
  startChild(args: readonly unknown[]): Operation<Greenlet<unknown>>;
  startChild(specOrArgs: ChildSpec | readonly unknown[]): Operation<Greenlet<unknown>> {
    const label = 'Supervisor.startChild';
    let spec: Required<ChildSpec>;
    let launch: () => unknown;
    if (this.config.strategy === 'simpleOneForOne') {
      if (!Array.isArray(specOrArgs)) {
        throw new TypeError(`${label}: ${this} is simpleOneForOne: pass the arguments of its template's start as an array, got ${show(specOrArgs)}`);
      }
      const template = this.config.children[0];
      const args = [...specOrArgs] as never[];
      spec = template;
      launch = () => template.start(...args);
    } else {
      if (Array.isArray(specOrArgs)) {
        throw new TypeError(`${label}: ${this} is ${this.config.strategy}: pass a child spec ({ id, start, ... }), got an array (arguments are for simpleOneForOne)`);
      }
      spec = checkChildSpec(label, 'spec', specOrArgs);
      launch = spec.start;
    }
    return this.call(label, spec.id, (replyTo) => ({ type: 'startChild', spec, launch, replyTo })) as Operation<Greenlet<unknown>>;
  }

  /**
   * Stops a child (by id; for `simpleOneForOne`, by its greenlet) with its
   * shutdown protocol — `ExitSignal('shutdown')`, then a plain kill after
   * its `shutdown` ms — and blocks until it is dead. A pending restart of it
   * is called off. Its spec is kept (`restartChild` starts it again) unless
   * it is temporary or dynamic. Stopping a stopped child does nothing.
   * Throws `UnknownChild`, `WrongStrategy` (an id given to
   * `simpleOneForOne`), `AskFailed` if the supervisor is not alive.
   */
  terminateChild(id: string | Greenlet<unknown>): Operation<void> {
    const label = 'Supervisor.terminateChild';
    if (this.config.strategy === 'simpleOneForOne') {
      if (typeof id === 'string') throw new WrongStrategy(`${label}: ${this} is simpleOneForOne: give the child's greenlet, not an id`);
      if (!(id instanceof Greenlet)) throw new TypeError(`${label}: child must be a greenlet, got ${show(id)}`);
    } else checkId(label, id);
    return this.call(label, id, (replyTo) => ({ type: 'terminateChild', target: id, replyTo })) as Operation<unknown> as Operation<void>;
  }

  /**
   * Starts again a stopped child (after `terminateChild`, or a transient one
   * that exited normally), in its place; blocks until it is up and returns
   * its greenlet. Does not count towards the restart intensity. Throws
   * `UnknownChild`, `ChildRunning` (it runs, or waits to be restarted),
   * `ChildStartFailed`, `WrongStrategy` for `simpleOneForOne`, `AskFailed`
   * if the supervisor is not alive.
   */
  restartChild(id: string): Operation<Greenlet<unknown>> {
    const label = 'Supervisor.restartChild';
    this.checkStatic(label);
    checkId(label, id);
    return this.call(label, id, (replyTo) => ({ type: 'restartChild', id, replyTo })) as Operation<Greenlet<unknown>>;
  }

  /**
   * Removes the spec of a stopped child. Never blocks. Throws
   * `UnknownChild`, `ChildRunning` (stop it first), `WrongStrategy` for
   * `simpleOneForOne` (its children go when they stop).
   */
  deleteChild(id: string): void {
    const label = 'Supervisor.deleteChild';
    this.checkStatic(label);
    checkId(label, id);
    const child = findById(this.state, id);
    if (child === undefined) throw new UnknownChild(`${label}: no child ${JSON.stringify(id)} in ${this}`, id);
    const status = statusOf(child);
    if (status === 'running') throw new ChildRunning(`${label}: child ${JSON.stringify(id)} of ${this} is running (terminateChild stops it)`, id);
    if (status === 'restarting') {
      throw new ChildRunning(`${label}: child ${JSON.stringify(id)} of ${this} is waiting to be restarted (terminateChild stops it)`, id);
    }
    this.state = removeChild(this.state, child.key);
  }

  /**
   * The children in start order, as an immutable snapshot of `{ id,
   * greenlet, type }` (`greenlet` undefined when not running). Never
   * blocks.
   */
  whichChildren(): readonly ChildInfo[] {
    const state = this.state;
    if (this.snapshot?.of !== state) {
      const children = state.children.map((c) => Object.freeze({ id: c.spec.id, greenlet: c.greenlet, type: c.spec.type }));
      this.snapshot = { of: state, children: Object.freeze(children) };
    }
    return this.snapshot.children;
  }

  /** How many specs, live children, supervisors and workers it has (OTP's `count_children`). Never blocks. */
  countChildren(): ChildCounts {
    const children = this.state.children;
    const supervisors = children.filter((c) => c.spec.type === 'supervisor').length;
    return Object.freeze({
      specs: this.config.strategy === 'simpleOneForOne' ? 1 : children.length,
      active: children.filter((c) => c.greenlet !== undefined && !c.greenlet.dead).length,
      supervisors,
      workers: children.length - supervisors,
    });
  }

  // ---- its greenlet ----------------------------------------------------------

  protected override *run(): Generator<Suspend, void, unknown> {
    try {
      yield* this.startInitialChildren();
      this.up.set();
      for (;;) {
        const message = yield* this.nextMessage();
        if (message === undefined) yield* this.restartDue();
        else yield* this.receive(message);
      }
    } catch (error) {
      throw yield* this.terminate(error);
    }
  }

  /** Handles one message: a child's (or a linked greenlet's) exit, or a call. Others are ignored, as OTP's are. */
  protected override *receive(message: SupervisorMessage): Generator<Suspend, void, unknown> {
    if (message === null || typeof message !== 'object') return;
    switch (message.type) {
      case 'EXIT':
        return yield* this.exited(message.from, message.reason);
      case 'startChild':
        return yield* this.handleStartChild(message.spec, message.launch, message.replyTo);
      case 'terminateChild':
        return yield* this.handleTerminateChild(message.target, message.replyTo);
      case 'restartChild':
        return yield* this.handleRestartChild(message.id, message.replyTo);
    }
  }

  private *startInitialChildren(): Generator<Suspend, void, unknown> {
    for (const { key } of this.state.children) {
      // A child deleted while an earlier one was starting is skipped.
      if (findByKey(this.state, key) !== undefined) yield* this.launch(key);
    }
  }

  /** The next message; undefined when a pending restart is due and nothing is queued before it. */
  private *nextMessage(): Generator<Suspend, SupervisorMessage | undefined, unknown> {
    const due = nextDue(this.state);
    if (due === undefined) return yield* this.inbox.get();
    try {
      // Messages already queued go first, as OTP's try_again_restart is queued behind them.
      return yield* this.inbox.get({ timeout: Math.max(0, due.retryAt! - this.now()) });
    } catch (error) {
      if (error instanceof Empty) return undefined;
      throw error;
    }
  }

  /** A linked greenlet exited: a child (restart it or not), an old incarnation (ignore), or a stranger. */
  private *exited(from: Greenlet<unknown> | null, reason: unknown): Generator<Suspend, void, unknown> {
    const child = from === null ? undefined : findByGreenlet(this.state, from);
    if (child === undefined || from === null) {
      if (from !== null && this.incarnations.has(from)) return;
      // A stranger's exit acts as on a process that does not trap exits: 'normal' is ignored, anything else ends us.
      if (reason === 'normal') return;
      throw new ExitSignal(reason);
    }
    this.emitExit(child, from, reason);
    if (from instanceof Supervisor && from.gaveUp) {
      emitEvent(this.hub, () => ({ type: 'supervisorEscalate', greenlet: this, id: child.spec.id, child: from, reason }));
    }
    if (!wantsRestart(child.spec.restart, reason)) {
      this.state = childExited(this.state, child.key);
      return;
    }
    this.state = childStopped(this.state, child.key);
    yield* this.restart(child.key, this.now() - child.startedAt, false);
  }

  /**
   * A restart of child `key` is wanted: after it exited (it was up `upMs`
   * ms), or after a restart of it failed to start (`retry`). Every one
   * counts; past the intensity the supervisor gives up. A first restart
   * without backoff is carried out at once (OTP restarts while handling the
   * exit); a delayed one, and a retry, is due later — a retry behind the
   * messages already queued, as OTP's `try_again_restart` — and the
   * children its strategy restarts with it are stopped now.
   */
  private *restart(key: number, upMs: number, retry: boolean): Generator<Suspend, void, unknown> {
    const { maxRestarts, withinMs, backoff, strategy } = this.config;
    const now = this.now();
    this.state = restartCounted(this.state, now, withinMs);
    const child = findByKey(this.state, key)!;
    if (intensityExceeded(this.state.restarts, maxRestarts)) {
      this.gaveUp = true;
      emitEvent(this.hub, () => ({ type: 'supervisorGiveUp', greenlet: this, id: child.spec.id, maxRestarts, withinMs }));
      throw new ExitSignal('shutdown');
    }
    const attempt = nextAttempt(child.attempts, upMs, backoff === null ? withinMs : resetAfterMs(backoff));
    const delayMs = backoff === null ? 0 : backoffDelay(backoff, attempt, (this.jitter ??= jitterSource(this.hub!))());
    this.state = restartPending(this.state, key, now + delayMs, attempt);
    emitEvent(this.hub, () => ({ type: 'supervisorChildRestart', greenlet: this, id: child.spec.id, attempt, delayMs }));
    if (delayMs === 0 && !retry) yield* this.carryOut(key);
    else yield* this.stopForRestart(planRestart(strategy, planView(this.state), key));
  }

  /** The earliest pending restart is due: carry it out. */
  private *restartDue(): Generator<Suspend, void, unknown> {
    const due = nextDue(this.state);
    if (due !== undefined) yield* this.carryOut(due.key);
  }

  /** Restarts child `key` by the strategy's plan. A start that fails is counted and retried. */
  private *carryOut(key: number): Generator<Suspend, void, unknown> {
    const plan = planRestart(this.config.strategy, planView(this.state), key);
    // After a delay there is usually nothing left to stop; a child added by startChild meanwhile is.
    yield* this.stopForRestart(plan);
    for (const next of plan.start) {
      const child = findByKey(this.state, next);
      if (child === undefined || child.greenlet !== undefined) continue;
      try {
        yield* this.launch(next);
      } catch (error) {
        if (!(error instanceof ChildStartFailed)) throw error;
        yield* this.restart(next, 0, true);
        return;
      }
    }
  }

  private *stopForRestart(plan: RestartPlan): Generator<Suspend, void, unknown> {
    yield* this.stopChildren(plan.stop, false, false);
    for (const key of plan.drop) this.state = removeChild(this.state, key);
  }

  // ---- calls -----------------------------------------------------------------

  private *handleStartChild(spec: Required<ChildSpec>, launch: () => unknown, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    if (this.config.strategy !== 'simpleOneForOne') {
      const existing = findById(this.state, spec.id);
      if (existing !== undefined) {
        replyTo.reply({ ok: false, refusal: existing.greenlet !== undefined ? 'duplicate' : 'present' });
        return;
      }
    }
    const key = this.state.nextKey;
    this.state = addChild(this.state, spec, launch);
    try {
      replyTo.reply({ ok: true, child: yield* this.launch(key) });
    } catch (error) {
      if (!(error instanceof ChildStartFailed)) throw error;
      this.state = removeChild(this.state, key);
      replyTo.reply({ ok: false, refusal: 'startFailed', reason: error.reason });
    }
  }

  private *handleTerminateChild(target: string | Greenlet<unknown>, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    const child = typeof target === 'string' ? findById(this.state, target) : findByGreenlet(this.state, target);
    if (child === undefined) {
      // OTP's rule for a pid: one that is not alive is as good as terminated.
      const gone = typeof target !== 'string' && target.dead;
      replyTo.reply(gone ? { ok: true, child: undefined } : { ok: false, refusal: 'unknown' });
      return;
    }
    yield* this.stopChildren([child.key], false, false);
    this.state = restartCancelled(this.state, child.key);
    if (this.config.strategy === 'simpleOneForOne' || child.spec.restart === 'temporary') this.state = removeChild(this.state, child.key);
    replyTo.reply({ ok: true, child: undefined });
  }

  private *handleRestartChild(id: string, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    const child = findById(this.state, id);
    const status = child === undefined ? undefined : statusOf(child);
    if (child === undefined || status !== 'stopped') {
      replyTo.reply({ ok: false, refusal: status === undefined ? 'unknown' : status === 'running' ? 'running' : 'restarting' });
      return;
    }
    try {
      replyTo.reply({ ok: true, child: yield* this.launch(child.key) });
    } catch (error) {
      if (!(error instanceof ChildStartFailed)) throw error;
      replyTo.reply({ ok: false, refusal: 'startFailed', reason: error.reason });
    }
  }

  private call(
    label: string,
    subject: string | Greenlet<unknown>,
    make: (replyTo: ReplyTo<CallOutcome>) => SupervisorRequest,
  ): Operation<Greenlet<unknown> | undefined> {
    if (ctx.current === (this as Greenlet<unknown>)) {
      throw new Error(`${label}: ${this} cannot call itself (a child's start function runs in the supervisor's greenlet)`);
    }
    return new Composite(label, () => this.awaitCall(label, subject, make));
  }

  private *awaitCall(
    label: string,
    subject: string | Greenlet<unknown>,
    make: (replyTo: ReplyTo<CallOutcome>) => SupervisorRequest,
  ): Generator<Suspend, Greenlet<unknown> | undefined, unknown> {
    const outcome = yield* ask<SupervisorMessage, CallOutcome>(this, make);
    if (outcome.ok) return outcome.child;
    throw refusalError(label, this, subject, outcome);
  }

  private checkStatic(label: string): void {
    if (this.config.strategy === 'simpleOneForOne') {
      throw new WrongStrategy(`${label}: not supported by ${this}, a simpleOneForOne supervisor (its children go when they stop)`);
    }
  }

  // ---- starting and stopping children -----------------------------------------

  /**
   * Starts child `key` and waits until it is up; returns its greenlet.
   * Throws `ChildStartFailed` if `start` throws or returns no live
   * greenlet, or if the greenlet exits abnormally before it is up (one that
   * exits `'normal'` at once was up: its EXIT follows as usual).
   */
  private *launch(key: number): Generator<Suspend, Greenlet<unknown>, unknown> {
    const child = findByKey(this.state, key)!;
    let made: unknown;
    try {
      made = child.launch();
    } catch (error) {
      throw this.startFailed(child, error);
    }
    const bad = badStartResult(child.spec, made);
    if (bad !== null) throw this.startFailed(child, bad);
    const greenlet = made as Greenlet<unknown>;
    this.incarnations.add(greenlet);
    link(this, greenlet);
    this.state = childStarted(this.state, key, greenlet, this.now());
    if (!greenlet.started) greenlet.start();
    yield* awaitUp(greenlet);
    const reason = exitReason(greenlet);
    if (greenlet.dead && reason !== 'normal') {
      this.state = childStopped(this.state, key);
      throw this.startFailed(child, reason);
    }
    emitEvent(this.hub, () => ({ type: 'supervisorChildStart', greenlet: this, id: child.spec.id, child: greenlet }));
    return greenlet;
  }

  private startFailed(child: ChildRecord, reason: unknown): ChildStartFailed {
    emitEvent(this.hub, () => ({ type: 'supervisorChildStartFailed', greenlet: this, id: child.spec.id, reason }));
    return new ChildStartFailed(String(this), child.spec.id, reason);
  }

  /**
   * Stops children `keys` in that order, each with its shutdown protocol
   * (or plainly, when `brutal`): one at a time, or all asked at once and
   * then awaited (`together`, OTP's way for simpleOneForOne). A child
   * already asked to stop is not asked again: its deadline stands.
   */
  private *stopChildren(keys: readonly number[], together: boolean, brutal: boolean): Generator<Suspend, void, unknown> {
    for (const key of keys) {
      const child = findByKey(this.state, key);
      if (child?.greenlet === undefined) continue;
      const stopBy = signalStop(this, child, brutal, this.now());
      if (stopBy !== undefined) this.state = stopRequested(this.state, key, stopBy);
      if (!together) yield* this.awaitStopped(key);
    }
    if (together) for (const key of keys) yield* this.awaitStopped(key);
  }

  private *awaitStopped(key: number): Generator<Suspend, void, unknown> {
    const child = findByKey(this.state, key);
    const greenlet = child?.greenlet;
    if (child === undefined || greenlet === undefined) return;
    yield* awaitStop(greenlet, child.stopBy ?? Infinity, () => {
      this.state = stopRequested(this.state, key, -Infinity);
    });
    this.state = childStopped(this.state, key);
    this.emitExit(child, greenlet, exitReason(greenlet));
  }

  /**
   * The supervisor ends (with `cause`): stop every child, last started
   * first. Another signal meanwhile does not cut it short; a plain kill
   * makes the rest plain kills. Returns what the supervisor exits with.
   */
  private *terminate(cause: unknown): Generator<Suspend, unknown, unknown> {
    let ending = cause;
    let brutal = isPlainKill(cause);
    for (;;) {
      try {
        const live = this.state.children.filter((c) => c.greenlet !== undefined).map((c) => c.key).reverse();
        yield* this.stopChildren(live, this.config.strategy === 'simpleOneForOne', brutal);
        break;
      } catch (error) {
        if (!(error instanceof Interrupt)) throw error;
        if (isPlainKill(error)) {
          brutal = true;
          ending = error;
        }
      }
    }
    this.state = allGone(this.state);
    return ending;
  }

  private emitExit(child: ChildRecord, greenlet: Greenlet<unknown>, reason: unknown): void {
    emitEvent(this.hub, () => ({ type: 'supervisorChildExit', greenlet: this, id: child.spec.id, child: greenlet, reason }));
  }

  private now(): number {
    return this.hub!.now();
  }
}

function isPlainKill(error: unknown): boolean {
  return error instanceof GreenletExit && !(error instanceof NormalExit);
}

function checkId(label: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '') throw new TypeError(`${label}: id must be a non-empty string, got ${show(id)}`);
}

/**
 * Waits until a child just started is up: a child supervisor once all its
 * children are (or it died); any other greenlet once it has run to its
 * first blocking point (or ended).
 */
function* awaitUp(child: Greenlet<unknown>): Generator<Suspend, void, unknown> {
  if (child instanceof Supervisor) {
    yield* child.up.wait();
    return;
  }
  // `gen` is set when its body first runs; a body that never blocks is dead after that step.
  while (!child.dead && child.gen === null) yield* sleep(0);
}
