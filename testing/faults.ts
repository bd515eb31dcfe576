/**
 * `exploreFaults`: does a protocol survive a crash of this actor at any
 * moment? Runs a test body once to find every suspension point of its target
 * greenlets, then once more per (target, point, fault) with that fault
 * injected there (inject.ts); the body's own assertions are the invariant.
 * The first failure names the target, the point (the blocking call and the
 * line it was made from) and the fault, and replays with `simulate`.
 */
import type { Hub, Operation } from 'grove';
import { checkBody, show } from '../lib/internal/validate.js';
import {
  callSite, checkFault, checkTarget, describeFault, describeTarget, SuspensionWatch,
  type Fault, type FaultPlan, type FaultTarget, type SuspensionPoint,
} from './inject.js';
import { runOnce, type RunSettings } from './simulation.js';
import { Schedules, chartLine, checkExploreOptions, describeError, fileName, literal, seedList, traceFailure } from './search.js';
import type { ExploreOptions } from './explore.js';
import type { SimulateOptions } from './simulate.js';
import type { Trace } from './trace.js';

/** Options of `exploreFaults`: its targets and faults, and `explore`'s options for the schedules. */
export interface ExploreFaultsOptions extends ExploreOptions {
  /**
   * The greenlets to inject faults into: a name (`'coordinator'`), a
   * predicate (`(g) => g instanceof Account`), or a list of them. Each
   * greenlet a target matches is a target of its own, numbered in the order
   * they first block (a restarted actor is a new greenlet).
   */
  targets: FaultTarget | readonly FaultTarget[];
  /** The faults to inject at each point: `'crash'`, `'kill'`, `{ exit: reason }`. Default `['crash']`. */
  faults?: readonly Fault[];
  /**
   * Without seeds (the default) the body runs in FIFO order, and `strategy`,
   * `depth` and `steps` do not apply. With them (a count or a list), every
   * fault is tried under each seed's schedule.
   */
  seeds?: number | readonly number[];
}

const FIELDS: ReadonlySet<string> = new Set(['targets', 'faults', 'seeds', 'strategy', 'depth', 'steps', 'traceDir', 'onError']);

/** What `exploreFaults` did when every injected fault passed. */
export interface FaultReport {
  /** Runs of the body: one per schedule to find the points, one per fault injected. */
  readonly runs: number;
  /** Faults injected (each one run). */
  readonly injected: number;
}

/** Where a fault was injected: a target greenlet's suspension point. */
export interface FaultPoint extends SuspensionPoint {
  /** Which of its suspension points (1: the first time it blocked). */
  readonly index: number;
  /** How many it had in the run without faults. */
  readonly of: number;
}

/** A target of `exploreFaults` that no greenlet of the body matched. */
export class TargetNotFound extends Error {
  static {
    this.prototype.name = 'TargetNotFound';
  }
}

/** The failure `exploreFaults` found: which fault, where, and how to see it again. */
export class FaultFailure extends Error {
  static {
    this.prototype.name = 'FaultFailure';
  }
  /** The name of the greenlet the fault was injected into; undefined when the body failed with no fault. */
  readonly target: string | undefined;
  /** Where: the suspension point, the call blocked in and the line it was called from. */
  readonly point: FaultPoint | undefined;
  /** The injection: `simulate(body, { fault: failure.fault })` makes it again (under `failure.replay`'s seed, if any). */
  readonly fault: FaultPlan | undefined;
  /** The seed of the schedule, when seeds were given. */
  readonly seed: number | undefined;
  /** The options that replay the failing run exactly: `simulate(body, failure.replay)`. */
  readonly replay: SimulateOptions;
  /** How many injected runs passed before this one. */
  readonly passed: number;
  /** The trace of the failing run. */
  readonly trace: Trace;
  /** The message sequence chart written into `traceDir`, if one was given. */
  readonly chart: string | undefined;

  constructor(
    where: { target: string; point: FaultPoint } | undefined,
    replay: SimulateOptions,
    passed: number,
    cause: unknown,
    trace: Trace,
    chart: string | undefined,
  ) {
    const fault = replay.fault;
    const under = replay.seed === undefined ? '' : ` under seed ${replay.seed}`;
    const what =
      where === undefined || fault === undefined
        ? `the body fails with no fault injected${under}`
        : `a ${describeFault(fault.inject)} of ${JSON.stringify(where.target)} at its suspension point ${where.point.index} of ${where.point.of} ` +
          `(${where.point.label}${where.point.site === null ? '' : `, called at ${where.point.site}`})${under} fails`;
    super(`exploreFaults: ${what}: ${describeError(cause)}\n\treplay it with simulate(body, ${printable(replay) ? showReplay(replay) : 'failure.replay'})${chartLine(trace, chart)}`, {
      cause,
    });
    this.target = where?.target;
    this.point = where?.point;
    this.fault = fault;
    this.seed = replay.seed;
    this.replay = replay;
    this.passed = passed;
    this.trace = trace;
    this.chart = chart;
  }
}

/** True when the replay options can be written as a literal (no predicate, no object reason). */
function printable(replay: SimulateOptions): boolean {
  const fault = replay.fault;
  return fault === undefined || (typeof fault.target === 'string' && (typeof fault.inject === 'string' || typeof fault.inject.exit === 'string'));
}

