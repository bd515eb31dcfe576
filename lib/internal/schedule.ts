/**
 * How a seeded hub orders its ready tasks: the policies `new Hub({ seed })`
 * can run instead of FIFO, and the check of the options that choose one.
 * `shuffle.ts` draws each batch's order; `pct.ts` is Probabilistic
 * Concurrency Testing. An unseeded hub has no policy at all: its FIFO loop
 * pays nothing for this.
 */
import type { Deque } from './deque.js';
import type { Task } from './task.js';
import { mulberry32 } from './random.js';
import { show } from './validate.js';
import type { ScheduleStrategy } from '../hub.js';
import { ShuffleSchedule } from './shuffle.js';
import { PctSchedule } from './pct.js';

/** The options that choose a seeded schedule (the hub's, simulate's and explore's). */
export interface ScheduleOptions {
  seed?: number;
  strategy?: ScheduleStrategy;
  depth?: number;
  steps?: number;
}

/**
 * PCT's default depth: one preemption at a random step. It finds races that
 * need one greenlet held back at the wrong moment (a lost update), however
 * long; raise it for races that need two.
 */
export const DEFAULT_DEPTH = 2;
/** PCT's default run length, in scheduling steps, when nothing measured it. */
export const DEFAULT_STEPS = 100;

/** @internal a seeded hub's policy. */
export interface SchedulePolicy {
  /** Tasks taken out of the ready queue that have not had their turn yet. */
  readonly held: number;
  /** Scheduling steps taken so far (tasks run). */
  readonly steps: number;
  /** The tie-breaker of a timer started now, among timers due at the same instant. */
  tie(): number;
  /** Runs what is due next from `ready` (a batch, or one step), then returns to the hub's loop. */
  run(ready: Deque<Task>): void;
}

/**
 * Checks the schedule options of `call` (naming it and the option): `seed`
 * an integer, `strategy` one of the strategies, `depth` and `steps`
 * positive integers. `strategy`, `depth` and `steps` need a seed, unless
 * `seeded` says the caller brings its own seeds (explore).
 */
export function checkSchedule(call: string, options: ScheduleOptions, seeded = options.seed !== undefined): void {
  const { seed, strategy, depth, steps } = options;
  if (seed !== undefined && !Number.isInteger(seed)) throw new TypeError(`${call}: seed must be an integer, got ${show(seed)}`);
  if (strategy !== undefined && strategy !== 'shuffle' && strategy !== 'pct') {
    throw new TypeError(`${call}: strategy must be 'pct' or 'shuffle', got ${show(strategy)}`);
  }
  for (const [field, value] of [['depth', depth], ['steps', steps]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`${call}: ${field} must be a positive integer, got ${show(value)}`);
    }
  }
  if (!seeded) {
    const needsSeed = strategy !== undefined ? 'strategy' : depth !== undefined ? 'depth' : steps !== undefined ? 'steps' : null;
    if (needsSeed !== null) throw new TypeError(`${call}: ${needsSeed} chooses how a seed draws the schedule; give a seed too`);
  }
  if (strategy === 'shuffle' && (depth !== undefined || steps !== undefined)) {
    throw new TypeError(`${call}: depth and steps are options of strategy 'pct', not 'shuffle'`);
  }
}

/** The policy the options choose (they were checked): null for FIFO. `strategy` defaults to `'shuffle'`. */
export function schedulePolicy(options: ScheduleOptions): SchedulePolicy | null {
  if (options.seed === undefined) return null;
  const random = mulberry32(options.seed);
  if (options.strategy === 'pct') return new PctSchedule(random, options.depth ?? DEFAULT_DEPTH, options.steps ?? DEFAULT_STEPS);
  return new ShuffleSchedule(random);
}
