/**
 * `explore`: run a test body under many seeded interleavings and stop at the
 * first that fails — schedule exploration for races that FIFO order hides.
 */
import type { Operation } from 'grove';
import { checkFunction, checkOptions, show } from '../lib/internal/validate.js';
import { simulate, type SimulateOptions } from './simulate.js';

/** Options of `explore`. */
export interface ExploreOptions extends Omit<SimulateOptions, 'seed'> {
  /**
   * How many seeds to try (1, 2, ... n), or the exact seeds. Default 100:
   * small enough for CI; raise it locally when hunting a rare race.
   */
  seeds?: number | readonly number[];
}

/** The failure `explore` found: which seed, and the error the body failed with. */
export class ExploreFailure extends Error {
  static {
    this.prototype.name = 'ExploreFailure';
  }
  /** The seed that failed: `simulate(body, { seed })` replays the same interleaving. */
  readonly seed: number;
  /** How many seeds passed before this one. */
  readonly passed: number;

  constructor(seed: number, passed: number, cause: unknown) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`explore: seed ${seed} fails (after ${passed} passing seeds): ${what}\n\treplay it with simulate(body, { seed: ${seed} })`, {
      cause,
    });
    this.seed = seed;
    this.passed = passed;
  }
}

function seedList(seeds: number | readonly number[] | undefined): readonly number[] {
  if (seeds === undefined) return seedList(100);
  if (typeof seeds === 'number') {
    if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`explore: seeds must be a positive integer or a list of integers, got ${show(seeds)}`);
    return Array.from({ length: seeds }, (_, i) => i + 1);
  }
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s))) {
    throw new RangeError('explore: seeds must be a positive integer or a non-empty list of integers');
  }
  return seeds;
}

/**
 * Runs `body` on a fresh virtual-clock hub once per seed, each seed a
 * different reproducible interleaving of the ready greenlets (and of timers
 * due at the same instant). Resolves when every seed passes; rejects at the
 * first failure with an `ExploreFailure` naming the seed (`.seed`) and
 * carrying the original error (`.cause`).
 */
export async function explore(body: () => Operation<unknown> | PromiseLike<unknown> | unknown, options: ExploreOptions = {}): Promise<void> {
  checkFunction('explore', 'body', body);
  checkOptions('explore', options);
  const seeds = seedList(options.seeds);
  let passed = 0;
  for (const seed of seeds) {
    try {
      await simulate(body as () => unknown, { ...options, seed });
    } catch (error) {
      throw new ExploreFailure(seed, passed, error);
    }
    passed++;
  }
}
