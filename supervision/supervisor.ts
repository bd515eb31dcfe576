/**
 * `Supervisor`: Erlang/OTP's supervisor as a grove actor. It starts its
 * children one at a time, watches them through links (it traps exits),
 * restarts them by its strategy, gives up when restarts come too often, and
 * stops them in reverse start order when it ends.
 *
 * This file is its public face: construction, and the calls other
 * greenlets make — `startChild`, `terminateChild`, `restartChild` and the
 * in-turn reads `whichChildrenInTurn`, `countChildrenInTurn` are handled
 * in the supervisor's own greenlet, as messages (calls.ts), so a call
 * never races a restart; `deleteChild`, `child`, `whichChildren`,
 * `countChildren` never block and see the state as it is. How its greenlet
 * runs, restarts and stops children is supervisor-process.ts.
 */
import { Greenlet } from '../lib/greenlet.js';
import { ctx } from '../lib/internal/context.js';
import { NotInGreenlet } from '../lib/errors.js';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { AskFailed, ask, type ReplyTo } from '../actors/ask.js';
import { notStarted, type Actor } from '../actors/actor.js';
import { checkChildSpec, checkId, type ChildSpec, type ChildType } from './child-spec.js';
import { checkSupervisorOptions, type SupervisorOptions } from './options.js';
import { ChildRunning, ChildStartFailed, UnknownChild, WrongStrategy } from './errors.js';
import { refusalError, type CallOutcome, type SupervisorMessage, type SupervisorRequest } from './calls.js';
import { SupervisorProcess } from './supervisor-process.js';
import { statusOf } from './state.js';
import { describeSupervisor, rootsOf, type SupervisorDescription } from './description.js';
import { getHub, type Hub } from '../lib/hub.js';
import { HUB } from '../lib/internal/keys.js';

/** The template spec of a `simpleOneForOne` supervisor's `children` list type. */
type TemplateOf<S> = S extends readonly [infer T, ...unknown[]] ? T : S extends readonly (infer T)[] ? T : never;
/** The arguments of the template's `start` (any array when they are not known). */
export type TemplateArgs<S> = TemplateOf<S> extends { readonly start: (...args: infer A) => unknown } ? ([A] extends [never] ? unknown[] : A) : unknown[];
/** What the template's `start` returns: the greenlet it makes, with `| 'ignore'` if it may decline. */
export type TemplateChild<S> = TemplateOf<S> extends { readonly start: (...args: never) => infer G } ? G : Greenlet<unknown> | 'ignore';
/**
 * What `startChild` gives for a `start` returning `G`: the greenlet, or
 * undefined where `start` may return `'ignore'` (`Started<Db | 'ignore'>`
 * is `Db | undefined`).
 */
export type Started<G> = G extends 'ignore' ? undefined : G;

/** One child in a snapshot of `whichChildren()` or `whichChildrenInTurn()`. */
export interface ChildInfo {
  /** Its spec's id (dynamic children of `simpleOneForOne` share their template's). */
  readonly id: string;
  /**
   * The child's greenlet while it runs; undefined while it is stopped,
   * waiting to be restarted, or declined to start (`'ignore'`). From the
   * plain `whichChildren()` it may be a greenlet that has just died, whose
   * exit the supervisor has not handled yet.
   */
  readonly greenlet: Greenlet<unknown> | undefined;
  /** Its spec's type: `'worker'` or `'supervisor'`. */
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

/** Options of `startChild`, `terminateChild`, `restartChild` and the in-turn reads. */
export interface SupervisorCallOptions {
  /**
   * Give up waiting after this many ms and throw `Timeout` (no default: the
   * call waits for the supervisor's answer, or its death). A Timeout given
   * here is started for the call and raised itself if it fires. As with
   * `ask` (and OTP's `gen_server:call`), giving up does not withdraw the
   * call: the supervisor still carries it out in its turn (a child may be
   * started or stopped after the caller stopped waiting) and its answer is
   * discarded.
   */
  readonly timeout?: TimeoutOption;
}
const CALL_KEYS = optionKeys<SupervisorCallOptions>({ timeout: true });

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
export class Supervisor<S extends readonly ChildSpec[] = readonly ChildSpec[]> extends SupervisorProcess {
  /**
   * A supervisor, not started. Throws at once if an option or child spec is
   * wrong (a `TypeError` or `RangeError` naming the field; `DuplicateChild`
   * for an id used twice).
   */
  constructor(options: SupervisorOptions<S>) {
    super(checkSupervisorOptions(options), options.name);
  }

