/**
 * `greenletInfo(g)`: what a greenlet is doing, read from the runtime's own
 * state at the moment of the call (Erlang's `process_info`): its status,
 * the call it is blocked in, who started it and how often it has run.
 * grove/observer's process table is built from it; so is the picture a
 * test or a debugger wants of a stuck program.
 *
 * Nothing here is kept for it: the status and the blocked-on call are the
 * scheduler's state (`LoopExit`'s message reads the same), and the two
 * counters are kept by the greenlet whether or not anyone reads them (a
 * field increment per switch, a field set per start).
 */
import { ctx } from './internal/context.js';
import { isTimeout } from './internal/brand.js';
import { checkGreenlet, type Greenlet } from './greenlet.js';
import type { Timeout } from './timeout.js';
import { RUNS, SCHEDULED, SPAWNER, START_DUE, WAIT, WAITING_ON } from './internal/keys.js';

/**
 * Where a greenlet is:
 * - `'unstarted'`: made, not started (`new Greenlet(fn)`);
 * - `'ready'`: in the hub's ready queue (started, woken, or after `sleep(0)`);
 * - `'running'`: the greenlet running now (only the caller's own, read from inside it);
 * - `'blocked'`: in a blocking call (`Queue.get`, `Greenlet.join`, `call`...);
 * - `'sleeping'`: in `sleep(ms)`, or started with `startLater` and not yet due;
 * - `'dead'`: ended, whichever way.
 */
export type GreenletStatus = 'unstarted' | 'ready' | 'running' | 'blocked' | 'sleeping' | 'dead';

/** The call a blocked or sleeping greenlet is in. */
export interface BlockedOn {
  /** The call's name, as error messages give it: `'Queue.get'`, `'sleep'`, `'Greenlet.join'`, `'startLater'`... */
  readonly label: string;
  /**
   * What it waits on: the Queue, Event, Lock, Greenlet or Group; the actor
   * asked (`ask`); the promise (`call`); the array of objects (`joinAll`,
   * `wait`); null for `sleep` and `startLater`.
   */
  readonly target: unknown;
  /**
   * The hub time (ms, on `hub.now()`'s clock) at which the call's timeout or
   * the sleep ends; null when it has none. A `Timeout` given as the call's
   * `timeout` counts; one started around the call (`scope`) does not.
   */
  readonly deadline: number | null;
}

/** What `greenletInfo` returns: a snapshot, not updated afterwards. */
export interface GreenletInfo {
  readonly id: number;
  readonly name: string;
  readonly status: GreenletStatus;
  /** The call it is in while `'blocked'` or `'sleeping'`; null otherwise. */
  readonly blockedOn: BlockedOn | null;
  /** The id of the greenlet that started it; null when it was started outside any greenlet (or not yet). */
  readonly spawnedBy: number | null;
  /** How many times the hub has switched into it: once per step from one blocking point to the next (Erlang's reductions, roughly). */
  readonly runs: number;
}

/**
 * Reads what `g` is doing now (see {@link GreenletInfo}). A plain call:
 * never blocks, never switches, callable from anywhere (a greenlet, a Node
 * callback, a test); it allocates only its result.
 */
export function greenletInfo(g: Greenlet<unknown>): GreenletInfo {
  checkGreenlet('greenletInfo', g);
  const status = statusOf(g);
  const spawner = g[SPAWNER];
  return {
    id: g.id,
    name: g.name,
    status,
    blockedOn: status === 'blocked' || status === 'sleeping' ? blockedOn(g) : null,
    spawnedBy: spawner === 0 ? null : spawner,
    runs: g[RUNS],
  };
}

/** @internal `greenletInfo(g).runs` alone. */
export function runsOf(g: Greenlet<unknown>): number {
  return g[RUNS];
}

/** @internal `greenletInfo(g).status` alone, allocating nothing (grove/observer sorts thousands by it). */
export function statusOf(g: Greenlet<unknown>): GreenletStatus {
  if (g.dead) return 'dead';
  if (!g.started) return 'unstarted';
  if (ctx.current === g) return 'running';
  if (g[SCHEDULED]) return 'ready';
  if (g[START_DUE]() !== undefined) return 'sleeping';
  const op = g[WAITING_ON];
  // sleep(0) is always 'ready' (it is queued); sleep(ms) is the one other call labelled 'sleep'.
  return op !== null && op.label === 'sleep' ? 'sleeping' : 'blocked';
}

function blockedOn(g: Greenlet<unknown>): BlockedOn | null {
  const due = g[START_DUE]();
  if (due !== undefined) return { label: 'startLater', target: null, deadline: due };
  const op = g[WAITING_ON];
  const s = g[WAIT];
  if (op === null) return null;
  // The WaitState holds the arguments of the call in flight (op); anything else is a leftover.
  if (s === null || s.op !== op) return { label: op.label, target: null, deadline: null };
  return { label: op.label, target: op.waitTarget(s), deadline: deadlineOf(s.heapIndex >= 0 ? s.deadline : null, s.timeout) };
}

function deadlineOf(own: number | null, timeout: number | Timeout | null): number | null {
  if (own !== null) return own;
  return isTimeout(timeout) && timeout.pending ? timeout.deadline : null;
}
