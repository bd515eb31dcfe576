/**
 * The greenlet of a supervisor: how it runs, restarts and stops its
 * children. `Supervisor` (supervisor.ts) adds the public API on top; the
 * two are split only to keep each file readable, and every
 * `SupervisorProcess` is a `Supervisor`.
 *
 * Everything it decides is decided elsewhere, purely: which children a
 * restart touches (strategy.ts), whether an exit is restarted
 * (restart-decision.ts), whether intensity is exceeded (intensity.ts), how
 * long to back off (backoff.ts). Its state (state.ts) is a mutable core
 * indexed by key, id and greenlet, changed only through its named methods,
 * so handling one child costs the same among 100,000 children as among 10;
 * snapshots of it are immutable. This class
 * carries the decisions out: its greenlet is the only place children are
 * started and stopped (stopping.ts holds the shutdown protocol), and the
 * exits of its children reach it as messages (it traps exits), in turn with
 * the calls other greenlets make (calls.ts).
 */
import { Greenlet, exitReason } from '../lib/greenlet.js';
import { ExitSignal, Interrupt, NormalExit, isPlainKill } from '../lib/errors.js';
import { Empty } from '../lib/queue.js';
import { show } from '../lib/internal/validate.js';
import type { Suspend } from '../lib/operation.js';
import { Actor } from '../actors/actor.js';
import { link } from '../actors/link.js';
import { DRAIN_MARK } from '../actors/inbox.js';
import { badStartResult } from './child-spec.js';
import type { SupervisorConfig } from './options.js';
import { ChildStartFailed } from './errors.js';
import type { SupervisorMessage, SupervisorRequest } from './calls.js';
import { planRestart, type RestartPlan } from './strategy.js';
import { wantsRestart } from './restart-decision.js';
import { intensityExceeded } from './intensity.js';
import { backoffDelay, jitterSource, nextAttempt, resetAfterMs } from './backoff.js';
import { signalStop, awaitStop } from './stopping.js';
import { emitEvent } from './events.js';
import { countRestart } from './description.js';
import type { Supervisor } from './supervisor.js';
import { SupervisorState, type ChildRecord } from './state.js';
import { AWAIT_UP, FIRST_SUSPEND, HUB, MARK_UP, PARENT } from '../lib/internal/keys.js';

/** How `stopChildren` stops children (see there). */
type StopMode = 'inTurn' | 'together' | 'plainly';

/**
 * The greenlet of a supervisor; see `Supervisor`, its only subclass, for
 * what it does. Not exported: its members marked internal are left out of
 * the published types.
 */
export abstract class SupervisorProcess extends Actor<SupervisorMessage> {
  /** @internal true once it gave up (restart intensity exceeded). */
  gaveUp = false;
  /** @internal its options, defaults filled in. */
  protected readonly config: SupervisorConfig;
  /** @internal its children and restart window; changed only in its own greenlet (and by `deleteChild`, which never blocks). */
  protected readonly state: SupervisorState;
  private jitter: (() => number) | null = null;

  /** @internal made only by `Supervisor`, with its options checked and defaults filled in. */
  constructor(config: SupervisorConfig, name: string | undefined) {
    super({ name, trapExit: true });
    this.config = config;
    this.state = new SupervisorState(config.strategy === 'simpleOneForOne' ? [] : config.children);
  }

  /** @internal a supervisor is up once every initial child is (see `run`), not at its first blocking point. */
  override [FIRST_SUSPEND](): void {}

  /** Always true: a supervisor learns of its children's exits as messages. Setting it to false throws. */
  override get trapExit(): boolean {
    return super.trapExit;
  }

  override set trapExit(on: boolean) {
    if (on !== true) throw new TypeError(`Supervisor.trapExit: a supervisor always traps exits, got ${show(on)}`);
    super.trapExit = on;
  }

  /** @internal handles a call (calls.ts) in the supervisor's greenlet, replying through its `replyTo`. */
  protected abstract handleCall(request: SupervisorRequest): Generator<Suspend, void, unknown>;

  /** The Supervisor it is (its only subclass): what its events name. */
  private get self(): Supervisor {
    return this as unknown as Supervisor;
  }

