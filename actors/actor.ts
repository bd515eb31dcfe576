/**
 * `Actor<M>`: a greenlet with an inbox (the tutorial's Actor, made into the
 * unit of an Erlang-style system). Its `run()` runs `init()`, after which
 * the actor is up (`up()` waits for that), then loops over the inbox,
 * handing each message to `receive(message)`, and runs `terminate(reason)`
 * as it ends; `send(message)` never blocks. A message that will never be
 * handled is a dead letter (dead-letter.ts).
 *
 * Actors relate to other greenlets through the sibling modules: links and
 * `exit` (link.ts), monitors (monitor.ts), request/reply (ask.ts) and names
 * (registry.ts). Those keep their state out of line (relations.ts), so an
 * idle actor is its greenlet, its inbox and two small fields.
 */
import { Greenlet, exitReason } from '../lib/greenlet.js';
import { ExitSignal, NormalExit, describeReason, isPlainKill, reasonOf } from '../lib/errors.js';
import { Full, shutDownError } from '../lib/queue.js';
import { ctx } from '../lib/internal/context.js';
import { isOperation } from '../lib/internal/brand.js';
import { Composite } from '../lib/internal/composite.js';
import { checkTimeout } from '../lib/internal/wait.js';
import { checkFunction, checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import type { Hub } from '../lib/hub.js';
import type { Queue } from '../lib/queue.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { DRAIN_MARK, Envelope, Inbox } from './inbox.js';
import { stopTimers, timersOf, type ActorTimers } from './timers.js';
import { checkStashCapacity, stashMessage, stashOf, stashSize, takeStashed, unstashAll } from './stash.js';
import { explainFrozenWrite, prepareMessage } from './config.js';
import { deadLetter } from './dead-letter.js';
import type { ActorRef } from './ref.js';
import type { Relations } from './relations.js';
import './events.js';
import { AWAIT_UP, FIRST_SUSPEND, HUB, KILL_WITH, MARK_UP, NOTIFY_HUB, SCHEDULE_NOTIFY, STOP_FOR_SHUTDOWN } from '../lib/internal/keys.js';
import {
  ACTOR_FLAGS, BEGIN_LIFE, BUSY, DEAD_LETTER, DELIVER, END_LIFE, RELATIONS, RUN_HOOK, SPAWNED, STOP_GRACEFULLY, TAKE_MESSAGES, TAKE_PENDING_STOP,
} from './keys.js';

/** Options of `new Actor` (through a subclass's `super(options)`). */
export interface ActorOptions {
  /** Its name (`greenlet.name`); `<Class>-<id>` by default. Not a registered name: see `register`. */
  name?: string;
  /**
   * The most messages its inbox holds (a positive integer); unbounded when
   * omitted. `send` to a full inbox throws `MailboxFull`; `EXIT` and `DOWN`
   * messages are always delivered, beyond the bound if need be.
   */
  mailbox?: number;
  /** Trap exits from the start (see `trapExit`). */
  trapExit?: boolean;
  /**
   * The most messages its stash holds (a positive integer; 1000 when
   * omitted): `stash` past it throws `StashOverflow`.
   */
  stashCapacity?: number;
}
const ACTOR_KEYS = optionKeys<ActorOptions>({ name: true, mailbox: true, trapExit: true, stashCapacity: true });

/** Options of `receiveMatching`. */
export interface ReceiveOptions {
  /**
   * Give up after this many ms (`0`: only look at what is queued) and throw
   * `Empty`. A Timeout given here is started for the call and raised itself.
   */
  timeout?: TimeoutOption;
}
const RECEIVE_KEYS = optionKeys<ReceiveOptions>({ timeout: true });

/** Options of `up()`. */
export interface UpOptions {
  /**
   * Give up after this many ms and throw `Timeout` (no default: wait until
   * the actor is up or dead). A Timeout given here is started for the call
   * and raised itself if it fires.
   */
  timeout?: TimeoutOption;
}
const UP_KEYS = optionKeys<UpOptions>({ timeout: true });

/** Options of `stop()`. */
export interface StopOptions {
  /**
   * Handle every message already queued first, then stop with reason
   * `'normal'` (Akka's PoisonPill): messages sent after this call are dead
   * letters. Without it, `stop()` takes effect at once.
   */
  drain?: boolean;
}
const STOP_KEYS = optionKeys<StopOptions>({ drain: true });

/**
 * Thrown by `send` to an actor whose bounded inbox is full: the message was
 * not delivered (nothing is dropped silently). A `Full` (lib/queue.ts).
 */
export class MailboxFull extends Full {
  static {
    this.prototype.name = 'MailboxFull';
  }
}

/**
 * Thrown by `up()` when the actor died before it was up: its `init` (or,
 * for a Supervisor, a child's start) failed, or it was killed or stopped
 * first. `reason` is its exit reason; `cause` the error it died of, if any.
 */
export class StartFailed extends Error {
  static {
    this.prototype.name = 'StartFailed';
  }
  /** The actor's exit reason. */
  readonly reason: unknown;
  /** The actor that did not come up. */
  readonly actor: Actor<unknown>;
  constructor(actor: Actor<unknown>, reason: unknown) {
    super(`${actor} exited with ${describeReason(reason)} before it was up`, reason instanceof Error ? { cause: reason } : undefined);
    this.reason = reason;
    this.actor = actor;
  }
}

/** aflags: `stop()` was called; the inbox loop ends. */
const STOPPING = 1;
/** aflags: exit signals arrive as `EXIT` messages. */
const TRAP_EXIT = 2;
/** aflags: the actorExit event was emitted. */
const EXIT_SEEN = 4;
/** aflags: its `run()` reached the inbox loop's start (init): that, not its first blocking point, says when it is up. */
const SELF_UP = 8;
/** aflags: `receive` is handling a message. */
const HANDLING = 16;
/** aflags: a stop asked by the parent waits in `pendingStops` for the message in hand to be done. */
const STOP_PENDING = 32;
/** aflags: it has used its timers (timers.ts): they stop when it dies. */
const HAS_TIMERS = 64;
/** aflags: it has a stash (stash.ts): what is left in it when it dies is dead letters. */
const HAS_STASH = 128;

/** What `END_LIFE` is given when the inbox loop ended without an error (`undefined` can be thrown). */
const ENDED: unique symbol = Symbol('grove.ended');

/** Stops asked for (by a parent) while a trapping actor handled a message: raised once that message is done. */
const pendingStops = new WeakMap<Actor<unknown>, ExitSignal>();

/**
 * The `EXIT` and `DOWN` messages the runtime delivered. They are not dead
 * letters when left unhandled: they report on others, nobody waits on them,
 * and a supervisor that dies has usually seen its children's exits already.
 */
const signals = new WeakSet<object>();

/**
 * An actor: a greenlet that owns an inbox of messages of type `M` and
 * handles them one at a time in `receive`. Subclass it, override
 * `receive(message)` — a generator method when handling a message may
 * block (`*receive(m) { yield* sleep(10) }`), a plain one when it never
 * does — and `start()` it.
 *
 * An actor is a Greenlet: don't name its own fields after Greenlet's or
 * Actor's members (`value`, `exception`, `name`, `dead`, `started`,
 * `signal`, `id`, `inbox`, `timers`, `stash`...): `value` for a counter
 * would clash with the greenlet's result. Any other name is free: the runtime's internals are
 * under symbol keys.
 *
 * Exit reasons (Erlang's, used by links, monitors, `ask` and the hub's
 * events; `exitReason(actor)` reads them): `'normal'` when `run()` returns
 * or after `stop()`, `'killed'` after `kill()`, an `ExitSignal`'s reason
 * when one is raised in it (a linked crash, `exit(actor, reason)`), else
 * the error it threw.
 */
export abstract class Actor<M> extends Greenlet<void> implements ActorRef<M> {
  /**
   * Its messages, oldest first. `send` is the way in; the inbox loop takes
   * them out. It is a `Queue`, so a producer that wants backpressure can
   * `yield* actor.inbox.put(message)` on a bounded one (that call blocks
   * while it is full, and does not freeze the message).
   */
  readonly inbox: Queue<M>;
  /** @internal links, monitors, pending asks and its name; made on first need (relations.ts). */
  [RELATIONS]: Relations | null = null;
  /** @internal */
  private [ACTOR_FLAGS] = 0;

  constructor(options?: ActorOptions) {
    super();
    checkOptions('new Actor', options, ACTOR_KEYS);
    const mailbox = options?.mailbox;
    if (mailbox !== undefined && mailbox !== Infinity && !(Number.isInteger(mailbox) && mailbox >= 1)) {
      throw new RangeError(`new Actor: mailbox must be a positive integer (or omitted: unbounded), got ${show(mailbox)}`);
    }
    const name = options?.name;
    if (name !== undefined && typeof name !== 'string') throw new TypeError(`new Actor: name must be a string, got ${show(name)}`);
    // Plain JavaScript has no abstract methods: say it here rather than at the first message.
    if (typeof this.receive !== 'function') throw new TypeError(`new Actor: ${new.target.name} has no receive(message) method`);
    const stashCapacity = options?.stashCapacity;
    if (stashCapacity !== undefined) checkStashCapacity('new Actor', stashCapacity);
    this.inbox = new Inbox<M>(mailbox);
    if (name !== undefined) this.name = name;
    if (options?.trapExit !== undefined) this.trapExit = options.trapExit;
    if (stashCapacity !== undefined) {
      stashOf(this as Actor<unknown>, stashCapacity);
      this[ACTOR_FLAGS] |= HAS_STASH;
    }
  }

  /**
   * Erlang's `trap_exit` flag: when set, an exit signal from a link or from
   * `exit(actor, reason)` arrives as an `ExitMessage`
   * (`{ type: 'EXIT', from, reason }`) in the inbox instead of ending the
   * actor (except `exit(actor, 'kill')`). Can be changed at any time; type
   * `M` should then include `ExitMessage`.
   */
  get trapExit(): boolean {
    return (this[ACTOR_FLAGS] & TRAP_EXIT) !== 0;
  }

  set trapExit(on: boolean) {
    if (typeof on !== 'boolean') throw new TypeError(`Actor.trapExit must be a boolean, got ${show(on)}`);
    this[ACTOR_FLAGS] = on ? this[ACTOR_FLAGS] | TRAP_EXIT : this[ACTOR_FLAGS] & ~TRAP_EXIT;
  }

  /**
   * Handles one message. The inbox loop calls it for each message in turn
   * and takes the next only when it returns (or, for a generator method,
   * when it finishes). An error it throws ends the actor with that error
   * (an ordinary exit, which a supervisor restarts by its rules).
   */
  protected abstract receive(message: M): Operation<void> | void;

  /**
   * Runs once when the actor starts, before its first message (OTP's
   * `init/1`, Akka's `preStart`): open what it needs here. A generator
   * method when it blocks, a plain one when it does not. The actor is
   * **up** when it returns (at once without one): `up()` and a supervisor
   * wait for that. An error it throws is a failed start — the supervisor
   * that started the actor sees `ChildStartFailed`, `up()` throws
   * `StartFailed` — and `terminate` does not run. Messages sent meanwhile
   * wait in the inbox.
   */
  protected init(): Operation<void> | void {}

  /**
   * Runs when the actor ends for any reason but a plain kill (OTP's
   * `terminate/2`, Akka's `postStop`), once it was up: after `stop()`
   * (reason `'normal'`), a crash in `receive` (the error), an exit signal
   * (its reason; `'shutdown'` when its supervisor stops it). It may block,
   * to flush or close what it holds; a supervisor waits for it up to the
   * child's `shutdown` ms, then kills it plainly, which ends `terminate`
   * where it is blocked. The actor then exits with the same reason, unless
   * `terminate` throws: its error becomes the exit reason.
   */
  protected terminate(_reason: unknown): Operation<void> | void {}

  /**
   * The actor's life: `init()`, up, the inbox loop (each message to
   * `receive`, until `stop()`), then `terminate(reason)`. Blocks on the
   * inbox while it is empty. A subclass may override `run()` and
   * `yield* super.run()`: code before it runs at start, before `init` (an
   * error there is a failed start too), code after it when the actor
   * stops, and a `catch` around it sees what ends the actor otherwise (a
   * kill, an exit signal, a crash in `receive`). A `run()` that never calls
   * `super.run()` is up at its first blocking point.
   */
  protected override *run(): Operation<void> {
    yield* this[BEGIN_LIFE]();
    // The inbox loop is written here, with few locals: an idle actor is
    // blocked in it, and every register of this frame (or a second frame)
    // is memory each idle actor keeps.
    const inbox = this.inbox;
    try {
      while ((this[ACTOR_FLAGS] & STOPPING) === 0) {
        const message = yield* inbox.get();
        if ((message as unknown) === DRAIN_MARK) {
          // stop({ drain: true }): every message queued before it was handled.
          this[ACTOR_FLAGS] |= STOPPING;
          break;
        }
        this[ACTOR_FLAGS] |= HANDLING;
        if (this[HUB]!.tracers !== null) emitReceive(this as Actor<unknown>, message);
        const handling = this.receive(message);
        if (handling !== undefined) {
          if (!isOperation(handling)) throw badMethod(this, 'receive', handling);
          yield* handling;
        }
        if (((this[ACTOR_FLAGS] &= ~HANDLING) & STOP_PENDING) !== 0) throw this[TAKE_PENDING_STOP]();
      }
    } catch (error) {
      // stop() from outside raised NormalExit where the actor was blocked: a normal end of the loop.
      if (yield* this[END_LIFE](error)) return;
      throw error;
    }
    yield* this[END_LIFE](ENDED);
  }

  /** @internal the start: `init`, then up. */
  private *[BEGIN_LIFE](): Generator<Suspend, void, unknown> {
    this[ACTOR_FLAGS] |= SELF_UP;
    const starting = this.init();
    if (starting !== undefined) yield* this[RUN_HOOK]('init', starting);
    this[MARK_UP]();
  }

  /**
   * @internal the end: `terminate` with the reason `error` gives
   * (`ENDED`: the loop ended, `'normal'`), except after a plain kill. True
   * when the actor was stopped (its loop ends normally), false when `error`
   * is to be rethrown.
   */
  private *[END_LIFE](error: unknown): Generator<Suspend, boolean, unknown> {
    const ended = error === ENDED;
    if (!ended) {
      this[ACTOR_FLAGS] &= ~HANDLING;
      explainFrozenWrite(error);
      if (isPlainKill(error)) return false;
    }
    const ending = this.terminate(ended ? 'normal' : reasonOf(error));
    if (ending !== undefined) yield* this[RUN_HOOK]('terminate', ending);
    return !ended && error instanceof NormalExit && (this[ACTOR_FLAGS] & STOPPING) !== 0;
  }

  /** @internal the stop a parent asked for while a message was in hand, now due. */
  private [TAKE_PENDING_STOP](): ExitSignal {
    this[ACTOR_FLAGS] &= ~STOP_PENDING;
    const stop = pendingStops.get(this as Actor<unknown>)!;
    pendingStops.delete(this as Actor<unknown>);
    return stop;
  }

  /** @internal runs the Operation `init` or `terminate` returned (anything else is a TypeError). */
  private *[RUN_HOOK](name: string, result: Operation<void>): Generator<Suspend, void, unknown> {
    if (!isOperation(result)) throw badMethod(this, name, result);
    yield* result;
  }

  /**
   * Waits until the actor is up: its `init` has returned (at once without
   * one); for a Supervisor, every initial child is up (what OTP's
   * `start_link` returns after). Returns at once if it is up, or was up
   * and has died since. Throws `StartFailed` if it died before it was up
   * (`cause`: its `init`'s error, a Supervisor's `ChildStartFailed`),
   * `Timeout` after `timeout` ms, and at once an Error if it was never
   * started. A kill of the caller ends the wait.
   */
  up(options?: UpOptions): Operation<void> {
    checkOptions('Actor.up', options, UP_KEYS);
    const timeout = options?.timeout;
    checkTimeout('Actor.up', timeout);
    if (!this.started && !this.dead) throw notStarted('Actor.up', this as Actor<unknown>);
    return new Composite<void>('Actor.up', () => awaitUp(this as Actor<unknown>, timeout));
  }

  /**
   * Puts `message` in the inbox, deep-frozen (see `configureActors`), and
   * returns at once: never blocks, never switches. Throws `MailboxFull` if a
   * bounded inbox is full. A message sent to a dead actor is a dead letter
   * (counted and reported, see dead-letter.ts); one sent before the actor
   * starts waits in its inbox. Freezing makes the sender's own object
   * read-only too: copy it before changing it after the send.
   */
  send(message: M): void {
    if (this.dead) {
      this[DEAD_LETTER](message, ctx.current);
      return;
    }
    const inbox = this.inbox;
    if (inbox.qsize() >= inbox.maxsize) {
      throw new MailboxFull(`Actor.send: the inbox of ${this} is full (mailbox ${inbox.maxsize}); the message was not sent`);
    }
    // Primitives need no freezing; skipping the call keeps the common small message cheap.
    const frozen = typeof message === 'object' && message !== null ? prepareMessage(message) : message;
    if (inbox.isShutdown) throw shutDownError('Actor.send', inbox.shutdownCause, `inbox of ${this}`);
    (inbox as Inbox<M>).insert(frozen);
    const hub = this[HUB] ?? ctx.hub;
    if (hub !== null) {
      hub.messages++;
      if (hub.tracers !== null) hub.trace({ type: 'actorMessage', greenlet: this as Actor<unknown>, message: frozen, from: ctx.current });
    }
  }

  /**
   * Ends the actor with reason `'normal'` (its `terminate` runs). Called by
   * the actor itself (in `receive`), the inbox loop ends once that message
   * is handled. Called from elsewhere, it takes effect at once: the actor
   * is interrupted where it is blocked (its `finally` blocks run) and the
   * loop ends; an actor not yet running never runs. Messages still queued
   * become dead letters. With `{ drain: true }` the actor first handles
   * every message already queued (from anywhere, itself included), then
   * stops; messages sent after the call are dead letters. Does not block;
   * `yield* actor.join()` waits for the end. A dead actor: nothing.
   */
  stop(options?: StopOptions): void {
    checkOptions('Actor.stop', options, STOP_KEYS);
    const drain = options?.drain;
    if (drain !== undefined && typeof drain !== 'boolean') throw new TypeError(`Actor.stop: drain must be a boolean, got ${show(drain)}`);
    if (this.dead) return;
    if (drain === true) {
      // A mark in the inbox, past any bound: the loop stops when it reaches it.
      (this.inbox as Inbox<unknown>).insert(DRAIN_MARK);
      return;
    }
    this[ACTOR_FLAGS] |= STOPPING;
    if (ctx.current !== (this as Greenlet<unknown>)) this[KILL_WITH](new NormalExit());
  }

  /**
   * @internal stops it as its parent does (a supervisor's shutdown, `exit`
   * from its parent, `shutdown()`): an actor that traps exits and is
   * handling a message finishes that message, then ends with `signal`'s
   * reason; any other is interrupted with `signal` at once.
   */
  [STOP_GRACEFULLY](signal: ExitSignal): void {
    if (this.dead) return;
    if ((this[ACTOR_FLAGS] & (TRAP_EXIT | HANDLING)) === (TRAP_EXIT | HANDLING)) {
      if ((this[ACTOR_FLAGS] & STOP_PENDING) === 0) {
        this[ACTOR_FLAGS] |= STOP_PENDING;
        pendingStops.set(this as Actor<unknown>, signal);
      }
      return;
    }
    this[KILL_WITH](signal);
  }

  /** @internal `shutdown()` stops an actor as its parent would (`'shutdown'`), unless given an exception. */
  override [STOP_FOR_SHUTDOWN](exception: Error | undefined): void {
    if (exception === undefined) this[STOP_GRACEFULLY](new ExitSignal('shutdown'));
    else super[STOP_FOR_SHUTDOWN](exception);
  }

  /** @internal a `run()` that reaches the inbox loop says itself when it is up; any other is up at its first blocking point. */
  override [FIRST_SUSPEND](): void {
    if ((this[ACTOR_FLAGS] & SELF_UP) === 0) super[FIRST_SUSPEND]();
  }

  /**
   * The actor's timers, for its own code: messages it sends itself later,
   * each under a key (Akka's `TimerScheduler`, Erlang's `send_after`).
   * `this.timers.startSingle('retry', { type: 'retry' }, 5000)` sends once,
   * `startPeriodic(key, message, intervalMs)` every interval; starting a
   * key again replaces its timer, and `cancel(key)` stops it — in both
   * cases its message, if already queued and not yet taken, is never
   * received. They run on the hub's clock (a virtual one in tests) and
   * stop when the actor dies. Made on first use: an actor that never uses
   * them carries nothing for them. See {@link ActorTimers}.
   */
  protected get timers(): ActorTimers<M> {
    this[ACTOR_FLAGS] |= HAS_TIMERS;
    return timersOf(this);
  }

  /**
   * Sets `message` aside (Akka's `stash()`), for the actor's own code: a
   * message it is not ready to handle yet, to be put back with
   * `unstashAll()`. Never blocks. Throws `StashOverflow` when the stash
   * already holds `stashCapacity` messages (1000 by default); uncaught, that
   * ends the actor like any error in `receive`. Messages still stashed when
   * the actor dies are dead letters.
   */
  protected stash(message: M): void {
    this[ACTOR_FLAGS] |= HAS_STASH;
    stashMessage(this as Actor<unknown>, message);
  }

  /**
   * Puts every stashed message back in front of the inbox, in the order
   * they were stashed, ahead of the messages queued meanwhile (past any
   * mailbox bound: they were in the inbox once already). The inbox loop
   * takes them next, once the current message is handled. Returns how many
   * there were. Never blocks.
   */
  protected unstashAll(): number {
    return unstashAll(this as Actor<unknown>);
  }

  /** How many messages are stashed. */
  protected get stashSize(): number {
    return stashSize(this as Actor<unknown>);
  }

  /**
   * Erlang's selective receive, for the actor's own code (in `receive` or
   * `run`): takes the first queued message `predicate` accepts, leaving the
   * others queued in their order; blocks until one arrives. With `timeout`
   * (ms; `0`: only look at what is queued) throws `Empty` when none came in
   * time. A kill or a Timeout interrupts it and takes nothing. The predicate
   * runs in the actor; an error it throws ends the call.
   */
  protected receiveMatching<S extends M>(predicate: (message: M) => message is S, options?: ReceiveOptions): Operation<S>;
  protected receiveMatching(predicate: (message: M) => boolean, options?: ReceiveOptions): Operation<M>;
  protected receiveMatching(predicate: (message: M) => boolean, options?: ReceiveOptions): Operation<M> {
    checkFunction('Actor.receiveMatching', 'predicate', predicate);
    checkOptions('Actor.receiveMatching', options, RECEIVE_KEYS);
    const current = ctx.current;
    if (current !== null && current !== (this as Greenlet<unknown>)) {
      throw new Error(`Actor.receiveMatching: only ${this.name} reads its inbox selectively (called from ${current.name})`);
    }
    return (this.inbox as Inbox<M>).receiveMatching(predicate, options?.timeout);
  }

  /**
   * Starts the actor (Greenlet's `start`): its `run()` begins when the
   * greenlets already queued have run. Emits `actorSpawn`. Never switches.
   */
  override start(): this {
    super.start();
    this[SPAWNED]();
    return this;
  }

  /** Starts the actor after `ms` milliseconds (Greenlet's `startLater`). Emits `actorSpawn` now. */
  override startLater(ms: number): this {
    super.startLater(ms);
    this[SPAWNED]();
    return this;
  }

  /**
   * @internal delivers a message the runtime sends (`EXIT`, `DOWN`): frozen
   * already, never refused by a full inbox (as Akka's system messages are
   * not), dropped if the actor is dead (not a dead letter: see `signals`).
   */
  [DELIVER](message: object): void {
    if (this.dead) return;
    signals.add(message);
    (this.inbox as Inbox<unknown>).insert(message);
    const hub = this[HUB] ?? ctx.hub;
    if (hub !== null) {
      hub.messages++;
      if (hub.tracers !== null) hub.trace({ type: 'actorMessage', greenlet: this as Actor<unknown>, message, from: ctx.current });
    }
  }

  /** @internal true while `receive` is handling a message (a router's smallestMailbox prefers idle workers). */
  [BUSY](): boolean {
    return (this[ACTOR_FLAGS] & HANDLING) !== 0;
  }

  /**
   * @internal takes every message out of the inbox and returns those sent
   * to it (a router moving a removed worker's work elsewhere); what the
   * runtime queued (EXIT, DOWN, timers, a stop mark) is dropped.
   */
  [TAKE_MESSAGES](): M[] {
    const messages: M[] = [];
    for (const item of (this.inbox as Inbox<unknown>).takeAll()) {
      if (item !== DRAIN_MARK && !(item instanceof Envelope) && !signals.has(item as object)) messages.push(item as M);
    }
    return messages;
  }

  /**
   * @internal the greenlet calls this once when it dies, right after the
   * hub's `exit` event (and again, harmlessly, for a link added after
   * death): the place to emit `actorExit` without a link per actor, and to
   * turn what is left in the inbox into dead letters.
   */
  override [SCHEDULE_NOTIFY](): void {
    if ((this[ACTOR_FLAGS] & EXIT_SEEN) === 0 && this.dead) {
      this[ACTOR_FLAGS] |= EXIT_SEEN;
      pendingStops.delete(this as Actor<unknown>);
      const flags = this[ACTOR_FLAGS];
      if ((flags & HAS_TIMERS) !== 0) stopTimers(this as Actor<unknown>);
      const hub = this[NOTIFY_HUB]();
      if (hub.listeners !== null) hub.emit({ type: 'actorExit', greenlet: this as Actor<unknown>, reason: exitReason(this) });
      const inbox = this.inbox as Inbox<unknown>;
      // Stashed messages were taken out of the inbox before the ones still in it: they come first.
      const left = (flags & HAS_STASH) !== 0 ? takeStashed(this as Actor<unknown>) : [];
      if (inbox.qsize() > 0) left.push(...inbox.takeAll());
      if (left.length > 0) {
        const reason = exitReason(this);
        for (const message of left) {
          // A timer's message, a stop mark, an EXIT or DOWN: nobody waits on them.
          if (message === DRAIN_MARK || message instanceof Envelope || signals.has(message as object)) continue;
          deadLetter(this as Actor<unknown>, hub, message, null, 'queuedAtDeath', reason);
        }
      }
      // A producer blocked in inbox.put() would otherwise wait forever, or put into a dead inbox.
      if (!inbox.isShutdown) inbox.shutdown({ cause: deadInboxCause(this as Actor<unknown>) });
    }
    super[SCHEDULE_NOTIFY]();
  }

  /** @internal */
  private [SPAWNED](): void {
    const hub: Hub | null = this[HUB];
    if (hub !== null && hub.listeners !== null && !this.dead) hub.emit({ type: 'actorSpawn', greenlet: this as Actor<unknown> });
  }

  /** @internal */
  private [DEAD_LETTER](message: unknown, from: Greenlet<unknown> | null): void {
    deadLetter(this as Actor<unknown>, this[HUB], message, from, 'sentAfterDeath', exitReason(this));
  }
}

function* awaitUp(actor: Actor<unknown>, timeout: TimeoutOption | undefined): Generator<Suspend, void, unknown> {
  if (yield* actor[AWAIT_UP](timeout)) return;
  throw new StartFailed(actor, exitReason(actor));
}

/** The `actorReceive` event, out of the inbox loop so that loop's frame (an idle actor's memory) stays small. */
function emitReceive(actor: Actor<unknown>, message: unknown): void {
  actor[HUB]!.trace({ type: 'actorReceive', greenlet: actor, message });
}

function badMethod(actor: Actor<unknown>, name: string, value: unknown): TypeError {
  return new TypeError(
    `${actor.name}.${name} returned ${show(value)}: write it as a generator method (*${name}) when it blocks, ` +
      'or a plain method returning nothing',
  );
}

/**
 * Why a dead actor's inbox is shut down. Made at every actor's death, so
 * without a stack: where the hub noticed the death says nothing, and
 * capturing it was a large part of a short-lived actor's cost.
 */
function deadInboxCause(actor: Actor<unknown>): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(`${actor} is dead`);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** @internal the error for a call that needs a started actor: `up()`, `ask`. */
export function notStarted(call: string, actor: Actor<unknown>): Error {
  return new Error(`${call}: ${actor} was never started: call start() on it first (or give it to a supervisor)`);
}
