/**
 * `Router<M>`: an actor in front of a pool of N workers that take messages
 * of type `M` (Akka's pool routers, Erlang's poolboy). `send` and `ask` to
 * the router are typed with the workers' message type; each message goes
 * to the worker the strategy picks (routing.ts), or to every worker for
 * `'broadcast'`.
 *
 * It lives in grove/supervision, not grove/actors, because a router is a
 * supervisor's client: its workers are the dynamic children of a
 * `simpleOneForOne` Supervisor that the router starts in its `init` and
 * stops in its `terminate`, so a crashed worker is restarted by the
 * supervision rules (restart intensity, backoff), and the router only
 * routes. It uses the Supervisor through its public API (`startChild`,
 * `terminateChild`), and learns of every new incarnation of a worker from
 * the template's `start`, which the supervisor calls for every start and
 * restart.
 *
 * Routing happens in the sender's greenlet, at `send` (as Akka routes
 * without the router's mailbox): no extra hop. When no worker is live
 * (before the router is up, or while every worker is being restarted), or
 * messages already wait, a message waits in the router's own inbox, which
 * its greenlet routes in order as soon as a worker is there.
 */
import { Greenlet, exitReason } from '../lib/greenlet.js';
import { ExitSignal } from '../lib/errors.js';
import { Event } from '../lib/event.js';
import { Lock } from '../lib/lock.js';
import { Composite } from '../lib/internal/composite.js';
import { raise, within } from '../lib/internal/within.js';
import { ctx } from '../lib/internal/context.js';
import { drawSource } from '../lib/internal/random.js';
import { checkFunction, checkOptions, isRecord, show, optionKeys, unknownKey, type TimeoutOption } from '../lib/internal/validate.js';
import { checkTimeout } from '../lib/internal/wait.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { Actor, MailboxFull, notStarted, type StopOptions } from '../actors/actor.js';
import { AskFailed, ReplyTo } from '../actors/ask.js';
import { link, unlink } from '../actors/link.js';
import { prepareMessage } from '../actors/config.js';
import type { Inbox } from '../actors/inbox.js';
import { BUSY, TAKE_MESSAGES } from '../actors/keys.js';
import { HUB } from '../lib/internal/keys.js';
import { Supervisor } from './supervisor.js';
import { ChildStartFailed, UnknownChild } from './errors.js';
import type { Backoff } from './options.js';
import type { Shutdown } from './child-spec.js';
import {
  checkStrategy, hashKey, pickConsistent, pickRandom, pickRoundRobin, pickSmallestMailbox,
  type Routee, type RoutingStrategy,
} from './routing.js';

/** Options of `new Router`. */
export interface RouterOptions<M> {
  /** How many workers (a positive integer); `resize` changes it. */
  readonly workers: number;
  /**
   * Makes a worker: a new Actor, not started, taking messages of type `M`.
   * Called with the worker's slot (0 to N - 1) for every start and restart,
   * in the supervisor's greenlet; it must not block.
   */
  readonly worker: (slot: number) => Actor<M>;
  /** How a worker is picked; `'roundRobin'` by default. */
  readonly strategy?: RoutingStrategy<M>;
  /** The router's name; `Router-<id>` by default. Its supervisor is `<name>.workers`. */
  readonly name?: string;
  /** Bounds the router's own inbox, where messages wait while no worker is live (see `Actor`'s `mailbox`). */
  readonly mailbox?: number;
  /** The workers' restart intensity (its Supervisor's; OTP's default: 1 in 5000 ms). */
  readonly maxRestarts?: number;
  /** The intensity window, in ms. */
  readonly withinMs?: number;
  /** Backoff between restarts of a worker (its Supervisor's). */
  readonly backoff?: Backoff;
  /** How a worker is stopped (a child spec's `shutdown`): 5000 ms by default. */
  readonly shutdown?: Shutdown;
}

/** Options of `resize`. */
export interface ResizeOptions {
  /** Give up waiting after this many ms and throw `Timeout`; the resize goes on (no default: wait). */
  readonly timeout?: TimeoutOption;
}

