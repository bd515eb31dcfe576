/**
 * Actor timers (Akka's `TimerScheduler`, Erlang's `send_after` and
 * `send_interval`): messages an actor sends itself later, each under a key.
 * An actor reaches its timers through its protected `timers` member
 * (actor.ts), made on first use, so an actor that never uses them carries
 * nothing for them.
 *
 * A timer is an entry in the hub's timer heap, so it runs on the hub's
 * clock (a virtual clock in tests) and fires in the hub. Its message waits
 * in the inbox inside an `Envelope` (inbox.ts): that is how cancelling a
 * timer, or starting its key again, takes back a message already queued —
 * Akka's promise that a cancelled timer's message is never received — and
 * how a single timer learns that its message was taken, so its key is
 * free. The actor cancels them all when it dies; their queued messages are
 * not dead letters (nothing waits on them).
 */
import { ctx } from '../lib/internal/context.js';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import { getHub, type Hub } from '../lib/hub.js';
import type { TimerEntry } from '../lib/internal/timer-heap.js';
import type { Actor } from './actor.js';
import { prepareMessage } from './config.js';
import { Envelope, type Inbox } from './inbox.js';
import { HUB } from '../lib/internal/keys.js';

/** What names a timer: starting a timer under a key that is active replaces that timer. */
export type TimerKey = string | number | symbol;

/** Options of `timers.startPeriodic`. */
export interface PeriodicTimerOptions {
  /** The first message comes after this many ms (≥ 0); after `intervalMs` by default. */
  initialDelayMs?: number;
}

const PERIODIC_KEYS = optionKeys<PeriodicTimerOptions>({ initialDelayMs: true });

/**
 * An actor's timers, as its own code reaches them (`this.timers` in an
 * Actor subclass). Every call is plain: it never blocks and never
 * switches. Messages are deep-frozen when the timer starts, as `send`
 * freezes them, and go into the inbox past any mailbox bound (the actor
 * asked for them). Times are ms on the hub's clock.
 */
export class ActorTimers<M> {
  private readonly active = new Map<TimerKey, ActorTimer>();

  /** @internal made by `Actor.timers` on first use. */
  constructor(private readonly actor: Actor<M>) {}

  /**
   * Sends `message` to the actor once, `delayMs` ms from now (0: at the
   * hub's next turn, after the greenlets already queued). Replaces the
   * timer of `key` if one is active (its message, if queued and not yet
   * taken, is not delivered). The timer stays active until its message is
   * taken from the inbox, or it is cancelled.
   */
  startSingle(key: TimerKey, message: M, delayMs: number): void {
    const call = 'Actor.timers.startSingle';
    checkKey(call, key);
    checkDelay(call, 'delayMs', delayMs, false);
    this.start(key, message, delayMs, 0);
  }

  /**
   * Sends `message` to the actor every `intervalMs` ms (> 0), the first
   * time after `initialDelayMs` (default: `intervalMs`), until cancelled.
   * Ticks keep to the schedule (each due `intervalMs` after the previous
   * one was due); ticks missed while the hub was busy are skipped, not sent
   * in a burst. Messages the actor has not taken yet pile up in its inbox,
   * as any others. Replaces the timer of `key`, as `startSingle` does.
   */
  startPeriodic(key: TimerKey, message: M, intervalMs: number, options?: PeriodicTimerOptions): void {
    const call = 'Actor.timers.startPeriodic';
    checkKey(call, key);
    checkDelay(call, 'intervalMs', intervalMs, true);
    checkOptions(call, options, PERIODIC_KEYS);
    const initial = options?.initialDelayMs ?? intervalMs;
    checkDelay(call, 'initialDelayMs', initial, false);
    this.start(key, message, initial, intervalMs);
  }

  /**
   * Cancels the timer of `key`: it fires no more, and its message, if
   * queued and not yet taken, is removed from the inbox. Returns true if it
   * was active, false if there was none (or its message was already taken).
   */
  cancel(key: TimerKey): boolean {
    const timer = this.active.get(key);
    if (timer === undefined) return false;
    this.active.delete(key);
    timer.cancel();
    return true;
  }

  /** Cancels every timer of the actor, as `cancel` does. */
  cancelAll(): void {
    const timers = [...this.active.values()];
    this.active.clear();
    for (const timer of timers) timer.cancel();
  }

  /** True while the timer of `key` is active: a periodic one until cancelled, a single one until its message is taken. */
  isActive(key: TimerKey): boolean {
    return this.active.has(key);
  }

  /** The number of active timers. */
  get size(): number {
    return this.active.size;
  }

  /** @internal the actor died: stop every timer, leaving the inbox as it is (it is emptied on death). */
  stopAll(): void {
    for (const timer of this.active.values()) timer.stop();
    this.active.clear();
  }

