/**
 * A supervisor's state: one immutable record (immer), changed only by the
 * small named helpers below, each a `produce` recipe returning a new
 * record. The supervisor (supervisor.ts) replaces its record with what a
 * helper returns; snapshots (`whichChildren`) are derived from it, and the
 * pure decisions (strategy.ts, intensity.ts, restart-decision.ts) read it.
 *
 * Greenlets and start functions sit in the record by reference: immer
 * neither drafts nor freezes class instances and functions, so the record
 * is frozen while the greenlets it names stay live objects.
 */
import { freeze, produce, type Draft } from 'immer';
import type { Greenlet } from '../lib/greenlet.js';
import type { ChildSpec } from './child-spec.js';
import { addRestart } from './intensity.js';
import type { PlanChild } from './strategy.js';

/** One child: its spec and its current incarnation. */
export interface ChildRecord {
  /** Unique within the supervisor, never reused (dynamic children share their template's id). */
  readonly key: number;
  /** The spec (for a dynamic child, its template). */
  readonly spec: Required<ChildSpec>;
  /** Makes a new greenlet: `spec.start`, or for a dynamic child the template's start bound to its arguments. */
  readonly launch: () => unknown;
  /** The greenlet while it runs; undefined while stopped or waiting to be restarted. */
  readonly greenlet: Greenlet<unknown> | undefined;
  /** Hub time (ms) of its last start. */
  readonly startedAt: number;
  /** Restarts in a row so far (for the backoff); 0 until its first restart. */
  readonly attempts: number;
  /** Hub time (ms) a restart of it is due; undefined when none is pending. */
  readonly retryAt: number | undefined;
  /** Orders pending restarts due at the same time: the one decided first goes first. */
  readonly retrySeq: number;
  /**
   * While it is being stopped: the hub time (ms) at which it is killed
   * plainly if it has not exited — `Infinity` (`'infinity'`: never),
   * `-Infinity` (killed plainly already). Undefined otherwise. Kept here so
   * a stop interrupted by a second signal resumes with the same deadline.
   */
  readonly stopBy: number | undefined;
}

/** The whole state of a supervisor. */
export interface SupervisorState {
  /** The children, in start order. */
  readonly children: readonly ChildRecord[];
  /** Times (ms) of the restarts inside the intensity window, newest first. */
  readonly restarts: readonly number[];
  /** The key the next child gets. */
  readonly nextKey: number;
  /** The `retrySeq` the next pending restart gets. */
  readonly nextSeq: number;
}

/** Where a child is: running, waiting for a pending restart, or stopped (its spec kept). */
export type ChildStatus = 'running' | 'restarting' | 'stopped';

/** The state of a supervisor that has not started any child yet: `specs` in start order. */
export function initialState(specs: readonly Required<ChildSpec>[]): SupervisorState {
  return freeze(
    {
      children: specs.map((spec, key) => newRecord(key, spec, spec.start)),
      restarts: [],
      nextKey: specs.length,
      nextSeq: 0,
    },
    true,
  );
}

function newRecord(key: number, spec: Required<ChildSpec>, launch: () => unknown): ChildRecord {
  return { key, spec, launch, greenlet: undefined, startedAt: 0, attempts: 0, retryAt: undefined, retrySeq: 0, stopBy: undefined };
}

// ---- selectors ------------------------------------------------------------

/** Where a child is (see {@link ChildStatus}). */
export function statusOf(child: ChildRecord): ChildStatus {
  if (child.greenlet !== undefined) return 'running';
  return child.retryAt !== undefined ? 'restarting' : 'stopped';
}

export function findByKey(state: SupervisorState, key: number): ChildRecord | undefined {
  return state.children.find((child) => child.key === key);
}

export function findById(state: SupervisorState, id: string): ChildRecord | undefined {
  return state.children.find((child) => child.spec.id === id);
}

export function findByGreenlet(state: SupervisorState, greenlet: Greenlet<unknown>): ChildRecord | undefined {
  return state.children.find((child) => child.greenlet === greenlet);
}