  /**
   * Its body: start the children (it is up once they all are), then handle
   * exits and calls, and carry out restarts as they fall due, until it
   * ends — however it ends, its children are stopped first (see
   * `stopAll`).
   */
  protected override *run(): Generator<Suspend, void, unknown> {
    try {
      yield* this.startInitialChildren();
      this[MARK_UP]();
      for (;;) {
        const message = yield* this.nextMessage();
        if (message === undefined) yield* this.restartDue();
        else yield* this.receive(message);
      }
    } catch (error) {
      throw yield* this.stopAll(error);
    }
  }

  /** Handles one message: a child's (or a linked greenlet's) exit, or a call. Others are ignored, as OTP's are. */
  protected override *receive(message: SupervisorMessage): Generator<Suspend, void, unknown> {
    // stop({ drain: true }): the calls queued before it were handled; now stop, as stop() would.
    if ((message as unknown) === DRAIN_MARK) throw new NormalExit();
    if (message === null || typeof message !== 'object') return;
    switch (message.type) {
      case 'EXIT':
        // A remote actor (grove/cluster) is never a child: its exit is a stranger's.
        return yield* this.exited(message.from instanceof Greenlet ? message.from : null, message.reason);
      case 'startChild':
      case 'terminateChild':
      case 'restartChild':
      case 'whichChildren':
      case 'countChildren':
        return yield* this.handleCall(message);
    }
  }

  private *startInitialChildren(): Generator<Suspend, void, unknown> {
    for (const key of this.state.keys()) {
      // A child deleted while an earlier one was starting is skipped.
      if (this.state.findByKey(key) !== undefined) yield* this.launch(key);
    }
  }

  /** The next message; undefined when a pending restart is due and nothing is queued before it. */
  private *nextMessage(): Generator<Suspend, SupervisorMessage | undefined, unknown> {
    const due = this.state.nextDue();
    if (due === undefined) return yield* this.inbox.get();
    try {
      // Messages already queued go first, as OTP's try_again_restart is queued behind them.
      return yield* this.inbox.get({ timeout: Math.max(0, due.pending!.deadline - this.now()) });
    } catch (error) {
      if (error instanceof Empty) return undefined;
      throw error;
    }
  }

  /** A linked greenlet exited: a child (restart it or not), an old incarnation (ignore), or a stranger. */
  private *exited(from: Greenlet<unknown> | null, reason: unknown): Generator<Suspend, void, unknown> {
    const child = from === null ? undefined : this.state.findByGreenlet(from);
    if (child === undefined || from === null) {
      if (from !== null && this.state.wasChild(from)) return;
      // A stranger's exit acts as on a process that does not trap exits: 'normal' is ignored, anything else ends us.
      if (reason === 'normal') return;
      throw new ExitSignal(reason);
    }
    this.emitExit(child, from, reason);
    if (from instanceof SupervisorProcess && from.gaveUp) {
      emitEvent(this[HUB], () => ({ type: 'supervisorEscalate', greenlet: this.self, id: child.spec.id, child: from.self, reason }));
    }
    if (!wantsRestart(child.spec.restart, reason)) {
      // A dynamic child that is not restarted is gone, whatever its restart type (OTP keeps no spec for it).
      if (this.config.strategy === 'simpleOneForOne') this.state.remove(child.key);
      else this.state.exited(child.key);
      return;
    }
    this.state.stopped(child.key);
    yield* this.restart(child.key, 'exit', this.now() - child.startedAt);
  }

  /**
   * Handles the exits of children that have died but whose EXIT has not
   * reached the inbox yet (the hub delivers it a moment after the death),
   * as if it had: an in-turn read sees every death that happened before it
   * is answered. The EXIT, when it comes, is an old incarnation's and is
   * ignored. In start order; O(n), as the read itself.
   * @internal
   */
  protected *exitsNotYetDelivered(): Generator<Suspend, void, unknown> {
    const dead: Greenlet<unknown>[] = [];
    for (const child of this.state.records()) if (child.greenlet?.dead) dead.push(child.greenlet);
    // A restart handled first may have stopped (or forgotten) a later one: check each is still current.
    for (const greenlet of dead) if (this.state.findByGreenlet(greenlet) !== undefined) yield* this.exited(greenlet, exitReason(greenlet));
  }

