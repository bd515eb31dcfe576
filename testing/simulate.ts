/**
 * `simulate`: run a test body on a fresh virtual-clock hub. Time advances
 * only when nothing is ready, so a protocol with minutes of timeouts runs in
 * microseconds, and the same body gives the same interleaving every run.
 * Its options replay what `explore` and `exploreFaults` found: a seeded
 * schedule, a fault, and a trace of the run.
 */
import type { ErrorHandler, Operation, PlainResult, ScheduleStrategy } from 'grove';
import { checkBody, checkFunction, checkOptions, show } from '../lib/internal/validate.js';
import { checkSchedule } from '../lib/internal/schedule.js';
import { checkFaultPlan, type FaultPlan } from './inject.js';
import { runOnce } from './simulation.js';
import type { Trace } from './trace.js';

/** Options of `simulate`. */
export interface SimulateOptions {
  /**
   * Replays one pseudo-random interleaving: among ready greenlets, and among
   * timers due at the same instant, the hub runs them in the order this seed
   * draws (by `strategy`) instead of FIFO. Without it the schedule is
   * gevent's FIFO.
   */
  seed?: number;
  /**
   * How the seed draws the schedule: `'shuffle'` (the default here) or
   * `'pct'` (`explore`'s default; see there). Needs a seed.
   */
  strategy?: ScheduleStrategy;
  /** PCT's depth (default 2): 1 + how many times the running greenlet drops below all others. */
  depth?: number;
  /** PCT's horizon (default 100): the drops happen within this many scheduling steps. `explore` measures it. */
  steps?: number;
  /** Injects one fault at a suspension point: the `.fault` of a `FaultFailure` from `exploreFaults`. */
  fault?: FaultPlan;
  /**
   * Records a trace of the run: the promise then resolves to `{ value, trace }`,
   * and a failure rejects with a `TracedFailure` carrying the body's error
   * (`cause`) and the trace.
   */
  trace?: boolean;
  /** Receives the errors the hub reports (greenlets that failed unwatched, link callbacks that threw). */
  onError?: ErrorHandler;
}

const FIELDS: ReadonlySet<string> = new Set(['seed', 'strategy', 'depth', 'steps', 'fault', 'trace', 'onError']);

/** What `simulate(body, { trace: true })` resolves to. */
export interface Traced<T> {
  readonly value: T;
  readonly trace: Trace;
}

/** What `simulate(body, { trace: true })` rejects with when the body fails: its error (`cause`) and the trace. */
export class TracedFailure extends Error {
  static {
    this.prototype.name = 'TracedFailure';
  }
  readonly trace: Trace;
  constructor(cause: unknown, trace: Trace) {
    super(`simulate: the body failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
    this.trace = trace;
  }
}

/** @internal checks the options `simulate` and `replay` share, naming `call`. */
export function checkSimulateOptions(call: string, options: SimulateOptions, fields: ReadonlySet<string> = FIELDS): void {
  checkOptions(call, options, [...fields]);
  checkSchedule(call, options);
  if (options.fault !== undefined) checkFaultPlan(call, options.fault);
  if (options.trace !== undefined && typeof options.trace !== 'boolean') throw new TypeError(`${call}: trace must be a boolean, got ${show(options.trace)}`);
  if (options.onError !== undefined) checkFunction(call, 'onError', options.onError);
}

/**
 * Runs `body` as the main greenlet of a new virtual-clock hub and returns a
 * promise of its value, rejected with its error (or `LoopExit` if it blocks
 * with nothing left that could wake it). With `{ trace: true }`, resolves to
 * `{ value, trace }` and rejects with a `TracedFailure`.
 */
export function simulate<T>(body: () => Operation<T>, options: SimulateOptions & { trace: true }): Promise<Traced<T>>;
export function simulate<T>(body: () => PromiseLike<T>, options: SimulateOptions & { trace: true }): Promise<Traced<T>>;
export function simulate<T>(body: () => PlainResult<T>, options: SimulateOptions & { trace: true }): Promise<Traced<T>>;
export function simulate<T>(body: () => Operation<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => PromiseLike<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => PlainResult<T>, options?: SimulateOptions): Promise<T>;
export function simulate<T>(body: () => Operation<T> | PromiseLike<T> | T, options: SimulateOptions = {}): Promise<T | Traced<T>> {
  checkBody('simulate', 'body', body);
  checkSimulateOptions('simulate', options);
  return runOnce(body, options).then((result) => {
    if (result.trace === null) {
      if (!result.ok) throw result.error;
      return result.value as T;
    }
    if (!result.ok) throw new TracedFailure(result.error, result.trace);
    return { value: result.value as T, trace: result.trace };
  });
}
