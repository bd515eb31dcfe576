/**
 * Groups of greenlets (gevent's `gevent.pool.Group`), and `BaseGroup`, what
 * `Group` and `Pool` (pool.ts) share.
 *
 * A group keeps track of greenlets: members leave it when they die (in the
 * hub's link round after the death, so a greenlet that just died is still
 * counted until then, as in gevent), `join()` waits until it is empty,
 * `kill()` stops them all, and `map`, `imap`, `imapUnordered` and `apply`
 * run a function in new members and collect the results (`IMap`, imap.ts).
 * A `Group` never blocks to take a member; a `Pool` blocks while it is full.
 *
 * In gevent Pool subclasses Group; here both extend `BaseGroup`, because
 * Pool's `spawn` and `add` are Operations where Group's are plain calls: a
 * Pool passed where a Group is expected would break its caller. Code that
 * takes either should take a `BaseGroup`.
 */
import { ctx } from './internal/context.js';
import { Link } from './internal/link-list.js';
import { WaitOp, checkTimeout, type WaitState } from './internal/wait.js';
import { Composite } from './internal/composite.js';
import { raise, within } from './internal/within.js';
import { OPERATION } from './internal/brand.js';
import { checkException, checkBody, checkOptions, optionKeys, show, toException, type TimeoutOption } from './internal/validate.js';
import { Greenlet, checkGreenlet, waitForDeath, type ExceptionOption } from './greenlet.js';
import { GreenletExit } from './errors.js';
import { getHub } from './hub.js';
import { Timeout } from './timeout.js';
import { runBody } from './call.js';
import { IMap, Waiters, type Admit } from './imap.js';
import type { Operation, PlainResult, Suspend } from './operation.js';
import { ADD_LINK, HEAD, KILL_WITH, OBSERVE, PUSH, REMOVE } from './internal/keys.js';

/** Options of `join()`. */
export interface GroupJoinOptions {
  /** Stop waiting after this many ms (`join` then returns false); a Timeout given here is raised. */
  timeout?: TimeoutOption;
  /** Once the wait ends, throw the error of the first of the members at call time that failed. */
  raiseError?: boolean;
}
const JOIN_KEYS = optionKeys<GroupJoinOptions>({ timeout: true, raiseError: true });

/** Options of `kill()` and `killOne()`. */
export interface GroupKillOptions {
  /** What to raise in each member: an error class (one instance each) or an instance; `GreenletExit` by default. */
  exception?: ExceptionOption;
  /** With `yield*`: stop waiting for the deaths after this many ms, silently; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}
const KILL_KEYS = optionKeys<GroupKillOptions>({ exception: true, timeout: true });

/** Options of `map()` and `apply()`. */
export interface MapOptions {
  /** Throw `Timeout` if the results are not all in after this many ms (a Timeout given here is raised itself). */
  timeout?: TimeoutOption;
}
const MAP_KEYS = optionKeys<MapOptions>({ timeout: true });

/** A group's link on a member: tells the group when the member dies. */
class Membership extends Link {
  /** The group already raised in it (gevent's `dying`): `kill` does not raise twice. */
  killed = false;
  constructor(
    readonly group: BaseGroup,
    readonly greenlet: Greenlet<unknown>,
  ) {
    super();
  }
  notify(): void {
    this.group.memberDied(this);
  }
}

/** One `join({ raiseError: true })`: the members it watches and the first of them to fail. */
class JoinRecord {
  failure: Greenlet<unknown> | null = null;
  constructor(
    readonly group: BaseGroup,
    readonly watched: Set<Greenlet<unknown>>,
  ) {}
}

/**
 * What Group and Pool share: membership, `join`, `kill`, and the mapping
 * calls. Use it as the type of code that accepts either.
 */
export abstract class BaseGroup implements Iterable<Greenlet<unknown>> {
  /** @internal join() calls waiting for the group to empty. */
  readonly emptyWaiters = new Waiters();
  /** @internal kill() calls waiting for the group to empty or for new members to kill. */
  readonly killWaiters = new Waiters();
  /** Members in the order they joined, each with its link. */
  private readonly members = new Map<Greenlet<unknown>, Membership>();
  private readonly admitter: Admit = (greenlet) => this.admit(greenlet);

