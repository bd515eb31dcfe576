/**
 * Fault injection at suspension points: the machinery `exploreFaults`
 * (faults.ts) and `simulate`'s `fault` option share.
 *
 * A suspension point is a place where a greenlet blocks: each time a target
 * greenlet suspends (the hub's `suspend` event), it reaches its next point,
 * numbered from 1. A fault injected there is raised at that blocking call as
 * the greenlet suspends, exactly as a kill arriving at that moment would be:
 * the call is abandoned, `finally` blocks run, and the greenlet's own code
 * decides what happens next. The run is the same as the uninjected one up
 * to that point, so the point means the same thing in both.
 */
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ExitSignal, Greenlet, GreenletExit, type Hub } from 'grove';
import { describeReason } from '../lib/errors.js';
import { show } from '../lib/internal/validate.js';
import { RAISE_ON_SUSPEND } from '../lib/internal/keys.js';

/** The greenlets a fault is aimed at: those with this name, or those the predicate accepts. */
export type FaultTarget = string | ((greenlet: Greenlet<unknown>) => boolean);

/**
 * What to inject: `'crash'` (an `InjectedFault` thrown there: the greenlet
 * fails as if its code had thrown), `'kill'` (`GreenletExit`: it exits
 * `'killed'`), or `{ exit: reason }` (an `ExitSignal`: it exits with
 * `reason`, as a linked exit ends a greenlet that does not trap exits).
 */
export type Fault = 'crash' | 'kill' | { readonly exit: unknown };

/** One injection: `simulate`'s `fault` option, and a `FaultFailure`'s `.fault`. */
export interface FaultPlan {
  /** Which greenlets count: a `targets` entry of `exploreFaults`. */
  readonly target: FaultTarget;
  /** Which of the greenlets the target matches, in the order they first blocked: 1 is the first. */
  readonly nth: number;
  /** At which of its suspension points: 1 is the first time it blocks. */
  readonly point: number;
  /** What happens there. */
  readonly inject: Fault;
}

/** The error an injected crash throws. */
export class InjectedFault extends Error {
  static {
    this.prototype.name = 'InjectedFault';
  }
}

/** A greenlet's suspension point: the call it blocked in, and the line of the caller's code, when there is one. */
export interface SuspensionPoint {
  readonly label: string;
  /** `file:line` of the innermost code outside grove on the stack (relative to the working directory), or null. */
  readonly site: string | null;
}

/** One greenlet a target matched, and the points it reached. */
export interface Matched {
  readonly greenlet: Greenlet<unknown>;
  /** Its place among the target's matches (the plan's `nth`). */
  readonly nth: number;
  points: number;
}

/** A fault as text: `crash`, `kill`, `exit shutdown`. */
export function describeFault(fault: Fault): string {
  return typeof fault === 'string' ? fault : `exit ${describeReason(fault.exit)}`;
}

/** A target as text: `"coordinator"`, or the predicate's name. */
export function describeTarget(target: FaultTarget): string {
  return typeof target === 'string' ? JSON.stringify(target) : `the predicate ${target.name || '(anonymous)'}`;
}

/** Throws naming `call` and `field` unless `value` is a target. */
export function checkTarget(call: string, field: string, value: unknown): asserts value is FaultTarget {
  if ((typeof value === 'string' && value !== '') || typeof value === 'function') return;
  throw new TypeError(`${call}: ${field} must be a greenlet name or a predicate on greenlets, got ${show(value)}`);
}

/** Throws naming `call` and `field` unless `value` is a fault. */
export function checkFault(call: string, field: string, value: unknown): asserts value is Fault {
  if (value === 'crash' || value === 'kill') return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).join() === 'exit') return;
  throw new TypeError(`${call}: ${field} must be 'crash', 'kill' or { exit: reason }, got ${show(value)}`);
}