const FIELDS = new Set(['workers', 'worker', 'strategy', 'name', 'mailbox', 'maxRestarts', 'withinMs', 'backoff', 'shutdown']);
const RESIZE_KEYS = optionKeys<ResizeOptions>({ timeout: true });

/** One slot of the pool, as the picks see it (routing.ts): its current incarnation. */
class Slot<M> implements Routee {
  worker: Actor<M> | null = null;
  constructor(readonly slot: number) {}
  get live(): boolean {
    return this.worker !== null && !this.worker.dead;
  }
  get queued(): number {
    return this.worker!.inbox.qsize();
  }
  get busy(): boolean {
    return this.worker![BUSY]();
  }
}

/**
 * A router: an actor that hands each message it is sent to one of its
 * workers (or, for `'broadcast'`, to all of them), which it supervises.
 *
 * ```ts
 * const pool = new Router<Job>({ workers: 4, worker: () => new JobWorker(), strategy: 'smallestMailbox' }).start();
 * yield* pool.up();                                    // every worker up
 * pool.send({ type: 'job', n: 7 });                    // routed at once, never blocks
 * const answer = yield* ask(pool, (replyTo) => ({ type: 'job', n: 8, replyTo }), { timeout: 1000 });
 * yield* pool.resize(8);
 * ```
 *
 * It is up (`up()`) when all N workers are. A worker that crashes is
 * restarted by its supervisor's rules and skipped while it is down: the
 * messages still queued in it are dead letters, and an `ask` whose request
 * went to it fails at once with `AskFailed` naming the worker. Past the
 * restart intensity the supervisor gives up and the router exits with
 * reason `'shutdown'`, as a supervisor does. A worker that ends normally on
 * its own (returns, or `stop()`) leaves the pool (Akka's rule; its
 * restart type is `transient`); `resize` brings the count back.
 *
 * Stopping the router stops its workers with their shutdown protocol;
 * `stop({ drain: true })` first routes what waits in the router, then lets
 * every worker handle what it has queued (each stops with `{ drain: true
 * }`), then ends. A Router can itself be a supervisor's child (give it
 * `type: 'supervisor'`, so it gets time to stop its workers).
 */
export class Router<M> extends Actor<M> {
  /** How it picks a worker. */
  readonly strategy: RoutingStrategy<M>;
  private readonly options: RouterOptions<M>;
  /** The pool, in slot order; a slot is here from its first start until a resize removes it. */
  private slots: Slot<M>[] = [];
  private readonly supervisor: Supervisor;
  private cursor = 0;
  private draw: (() => number) | null = null;
  /** Set when a worker starts: wakes the router's greenlet waiting for one. */
  private started$: Event | null = null;
  private readonly resizing = new Lock();
  private draining = false;
  /** It is stopping (`stop({ drain: true })` was called, or `terminate` runs): sends queue in it, to die as dead letters. */
  private closed = false;
  /** The router's greenlet holds a message it waits to route: later sends queue behind it. */
  private holding = false;

  /**
   * A router, not started. Throws at once if an option is wrong (a
   * `TypeError` or `RangeError` naming it).
   */
  constructor(options: RouterOptions<M>) {
    const call = 'new Router';
    if (!isRecord(options)) throw new TypeError(`${call}: options must be an object ({ workers, worker, strategy, ... }), got ${show(options)}`);
    const extra = unknownKey(options, FIELDS);
    if (extra !== undefined) throw new TypeError(`${call}: unknown option ${JSON.stringify(extra)} (options are ${[...FIELDS].join(', ')})`);
    checkPoolSize(call, 'workers', options.workers);
    checkFunction(call, 'worker', options.worker);
    const strategy = options.strategy ?? 'roundRobin';
    checkStrategy(call, strategy);
    super({ name: options.name, mailbox: options.mailbox });
    this.strategy = strategy;
    this.options = options;
    this.supervisor = this.makeSupervisor(call);
  }