  // ---- the public API ------------------------------------------------------

  /**
   * Adds a child and starts it (`spec` for `oneForOne`, `oneForAll` and
   * `restForOne`, placed last in the start order; for `simpleOneForOne`,
   * the arguments of its template's `start`). Blocks until the child is up,
   * and returns its greenlet — undefined if `start` returned `'ignore'`
   * (the spec is kept, not running; a dynamic child is not added). Throws
   * `DuplicateChild` if the id is taken (the spec is not added),
   * `ChildStartFailed` if the child could not be started (its spec is not
   * kept), `AskFailed` if the supervisor is not alive or exits meanwhile,
   * `Timeout` after `options.timeout` ms (see
   * {@link SupervisorCallOptions}). A bad spec or option throws at once.
   * The spec travels to the supervisor as a message: it is frozen, as
   * messages are (`meta` included; the template's arguments are not).
   *
   * Typed: it returns what `spec.start` returns (`yield*
   * sup.startChild({ id: 'db', start: () => new Db() })` is a `Db`; with
   * `| undefined` if it may return `'ignore'`), and for `simpleOneForOne`,
   * what the template's `start` returns, its arguments checked against the
   * template's.
   */
  startChild<G extends Greenlet<unknown> | 'ignore'>(spec: ChildSpec<G>, options?: SupervisorCallOptions): Operation<Started<G>>;
  startChild(args: Readonly<TemplateArgs<S>>, options?: SupervisorCallOptions): Operation<Started<TemplateChild<S>>>;
  startChild(specOrArgs: unknown, options?: SupervisorCallOptions): Operation<unknown> {
    const label = 'Supervisor.startChild';
    let spec: Required<ChildSpec>;
    let launch: () => unknown;
    if (this.config.strategy === 'simpleOneForOne') {
      if (!Array.isArray(specOrArgs)) {
        throw new TypeError(`${label}: ${this} is simpleOneForOne: pass the arguments of its template's start as an array, got ${show(specOrArgs)}`);
      }
      const template = this.config.children[0];
      const args = [...specOrArgs];
      const start = template.start as (...args: unknown[]) => unknown;
      spec = template;
      launch = () => start(...args);
    } else {
      if (Array.isArray(specOrArgs)) {
        throw new TypeError(`${label}: ${this} is ${this.config.strategy}: pass a child spec ({ id, start, ... }), got an array (arguments are for simpleOneForOne)`);
      }
      spec = checkChildSpec(label, 'spec', specOrArgs);
      launch = spec.start;
    }
    return this.call(label, spec.id, (replyTo) => ({ type: 'startChild', spec, launch, replyTo }), options);
  }

  /**
   * Stops a child (by id; for `simpleOneForOne`, by its greenlet) with its
   * shutdown protocol — `ExitSignal('shutdown')`, then a plain kill after
   * its `shutdown` ms — and blocks until it is dead. A pending restart of it
   * is called off. Its spec is kept (`restartChild` starts it again) unless
   * it is temporary or dynamic. Stopping a stopped child does nothing.
   *
   * A dynamic child is named by any greenlet it ran as — the one
   * `startChild` returned, or any restart's — so it can be terminated
   * however often it was restarted, and while it waits to be restarted (a
   * restart loop with backoff ends here). A greenlet that is no longer any
   * child's and is dead is as good as terminated (OTP's rule for a pid).
   *
   * Throws `UnknownChild`, `WrongStrategy` (an id given to
   * `simpleOneForOne`), `AskFailed` if the supervisor is not alive,
   * `Timeout` after `options.timeout` ms (the child is still stopped; see
   * {@link SupervisorCallOptions}).
   */
  terminateChild(id: string | Greenlet<unknown>, options?: SupervisorCallOptions): Operation<void> {
    const label = 'Supervisor.terminateChild';
    if (this.config.strategy === 'simpleOneForOne') {
      if (typeof id === 'string') throw new WrongStrategy(`${label}: ${this} is simpleOneForOne: give the child's greenlet, not an id`);
      if (!(id instanceof Greenlet)) throw new TypeError(`${label}: child must be a greenlet, got ${show(id)}`);
    } else checkId(label, 'id', id);
    return this.call(label, id, (replyTo) => ({ type: 'terminateChild', target: id, replyTo }), options) as Operation<unknown> as Operation<void>;
  }

