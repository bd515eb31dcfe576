/**
 * `explore`: run a test body under many seeded interleavings and stop at the
 * first that fails — schedule exploration for races that FIFO order hides.
 * Its default strategy is PCT (lib/internal/pct.ts), which finds races
 * however far apart their steps are; `'shuffle'` is the cheaper batch
 * shuffling of earlier versions.
 */
import type { ErrorHandler, Operation, ScheduleStrategy } from 'grove';
import { checkBody } from '../lib/internal/validate.js';
import { runOnce, type RunSettings } from './simulation.js';
import { Schedules, chartLine, checkExploreOptions, describeError, fileName, literal, seedList, traceFailure } from './search.js';
import type { SimulateOptions } from './simulate.js';
import type { Trace } from './trace.js';

/** Options of `explore`. */
export interface ExploreOptions {
  /**
   * How many seeds to try (1, 2, ... n), or the exact seeds. Default 100:
   * small enough for CI; raise it locally when hunting a rare race.
   */
  seeds?: number | readonly number[];
  /**
   * `'pct'` (default): Probabilistic Concurrency Testing — each greenlet
   * gets a random priority, the highest-priority ready one runs, and at
   * `depth - 1` random steps the running one drops below all others. It
   * finds a race of depth d among n greenlets and k steps with probability
   * at least 1/(n·k^(d−1)) per seed, however far apart the racing steps.
   * `'shuffle'`: each batch of ready greenlets in a drawn order.
   */
  strategy?: ScheduleStrategy;
  /** PCT's depth, default 2: one preemption at a random step (3: two, for races that need a greenlet held back twice). */
  depth?: number;
  /**
   * PCT's horizon: the priority drops happen within this many scheduling
   * steps. By default explore measures it: the longest run so far (100
   * before the first).
   */
  steps?: number;
  /**
   * A folder (created if need be) where a failure writes the failing run's
   * message sequence chart (`.html`) and trace (`.trace.json`); the
   * failure's message gives the path.
   */
  traceDir?: string;
  /** Receives the errors the hub reports (greenlets that failed unwatched, link callbacks that threw). */
  onError?: ErrorHandler;
}

const FIELDS: ReadonlySet<string> = new Set(['seeds', 'strategy', 'depth', 'steps', 'traceDir', 'onError']);

/** The failure `explore` found: which seed, the error the body failed with, and how to see it again. */
export class ExploreFailure extends Error {
  static {
    this.prototype.name = 'ExploreFailure';
  }
  /** The seed that failed. */
  readonly seed: number;
  /** How many seeds passed before this one. */
  readonly passed: number;
  /** The options that replay the failing run exactly: `simulate(body, failure.replay)`. */
  readonly replay: SimulateOptions;
  /** The trace of the failing run (recorded by running it again). */
  readonly trace: Trace;
  /** The message sequence chart written into `traceDir`, if one was given. */
  readonly chart: string | undefined;

  constructor(seed: number, passed: number, cause: unknown, replay: SimulateOptions, trace: Trace, chart: string | undefined) {
    super(`explore: seed ${seed} fails (after ${passed} passing seeds): ${describeError(cause)}\n\treplay it with simulate(body, ${literal(replay)})${chartLine(trace, chart)}`, {
      cause,
    });
    this.seed = seed;
    this.passed = passed;
    this.replay = replay;
    this.trace = trace;
    this.chart = chart;
  }
}

/**
 * Runs `body` on a fresh virtual-clock hub once per seed, each seed a
 * different reproducible interleaving of the ready greenlets (and of timers
 * due at the same instant), by default with PCT. Resolves when every seed
 * passes; rejects at the first failure with an `ExploreFailure` naming the
 * seed (`.seed`), carrying the original error (`.cause`), the options that
 * replay it (`simulate(body, failure.replay)`) and the trace of the failing
 * run (`.trace`; also drawn into `traceDir` when given).
 */
export async function explore(body: () => Operation<unknown> | PromiseLike<unknown> | unknown, options: ExploreOptions = {}): Promise<void> {
  checkBody('explore', 'body', body);
  checkExploreOptions('explore', options, FIELDS);
  const seeds = seedList('explore', options.seeds, 100);
  const schedules = new Schedules(options);
  let passed = 0;
  for (const seed of seeds) {
    const replay = schedules.of(seed);
    const settings: RunSettings = { ...replay, onError: options.onError };
    const result = await runOnce(body as () => unknown, settings);
    schedules.measured(result.steps);
    if (!result.ok) {
      const { trace, chart } = await traceFailure(body as () => unknown, settings, options.traceDir, `explore-${fileName(body)}-seed-${seed}`);
      throw new ExploreFailure(seed, passed, result.error, replay, trace, chart);
    }
    passed++;
  }
}