  /** How many workers the pool has: live, or down and to be restarted. */
  get size(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.worker === null || !left(slot.worker)) n++;
    return n;
  }

  /** The live workers, in slot order (a snapshot). Never blocks. */
  workers(): Actor<M>[] {
    const live: Actor<M>[] = [];
    for (const slot of this.slots) if (slot.live) live.push(slot.worker!);
    return live;
  }

  /**
   * Hands `message` to a worker picked by the strategy (every live worker
   * for `'broadcast'`), frozen as `Actor.send` freezes it. Never blocks.
   * While no worker is live, or messages already wait in the router, it
   * waits in the router's inbox and is handed on in order as soon as a
   * worker is there. Throws `MailboxFull` if the worker picked has a full
   * bounded mailbox (for `'broadcast'`, if any live worker has: then no
   * worker gets it), or the router's own inbox is full. Once the router
   * is stopping (after `stop({ drain: true })`, or while its workers stop),
   * or after it died: a dead letter.
   */
  override send(message: M): void {
    if (this.closed || this.dead || this.holding || this.inbox.qsize() > 0 || !this.route(message)) super.send(message);
  }

  /**
   * Changes the number of workers to `n` (a positive integer) and waits
   * until it is done. Growing starts new workers (in the lowest free slots)
   * and returns once they are up. Shrinking takes the workers of the
   * highest slots out of the routing at once, hands the messages still
   * queued in them to the others, and stops them with their shutdown
   * protocol (a worker that traps exits finishes the message in hand).
   * Resizes run one at a time. Throws `Timeout` after `options.timeout`
   * ms (the resize goes on), `ChildStartFailed` if a new worker fails to
   * start, an Error if the router is not running.
   */
  resize(n: number, options?: ResizeOptions): Operation<void> {
    const call = 'Router.resize';
    checkPoolSize(call, 'n', n);
    checkOptions(call, options, RESIZE_KEYS);
    const timeout = checkTimeout(call, options?.timeout);
    if (!this.started && !this.dead) throw notStarted(call, this as Actor<unknown>);
    if (this.dead) throw new Error(`${call}: ${this} is not running`);
    if (ctx.current === (this.supervisor as Greenlet<unknown>)) {
      throw new Error(`${call}: called from ${this}'s supervisor (a worker's start function): it would wait for itself`);
    }
    return new Composite<void>(call, () => within(timeout, () => this.resizeOnce(n), raise));
  }

  /**
   * Stops the router (see `Actor.stop`). With `{ drain: true }` it first
   * routes every message waiting in it, then lets each worker handle what
   * it has queued before it stops.
   */
  override stop(options?: StopOptions): void {
    super.stop(options);
    if (options?.drain === true && !this.dead) {
      // What is sent from now on waits behind the stop mark: a dead letter, as for any actor drained.
      this.draining = true;
      this.closed = true;
    }
  }

  // ---- the router's greenlet ------------------------------------------------

  /** Starts the supervisor, then the N workers; the router is up when they all are. */
  protected override *init(): Operation<void> {
    const supervisor = this.supervisor;
    // Linked: if the supervisor gives up, the router exits with its reason; if the router dies, so does it.
    link(this, supervisor);
    supervisor.start();
    const n = this.options.workers;
    yield* this.resizing.scope(() => this.grow(n));
  }

  /** A message that waited in the router's inbox: hand it on once a worker is live. */
  protected override *receive(message: M): Operation<void> {
    this.holding = true;
    try {
      while (!(yield* this.routeWaiting(message))) {
        const started = (this.started$ ??= new Event());
        started.clear();
        if (this.slots.some((slot) => slot.live)) continue;
        yield* started.wait();
      }
    } finally {
      this.holding = false;
    }
  }

  /** Stops the workers: drained first after `stop({ drain: true })`, else with their shutdown protocol. */
  protected override *terminate(reason: unknown): Operation<void> {
    this.closed = true;
    const supervisor = this.supervisor;
    if (supervisor.dead) return;
    unlink(this, supervisor);
    if (reason === 'normal' && this.draining) {
      const workers = this.workers();
      for (const worker of workers) worker.stop({ drain: true });
      for (const worker of workers) yield* worker.join();
    }
    yield* supervisor.kill({ exception: new ExitSignal('shutdown') });
  }

  // ---- routing ----------------------------------------------------------------

  /** Hands `message` to the worker(s) the strategy picks, in the sender's greenlet; false when no worker is live. */
  private route(message: M): boolean {
    const slots = this.slots;
    const strategy = this.strategy;
    if (strategy === 'broadcast') {
      let any = false;
      for (const slot of slots) {
        if (!slot.live) continue;
        any = true;
        checkRoom(slot.worker!);
      }
      if (!any) return false;
      const frozen = prepare(message);
      for (const slot of slots) if (slot.live) slot.worker!.send(frozen);
      return true;
    }
    const index = this.pick(message);
    if (index < 0) return false;
    handTo(slots[index].worker!, message);
    return true;
  }

  /** The index in `slots` of the worker for `message`; -1 when none is live. */
  private pick(message: M): number {
    const slots = this.slots;
    const strategy = this.strategy;
    switch (strategy) {
      case 'roundRobin': {
        const index = pickRoundRobin(slots, this.cursor);
        if (index >= 0) this.cursor = index + 1;
        return index;
      }
      case 'smallestMailbox':
        return pickSmallestMailbox(slots);
      case 'random':
        return pickRandom(slots, (this.draw ??= drawSource(this[HUB] ?? ctx.hub!))());
      case 'broadcast':
        return -1;
      default:
        return pickConsistent(slots, hashKey('Router.send', strategy.keyOf(message)));
    }
  }

  /**
   * Routes a message from the router's inbox. A worker whose bounded
   * mailbox is full is waited for (the router's greenlet blocks in its
   * `inbox.put`, so the backlog stays in order); false when none is live.
   */
  private *routeWaiting(message: M): Generator<Suspend, boolean, unknown> {
    const slots = this.slots;
    if (this.strategy === 'broadcast') {
      if (!slots.some((slot) => slot.live)) return false;
      const frozen = prepare(message);
      for (const slot of [...slots]) {
        const worker = slot.worker;
        if (worker === null || worker.dead) continue;
        if (worker.inbox.full()) yield* worker.inbox.put(frozen);
        else worker.send(frozen);
      }
      return true;
    }
    const index = this.pick(message);
    if (index < 0) return false;
    const worker = slots[index].worker!;
    if (!worker.inbox.full()) handTo(worker, message);
    else {
      const frozen = prepare(message);
      watchFor(worker, frozen);
      yield* worker.inbox.put(frozen);
    }
    return true;
  }

  // ---- the pool -----------------------------------------------------------------

  /** Its workers' supervisor, not started; a bad supervision option throws, named as the router's. */
  private makeSupervisor(call: string): Supervisor {
    const { maxRestarts, withinMs, backoff, shutdown } = this.options;
    try {
      return this.supervise(maxRestarts, withinMs, backoff, shutdown);
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
      const message = error.message.replace(/^new Supervisor: /, `${call}: `).replace('children[0].', '');
      throw new (error.constructor as ErrorConstructor)(message);
    }
  }

  private supervise(maxRestarts?: number, withinMs?: number, backoff?: Backoff, shutdown?: Shutdown): Supervisor {
    return new Supervisor({
      strategy: 'simpleOneForOne',
      name: `${this.name}.workers`,
      ...(maxRestarts === undefined ? {} : { maxRestarts }),
      ...(withinMs === undefined ? {} : { withinMs }),
      ...(backoff === undefined ? {} : { backoff }),
      children: [
        {
          id: 'worker',
          // transient: a worker that ends normally (or is stopped by a resize) is not restarted.
          restart: 'transient',
          ...(shutdown === undefined ? {} : { shutdown }),
          start: (slot: number) => this.launch(slot),
        },
      ],
    });
  }

  /**
   * The template's `start`, run by the supervisor for every start and
   * restart of slot `slot`: makes the worker and puts it in the routing. A
   * slot a resize removed meanwhile gets a greenlet that ends at once,
   * normally, so the supervisor lets it go.
   */
  private launch(slot: number): Greenlet<unknown> {
    const record = this.slots.find((s) => s.slot === slot);
    if (record === undefined) return new Greenlet(() => undefined);
    const worker = this.options.worker(slot);
    if (!(worker instanceof Actor)) {
      throw new TypeError(`${this}: worker(${slot}) must return a new Actor, got ${show(worker)}`);
    }
    record.worker = worker;
    this.started$?.set();
    return worker;
  }

  private *resizeOnce(n: number): Generator<Suspend, void, unknown> {
    // The initial workers first (init holds the lock while it starts them).
    yield* this.up();
    yield* this.resizing.scope(() => this.resizeTo(n));
  }

  private *resizeTo(n: number): Generator<Suspend, void, unknown> {
    // Slots whose worker left on its own are free again.
    this.slots = this.slots.filter((slot) => slot.worker === null || !left(slot.worker));
    if (n > this.slots.length) yield* this.grow(n);
    else if (n < this.slots.length) yield* this.shrink(n);
  }

  /** Starts workers in the lowest free slots until there are `n`. */
  private *grow(n: number): Generator<Suspend, void, unknown> {
    const supervisor = this.supervisor;
    for (let slot = 0; this.slots.length < n; slot++) {
      if (this.slots.some((s) => s.slot === slot)) continue;
      this.slots.push(new Slot<M>(slot));
      this.slots.sort((a, b) => a.slot - b.slot);
      try {
        yield* supervisor.startChild([slot]);
      } catch (error) {
        // Not started: the slot goes. A Timeout or a kill only ended the wait: the supervisor still starts it.
        if (error instanceof ChildStartFailed || error instanceof AskFailed) this.slots = this.slots.filter((s) => s.slot !== slot);
        throw error;
      }
    }
  }

  /**
   * Takes the workers of the highest slots out of the routing, moves their
   * queued messages to the front of the router's inbox (its greenlet routes
   * them, in order, before anything sent later), and stops them.
   */
  private *shrink(n: number): Generator<Suspend, void, unknown> {
    const removed = this.slots.slice(n);
    this.slots = this.slots.slice(0, n);
    const moved: M[] = [];
    for (const slot of removed) {
      if (slot.worker === null || slot.worker.dead) continue;
      for (const message of slot.worker[TAKE_MESSAGES]()) {
        watchFor(null, message);
        moved.push(message);
      }
    }
    if (moved.length > 0) (this.inbox as Inbox<M>).putFront(moved);
    for (const slot of removed) {
      const worker = slot.worker;
      // A worker down and waiting for its restart is let go when the supervisor calls launch.
      if (worker === null || worker.dead) continue;
      try {
        yield* this.supervisor.terminateChild(worker);
      } catch (error) {
        // It died meanwhile, and its restart got the placeholder: nothing left to stop.
        if (!(error instanceof UnknownChild)) throw error;
      }
    }
  }
}