  /**
   * Starts again a stopped child (after `terminateChild`, or a transient one
   * that exited normally), in its place; blocks until it is up and returns
   * its greenlet (undefined if its `start` returned `'ignore'`: it stays
   * stopped). Does not count towards the restart intensity. Throws
   * `UnknownChild`, `ChildRunning` (it runs, or waits to be restarted),
   * `ChildStartFailed`, `WrongStrategy` for `simpleOneForOne`, `AskFailed`
   * if the supervisor is not alive, `Timeout` after `options.timeout` ms
   * (see {@link SupervisorCallOptions}).
   */
  restartChild(id: string, options?: SupervisorCallOptions): Operation<Greenlet<unknown> | undefined> {
    const label = 'Supervisor.restartChild';
    this.checkStatic(label);
    checkId(label, 'id', id);
    return this.call(label, id, (replyTo) => ({ type: 'restartChild', id, replyTo }), options);
  }

  /**
   * Removes the spec of a stopped child. Never blocks. Throws
   * `UnknownChild`, `ChildRunning` (stop it first), `WrongStrategy` for
   * `simpleOneForOne` (its children go when they stop).
   */
  deleteChild(id: string): void {
    const label = 'Supervisor.deleteChild';
    this.checkStatic(label);
    checkId(label, 'id', id);
    const child = this.state.findById(id);
    if (child === undefined) throw new UnknownChild(`${label}: no child ${JSON.stringify(id)} in ${this}`, id);
    const status = statusOf(child);
    if (status !== 'stopped') {
      const where = status === 'running' ? 'is running' : 'is waiting to be restarted';
      throw new ChildRunning(`${label}: child ${JSON.stringify(id)} of ${this} ${where} (terminateChild stops it)`, id);
    }
    this.state.remove(child.key);
  }

  /**
   * The running greenlet of static child `id`, or undefined while it is
   * stopped or waiting to be restarted (its state now, as the plain
   * `whichChildren` sees it).
   * Typed: give the child's class (`sup.child('db', Db)`: a `Db`, checked
   * with `instanceof`) or the very spec object it was started from
   * (`sup.child(dbSpec)`: the type its `start` returns, checked by the
   * spec's `start`). Never blocks. Throws `UnknownChild` for an id it does
   * not have, `WrongStrategy` for `simpleOneForOne` (its children share one
   * id: keep the greenlets `startChild` returns), a `TypeError` when the
   * child is not of the class, or not started from that spec.
   */
  child(id: string): Greenlet<unknown> | undefined;
  child<G extends Greenlet<unknown>>(id: string, type: abstract new (...args: never) => G): G | undefined;
  child<G extends Greenlet<unknown> | 'ignore'>(spec: ChildSpec<G>): Started<G> | undefined;
  child(idOrSpec: string | ChildSpec, type?: abstract new (...args: never) => Greenlet<unknown>): Greenlet<unknown> | undefined {
    const label = 'Supervisor.child';
    this.checkStatic(label);
    const bySpec = typeof idOrSpec !== 'string';
    const id = bySpec ? (idOrSpec as Partial<ChildSpec> | null)?.id : idOrSpec;
    checkId(label, bySpec ? 'spec.id' : 'id', id);
    if (type !== undefined && typeof type !== 'function') throw new TypeError(`${label}: type must be a class, got ${show(type)}`);
    const record = this.state.findById(id);
    if (record === undefined) throw new UnknownChild(`${label}: no child ${JSON.stringify(id)} in ${this}`, id);
    if (bySpec && record.spec.start !== idOrSpec.start) {
      throw new TypeError(`${label}: child ${JSON.stringify(id)} of ${this} was not started from the spec given (its start function differs)`);
    }
    const greenlet = record.greenlet;
    if (greenlet !== undefined && type !== undefined && !(greenlet instanceof type)) {
      throw new TypeError(`${label}: child ${JSON.stringify(id)} of ${this} is ${greenlet}, not a ${type.name}`);
    }
    return greenlet;
  }

  /**
   * The children in start order, as an immutable snapshot of `{ id,
   * greenlet, type }` (`greenlet` undefined when not running), read at
   * once: it does not wait for the supervisor to handle the messages
   * already queued. So right after a child died it may still list its dead
   * greenlet (the supervisor has not handled the EXIT yet, nor restarted
   * it); `whichChildrenInTurn()` waits for that, as OTP's `which_children`
   * does. Never blocks; on a supervisor that has ended, the state it left
   * (its children stopped). The snapshot is made on demand, O(n), and
   * reused until something changes.
   */
  whichChildren(): readonly ChildInfo[] {
    return this.state.snapshot();
  }