  /** Number of members: greenlets added and not yet dead (or dead, until the hub's next link round). */
  get size(): number {
    return this.members.size;
  }

  /** True if `greenlet` is a member. */
  has(greenlet: Greenlet<unknown>): boolean {
    return this.members.has(greenlet);
  }

  /** The members, in the order they joined. */
  [Symbol.iterator](): IterableIterator<Greenlet<unknown>> {
    return this.members.keys();
  }

  /** Removes `greenlet` from the group without killing it (a no-op if it is not a member); a Pool frees its slot. */
  discard(greenlet: Greenlet<unknown>): void {
    const membership = this.members.get(greenlet);
    if (membership !== undefined) this.remove(membership);
  }

  /**
   * Waits until the group is empty — every member dead (or discarded) — as
   * the caller sees it when it resumes. Returns true, or false when the
   * timeout (ms) expires first. With `raiseError`, once the wait ends it
   * throws the error of the first to fail among the members at call time
   * (their failures are then not reported by the hub). A member cannot
   * join its own group. If the caller is killed while waiting, it stops
   * waiting and the kill goes on.
   */
  join(options?: GroupJoinOptions): Operation<boolean> {
    const label = `${this.kind}.join`;
    checkOptions(label, options, JOIN_KEYS);
    const current = ctx.current;
    if (current !== null && this.members.has(current)) {
      throw new Error(`${label}: ${current.name} is a member of this group and would wait for itself`);
    }
    const timeout = checkTimeout(label, options?.timeout);
    if (options?.raiseError !== true) return JOIN.call(this, undefined, timeout);
    const watched = new Set(this.members.keys());
    for (const greenlet of watched) greenlet[OBSERVE]();
    return JOIN.call(new JoinRecord(this, watched), undefined, timeout);
  }

  /**
   * Kills every member (see `Greenlet.kill`), the calling greenlet last if
   * it is one. Takes effect when called and does not block; the returned
   * Operation, used with `yield*`, waits until the group is empty, killing
   * members added meanwhile too (gevent's loop), and gives up silently after
   * `timeout` ms. A member the group already killed is not killed twice.
   */
  kill(options?: GroupKillOptions): Operation<void> {
    const label = `${this.kind}.kill`;
    checkOptions(label, options, KILL_KEYS);
    const exception = options?.exception;
    checkException(label, exception);
    const timeout = checkTimeout(label, options?.timeout);
    this.killMembers(exception);
    // Like Greenlet.kill's, this Operation may be left unused: the kill already happened.
    const op: Operation<void> & { [OPERATION]: true } = {
      [OPERATION]: true,
      [Symbol.iterator]: () => this.awaitKill(exception, timeout),
    };
    return op;
  }

  /**
   * Kills `greenlet` if it is a member the group has not killed yet, and
   * with `yield*` waits for its death (up to `timeout` ms, then silently).
   * Otherwise — not a member, or one the group already killed (by `killOne`
   * or `kill`), even if it caught the exit and lives on — does nothing and
   * returns at once, as gevent's `killone` does for a greenlet already
   * dying. A killed member stays counted in `size` until the hub's next link
   * round. The kill takes effect when called.
   */
  killOne(greenlet: Greenlet<unknown>, options?: GroupKillOptions): Operation<void> {
    const label = `${this.kind}.killOne`;
    checkGreenlet(label, greenlet);
    checkOptions(label, options, KILL_KEYS);
    const error = toException(label, options?.exception);
    const timeout = checkTimeout(label, options?.timeout);
    const membership = this.members.get(greenlet);
    if (membership === undefined || membership.killed) return waitForDeath([], null);
    membership.killed = true;
    greenlet[KILL_WITH](error ?? new GreenletExit());
    return waitForDeath([greenlet], timeout);
  }