/** Throws naming `call` unless `value` is a fault plan (as a FaultFailure's `.fault`). */
export function checkFaultPlan(call: string, value: unknown): asserts value is FaultPlan {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${call}: fault must be { target, nth, point, inject } (a FaultFailure's .fault), got ${show(value)}`);
  }
  const plan = value as Partial<FaultPlan>;
  checkTarget(call, 'fault.target', plan.target);
  for (const field of ['nth', 'point'] as const) {
    const n = plan[field];
    if (!(Number.isInteger(n) && (n as number) >= 1)) throw new RangeError(`${call}: fault.${field} must be a positive integer, got ${show(n)}`);
  }
  checkFault(call, 'fault.inject', plan.inject);
}

/**
 * @internal follows the suspensions of the greenlets `target` matches on
 * `hub`, matching each greenlet when it first blocks, and calls `reached`
 * at each of their points, while the greenlet is still suspending (its
 * frames on the stack). A predicate that throws ends the watch: `error`.
 */
export class SuspensionWatch {
  readonly matched: Matched[] = [];
  /** What the target's predicate threw, if it did. */
  error: unknown = undefined;
  private readonly seen = new Map<Greenlet<unknown>, Matched | null>();
  private readonly subscription: { unsubscribe(): void };

  constructor(
    hub: Hub,
    private readonly target: FaultTarget,
    private readonly reached: (matched: Matched, label: string) => void,
  ) {
    this.subscription = hub.events$.subscribe((event) => {
      if (event.type === 'suspend') this.suspended(event.greenlet, event.label);
    });
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private suspended(g: Greenlet<unknown>, label: string): void {
    let entry = this.seen.get(g);
    if (entry === undefined) {
      entry = this.matches(g) ? { greenlet: g, nth: this.matched.length + 1, points: 0 } : null;
      this.seen.set(g, entry);
      if (entry !== null) this.matched.push(entry);
    }
    if (entry === null) return;
    entry.points++;
    this.reached(entry, label);
  }

  private matches(g: Greenlet<unknown>): boolean {
    const target = this.target;
    if (typeof target === 'string') return g.name === target;
    if (this.error !== undefined) return false;
    try {
      return target(g) === true;
    } catch (error) {
      this.error = error;
      return false;
    }
  }
}

/**
 * @internal arms `plan` on `hub`: when its greenlet reaches its point, the
 * fault is raised there and `injected` is told. Returns the watch (stop it
 * when the run ends).
 */
export function injectFault(hub: Hub, plan: FaultPlan, injected: (g: Greenlet<unknown>, label: string) => void): SuspensionWatch {
  return new SuspensionWatch(hub, plan.target, (matched, label) => {
    if (matched.nth !== plan.nth || matched.points !== plan.point) return;
    const g = matched.greenlet;
    g[RAISE_ON_SUSPEND](faultError(plan, g, label));
    injected(g, label);
  });
}

function faultError(plan: FaultPlan, g: Greenlet<unknown>, label: string): Error {
  const fault = plan.inject;
  if (fault === 'kill') return new GreenletExit();
  if (fault !== 'crash') return new ExitSignal(fault.exit);
  return new InjectedFault(`injected crash in ${g.name} at its suspension point ${plan.point} (${label})`);
}

/** Where grove's own modules are: the source folders, or the folder of the built bundles. */
const GROVE_DIRS: readonly string[] = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  if (basename(here) !== 'testing') return [here + sep];
  const root = dirname(here);
  return ['lib', 'actors', 'supervision', 'testing'].map((folder) => join(root, folder) + sep);
})();

/** How many frames to look through for the caller's line: grove's and rxjs's own take a dozen. */
const STACK_FRAMES = 60;

/**
 * @internal the `file:line` of the innermost frame outside grove, rxjs and
 * Node on the current stack: called while a greenlet suspends, that is the
 * line of its code that made the blocking call. Null when the call was made
 * by grove itself (an actor idle in its inbox loop).
 */
export function callSite(): string | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?([^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (match === null) continue;
    let file = match[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith('node:') || file.includes(`${sep}node_modules${sep}`) || GROVE_DIRS.some((dir) => file.startsWith(dir))) continue;
    return `${relative(process.cwd(), file)}:${match[2]}`;
  }
  return null;
}