  /**
   * What it is and where each child is (see {@link SupervisorDescription}):
   * strategy, intensity, and per child its id, type, restart type, status
   * (`'running'`, `'restarting'`, `'backingOff'` until `restartAt`,
   * `'stopped'`), restart count and greenlet. A frozen snapshot of its
   * state now, as `whichChildren()` is (not in turn). Never blocks; O(n).
   */
  describe(): SupervisorDescription {
    return describeSupervisor(this.state, this.config, (this[HUB] ?? getHub()).now());
  }

  /**
   * How many specs, live children, supervisors and workers it has (OTP's
   * `count_children`), read at once: `active` counts the greenlets alive
   * now, so a child that has just died is not counted, and its restart is
   * not either until the supervisor has handled its EXIT —
   * `countChildrenInTurn()` waits for that. Never blocks; O(n).
   */
  countChildren(): ChildCounts {
    let active = 0;
    let supervisors = 0;
    for (const child of this.state.records()) {
      if (child.greenlet !== undefined && !child.greenlet.dead) active++;
      if (child.spec.type === 'supervisor') supervisors++;
    }
    const size = this.state.size;
    return Object.freeze({ specs: this.config.strategy === 'simpleOneForOne' ? 1 : size, active, supervisors, workers: size - supervisors });
  }

  /**
   * `whichChildren()` answered in turn (OTP's `which_children`): the
   * request waits behind the messages already in the supervisor's inbox —
   * its children's exits among them — and is answered once they are
   * handled, so a child that died before the call is already shown
   * restarted (or, with backoff, waiting: `greenlet` undefined), or gone.
   * Blocks until the answer; a supervisor busy starting or stopping a
   * child answers once done. Throws `AskFailed` with reason `'noproc'` if
   * the supervisor is not alive (OTP's `noproc`), `AskFailed` with its exit
   * reason if it ends first, `Timeout` after `options.timeout` ms (see
   * {@link SupervisorCallOptions}).
   */
  whichChildrenInTurn(options?: SupervisorCallOptions): Operation<readonly ChildInfo[]> {
    return this.read('Supervisor.whichChildrenInTurn', (replyTo) => ({ type: 'whichChildren', replyTo }), options);
  }

  /**
   * `countChildren()` answered in turn (OTP's `count_children`): after the
   * messages already queued, as {@link whichChildrenInTurn}; it blocks and
   * fails the same way.
   */
  countChildrenInTurn(options?: SupervisorCallOptions): Operation<ChildCounts> {
    return this.read('Supervisor.countChildrenInTurn', (replyTo) => ({ type: 'countChildren', replyTo }), options);
  }

  // ---- calls -----------------------------------------------------------------

  /** @internal */
  protected *handleCall(request: SupervisorRequest): Generator<Suspend, void, unknown> {
    switch (request.type) {
      case 'startChild':
        return yield* this.handleStartChild(request.spec, request.launch, request.replyTo);
      case 'terminateChild':
        return yield* this.handleTerminateChild(request.target, request.replyTo);
      case 'restartChild':
        return yield* this.handleRestartChild(request.id, request.replyTo);
      case 'whichChildren':
        yield* this.exitsNotYetDelivered();
        request.replyTo.reply(this.whichChildren());
        return;
      case 'countChildren':
        yield* this.exitsNotYetDelivered();
        request.replyTo.reply(this.countChildren());
        return;
    }
  }

  private *handleStartChild(spec: Required<ChildSpec>, launch: () => unknown, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    if (this.config.strategy !== 'simpleOneForOne') {
      const existing = this.state.findById(spec.id);
      if (existing !== undefined) {
        replyTo.reply({ ok: false, refusal: existing.greenlet !== undefined ? 'duplicate' : 'present' });
        return;
      }
    }
    const { key } = this.state.add(spec, launch);
    let child: Greenlet<unknown> | undefined;
    try {
      child = yield* this.launch(key);
    } catch (error) {
      if (!(error instanceof ChildStartFailed)) throw error;
      this.state.remove(key);
      replyTo.reply({ ok: false, refusal: 'startFailed', reason: error.reason });
      return;
    }
    // A dynamic child that declined to start is not added (OTP); a static one is kept, stopped.
    if (child === undefined && this.config.strategy === 'simpleOneForOne') this.state.remove(key);
    replyTo.reply({ ok: true, child });
  }

