/**
 * gevent's `gevent.pool`: `Pool`, a group of greenlets with a capacity,
 * whose `spawn` and `add` block while it is full. `Group` and `BaseGroup`
 * live in group.ts and are re-exported here, as gevent keeps them together.
 */
import { LinkList } from './internal/link-list.js';
import { KIND_FLAG, WaitOp, type WaitState } from './internal/wait.js';
import { checkBody, checkOptions, optionKeys, show, type TimeoutOption } from './internal/validate.js';
import { Greenlet, checkGreenlet } from './greenlet.js';
import { BaseGroup } from './group.js';
import { Waiters } from './imap.js';
import type { Operation, PlainResult } from './operation.js';
import { HUB, PUSH, REMOVE, SHIFT, SIZE, WAIT, WAITING_ON } from './internal/keys.js';
import { ctx } from './internal/context.js';
import { LoopExit } from './errors.js';

export { BaseGroup, Group, type GroupJoinOptions, type GroupKillOptions, type MapOptions } from './group.js';

/** Options of `Pool.add()`. */
export interface PoolAddOptions {
  /** Throw `PoolFull` if no slot frees within this many ms (`0`: never block); a Timeout given here is raised. */
  timeout?: TimeoutOption;
}
const ADD_KEYS = optionKeys<PoolAddOptions>({ timeout: true });

/** Options of `Pool.waitAvailable()`. */
export interface WaitAvailableOptions {
  /** Return 0 if no slot frees within this many ms; a Timeout given here is raised. */
  timeout?: TimeoutOption;
}
const AVAILABLE_KEYS = optionKeys<WaitAvailableOptions>({ timeout: true });

/** Thrown by `Pool.add({ timeout })` when no slot freed in time (gevent's `PoolFull`). */
export class PoolFull extends Error {
  static {
    this.prototype.name = 'PoolFull';
  }
}

/**
 * A group with at most `capacity` members (gevent's `Pool`): `spawn` and
 * `add` block while it is full. Without a capacity (or with `Infinity`) it
 * is unbounded: nothing blocks, `capacity` and `freeCount()` are
 * `Infinity` (gevent: `size` None, `free_count()` 1).
 *
 * When a member leaves, its slot goes straight to the first call waiting in
 * `spawn`/`add`, so jobs start in the order those calls were made and a
 * greenlet calling later cannot take the slot first; `size + freeCount()`
 * is always `capacity`.
 */
export class Pool extends BaseGroup {
  /** The most members the pool holds at once; `Infinity` when unbounded. */
  readonly capacity: number;
  /** spawn()/add() calls waiting for a slot, in call order. */
  private readonly slotWaiters = new LinkList();
  /** Calls given a slot, to resume. */
  private readonly handed = new Waiters();
  /** waitAvailable() calls. */
  private readonly availableWaiters = new Waiters();

  /** `capacity`: a positive integer, or omitted (`undefined`, `null`, `Infinity`) for no limit. */
  constructor(capacity?: number | null) {
    super();
    this.capacity = checkCapacity(capacity);
  }

  /** Slots free now: `capacity - size`. */
  freeCount(): number {
    return this.capacity - this.size;
  }

  /** True when every slot is taken: `spawn` and `add` would block. */
  full(): boolean {
    return this.size >= this.capacity;
  }

