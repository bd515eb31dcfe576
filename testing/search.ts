/**
 * What `explore` and `exploreFaults` share around their runs: the seeds and
 * the schedule each seed's run gets (with PCT's horizon measured), the
 * check of their common options, and what a failure says and keeps (its
 * trace, its chart). Internal: the public faces are explore.ts and faults.ts.
 */
import type { ScheduleStrategy } from 'grove';
import { DEFAULT_DEPTH, DEFAULT_STEPS, checkSchedule } from '../lib/internal/schedule.js';
import { checkFunction, checkOptions, show } from '../lib/internal/validate.js';
import { runOnce, type RunSettings } from './simulation.js';
import { writeTrace } from './chart.js';
import type { ExploreOptions } from './explore.js';
import type { SimulateOptions } from './simulate.js';
import type { Trace } from './trace.js';

/** An error in one line of a failure's message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Options as a failure's message shows them: `{ seed: 7, strategy: 'pct' }`. */
export function literal(options: object): string {
  const fields = Object.entries(options).map(([key, value]) => `${key}: ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
}

/** The lines a failure adds about its trace: where the chart is, and whether the traced re-run failed the same way. */
export function chartLine(trace: Trace, chart: string | undefined): string {
  const again = trace.outcome.ok ? '\n\tthe traced re-run of this schedule passed: the body depends on something outside the simulation' : '';
  return `${again}${chart === undefined ? '' : `\n\tmessage sequence chart: ${chart}`}`;
}

/** Checks `seeds`, naming `call`; returns the list. */
export function seedList(call: string, seeds: number | readonly number[] | undefined, fallback: number): readonly number[] {
  if (seeds === undefined) return seedList(call, fallback, fallback);
  if (typeof seeds === 'number') {
    if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`${call}: seeds must be a positive integer or a list of integers, got ${show(seeds)}`);
    return Array.from({ length: seeds }, (_, i) => i + 1);
  }
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s))) {
    throw new RangeError(`${call}: seeds must be a positive integer or a non-empty list of integers, got ${show(seeds)}`);
  }
  return seeds;
}

/** Checks the options explore and exploreFaults share (schedule, traceDir, onError), naming `call`. */
export function checkExploreOptions(call: string, options: object, fields: ReadonlySet<string>): void {
  checkOptions(call, options, [...fields]);
  const { strategy, depth, steps, traceDir, onError } = options as ExploreOptions;
  checkSchedule(call, { strategy, depth, steps }, true);
  if (traceDir !== undefined && (typeof traceDir !== 'string' || traceDir === '')) {
    throw new TypeError(`${call}: traceDir must be a folder's path, got ${show(traceDir)}`);
  }
  if (onError !== undefined) checkFunction(call, 'onError', onError);
}

/**
 * The seeded schedules of a search: for each seed, the options
 * of its run. PCT's horizon is `steps` if given, else the longest run
 * measured so far (`measured` is told of each run's length).
 */
export class Schedules {
  private longest = 0;

  constructor(private readonly options: { strategy?: ScheduleStrategy; depth?: number; steps?: number }) {}

  /** The schedule options of a run under `seed`. */
  of(seed: number): SimulateOptions {
    const { strategy = 'pct', depth, steps } = this.options;
    if (strategy === 'shuffle') return { seed, strategy };
    return { seed, strategy, depth: depth ?? DEFAULT_DEPTH, steps: steps ?? (this.longest || DEFAULT_STEPS) };
  }

  /** A run took `steps` scheduling steps. */
  measured(steps: number): void {
    if (steps > this.longest) this.longest = steps;
  }
}

/**
 * Runs a failing run again with a trace, and writes it into
 * `traceDir` when given; returns the trace and the chart's path.
 */
export async function traceFailure(
  body: () => unknown,
  settings: RunSettings,
  traceDir: string | undefined,
  name: string,
): Promise<{ trace: Trace; chart: string | undefined }> {
  const { trace } = await runOnce(body, { ...settings, trace: true });
  const chart = traceDir === undefined ? undefined : await writeTrace(trace!, traceDir, name);
  return { trace: trace!, chart };
}

/** A body's name as part of a file name. */
export function fileName(body: () => unknown): string {
  return body.name.replace(/[^\w.-]+/g, '_') || 'body';
}