  /**
   * Runs `fn(item)` for every item, each in a new member, and returns the
   * results in input order. Blocks until all are in; in a Pool, items start
   * in input order as slots free. An item that fails makes `map` throw its
   * error when the in-order collection reaches it; items not started by then
   * are not started. An item killed with `GreenletExit` gives that instance
   * as its result (gevent's rule, as `get()` does). On timeout throws
   * `Timeout`; if the caller is killed or times out, no further items start
   * and those running go on as members. Called from a member of the group,
   * runs the items one by one in the caller (gevent: a full pool would wait
   * for the slot its own caller holds).
   */
  map<T, R>(fn: (item: T) => Operation<R>, items: Iterable<T>, options?: MapOptions): Operation<R[]>;
  map<T, R>(fn: (item: T) => PromiseLike<R>, items: Iterable<T>, options?: MapOptions): Operation<R[]>;
  map<T, R>(fn: (item: T) => PlainResult<R>, items: Iterable<T>, options?: MapOptions): Operation<R[]>;
  map<T, R>(fn: (item: T) => Operation<R> | PromiseLike<R> | R, items: Iterable<T>, options?: MapOptions): Operation<R[]> {
    const label = `${this.kind}.map`;
    checkBody(label, 'fn', fn);
    const iterator = iteratorOf<T>(label, items);
    checkOptions(label, options, MAP_KEYS);
    const timeout = checkTimeout(label, options?.timeout);
    return new Composite<R[]>(label, () => within(timeout, () => this.runMap(fn, iterator), raise));
  }

  /**
   * Starts `fn(item)` for every item, each in a new member, and returns at
   * once an `IMap` whose `next()` gives the results in input order. The
   * items start when the caller next blocks, in input order: in a Group all
   * at once (so the input must be finite), in a Pool as slots free, however
   * fast the results are taken. See `IMap` for failures, timeouts and
   * `close()`.
   */
  imap<T, R>(fn: (item: T) => Operation<R>, items: Iterable<T>): IMap<R>;
  imap<T, R>(fn: (item: T) => PromiseLike<R>, items: Iterable<T>): IMap<R>;
  imap<T, R>(fn: (item: T) => PlainResult<R>, items: Iterable<T>): IMap<R>;
  imap<T, R>(fn: (item: T) => Operation<R> | PromiseLike<R> | R, items: Iterable<T>): IMap<R> {
    const label = `${this.kind}.imap`;
    checkBody(label, 'fn', fn);
    return new IMap<R>(true, fn, iteratorOf<T>(label, items), this.admitter);
  }

  /**
   * Like `imap`, but `next()` gives the results in the order the items
   * finished; under a Pool that is the order of the concurrency-limited
   * schedule (gevent's `imap_unordered`).
   */
  imapUnordered<T, R>(fn: (item: T) => Operation<R>, items: Iterable<T>): IMap<R>;
  imapUnordered<T, R>(fn: (item: T) => PromiseLike<R>, items: Iterable<T>): IMap<R>;
  imapUnordered<T, R>(fn: (item: T) => PlainResult<R>, items: Iterable<T>): IMap<R>;
  imapUnordered<T, R>(fn: (item: T) => Operation<R> | PromiseLike<R> | R, items: Iterable<T>): IMap<R> {
    const label = `${this.kind}.imapUnordered`;
    checkBody(label, 'fn', fn);
    return new IMap<R>(false, fn, iteratorOf<T>(label, items), this.admitter);
  }

  /**
   * Runs `fn(...args)` in a new member (in a Pool, once a slot is free) and
   * returns its value or throws its error. On timeout throws `Timeout`; if
   * the caller is killed or times out, the member goes on. Called from a
   * member of the group, runs `fn` in the caller (see `map`).
   */
  apply<T>(fn: () => Operation<T>): Operation<T>;
  apply<T>(fn: () => PromiseLike<T>): Operation<T>;
  apply<T>(fn: () => PlainResult<T>): Operation<T>;
  apply<T, A extends unknown[]>(fn: (...args: A) => Operation<T>, args: A, options?: MapOptions): Operation<T>;
  apply<T, A extends unknown[]>(fn: (...args: A) => PromiseLike<T>, args: A, options?: MapOptions): Operation<T>;
  apply<T, A extends unknown[]>(fn: (...args: A) => PlainResult<T>, args: A, options?: MapOptions): Operation<T>;
  apply<T>(fn: (...args: unknown[]) => Operation<T> | PromiseLike<T> | T, args?: unknown[], options?: MapOptions): Operation<T> {
    const label = `${this.kind}.apply`;
    checkBody(label, 'fn', fn);
    if (args !== undefined && !Array.isArray(args)) throw new TypeError(`${label}: args must be an array, got ${show(args)}`);
    checkOptions(label, options, MAP_KEYS);
    const timeout = checkTimeout(label, options?.timeout);
    const list = args ?? [];
    return new Composite<T>(label, () => within(timeout, () => this.runApply(fn, list), raise));
  }