  private *handleTerminateChild(target: string | Greenlet<unknown>, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    // A dynamic child is found by any of its incarnations, so one waiting to be restarted can be ended too.
    const child = typeof target === 'string' ? this.state.findById(target) : this.state.findByIncarnation(target);
    if (child === undefined) {
      // OTP's rule for a pid: one that is not alive is as good as terminated.
      const gone = typeof target !== 'string' && target.dead;
      replyTo.reply(gone ? { ok: true, child: undefined } : { ok: false, refusal: 'unknown' });
      return;
    }
    yield* this.stopChildren([child.key], 'inTurn');
    this.state.restartCancelled(child.key);
    if (this.config.strategy === 'simpleOneForOne' || child.spec.restart === 'temporary') this.state.remove(child.key);
    replyTo.reply({ ok: true, child: undefined });
  }

  private *handleRestartChild(id: string, replyTo: ReplyTo<CallOutcome>): Generator<Suspend, void, unknown> {
    const child = this.state.findById(id);
    // A refusal is named after the child's status ('running', 'restarting').
    const status = child === undefined ? 'unknown' : statusOf(child);
    if (status !== 'stopped') {
      replyTo.reply({ ok: false, refusal: status });
      return;
    }
    try {
      replyTo.reply({ ok: true, child: yield* this.launch(child!.key) });
    } catch (error) {
      if (!(error instanceof ChildStartFailed)) throw error;
      replyTo.reply({ ok: false, refusal: 'startFailed', reason: error.reason });
    }
  }

  private call(
    label: string,
    subject: string | Greenlet<unknown>,
    make: (replyTo: ReplyTo<CallOutcome>) => SupervisorRequest,
    options: SupervisorCallOptions | undefined,
  ): Operation<Greenlet<unknown> | undefined> {
    this.checkCall(label, options);
    return new Composite(label, () => this.awaitCall(label, subject, make, options));
  }

  private read<R>(label: string, make: (replyTo: ReplyTo<R>) => SupervisorRequest, options: SupervisorCallOptions | undefined): Operation<R> {
    this.checkCall(label, options);
    return new Composite(label, () => this.askInTurn(label, make, options));
  }

  /** Checked at the call, so a bad option throws there, named after it (ask would name itself, and only when run). */
  private checkCall(label: string, options: SupervisorCallOptions | undefined): void {
    checkOptions(label, options, CALL_KEYS);
    checkTimeout(label, options?.timeout);
    if (ctx.current === (this as Greenlet<unknown>)) {
      throw new Error(`${label}: ${this} cannot call itself (a child's start function runs in the supervisor's greenlet)`);
    }
    if (ctx.current === null) throw new NotInGreenlet(`${label}()`);
    if (!this.started && !this.dead) throw notStarted(label, this as Actor<unknown>);
  }

  private *awaitCall(
    label: string,
    subject: string | Greenlet<unknown>,
    make: (replyTo: ReplyTo<CallOutcome>) => SupervisorRequest,
    options: SupervisorCallOptions | undefined,
  ): Generator<Suspend, Greenlet<unknown> | undefined, unknown> {
    const outcome = yield* this.askInTurn(label, make, options);
    if (outcome.ok) return outcome.child;
    throw refusalError(label, this, subject, outcome);
  }

  /** Asks the supervisor (its inbox, in turn); a failed ask is named after the call that was made. */
  private *askInTurn<R>(
    label: string,
    make: (replyTo: ReplyTo<R>) => SupervisorRequest,
    options: SupervisorCallOptions | undefined,
  ): Generator<Suspend, R, unknown> {
    try {
      return yield* ask<SupervisorMessage, R>(this, make as (replyTo: ReplyTo<R>) => never, options);
    } catch (error) {
      if (error instanceof AskFailed && error.target === (this as Actor<unknown>)) {
        throw new AskFailed(this as Actor<unknown>, error.reason, error.notAlive, label);
      }
      throw error;
    }
  }

  private checkStatic(label: string): void {
    if (this.config.strategy === 'simpleOneForOne') {
      throw new WrongStrategy(`${label}: not supported by ${this}, a simpleOneForOne supervisor (its children go when they stop)`);
    }
  }
}

/**
 * The supervisors of `hub` (the current hub by default) that no other
 * supervisor supervises — the roots of its supervision trees — oldest
 * first; each one's children are in its `describe()`. Only started, live
 * supervisors count. Never blocks.
 */
export function rootSupervisors(hub: Hub = getHub()): Supervisor[] {
  return rootsOf(hub, (g): g is Supervisor => g instanceof Supervisor);
}