  /**
   * Creates a greenlet running `fn(...args)`, waits for a free slot, adds
   * it and starts it; returns the greenlet. Blocks while the pool is full;
   * waiting calls get slots in call order. If the caller is killed while
   * waiting, the job never starts and no slot is kept. A member of the
   * full pool whose every other member also waits for a slot of it gets
   * `LoopExit` at once, naming the pool: nobody could ever free one.
   */
  spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T>, ...args: A): Operation<Greenlet<T>>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => PromiseLike<T>, ...args: A): Operation<Greenlet<T>>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => PlainResult<T>, ...args: A): Operation<Greenlet<T>>;
  spawn<T, A extends unknown[]>(fn: (...args: A) => Operation<T> | PromiseLike<T> | T, ...args: A): Operation<Greenlet<T>> {
    checkBody('Pool.spawn', 'fn', fn);
    this.refuseDeadlock('Pool.spawn');
    const greenlet = new Greenlet<T>(fn as unknown as (...args: never[]) => Operation<T>, ...args);
    return SPAWN.call(this, greenlet) as Operation<Greenlet<T>>;
  }

  /**
   * Waits for a free slot and makes `greenlet` a member, without starting
   * it (a member already: returns at once). Throws `PoolFull` if no slot
   * frees within `timeout` ms. If the caller is killed while waiting, the
   * greenlet is not added and no slot is kept.
   */
  add(greenlet: Greenlet<unknown>, options?: PoolAddOptions): Operation<void> {
    checkGreenlet('Pool.add', greenlet);
    checkOptions('Pool.add', options, ADD_KEYS);
    if (!this.has(greenlet)) this.refuseDeadlock('Pool.add');
    return ADD.call(this, greenlet, options?.timeout) as Operation<void>;
  }

  /**
   * Waits until a slot is free — a `spawn` would not block — and returns
   * `freeCount()`; returns 0 if none frees within `timeout` ms.
   */
  waitAvailable(options?: WaitAvailableOptions): Operation<number> {
    checkOptions('Pool.waitAvailable', options, AVAILABLE_KEYS);
    return AVAILABLE.call(this, undefined, options?.timeout);
  }

  /**
   * A member asking for a slot of its own full pool waits for a member to
   * end; if every other member is itself waiting for a slot, none ever
   * will (gevent's pool deadlocks silently there). Say so at the call.
   */
  private refuseDeadlock(call: string): void {
    const caller = ctx.current;
    if (caller === null || !this.full() || !this.has(caller)) return;
    for (const member of this) {
      if (member === caller) continue;
      const waitingOn = member[WAITING_ON];
      if ((waitingOn !== SPAWN && waitingOn !== ADD) || member[WAIT]!.target !== this) return;
    }
    throw new LoopExit(
      `${call}: ${caller.name} is a member of this full pool (capacity ${this.capacity}) and every other member waits for a slot too: none can ever free one. Spawn from outside the pool, or raise its capacity.`,
    );
  }

  protected admit<T>(greenlet: Greenlet<T>): Operation<Greenlet<T>> {
    return SPAWN.call(this, greenlet) as Operation<Greenlet<T>>;
  }

  protected override released(): void {
    // The slot goes to the first waiting call now, not when it resumes:
    // nobody calling in between can take it, and size + freeCount() stays capacity.
    while (this.slotWaiters[SIZE] > 0 && this.size < this.capacity) {
      const s = this.slotWaiters[SHIFT]() as WaitState;
      const greenlet = s.arg as Greenlet<unknown>;
      if (!this.has(greenlet)) {
        s.flags |= KIND_FLAG;
        this.insert(greenlet);
      }
      // The call has succeeded: its timeout must not fire now (an interrupt still can, and takes the slot back).
      if (s.heapIndex >= 0) s.greenlet[HUB]!.removeTimer(s);
      this.handed[PUSH](s);
    }
    this.handed.wake();
    if (this.size < this.capacity) this.availableWaiters.wake();
  }

  /** @internal queues a spawn()/add() call for a slot. */
  waitForSlot(s: WaitState): void {
    this.slotWaiters[PUSH](s);
  }

  /** @internal queues a waitAvailable() call. */
  waitForAvailable(s: WaitState): void {
    this.availableWaiters[PUSH](s);
  }
}

/** `Pool.spawn` / `Pool.add`: KIND_FLAG marks a call handed a slot (its greenlet already made a member). */
class SlotOp extends WaitOp<Greenlet<unknown> | undefined> {
  constructor(
    readonly label: string,
    private readonly starts: boolean,
  ) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    const pool = s.target as Pool;
    return (s.flags & KIND_FLAG) !== 0 || pool.has(s.arg as Greenlet<unknown>) || pool.freeCount() > 0;
  }
  protected outcome(s: WaitState): Greenlet<unknown> | undefined {
    const greenlet = s.arg as Greenlet<unknown>;
    if ((s.flags & KIND_FLAG) === 0) (s.target as Pool).insert(greenlet);
    if (!this.starts) return undefined;
    // Killed after it got its slot and before this resumed: start() leaves a dead greenlet alone.
    greenlet.start();
    return greenlet;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Pool).waitForSlot(s);
  }
  /** Handed a slot: the call has succeeded (a kill still takes the slot back; a Timeout waits). */
  override completed(s: WaitState): boolean {
    return (s.flags & KIND_FLAG) !== 0;
  }
  protected expire(s: WaitState): Greenlet<unknown> | undefined {
    throw new PoolFull(`${this.label}: no free slot within ${s.timeout as number} ms`);
  }
  /** Leaving the wait after being handed a slot (interrupted first): give the slot back. */
  protected override detach(s: WaitState): void {
    s.list?.[REMOVE](s);
    if ((s.flags & KIND_FLAG) !== 0) {
      s.flags &= ~KIND_FLAG;
      (s.target as Pool).discard(s.arg as Greenlet<unknown>);
    }
  }
}

/** `Pool.waitAvailable()`: the free count, 0 on timeout. */
class AvailableOp extends WaitOp<number> {
  readonly label = 'Pool.waitAvailable';
  protected isReady(s: WaitState): boolean {
    return (s.target as Pool).freeCount() > 0;
  }
  protected outcome(s: WaitState): number {
    return (s.target as Pool).freeCount();
  }
  protected expire(): number {
    return 0;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as Pool).waitForAvailable(s);
  }
}

const SPAWN = new SlotOp('Pool.spawn', true);
const ADD = new SlotOp('Pool.add', false);
const AVAILABLE = new AvailableOp();

function checkCapacity(capacity: unknown): number {
  if (capacity === undefined || capacity === null || capacity === Infinity) return Infinity;
  const message = `new Pool: capacity must be a positive integer, or omitted for no limit; got ${show(capacity)}`;
  if (typeof capacity !== 'number') throw new TypeError(message);
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(message);
  return capacity;
}