  /** Makes `greenlet` a member and starts it: at once in a Group, once a slot is free in a Pool. */
  protected abstract admit<T>(greenlet: Greenlet<T>): Operation<Greenlet<T>>;

  /** A member left: a Pool hands its slot on. */
  protected released(): void {}

  /** The class name, for messages (`Pool.map: ...`). */
  protected get kind(): string {
    return this.constructor.name;
  }

  /** @internal makes `greenlet` a member (a no-op if it is one); it leaves when it dies. */
  insert(greenlet: Greenlet<unknown>): void {
    if (this.members.has(greenlet)) return;
    const membership = new Membership(this, greenlet);
    this.members.set(greenlet, membership);
    // A dead greenlet's links run at the next turn: it leaves then, as in gevent.
    greenlet[ADD_LINK](membership);
    this.killWaiters.wake();
  }

  /** @internal a member died (hub context, its link round). */
  memberDied(membership: Membership): void {
    if (this.members.get(membership.greenlet) === membership) this.remove(membership);
  }

  /** @internal true if some member has not been killed by the group. */
  hasUnkilled(): boolean {
    for (const membership of this.members.values()) if (!membership.killed) return true;
    return false;
  }

  private remove(membership: Membership): void {
    const greenlet = membership.greenlet;
    this.members.delete(greenlet);
    membership.list?.[REMOVE](membership);
    if (greenlet.dead && !greenlet.successful()) this.noteFailure(greenlet);
    this.released();
    if (this.members.size === 0) {
      this.emptyWaiters.wake();
      this.killWaiters.wake();
    }
  }

  /** Tells the `join({ raiseError })` calls watching `greenlet` that it failed. */
  private noteFailure(greenlet: Greenlet<unknown>): void {
    for (let node = this.emptyWaiters[HEAD]; node !== null; node = node.nextLink) {
      const record = (node as WaitState).target;
      if (record instanceof JoinRecord && record.failure === null && record.watched.has(greenlet)) record.failure = greenlet;
    }
  }

  private killMembers(exception: ExceptionOption | undefined): void {
    const current = ctx.current;
    let self: Membership | null = null;
    for (const membership of this.members.values()) {
      if (membership.killed) continue;
      if (membership.greenlet === current) {
        self = membership;
        continue;
      }
      membership.killed = true;
      membership.greenlet[KILL_WITH](toException('kill', exception) ?? new GreenletExit());
    }
    // Killing the running greenlet raises right here, so it comes last.
    if (self !== null) {
      self.killed = true;
      self.greenlet[KILL_WITH](toException('kill', exception) ?? new GreenletExit());
    }
  }

  private *awaitKill(exception: ExceptionOption | undefined, timeout: number | Timeout | null): Generator<Suspend, void, unknown> {
    if (timeout instanceof Timeout) {
      // One Timeout covers the whole wait: started once, cancelled at the end.
      if (!timeout.pending) timeout.start();
      try {
        yield* this.killLoop(exception, Infinity);
      } finally {
        timeout.cancel();
      }
      return;
    }
    yield* this.killLoop(exception, timeout === null ? Infinity : getHub().now() + timeout);
  }

  private *killLoop(exception: ExceptionOption | undefined, deadline: number): Generator<Suspend, void, unknown> {
    const hub = getHub();
    while (this.members.size > 0) {
      const left = deadline === Infinity ? undefined : Math.max(0, deadline - hub.now());
      if (!(yield* KILL_WAIT.call(this, undefined, left))) return;
      this.killMembers(exception);
    }
  }

  private isMember(greenlet: Greenlet<unknown> | null): boolean {
    return greenlet !== null && this.members.has(greenlet);
  }