  /**
   * A restart of child `key` is wanted: after it exited (`'exit'`, having
   * been up `upMs` ms), or after a restart of it failed to start
   * (`'failedStart'`). Every one
   * counts; past the intensity the supervisor gives up. A first restart
   * without backoff is carried out at once (OTP restarts while handling the
   * exit); a delayed one, and a retry, is due later — a retry behind the
   * messages already queued, as OTP's `try_again_restart` — and the
   * children its strategy restarts with it are stopped now.
   */
  private *restart(key: number, cause: 'exit' | 'failedStart', upMs: number): Generator<Suspend, void, unknown> {
    const { maxRestarts, withinMs, backoff } = this.config;
    const now = this.now();
    this.state.restarts.add(now, withinMs);
    const child = this.state.findByKey(key)!;
    if (intensityExceeded(this.state.restarts.count, maxRestarts)) {
      this.gaveUp = true;
      emitEvent(this[HUB], () => ({ type: 'supervisorGiveUp', greenlet: this.self, id: child.spec.id, maxRestarts, withinMs }));
      throw new ExitSignal('shutdown');
    }
    const attempt = nextAttempt(child.attempts, upMs, backoff === null ? withinMs : resetAfterMs(backoff));
    const delayMs = backoff === null ? 0 : backoffDelay(backoff, attempt, (this.jitter ??= jitterSource(this[HUB]!))());
    this.state.restartPending(key, now + delayMs, attempt);
    countRestart(this[HUB]!);
    emitEvent(this[HUB], () => ({ type: 'supervisorChildRestart', greenlet: this.self, id: child.spec.id, attempt, delayMs }));
    if (delayMs === 0 && cause === 'exit') yield* this.carryOut(key);
    else yield* this.stopForRestart(this.plan(key));
  }

  /** The earliest pending restart is due: carry it out. */
  private *restartDue(): Generator<Suspend, void, unknown> {
    const due = this.state.nextDue();
    if (due !== undefined) yield* this.carryOut(due.key);
  }

  /** The strategy's plan for restarting child `key` (strategy.ts): it sees the other children only if it needs them. */
  private plan(key: number): RestartPlan {
    return planRestart(this.config.strategy, key, () => this.state.planView());
  }

  /**
   * Restarts child `key` by the strategy's plan. A start that fails is
   * counted and retried; a start that returns `'ignore'` leaves that child
   * stopped (a dynamic one is forgotten).
   */
  private *carryOut(key: number): Generator<Suspend, void, unknown> {
    const plan = this.plan(key);
    // After a delay there is usually nothing left to stop; a child added by startChild meanwhile is.
    yield* this.stopForRestart(plan);
    for (const next of plan.start) {
      const child = this.state.findByKey(next);
      if (child === undefined || child.greenlet !== undefined) continue;
      let started: Greenlet<unknown> | undefined;
      try {
        started = yield* this.launch(next);
      } catch (error) {
        if (!(error instanceof ChildStartFailed)) throw error;
        yield* this.restart(next, 'failedStart', 0);
        return;
      }
      if (started === undefined && this.config.strategy === 'simpleOneForOne') this.state.remove(next);
    }
  }

  private *stopForRestart(plan: RestartPlan): Generator<Suspend, void, unknown> {
    yield* this.stopChildren(plan.stop, 'inTurn');
    for (const key of plan.drop) this.state.remove(key);
  }

  /**
   * Starts child `key` and waits until it is up (an Actor: its `init`
   * returned; a Supervisor: its own children are up; any other greenlet:
   * it ran to its first blocking point); returns its greenlet — or
   * undefined if `start` returned `'ignore'` (the child stays stopped; a
   * pending restart of it is done with). Throws `ChildStartFailed` if
   * `start` throws or returns anything else but a live greenlet (or this
   * supervisor, an ancestor, or another supervisor's child), or if the
   * greenlet exits abnormally before it is up (one that exits `'normal'`
   * at once was up: its EXIT follows as usual). A child that was up and
   * crashed at once (on a message already queued) is not a failed start:
   * its EXIT follows, and it is restarted by the rules.
   * @internal
   */
  protected *launch(key: number): Generator<Suspend, Greenlet<unknown> | undefined, unknown> {
    const child = this.state.findByKey(key)!;
    let made: unknown;
    try {
      made = child.launch();
    } catch (error) {
      throw this.startFailed(child, error);
    }
    if (made === 'ignore') {
      this.state.restartCancelled(key);
      emitEvent(this[HUB], () => ({ type: 'supervisorChildIgnored', greenlet: this.self, id: child.spec.id }));
      return undefined;
    }
    const bad = badStartResult(child.spec, made) ?? this.badChild(child, made as Greenlet<unknown>);
    if (bad !== null) throw this.startFailed(child, bad);
    const greenlet = made as Greenlet<unknown>;
    greenlet[PARENT] = this;
    link(this, greenlet);
    this.state.started(key, greenlet, this.now());
    if (!greenlet.started) greenlet.start();
    const wasUp = yield* greenlet[AWAIT_UP]();
    const reason = exitReason(greenlet);
    if (!wasUp && reason !== 'normal') {
      this.state.stopped(key);
      throw this.startFailed(child, reason);
    }
    emitEvent(this[HUB], () => ({ type: 'supervisorChildStart', greenlet: this.self, id: child.spec.id, child: greenlet }));
    return greenlet;
  }