/** The child whose pending restart is due first (ties: the one decided first), if any. */
export function nextDue(state: SupervisorState): ChildRecord | undefined {
  let due: ChildRecord | undefined;
  for (const child of state.children) {
    if (child.retryAt === undefined) continue;
    if (due === undefined || child.retryAt < due.retryAt! || (child.retryAt === due.retryAt && child.retrySeq < due.retrySeq)) due = child;
  }
  return due;
}

/** The children as the strategies see them. */
export function planView(state: SupervisorState): PlanChild[] {
  return state.children.map((child) => ({ key: child.key, restart: child.spec.restart, running: child.greenlet !== undefined }));
}

// ---- changes --------------------------------------------------------------

function update(state: SupervisorState, key: number, recipe: (child: Draft<ChildRecord>) => void): SupervisorState {
  return produce(state, (draft) => {
    const child = draft.children.find((c) => c.key === key);
    if (child !== undefined) recipe(child);
  });
}

/** Adds a child at the end of the start order, stopped; its key is `state.nextKey`. */
export function addChild(state: SupervisorState, spec: Required<ChildSpec>, launch: () => unknown): SupervisorState {
  return produce(state, (draft) => {
    draft.children.push(newRecord(draft.nextKey, spec, launch) as Draft<ChildRecord>);
    draft.nextKey++;
  });
}

/** Removes a child and its spec. */
export function removeChild(state: SupervisorState, key: number): SupervisorState {
  return produce(state, (draft) => {
    const at = draft.children.findIndex((c) => c.key === key);
    if (at >= 0) draft.children.splice(at, 1);
  });
}

/** The child runs as `greenlet` since `now`; a pending restart of it is done with. */
export function childStarted(state: SupervisorState, key: number, greenlet: Greenlet<unknown>, now: number): SupervisorState {
  return update(state, key, (child) => {
    child.greenlet = greenlet as Draft<Greenlet<unknown>>;
    child.startedAt = now;
    child.retryAt = undefined;
  });
}

/** The child was asked to stop: killed plainly at `stopBy` if still alive (see {@link ChildRecord.stopBy}). */
export function stopRequested(state: SupervisorState, key: number, stopBy: number): SupervisorState {
  return update(state, key, (child) => {
    child.stopBy = stopBy;
  });
}

/** The child has no greenlet any more (stopped, or it never got up); its spec is kept. */
export function childStopped(state: SupervisorState, key: number): SupervisorState {
  return update(state, key, (child) => {
    child.greenlet = undefined;
    child.stopBy = undefined;
  });
}

/** The child exited and is not to be restarted: a temporary child is removed, any other kept, stopped. */
export function childExited(state: SupervisorState, key: number): SupervisorState {
  const child = findByKey(state, key);
  if (child === undefined) return state;
  return child.spec.restart === 'temporary' ? removeChild(state, key) : childStopped(state, key);
}

/** A restart of the child (number `attempts` in a row) is due at `at`. */
export function restartPending(state: SupervisorState, key: number, at: number, attempts: number): SupervisorState {
  return produce(state, (draft) => {
    const child = draft.children.find((c) => c.key === key);
    if (child === undefined) return;
    child.greenlet = undefined;
    child.stopBy = undefined;
    child.retryAt = at;
    child.retrySeq = draft.nextSeq++;
    child.attempts = attempts;
  });
}

/** The child's pending restart is called off (it stays stopped). */
export function restartCancelled(state: SupervisorState, key: number): SupervisorState {
  return update(state, key, (child) => {
    child.retryAt = undefined;
  });
}

/** One more restart at `now`, in a window of `withinMs` (see intensity.ts). */
export function restartCounted(state: SupervisorState, now: number, withinMs: number): SupervisorState {
  return produce(state, (draft) => {
    draft.restarts = addRestart(state.restarts, now, withinMs) as number[];
  });
}

/** Every child stopped: what is left of the state once the supervisor has terminated. */
export function allGone(state: SupervisorState): SupervisorState {
  return produce(state, (draft) => {
    draft.children = draft.children.filter((c) => c.spec.restart !== 'temporary');
    for (const child of draft.children) {
      child.greenlet = undefined;
      child.retryAt = undefined;
      child.stopBy = undefined;
    }
  });
}
