/**
 * `Actor<M>`: a greenlet with an inbox (the tutorial's Actor, made into the
 * unit of an Erlang-style system). Its `run()` loops over the inbox and
 * hands each message to `receive(message)`; `send(message)` never blocks.
 *
 * Actors relate to other greenlets through the sibling modules: links and
 * `exit` (link.ts), monitors (monitor.ts), request/reply (ask.ts) and names
 * (registry.ts). Those keep their state out of line (relations.ts), so an
 * idle actor is its greenlet, its inbox and two small fields.
 */
import { Greenlet, exitReason } from '../lib/greenlet.js';
import { NormalExit } from '../lib/errors.js';
import { Full } from '../lib/queue.js';
import { ctx } from '../lib/internal/context.js';
import { isOperation } from '../lib/internal/brand.js';
import { checkFunction, checkOptions, show, type TimeoutOption } from '../lib/internal/validate.js';
import type { Hub } from '../lib/hub.js';
import type { Queue } from '../lib/queue.js';
import type { Operation } from '../lib/operation.js';
import { Inbox } from './inbox.js';
import { prepareMessage } from './config.js';
import type { Relations } from './relations.js';
import './events.js';
import { HUB, KILL_WITH, NOTIFY_HUB, SCHEDULE_NOTIFY } from '../lib/internal/keys.js';
import { ACTOR_FLAGS, DEAD_LETTER, DELIVER, RELATIONS, SPAWNED } from './keys.js';

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
}

/** Options of `receiveMatching`. */
export interface ReceiveOptions {
  /**
   * Give up after this many ms (`0`: only look at what is queued) and throw
   * `Empty`. A Timeout given here is started for the call and raised itself.
   */
  timeout?: TimeoutOption;
}

/**
 * Thrown by `send` to an actor whose bounded inbox is full: the message was
 * not delivered (nothing is dropped silently). A `Full` (lib/queue.ts).
 */
export class MailboxFull extends Full {
  static {
    this.prototype.name = 'MailboxFull';
  }
}

/** aflags: `stop()` was called; the inbox loop ends. */
const STOPPING = 1;
/** aflags: exit signals arrive as `EXIT` messages. */
const TRAP_EXIT = 2;
/** aflags: the actorExit event was emitted. */
const EXIT_SEEN = 4;

/**
 * An actor: a greenlet that owns an inbox of messages of type `M` and
 * handles them one at a time in `receive`. Subclass it, override
 * `receive(message)` — a generator method when handling a message may
 * block (`*receive(m) { yield* sleep(10) }`), a plain one when it never
 * does — and `start()` it.
 *
 * An actor is a Greenlet: don't name its own fields after Greenlet's or
 * Actor's public members (`value`, `exception`, `name`, `dead`, `started`,
 * `signal`, `id`, `inbox`...): `value` for a counter would clash with the
 * greenlet's result. Any other name is free: the runtime's internals are
 * under symbol keys.
 *
 * Exit reasons (Erlang's, used by links, monitors, `ask` and the hub's
 * events; `exitReason(actor)` reads them): `'normal'` when `run()` returns
 * or after `stop()`, `'killed'` after `kill()`, an `ExitSignal`'s reason
 * when one is raised in it (a linked crash, `exit(actor, reason)`), else
 * the error it threw.
 */
export abstract class Actor<M> extends Greenlet<void> {
  /**
   * Its messages, oldest first. `send` is the way in; the inbox loop takes
   * them out. It is a `Queue`, so a producer that wants backpressure can
   * `yield* actor.inbox.put(message)` on a bounded one (that call blocks
   * while it is full, and does not freeze the message).
   */
  readonly inbox: Queue<M>;
  /** @internal links, monitors, pending asks and its name; made on first need (relations.ts). */
  [RELATIONS]: Relations | null = null;
  private [ACTOR_FLAGS] = 0;

  constructor(options?: ActorOptions) {
    super();
    checkOptions('new Actor', options);
    const mailbox = options?.mailbox;
    if (mailbox !== undefined && mailbox !== Infinity && !(Number.isInteger(mailbox) && mailbox >= 1)) {
      throw new RangeError(`new Actor: mailbox must be a positive integer (or omitted: unbounded), got ${show(mailbox)}`);
    }
    this.inbox = new Inbox<M>(mailbox);
    if (options?.name !== undefined) this.name = options.name;
    if (options?.trapExit !== undefined) this.trapExit = options.trapExit;
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
   * when it finishes). An error it throws ends the actor with that error.
   */
  protected abstract receive(message: M): Operation<void> | void;

