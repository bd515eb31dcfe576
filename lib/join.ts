/**
 * Waiting on many things at once: `joinAll` and `wait` (results in the
 * order things finished), `killAll`, and `shutdown`.
 */
import { WaitOp, checkTimeout, type WaitState } from './internal/wait.js';
import { Link } from './internal/link-list.js';
import type { Joiner, Linkable } from './internal/linkable.js';
import { ctx } from './internal/context.js';
import { checkException, checkOptions, optionKeys, show, toException, type TimeoutOption } from './internal/validate.js';
import { Greenlet, waitForDeath, type ExceptionOption } from './greenlet.js';
import { GreenletExit } from './errors.js';
import { getHub } from './hub.js';
import { Timeout } from './timeout.js';
import type { Operation } from './operation.js';
import { ADD_LINK, HEAD, JOINER, KILL_WITH, OBSERVE, PARENT, REMOVE, STEP, STOP_FOR_SHUTDOWN, WAITING_ON } from './internal/keys.js';

/** Options of `joinAll`. */
export interface JoinAllOptions {
  /** Stop waiting after this many ms and return the greenlets finished so far (a Timeout given here is raised). */
  timeout?: TimeoutOption;
  /** Throw the first failure's error as soon as it happens (the other greenlets keep running). */
  raiseError?: boolean;
  /** Return as soon as this many have finished, and no more than this many. */
  count?: number;
}
const JOIN_ALL_KEYS = optionKeys<JoinAllOptions>({ timeout: true, raiseError: true, count: true });

/** Options of `wait`. */
export interface WaitOptions {
  /** Stop waiting after this many ms and return what is ready so far (a Timeout given here is raised). */
  timeout?: TimeoutOption;
  /** Return as soon as this many are ready, and no more than this many. */
  count?: number;
}
const WAIT_KEYS = optionKeys<WaitOptions>({ timeout: true, count: true });

/** Options of `killAll` and `shutdown`. */
export interface KillAllOptions {
  /** What to raise in each: an error class (one instance each) or an instance; `GreenletExit` by default. */
  exception?: ExceptionOption;
  /**
   * With `yield*`: stop waiting for the deaths after this many ms. `killAll`
   * then throws `Timeout` (gevent's `killall`: some are still alive);
   * `shutdown` returns silently. A Timeout given here is raised itself.
   */
  timeout?: TimeoutOption;
}
const KILL_ALL_KEYS = optionKeys<KillAllOptions>({ exception: true, timeout: true });

// Waitable, what `wait` can wait on (a Greenlet, an Event, an AsyncResult), is their
// base class under a public name: a re-export, not an alias, so that the published
// types name the base of Greenlet and Event through an entry point.
export type { Linkable as Waitable } from './internal/linkable.js';