  private *runMap<T, R>(fn: (item: T) => Operation<R> | PromiseLike<R> | R, items: Iterator<T>): Generator<Suspend, R[], unknown> {
    const results: R[] = [];
    if (this.isMember(ctx.current)) {
      for (let step = items.next(); step.done !== true; step = items.next()) {
        const item = step.value;
        results.push(yield* runBody(() => fn(item)));
      }
      return results;
    }
    const it = new IMap<R>(true, fn, items, this.admitter);
    try {
      for (let r = yield* it.next(); r.done !== true; r = yield* it.next()) results.push(r.value);
      return results;
    } finally {
      it.close();
    }
  }

  private *runApply<T>(fn: (...args: unknown[]) => Operation<T> | PromiseLike<T> | T, args: unknown[]): Generator<Suspend, T, unknown> {
    if (this.isMember(ctx.current)) return yield* runBody(() => fn(...args));
    const greenlet = yield* this.admit(new Greenlet<T>(fn as unknown as (...args: never[]) => Operation<T>, ...args));
    return yield* greenlet.get();
  }
}

/**
 * A set of greenlets managed together (gevent's `Group`). Adding and
 * spawning never block; members leave when they die; see `BaseGroup` for
 * `join`, `kill` and the mapping calls.
 */
export class Group extends BaseGroup {
  /** A group holding `greenlets`, if given. */
  constructor(greenlets?: Iterable<Greenlet<unknown>>) {
    super();
    if (greenlets !== undefined) {
      const iterator = iteratorOf<unknown>('new Group', greenlets);
      for (let step = iterator.next(); step.done !== true; step = iterator.next()) {
        checkGreenlet('new Group', step.value);
        this.insert(step.value);
      }
    }
  }

  /** Makes `greenlet` a member (started or not; a no-op if it is one). Never blocks. */
  add(greenlet: Greenlet<unknown>): void {
    checkGreenlet('Group.add', greenlet);
    this.insert(greenlet);
  }

  /** Creates a greenlet running `fn(...args)`, adds it and starts it. Never blocks. */
  spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T>, ...args: A): Greenlet<T>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => PromiseLike<T>, ...args: A): Greenlet<T>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => PlainResult<T>, ...args: A): Greenlet<T>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T> | PromiseLike<T> | T, ...args: A): Greenlet<T> {
    checkBody('Group.spawn', 'fn', fn);
    const greenlet = new Greenlet<T>(fn as unknown as (...args: never[]) => Operation<T>, ...args);
    this.insert(greenlet);
    greenlet.start();
    return greenlet;
  }

  protected *admit<T>(greenlet: Greenlet<T>): Generator<Suspend, Greenlet<T>, unknown> {
    this.insert(greenlet);
    greenlet.start();
    return greenlet;
  }
}

/** `join()`: true when empty, false on timeout; a raiseError record throws its failure either way. */
class JoinOp extends WaitOp<boolean> {
  readonly label = 'Group.join';
  protected isReady(s: WaitState): boolean {
    return groupOf(s).size === 0;
  }
  protected outcome(s: WaitState): boolean {
    raiseFailure(s);
    return true;
  }
  protected expire(s: WaitState): boolean {
    raiseFailure(s);
    return false;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) groupOf(s).emptyWaiters[PUSH](s);
  }
  override waitTarget(s: WaitState): unknown {
    return groupOf(s);
  }
}

/** The wait inside `yield* kill()`: true when the group is empty or has members to kill, false on timeout. */
class KillWaitOp extends WaitOp<boolean> {
  readonly label = 'Group.kill';
  protected isReady(s: WaitState): boolean {
    const group = s.target as BaseGroup;
    return group.size === 0 || group.hasUnkilled();
  }
  protected outcome(): boolean {
    return true;
  }
  protected expire(): boolean {
    return false;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as BaseGroup).killWaiters[PUSH](s);
  }
}

const JOIN = new JoinOp();
const KILL_WAIT = new KillWaitOp();

function groupOf(s: WaitState): BaseGroup {
  const target = s.target;
  return target instanceof JoinRecord ? target.group : (target as BaseGroup);
}

function raiseFailure(s: WaitState): void {
  const target = s.target;
  if (target instanceof JoinRecord && target.failure !== null) throw target.failure.exception;
}

function iteratorOf<T>(call: string, items: unknown): Iterator<T> {
  if (items === null || items === undefined || typeof (items as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${call}: items must be an iterable, got ${show(items)}`);
  }
  return (items as Iterable<T>)[Symbol.iterator]();
}