function showReplay(replay: SimulateOptions): string {
  const { fault, ...schedule } = replay;
  if (fault === undefined) return literal(schedule);
  const inject = typeof fault.inject === 'string' ? `'${fault.inject}'` : `{ exit: '${String(fault.inject.exit)}' }`;
  const plan = `{ target: '${String(fault.target)}', nth: ${fault.nth}, point: ${fault.point}, inject: ${inject} }`;
  const rest = literal(schedule);
  return rest === '{}' ? `{ fault: ${plan} }` : `${rest.slice(0, -2)}, fault: ${plan} }`;
}

/** The suspension points of one matched greenlet in the run without faults. */
interface Found {
  readonly target: FaultTarget;
  readonly name: string;
  readonly nth: number;
  readonly points: SuspensionPoint[];
}

/**
 * Runs `body` once (per seed, with `seeds`) to find the suspension points of
 * the greenlets `targets` match, then once per (greenlet, point, fault)
 * with that fault injected there. Resolves with what it ran when every run
 * passes; rejects at the first failure with a `FaultFailure` naming the
 * target, the point and the fault, with the options that replay it and the
 * failing run's trace (drawn into `traceDir` when given). Rejects with
 * `TargetNotFound` if a target matches no greenlet that blocks. An
 * injected crash is not reported to `onError` (what it leads to is).
 */
export async function exploreFaults(
  body: () => Operation<unknown> | PromiseLike<unknown> | unknown,
  options: ExploreFaultsOptions,
): Promise<FaultReport> {
  checkBody('exploreFaults', 'body', body);
  if (options === undefined) throw new TypeError('exploreFaults: options must be an object with targets, got undefined');
  checkExploreOptions('exploreFaults', options, FIELDS);
  const targets: readonly FaultTarget[] = Array.isArray(options.targets) ? options.targets : [options.targets as FaultTarget];
  if (targets.length === 0) throw new TypeError('exploreFaults: targets must name at least one greenlet, got an empty list');
  targets.forEach((target, i) => checkTarget('exploreFaults', Array.isArray(options.targets) ? `targets[${i}]` : 'targets', target));
  const faults = options.faults ?? ['crash'];
  if (!Array.isArray(faults) || faults.length === 0) throw new TypeError(`exploreFaults: faults must be a non-empty list, got ${show(faults)}`);
  faults.forEach((fault, i) => checkFault('exploreFaults', `faults[${i}]`, fault));
  if (options.seeds === undefined) {
    const needsSeeds = (['strategy', 'depth', 'steps'] as const).find((field) => options[field] !== undefined);
    if (needsSeeds !== undefined) throw new TypeError(`exploreFaults: ${needsSeeds} chooses how seeds draw schedules; give seeds too`);
  }
  const seeds: readonly (number | undefined)[] = options.seeds === undefined ? [undefined] : seedList('exploreFaults', options.seeds, 1);
  const schedules = new Schedules(options);
  const run = (settings: RunSettings) => runOnce(body as () => unknown, { ...settings, onError: options.onError });
  let runs = 0;
  let injected = 0;
  for (const seed of seeds) {
    const schedule: SimulateOptions = seed === undefined ? {} : schedules.of(seed);
    const found: Found[] = [];
    const counted = await run({ ...schedule, watch: (hub) => watchPoints(hub, targets, found) });
    runs++;
    schedules.measured(counted.steps);
    if (!counted.ok) {
      const { trace, chart } = await traceFailure(body as () => unknown, schedule, options.traceDir, `faults-${fileName(body)}-unfaulted`);
      throw new FaultFailure(undefined, schedule, injected, counted.error, trace, chart);
    }
    if (runs === 1) {
      for (const [i, target] of targets.entries()) {
        if (found.some((f) => f.target === target)) continue;
        const field = Array.isArray(options.targets) ? `targets[${i}]` : 'targets';
        throw new TargetNotFound(`exploreFaults: ${field} (${describeTarget(target)}) never ran: no greenlet it matches blocked in the body`);
      }
    }
    for (const { target, name, nth, points } of found) {
      for (const [p, point] of points.entries()) {
        for (const inject of faults) {
          const replay: SimulateOptions = { ...schedule, fault: { target, nth, point: p + 1, inject } };
          const result = await run(replay);
          runs++;
          if (!result.ok) {
            const file = `faults-${fileName(body)}-${name}-${nth}-point-${p + 1}-${describeFault(inject)}`;
            const { trace, chart } = await traceFailure(body as () => unknown, replay, options.traceDir, file);
            throw new FaultFailure({ target: name, point: { ...point, index: p + 1, of: points.length } }, replay, injected, result.error, trace, chart);
          }
          injected++;
        }
      }
    }
  }
  return { runs, injected };
}

/** Watches the suspensions of every target's greenlets on `hub`, recording each point into `found`. */
function watchPoints(hub: Hub, targets: readonly FaultTarget[], found: Found[]): () => unknown {
  const watches = targets.map((target) => {
    const byNth = new Map<number, Found>();
    return new SuspensionWatch(hub, target, (matched, label) => {
      let entry = byNth.get(matched.nth);
      if (entry === undefined) {
        entry = { target, name: matched.greenlet.name, nth: matched.nth, points: [] };
        byNth.set(matched.nth, entry);
        found.push(entry);
      }
      entry.points.push({ label, site: callSite() });
    });
  });
  return () => {
    for (const watch of watches) watch.stop();
    return watches.find((watch) => watch.error !== undefined)?.error;
  };
}