function toList<W>(call: string, field: string, items: unknown, check: (item: unknown) => boolean, kind: string): W[] {
  if (items === null || typeof items !== 'object' || typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${call}: ${field} must be an iterable of ${kind}s, got ${show(items)}`);
  }
  // Duplicates are kept, as gevent keeps them: [g, g] waits for both entries and returns both.
  const list: W[] = Array.isArray(items) ? (items as W[]).slice() : [...(items as Iterable<W>)];
  for (let i = 0; i < list.length; i++) {
    if (!check(list[i])) throw new TypeError(`${call}: ${field}[${i}] must be a ${kind}, got ${show(list[i])}`);
  }
  return list;
}

function checkCount(call: string, count: unknown, length: number): number {
  if (count === undefined || count === null) return length;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`${call}: count must be a non-negative integer, got ${show(count)}`);
  }
  return Math.min(count, length);
}

/** One object watched by a `joinAll` or `wait`. */
class Watch extends Link {
  constructor(private readonly record: WaitManyRecord) {
    super();
  }
  notify(source: Linkable): void {
    this.record.arrived(source);
  }
}

/**
 * One `joinAll` or `wait`: what has become ready so far, in order. It sits
 * in the joiner slot of each greenlet it waits on that has no link yet (no
 * node to allocate: see Greenlet's `JOINER`), and is linked to the others
 * through a `Watch`.
 */
class WaitManyRecord implements Joiner {
  readonly finished: Linkable[] = [];
  failure: Greenlet<unknown> | null = null;
  /** True from `watch` to `unwatch`. */
  watching = false;
  /** Joiner slots it sits in still (see `watch`): `unwatch` looks for them only while there are some. */
  slots = 0;
  /** The nodes it was linked with, where a joiner slot was taken; null when none was needed. */
  watches: Watch[] | null = null;
  state: WaitState | null = null;

  constructor(
    readonly op: WaitManyOp,
    readonly objects: Linkable[],
    readonly count: number,
    readonly raiseError: boolean,
  ) {
    for (const o of objects) if (o.ready()) this.add(o);
  }

  get complete(): boolean {
    return this.finished.length >= this.count || this.failure !== null;
  }

  add(o: Linkable): void {
    // At most `count`, already-ready ones included (gevent's iwait stops there); raiseError looks at those only.
    if (this.finished.length >= this.count) return;
    this.finished.push(o);
    if (this.raiseError && this.failure === null && o instanceof Greenlet && !o.successful()) this.failure = o;
  }

  /** A greenlet whose joiner slot it sat in died (hub context); the slot is cleared. */
  leftSlot(g: Greenlet<unknown>): void {
    this.slots--;
    this.arrived(g);
  }

  /** A watched object became ready (hub context): resume the waiter once enough are. */
  arrived(o: Linkable): void {
    this.add(o);
    const s = this.state;
    if (s !== null && s.target === this && s.greenlet[WAITING_ON] === this.op && this.complete) s.greenlet[STEP]();
  }

  watch(s: WaitState): void {
    if (this.watching) return;
    this.watching = true;
    this.state = s;
    for (const o of this.objects) {
      if (o.ready()) continue;
      if (o instanceof Greenlet && o[JOINER] === null && o[HEAD] === null) {
        o[JOINER] = this;
        this.slots++;
        continue;
      }
      const watch = new Watch(this);
      (this.watches ??= []).push(watch);
      o[ADD_LINK](watch);
    }
  }

  unwatch(): void {
    if (!this.watching) return;
    this.watching = false;
    if (this.slots > 0) {
      this.slots = 0;
      for (const o of this.objects) if (o instanceof Greenlet && o[JOINER] === this) o[JOINER] = null;
    }
    const watches = this.watches;
    if (watches === null) return;
    this.watches = null;
    for (const watch of watches) watch.list?.[REMOVE](watch);
  }
}

class WaitManyOp extends WaitOp<Linkable[]> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    return (s.target as WaitManyRecord).complete;
  }
  protected outcome(s: WaitState): Linkable[] {
    const record = s.target as WaitManyRecord;
    if (record.failure !== null) throw record.failure.exception;
    return record.finished;
  }
  protected expire(s: WaitState): Linkable[] {
    return (s.target as WaitManyRecord).finished;
  }
  protected enlist(s: WaitState): void {
    (s.target as WaitManyRecord).watch(s);
  }
  protected override settle(s: WaitState): void {
    super.settle(s);
    (s.target as WaitManyRecord).unwatch();
  }
  protected override detach(s: WaitState): void {
    (s.target as WaitManyRecord).unwatch();
  }
  /** The objects waited for, not the record. */
  override waitTarget(s: WaitState): unknown {
    return (s.target as WaitManyRecord).objects;
  }
}

const JOIN_ALL = new WaitManyOp('joinAll');
const WAIT = new WaitManyOp('wait');

/**
 * Waits until every greenlet has ended and returns them in the order they
 * ended (those already dead first, in list order). With `timeout` (ms),
 * returns those that ended in time; with `count`, returns as soon as that
 * many have, and at most that many; with `raiseError`, throws the first
 * failure's error at once (among those returned). Never throws a
 * greenlet's error otherwise.
 */
export function joinAll<G extends Greenlet<unknown>>(greenlets: Iterable<G>, options?: JoinAllOptions): Operation<G[]> {
  checkOptions('joinAll', options, JOIN_ALL_KEYS);
  const list = toList<G>('joinAll', 'greenlets', greenlets, (g) => g instanceof Greenlet, 'Greenlet');
  for (const g of list) g[OBSERVE]();
  const record = new WaitManyRecord(JOIN_ALL, list, checkCount('joinAll', options?.count, list.length), options?.raiseError === true);
  return JOIN_ALL.call(record, undefined, options?.timeout) as Operation<G[]>;
}

/**
 * Waits until the objects (greenlets, Events, AsyncResults) are ready and
 * returns them in the order they became ready (those ready already first, in
 * list order); with `count`, as soon as that many are, and at most that
 * many; with `timeout` (ms), those ready in time.
 */
export function wait<W extends Linkable>(objects: Iterable<W>, options?: WaitOptions): Operation<W[]> {
  checkOptions('wait', options, WAIT_KEYS);
  const list = toList<W>('wait', 'objects', objects, isWaitable, 'Greenlet, Event or AsyncResult');
  for (const o of list) if (o instanceof Greenlet) o[OBSERVE]();
  const record = new WaitManyRecord(WAIT, list, checkCount('wait', options?.count, list.length), false);
  return WAIT.call(record, undefined, options?.timeout) as Operation<W[]>;
}

function isWaitable(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Linkable)[ADD_LINK] === 'function' &&
    typeof (value as Linkable).ready === 'function'
  );
}

/**
 * Kills every greenlet, in list order (see `Greenlet.kill`). Takes effect
 * when called; the returned Operation, used with `yield*`, waits until all
 * are dead. If `timeout` ms pass first — a victim caught its exit and lives
 * on — it throws `Timeout` (`"<ms> ms"`), as gevent's `killall` does, so
 * the caller knows; unlike `Greenlet.kill`, which gives up silently.
 */
export function killAll(greenlets: Iterable<Greenlet<unknown>>, options?: KillAllOptions): Operation<void> {
  checkOptions('killAll', options, KILL_ALL_KEYS);
  const list = toList<Greenlet<unknown>>('killAll', 'greenlets', greenlets, (g) => g instanceof Greenlet, 'Greenlet');
  const timeout = checkTimeout('killAll', options?.timeout);
  checkException('killAll', options?.exception);
  // A class gives each greenlet its own instance.
  for (const g of list) g[KILL_WITH](toException('killAll', options?.exception) ?? new GreenletExit());
  // A Timeout of our own, started only if the Operation is used, raised if it fires.
  return waitForDeath(list, typeof timeout === 'number' ? new Timeout(timeout) : timeout);
}

/**
 * Stops every live greenlet of the current hub but the caller, newest
 * first, for a clean exit on a signal. A greenlet is killed with
 * `GreenletExit` (or `exception`); an actor is stopped as its supervisor
 * would stop it, with `ExitSignal('shutdown')` (one that traps exits
 * finishes the message in hand; its `terminate` runs); a supervisor's
 * children are left to their supervisor, which stops them in reverse start
 * order with their shutdown protocol. Given `exception`, everything is
 * killed with it instead. Takes effect when called; with `yield*`, waits
 * for every death, up to `timeout` ms, then returns silently (unlike
 * `killAll`: a program shutting down has nobody left to tell).
 */
export function shutdown(options?: KillAllOptions): Operation<void> {
  checkOptions('shutdown', options, KILL_ALL_KEYS);
  const timeout = checkTimeout('shutdown', options?.timeout);
  checkException('shutdown', options?.exception);
  const caller = ctx.current;
  const all = getHub().greenlets().reverse();
  for (const g of all) {
    if (g === caller) continue;
    // A child whose parent is alive is stopped by that parent, in its order, not here.
    const parent = g[PARENT];
    if (parent !== null && !parent.dead && parent !== caller) continue;
    g[STOP_FOR_SHUTDOWN](toException('shutdown', options?.exception));
  }
  return waitForDeath(all.filter((g) => g !== caller), timeout);
}