  /** @internal a single timer's message was taken: its key is free. */
  delivered(timer: ActorTimer): void {
    if (this.active.get(timer.key) === timer) this.active.delete(timer.key);
  }

  private start(key: TimerKey, message: M, delayMs: number, intervalMs: number): void {
    const actor = this.actor;
    if (actor.dead) return;
    this.cancel(key);
    const frozen = typeof message === 'object' && message !== null ? prepareMessage(message) : message;
    const hub = actor[HUB] ?? ctx.hub ?? getHub();
    const timer = new ActorTimer(this as ActorTimers<unknown>, actor as Actor<unknown>, hub, key, frozen, intervalMs);
    this.active.set(key, timer);
    hub.addTimer(timer, delayMs);
  }
}

/** One timer: its entry in the hub's heap, and the envelopes of its messages while they are queued. */
class ActorTimer implements TimerEntry {
  deadline = 0;
  seq = 0;
  heapIndex = -1;
  /** Its envelopes now in the inbox. */
  queued = 0;

  constructor(
    private readonly owner: ActorTimers<unknown>,
    private readonly actor: Actor<unknown>,
    private readonly hub: Hub,
    readonly key: TimerKey,
    private readonly message: unknown,
    /** ms between ticks; 0 for a single timer. */
    private readonly intervalMs: number,
  ) {}

  /** Called by the hub at the deadline: queue the message, and plan the next tick. */
  fire(): void {
    this.heapIndex = -1;
    const actor = this.actor;
    if (actor.dead) return;
    const envelope = new TimerFiring(this, this.message);
    this.queued++;
    (actor.inbox as Inbox<unknown>).insert(envelope);
    const hub = this.hub;
    hub.messages++;
    if (hub.tracers !== null) hub.trace({ type: 'actorMessage', greenlet: actor, message: this.message, from: null });
    if (this.intervalMs > 0) hub.addTimer(this, nextTickDelay(this.deadline, this.intervalMs, hub.now()));
  }

  /** Its envelope was taken from the inbox. */
  taken(): void {
    this.queued--;
    if (this.intervalMs === 0) this.owner.delivered(this);
  }

  /** Cancelled: no more ticks, and its queued messages leave the inbox. */
  cancel(): void {
    this.stop();
    if (this.queued > 0) {
      (this.actor.inbox as Inbox<unknown>).discardWhere((item) => item instanceof TimerFiring && item.timer === this);
      this.queued = 0;
    }
  }

  /** No more ticks. */
  stop(): void {
    if (this.heapIndex >= 0) this.hub.removeTimer(this);
  }
}

/**
 * @internal the delay until a periodic timer's next tick, when the one due
 * at `deadline` fired at `now`: the schedule is kept (`deadline +
 * intervalMs`) while it is ahead; if the hub fell behind it (a step that
 * held it up), the missed ticks are skipped and the next one is a whole
 * interval from now, rather than a burst of late ones.
 */
export function nextTickDelay(deadline: number, intervalMs: number, now: number): number {
  const next = deadline + intervalMs;
  return next > now ? next - now : intervalMs;
}

/** A timer's message in the inbox. */
class TimerFiring extends Envelope {
  constructor(
    readonly timer: ActorTimer,
    message: unknown,
  ) {
    super(message);
  }
  opened(): void {
    this.timer.taken();
  }
}

function checkKey(call: string, key: unknown): void {
  const type = typeof key;
  if (type === 'string' || type === 'symbol' || (type === 'number' && !Number.isNaN(key))) return;
  throw new TypeError(`${call}: key must be a string, a number or a symbol, got ${show(key)}`);
}

function checkDelay(call: string, field: string, ms: unknown, positive: boolean): void {
  if (typeof ms !== 'number') throw new TypeError(`${call}: ${field} must be a number of ms, got ${show(ms)}`);
  if (!(positive ? ms > 0 : ms >= 0) || ms === Infinity) {
    throw new RangeError(`${call}: ${field} must be a ${positive ? 'positive' : 'non-negative'}, finite number of ms, got ${show(ms)}`);
  }
}

const schedulers = new WeakMap<Actor<unknown>, ActorTimers<unknown>>();

/** @internal the actor's timers, made on first use. */
export function timersOf<M>(actor: Actor<M>): ActorTimers<M> {
  let timers = schedulers.get(actor as Actor<unknown>);
  if (timers === undefined) {
    timers = new ActorTimers<unknown>(actor as Actor<unknown>);
    schedulers.set(actor as Actor<unknown>, timers);
  }
  return timers as ActorTimers<M>;
}

/** @internal the actor died: its timers stop. */
export function stopTimers(actor: Actor<unknown>): void {
  schedulers.get(actor)?.stopAll();
}
