/**
 * What a supervisor shows of itself to tools (grove/observer, a health
 * check, a test): `describe()` — its strategy, its intensity, and per child
 * its spec's id, type and restart type, where it is (running, restarting,
 * backing off until a time, stopped), how often it was restarted, and its
 * greenlet — plus `rootSupervisors(hub)`, the tops of a hub's trees, and
 * `restartTotal(hub)`, every restart its supervisors decided.
 *
 * All are plain reads, made when asked: the supervisor keeps nothing for
 * them but a count per child and one per hub.
 */
import { getHub, type Hub } from '../lib/hub.js';
import type { Greenlet } from '../lib/greenlet.js';
import { PARENT } from '../lib/internal/keys.js';
import type { ChildType, RestartType } from './child-spec.js';
import type { Backoff, Strategy } from './options.js';
import { statusOf, type SupervisorState } from './state.js';

/**
 * Where a child is: `'running'` (its greenlet is alive), `'restarting'` (a
 * restart is due now and waits its turn), `'backingOff'` (a restart is due
 * at `restartAt`, later), `'stopped'` (its spec is kept, nothing runs).
 */
export type ChildStatusName = 'running' | 'restarting' | 'backingOff' | 'stopped';

/** One child in `describe()`. */
export interface ChildDescription {
  /** Its spec's id (dynamic children of `simpleOneForOne` share their template's). */
  readonly id: string;
  readonly type: ChildType;
  readonly restart: RestartType;
  readonly status: ChildStatusName;
  /** While `'restarting'` or `'backingOff'`: the hub time (ms) the restart is due; null otherwise. */
  readonly restartAt: number | null;
  /** How many restarts of it the supervisor decided (a failed restart attempt counts too). */
  readonly restarts: number;
  /** Its greenlet while it runs; undefined otherwise. */
  readonly greenlet: Greenlet<unknown> | undefined;
}

/** What `Supervisor.describe()` returns: a frozen snapshot. */
export interface SupervisorDescription {
  readonly strategy: Strategy;
  /** Restart intensity: more than `maxRestarts` within `withinMs` ms and it gives up. */
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Restarts within the current intensity window. */
  readonly recentRestarts: number;
  /** The restart backoff, or null. */
  readonly backoff: Backoff | null;
  /** The children in start order. */
  readonly children: readonly ChildDescription[];
}

/** @internal builds `describe()`'s snapshot of a supervisor's state. */
export function describeSupervisor(
  state: SupervisorState,
  config: { readonly strategy: Strategy; readonly maxRestarts: number; readonly withinMs: number; readonly backoff: Required<Backoff> | null },
  now: number,
): SupervisorDescription {
  const children: ChildDescription[] = [];
  for (const child of state.records()) {
    const status = statusOf(child);
    const restartAt = child.pending?.deadline ?? null;
    children.push(
      Object.freeze({
        id: child.spec.id,
        type: child.spec.type,
        restart: child.spec.restart,
        status: status === 'restarting' && restartAt !== null && restartAt > now ? 'backingOff' : status,
        restartAt,
        restarts: child.restartCount,
        greenlet: child.greenlet,
      }),
    );
  }
  return Object.freeze({
    strategy: config.strategy,
    maxRestarts: config.maxRestarts,
    withinMs: config.withinMs,
    // The window forgets old restarts only when a new one comes: count those still inside it now.
    recentRestarts: state.restarts.toArray().filter((at) => at >= now - config.withinMs).length,
    backoff: config.backoff === null ? null : Object.freeze({ ...config.backoff }),
    children: Object.freeze(children),
  });
}

const totals = new WeakMap<Hub, number>();

/** @internal one more restart decided on `hub`. */
export function countRestart(hub: Hub): void {
  totals.set(hub, (totals.get(hub) ?? 0) + 1);
}

/**
 * Every restart the supervisors of `hub` (the current hub by default) have
 * decided since it was created, those of supervisors that died since
 * included: grove/observer's `grove_restarts_total`. Never blocks.
 */
export function restartTotal(hub: Hub = getHub()): number {
  return totals.get(hub) ?? 0;
}

/**
 * @internal the supervisors of `hub` that no other supervisor supervises:
 * the roots of its supervision trees, oldest first. `isSupervisor` is
 * `instanceof Supervisor` (passed in: this module is below supervisor.ts).
 */
export function rootsOf<S extends Greenlet<unknown>>(hub: Hub, isSupervisor: (g: Greenlet<unknown>) => g is S): S[] {
  return hub.greenlets().filter((g): g is S => isSupervisor(g) && !(g[PARENT] !== null && isSupervisor(g[PARENT])));
}
