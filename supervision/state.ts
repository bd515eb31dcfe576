/**
 * A supervisor's state: its children, indexed so that finding, starting,
 * stopping or restarting one costs O(1) (O(log n) to schedule a delayed
 * restart) however many there are, and the restart window (intensity.ts).
 *
 * It is a mutable core, changed only through the named methods below, with
 * immutable snapshots made on demand (`snapshot`, frozen with immer). It
 * used to be one immutable record replaced by an immer `produce` on every
 * change (STYLE.md's rule 11): each change then copied the whole list of
 * children, and n dynamic children took O(n²) to start and stop — 78 s for
 * 10,000 (issue 12). Readers outside the supervisor's greenlet only ever
 * see snapshots, so nothing can observe the core change under it; the
 * decisions (strategy.ts, intensity.ts, restart-decision.ts) stay pure and
 * get what they need as plain values.
 *
 * The start order is the insertion order of one Map keyed by a child's key
 * (keys only grow, a restart keeps a child's entry): appending and removing
 * are O(1), and iterating it is the start order. Every greenlet ever
 * started for a child maps to its record (a WeakMap), so an old
 * incarnation's late EXIT is recognised, and a dynamic child can be named
 * by any greenlet it ran as, even while it waits to be restarted.
 */
import { freeze } from 'immer';
import type { Greenlet } from '../lib/greenlet.js';
import { TimerHeap, type TimerEntry } from '../lib/internal/timer-heap.js';
import type { ChildSpec, ChildType } from './child-spec.js';
import { RestartWindow } from './intensity.js';
import type { PlanChild } from './strategy.js';

/** A pending restart of one child, ordered by when it is due (ties: the one decided first). */
interface PendingRestart extends TimerEntry {
  readonly child: ChildRecord;
}

/** One child: its spec and its current incarnation. Changed only by {@link SupervisorState}'s methods. */
export interface ChildRecord {
  /** Unique within the supervisor, never reused (dynamic children share their template's id). */
  readonly key: number;
  /** The spec (for a dynamic child, its template). */
  readonly spec: Required<ChildSpec>;
  /** Makes a new greenlet: `spec.start`, or for a dynamic child the template's start bound to its arguments. */
  readonly launch: () => unknown;
  /** The greenlet while it runs; undefined while stopped or waiting to be restarted. */
  greenlet: Greenlet<unknown> | undefined;
  /** Hub time (ms) of its last start. */
  startedAt: number;
  /** Restarts in a row so far (for the backoff); 0 until its first restart. */
  attempts: number;
  /** Restarts decided for it so far, never reset (what `describe()` shows). */
  restartCount: number;
  /** Its restart, while one is pending (then `deadline` is the hub time it is due). */
  pending: PendingRestart | null;
  /**
   * While it is being stopped: the hub time (ms) at which it is killed
   * plainly if it has not exited — `Infinity` (`'infinity'`: never),
   * `-Infinity` (killed plainly already). Undefined otherwise. Kept here so
   * a stop interrupted by a second signal resumes with the same deadline.
   */
  stopBy: number | undefined;
}

/** Where a child is: running, waiting for a pending restart, or stopped (its spec kept). */
export type ChildStatus = 'running' | 'restarting' | 'stopped';

/** One child as a snapshot shows it (the public `ChildInfo`). */
export interface ChildView {
  readonly id: string;
  readonly greenlet: Greenlet<unknown> | undefined;
  readonly type: ChildType;
}

/** Where a child is (see {@link ChildStatus}). */
export function statusOf(child: ChildRecord): ChildStatus {
  if (child.greenlet !== undefined) return 'running';
  return child.pending !== null ? 'restarting' : 'stopped';
}

/** The pending restart heap never fires anything: the supervisor asks it what is due (`nextDue`). */
function neverFired(): void {}

/** The whole state of a supervisor (see the module comment). */
export class SupervisorState {
  /** The children by key; its insertion order is the start order. */
  private readonly children = new Map<number, ChildRecord>();
  /** Children by id: unique for static children; dynamic ones share their template's and are looked up by greenlet. */
  private readonly byId = new Map<string, ChildRecord>();
  /** Every greenlet started as a child, to the child it was (weak: old incarnations are not kept alive). */
  private readonly incarnations = new WeakMap<Greenlet<unknown>, ChildRecord>();
  private readonly restartsDue = new TimerHeap();
  /** The restarts inside the intensity window. */
  readonly restarts = new RestartWindow();
  /** The key the next child gets. */
  private nextKey = 0;
  /** Bumped on every change a snapshot shows, so an unchanged state reuses its snapshot. */
  private version = 0;
  private snapshotCache: { version: number; children: readonly ChildView[] } | null = null;

  /** A state whose children are `specs`, in start order, all stopped. */
  constructor(specs: readonly Required<ChildSpec>[]) {
    for (const spec of specs) this.add(spec, spec.start);
  }

  /** How many children it has (running or not). */
  get size(): number {
    return this.children.size;
  }

  /** The children in start order. Not to be changed while iterated (use `keys()` for that). */
  records(): IterableIterator<ChildRecord> {
    return this.children.values();
  }

  /** The keys of the children in start order, as a copy: safe to iterate while children come and go. */
  keys(): number[] {
    return [...this.children.keys()];
  }

  findByKey(key: number): ChildRecord | undefined {
    return this.children.get(key);
  }