  /** What is wrong with a child greenlet that would make a cycle or be supervised twice; null when it is fine. */
  private badChild(child: ChildRecord, greenlet: Greenlet<unknown>): TypeError | null {
    const id = JSON.stringify(child.spec.id);
    for (let above: Greenlet<unknown> | null = this; above !== null; above = above[PARENT]) {
      if (above === greenlet) {
        const what = above === this ? 'the supervisor itself' : `${greenlet}, an ancestor of ${this}`;
        return new TypeError(`child ${id}: start returned ${what}: a supervisor cannot supervise itself or its ancestors`);
      }
    }
    const parent = greenlet[PARENT];
    if (parent !== null && parent !== this && !parent.dead) {
      return new TypeError(`child ${id}: start returned ${greenlet}, which is already a child of ${parent}`);
    }
    return null;
  }

  private startFailed(child: ChildRecord, reason: unknown): ChildStartFailed {
    emitEvent(this[HUB], () => ({ type: 'supervisorChildStartFailed', greenlet: this.self, id: child.spec.id, reason }));
    return new ChildStartFailed(String(this), child.spec.id, reason);
  }

  /**
   * Stops children `keys`, asking them in that order: `'inTurn'`, each with
   * its shutdown protocol, one at a time; `'together'`, all asked at once
   * and then awaited (OTP's way for simpleOneForOne); `'plainly'`, all
   * killed plainly, then awaited. A child already asked to stop is not
   * asked again (its deadline stands), unless it is now killed plainly.
   * @internal
   */
  protected *stopChildren(keys: readonly number[], mode: StopMode): Generator<Suspend, void, unknown> {
    const inTurn = mode === 'inTurn';
    for (const key of keys) {
      const child = this.state.findByKey(key);
      if (child?.greenlet === undefined) continue;
      const stopBy = signalStop(this, child, mode === 'plainly' ? 'plainly' : 'protocol', this.now());
      if (stopBy !== undefined) this.state.stopRequested(key, stopBy);
      if (inTurn) yield* this.awaitStopped(key);
    }
    if (!inTurn) for (const key of keys) yield* this.awaitStopped(key);
  }

  private *awaitStopped(key: number): Generator<Suspend, void, unknown> {
    const child = this.state.findByKey(key);
    const greenlet = child?.greenlet;
    if (child === undefined || greenlet === undefined) return;
    yield* awaitStop(greenlet, child.stopBy ?? Infinity, () => this.state.stopRequested(key, -Infinity));
    this.state.stopped(key);
    this.emitExit(child, greenlet, exitReason(greenlet));
  }

  /**
   * The supervisor ends (with `cause`): stop every child, last started
   * first. Another signal meanwhile does not cut it short; a plain kill
   * makes the rest plain kills. Returns what the supervisor exits with.
   */
  private *stopAll(cause: unknown): Generator<Suspend, unknown, unknown> {
    let ending = cause;
    let plainly = isPlainKill(cause);
    for (;;) {
      try {
        const live: number[] = [];
        for (const child of this.state.records()) if (child.greenlet !== undefined) live.push(child.key);
        live.reverse();
        yield* this.stopChildren(live, plainly ? 'plainly' : this.config.strategy === 'simpleOneForOne' ? 'together' : 'inTurn');
        break;
      } catch (error) {
        if (!(error instanceof Interrupt)) throw error;
        if (isPlainKill(error)) {
          plainly = true;
          ending = error;
        }
      }
    }
    this.state.allGone();
    return ending;
  }

  private emitExit(child: ChildRecord, greenlet: Greenlet<unknown>, reason: unknown): void {
    emitEvent(this[HUB], () => ({ type: 'supervisorChildExit', greenlet: this.self, id: child.spec.id, child: greenlet, reason }));
  }

  /** @internal the hub's time, ms. */
  protected now(): number {
    return this[HUB]!.now();
  }
}