  /**
   * The inbox loop: takes each message and runs `receive` on it, until
   * `stop()`. Blocks on the inbox while it is empty. A subclass may
   * override `run()` and `yield* super.run()`: code before it runs at start,
   * code after it when the actor stops, and a `catch` around it sees what
   * ends the actor otherwise (a kill, an exit signal, a crash in `receive`).
   */
  protected override *run(): Operation<void> {
    const inbox = this.inbox;
    try {
      while ((this[ACTOR_FLAGS] & STOPPING) === 0) {
        const message = yield* inbox.get();
        const handling = this.receive(message);
        if (handling !== undefined) {
          if (!isOperation(handling)) throw badReceive(this, handling);
          yield* handling;
        }
      }
    } catch (error) {
      // stop() from outside raised NormalExit where the actor was blocked: a normal end of the loop.
      if (error instanceof NormalExit && (this[ACTOR_FLAGS] & STOPPING) !== 0) return;
      throw error;
    }
  }

  /**
   * Puts `message` in the inbox, deep-frozen (see `configureActors`), and
   * returns at once: never blocks, never switches. Throws `MailboxFull` if a
   * bounded inbox is full. A message sent to a dead actor is dropped, as in
   * Erlang (an `actorDeadLetter` event on the hub's stream says so); one
   * sent before the actor starts waits in its inbox.
   */
  send(message: M): void {
    if (this.dead) {
      this[DEAD_LETTER](message);
      return;
    }
    const inbox = this.inbox;
    if (inbox.qsize() >= inbox.maxsize) {
      throw new MailboxFull(`Actor.send: the inbox of ${this} is full (mailbox ${inbox.maxsize}); the message was not sent`);
    }
    // Primitives need no freezing; skipping the call keeps the common small message cheap.
    const frozen = typeof message === 'object' && message !== null ? prepareMessage(message) : message;
    if (inbox.isShutdown) inbox.putNowait(frozen); // throws QueueShutDown, naming the call
    (inbox as Inbox<M>).insert(frozen);
    const hub = this[HUB] ?? ctx.hub;
    if (hub !== null && hub.listeners !== null) {
      hub.emit({ type: 'actorMessage', greenlet: this as Actor<unknown>, message: frozen, from: ctx.current });
    }
  }

  /**
   * Ends the actor with reason `'normal'`. Called by the actor itself (in
   * `receive`), the inbox loop ends once that message is handled. Called
   * from elsewhere, it takes effect at once: the actor is interrupted where
   * it is blocked (its `finally` blocks run) and the loop ends; an actor not
   * yet running never runs. Messages still queued are dropped. Does not
   * block; `yield* actor.join()` waits for the end. A dead actor: nothing.
   */
  stop(): void {
    if (this.dead) return;
    this[ACTOR_FLAGS] |= STOPPING;
    if (ctx.current !== (this as Greenlet<unknown>)) this[KILL_WITH](new NormalExit());
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
    checkOptions('Actor.receiveMatching', options);
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
   * not), dropped if the actor is dead.
   */
  [DELIVER](message: unknown): void {
    if (this.dead) {
      this[DEAD_LETTER](message);
      return;
    }
    (this.inbox as Inbox<unknown>).insert(message);
    const hub = this[HUB] ?? ctx.hub;
    if (hub !== null && hub.listeners !== null) {
      hub.emit({ type: 'actorMessage', greenlet: this as Actor<unknown>, message, from: ctx.current });
    }
  }

  /**
   * @internal the greenlet calls this once when it dies, right after the
   * hub's `exit` event (and again, harmlessly, for a link added after
   * death): the place to emit `actorExit` without a link per actor.
   */
  override [SCHEDULE_NOTIFY](): void {
    if ((this[ACTOR_FLAGS] & EXIT_SEEN) === 0 && this.dead) {
      this[ACTOR_FLAGS] |= EXIT_SEEN;
      const hub = this[NOTIFY_HUB]();
      if (hub.listeners !== null) hub.emit({ type: 'actorExit', greenlet: this as Actor<unknown>, reason: exitReason(this) });
    }
    super[SCHEDULE_NOTIFY]();
  }

  private [SPAWNED](): void {
    const hub: Hub | null = this[HUB];
    if (hub !== null && hub.listeners !== null && !this.dead) hub.emit({ type: 'actorSpawn', greenlet: this as Actor<unknown> });
  }

  private [DEAD_LETTER](message: unknown): void {
    const hub = this[HUB] ?? ctx.hub;
    if (hub !== null && hub.listeners !== null) {
      hub.emit({ type: 'actorDeadLetter', greenlet: this as Actor<unknown>, message, from: ctx.current });
    }
  }
}

function badReceive(actor: Actor<unknown>, value: unknown): TypeError {
  return new TypeError(
    `${actor.name}.receive returned ${show(value)}: write it as a generator method (*receive) when it blocks, ` +
      'or a plain method returning nothing',
  );
}