  /** The static child with this id. */
  findById(id: string): ChildRecord | undefined {
    return this.byId.get(id);
  }

  /** The child whose current greenlet `greenlet` is. */
  findByGreenlet(greenlet: Greenlet<unknown>): ChildRecord | undefined {
    const child = this.incarnations.get(greenlet);
    return child !== undefined && child.greenlet === greenlet && this.children.get(child.key) === child ? child : undefined;
  }

  /** The child that `greenlet` is or was an incarnation of, if that child is still here (running, restarting or stopped). */
  findByIncarnation(greenlet: Greenlet<unknown>): ChildRecord | undefined {
    const child = this.incarnations.get(greenlet);
    return child !== undefined && this.children.get(child.key) === child ? child : undefined;
  }

  /** True if `greenlet` was ever started as one of its children (it may be gone since). */
  wasChild(greenlet: Greenlet<unknown>): boolean {
    return this.incarnations.has(greenlet);
  }

  /** The child whose pending restart is due first (ties: the one decided first), if any. */
  nextDue(): ChildRecord | undefined {
    return (this.restartsDue.peek() as PendingRestart | undefined)?.child;
  }

  /** The children as the strategies see them, in start order. O(n): only the strategies that touch siblings ask. */
  planView(): PlanChild[] {
    const view: PlanChild[] = [];
    for (const child of this.children.values()) view.push({ key: child.key, restart: child.spec.restart, running: child.greenlet !== undefined });
    return view;
  }

  /**
   * The children in start order as a frozen array of frozen `{ id,
   * greenlet, type }`, made on demand and reused until the state changes.
   */
  snapshot(): readonly ChildView[] {
    if (this.snapshotCache?.version !== this.version) {
      const children: ChildView[] = [];
      for (const c of this.children.values()) children.push({ id: c.spec.id, greenlet: c.greenlet, type: c.spec.type });
      // Deep: the array and each entry; immer leaves class instances (the greenlets) unfrozen.
      this.snapshotCache = { version: this.version, children: freeze(children, true) };
    }
    return this.snapshotCache.children;
  }

  // ---- changes --------------------------------------------------------------

  /** Adds a child at the end of the start order, stopped; returns it. */
  add(spec: Required<ChildSpec>, launch: () => unknown): ChildRecord {
    const child: ChildRecord = { key: this.nextKey++, spec, launch, greenlet: undefined, startedAt: 0, attempts: 0, restartCount: 0, pending: null, stopBy: undefined };
    this.children.set(child.key, child);
    if (!this.byId.has(spec.id)) this.byId.set(spec.id, child);
    this.version++;
    return child;
  }

  /** Removes a child and its spec (and its pending restart). */
  remove(key: number): void {
    const child = this.children.get(key);
    if (child === undefined) return;
    this.unschedule(child);
    this.children.delete(key);
    if (this.byId.get(child.spec.id) === child) this.byId.delete(child.spec.id);
    this.version++;
  }

  /** The child runs as `greenlet` since `now`; a pending restart of it is done with. */
  started(key: number, greenlet: Greenlet<unknown>, now: number): void {
    const child = this.children.get(key);
    if (child === undefined) return;
    child.greenlet = greenlet;
    child.startedAt = now;
    this.incarnations.set(greenlet, child);
    this.unschedule(child);
    this.version++;
  }

  /** The child was asked to stop: killed plainly at `stopBy` if still alive (see {@link ChildRecord.stopBy}). */
  stopRequested(key: number, stopBy: number): void {
    const child = this.children.get(key);
    if (child !== undefined) child.stopBy = stopBy;
  }

  /** The child has no greenlet any more (stopped, or it never got up); its spec is kept. */
  stopped(key: number): void {
    const child = this.children.get(key);
    if (child === undefined) return;
    child.greenlet = undefined;
    child.stopBy = undefined;
    this.version++;
  }

  /** The child exited and is not to be restarted: a temporary child is removed, any other kept, stopped. */
  exited(key: number): void {
    const child = this.children.get(key);
    if (child === undefined) return;
    if (child.spec.restart === 'temporary') this.remove(key);
    else this.stopped(key);
  }

  /** A restart of the child (number `attempts` in a row) is due at hub time `at`; it has no greenlet meanwhile. */
  restartPending(key: number, at: number, attempts: number): void {
    const child = this.children.get(key);
    if (child === undefined) return;
    this.stopped(key);
    child.attempts = attempts;
    child.restartCount++;
    this.unschedule(child);
    child.pending = { child, deadline: at, seq: 0, heapIndex: -1, fire: neverFired };
    this.restartsDue.add(child.pending, at);
  }

  /** The child's pending restart is called off (it stays stopped). */
  restartCancelled(key: number): void {
    const child = this.children.get(key);
    if (child === undefined || child.pending === null) return;
    this.unschedule(child);
    this.version++;
  }

  /** Every child stopped: what is left once the supervisor has terminated (temporary children are forgotten). */
  allGone(): void {
    for (const child of [...this.children.values()]) {
      if (child.spec.restart === 'temporary') this.remove(child.key);
      else {
        this.unschedule(child);
        child.greenlet = undefined;
        child.stopBy = undefined;
      }
    }
    this.version++;
  }

  private unschedule(child: ChildRecord): void {
    if (child.pending === null) return;
    this.restartsDue.remove(child.pending);
    child.pending = null;
  }
}