/** True when a dead worker will not be restarted: it ended normally, or was stopped (a transient child's rule). */
function left(worker: Actor<unknown>): boolean {
  const reason = exitReason(worker);
  return reason === 'normal' || reason === 'shutdown';
}

/** Sends `message` to `worker`; a request with a `replyTo` fails at once if the worker dies before replying. */
function handTo<M>(worker: Actor<M>, message: M): void {
  worker.send(message);
  watchFor(worker, message);
}

/** A request (a message with a `replyTo`) now waits on `worker`; null: on no worker (moved back to the router). */
function watchFor(worker: Actor<unknown> | null, message: unknown): void {
  const replyTo = message !== null && typeof message === 'object' ? (message as { replyTo?: unknown }).replyTo : undefined;
  if (replyTo instanceof ReplyTo) replyTo.handedTo(worker);
}

function prepare<M>(message: M): M {
  return typeof message === 'object' && message !== null ? prepareMessage(message) : message;
}

/** Throws `MailboxFull` unless `worker` has room (a broadcast checks every worker before it sends to any). */
function checkRoom(worker: Actor<unknown>): void {
  const inbox = worker.inbox;
  if (inbox.qsize() >= inbox.maxsize) {
    throw new MailboxFull(`Router.send: the inbox of ${worker} is full (mailbox ${inbox.maxsize}); the broadcast was not sent to any worker`);
  }
}

function checkPoolSize(call: string, field: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${call}: ${field} must be a positive integer, got ${show(n)}`);
  }
}
