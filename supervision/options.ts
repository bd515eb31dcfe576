/**
 * A supervisor's configuration (OTP's supervisor flags plus Akka's restart
 * backoff) and its eager validation: `new Supervisor` rejects a bad option
 * before anything runs, naming the field. Child specs are checked by
 * child-spec.ts.
 */
import { isRecord, show, unknownKey } from '../lib/internal/validate.js';
import { checkChildSpec, type ChildSpec } from './child-spec.js';
import { DuplicateChild } from './errors.js';

/**
 * Which children a supervisor restarts when one exits and is to be
 * restarted: `'oneForOne'` that child; `'oneForAll'` every child (the others
 * are stopped first); `'restForOne'` that child and the ones started after
 * it; `'simpleOneForOne'` like `'oneForOne'`, for children started on
 * demand (`startChild(args)`) from one template spec.
 */
export type Strategy = 'oneForOne' | 'oneForAll' | 'restForOne' | 'simpleOneForOne';

/**
 * Akka's restart backoff: the n-th restart in a row of a child waits
 * `min(maxMs, minMs * 2^(n-1))` ms, times `1 + r * jitter` for a random `r`
 * in [0, 1). A child that stayed up `(minMs + maxMs) / 2` ms starts over
 * at `minMs`.
 */
export interface Backoff {
  /** The first delay, in ms (> 0). */
  readonly minMs: number;
  /** The cap of the doubling delay, in ms (>= minMs); jitter may add to it. */
  readonly maxMs: number;
  /** Up to this fraction is added at random to each delay (0 to 1; 0 by default). */
  readonly jitter?: number;
}

/**
 * Options of `new Supervisor`. `S` is the type of its `children` list, kept
 * so that a `simpleOneForOne` supervisor's `startChild(args)` is typed by
 * its template.
 */
export interface SupervisorOptions<S extends readonly ChildSpec[] = readonly ChildSpec[]> {
  /** `'oneForOne'` by default. */
  readonly strategy?: Strategy;
  /**
   * Restart intensity: more than `maxRestarts` restarts within the last
   * `withinMs` ms make the supervisor give up (OTP's default: 1 in 5000).
   */
  readonly maxRestarts?: number;
  /** The intensity window, in ms (> 0); 5000 by default. */
  readonly withinMs?: number;
  /** Delay restarts (see {@link Backoff}); restarts are immediate without it. */
  readonly backoff?: Backoff;
  /**
   * The children, started one at a time in this order. A `simpleOneForOne`
   * supervisor takes exactly one: the template of its dynamic children.
   */
  readonly children?: S;
  /** Its name (`greenlet.name`); `Supervisor-<id>` by default. */
  readonly name?: string;
}

/** The options with every default filled in. */
export interface SupervisorConfig {
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly backoff: Required<Backoff> | null;
  readonly children: readonly Required<ChildSpec>[];
}

const FIELDS = new Set(['strategy', 'maxRestarts', 'withinMs', 'backoff', 'children', 'name']);
const BACKOFF_FIELDS = new Set(['minMs', 'maxMs', 'jitter']);
const STRATEGIES: readonly string[] = ['oneForOne', 'oneForAll', 'restForOne', 'simpleOneForOne'];
const CALL = 'new Supervisor';

/** Checks `new Supervisor`'s options and fills in the defaults; throws naming the wrong field. */
export function checkSupervisorOptions(options: unknown): SupervisorConfig {
  if (!isRecord(options)) throw new TypeError(`${CALL}: options must be an object ({ strategy, children, ... }), got ${show(options)}`);
  const extra = unknownKey(options, FIELDS);
  if (extra !== undefined) throw new TypeError(`${CALL}: unknown option ${JSON.stringify(extra)} (options are ${[...FIELDS].join(', ')})`);
  const { strategy = 'oneForOne', maxRestarts = 1, withinMs = 5000, backoff, children = [], name } = options as SupervisorOptions;
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`${CALL}: name must be a string, got ${show(name)}`);
  if (!STRATEGIES.includes(strategy)) {
    throw new TypeError(`${CALL}: strategy must be 'oneForOne', 'oneForAll', 'restForOne' or 'simpleOneForOne', got ${show(strategy)}`);
  }
  if (typeof maxRestarts !== 'number' || !Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new RangeError(`${CALL}: maxRestarts must be a non-negative integer, got ${show(maxRestarts)}`);
  }
  checkPositiveMs('withinMs', withinMs);
  if (!Array.isArray(children)) throw new TypeError(`${CALL}: children must be an array of child specs, got ${show(children)}`);
  const specs = children.map((spec: unknown, i) => checkChildSpec(CALL, `children[${i}]`, spec));
  const seen = new Map<string, number>();
  specs.forEach((spec, i) => {
    const first = seen.get(spec.id);
    if (first !== undefined) {
      throw new DuplicateChild(`${CALL}: children[${i}].id ${JSON.stringify(spec.id)} is already the id of children[${first}]`, spec.id);
    }
    seen.set(spec.id, i);
  });
  if (strategy === 'simpleOneForOne' && specs.length !== 1) {
    throw new TypeError(`${CALL}: a simpleOneForOne supervisor takes exactly one child spec (the template of its children), got ${specs.length}`);
  }
  return { strategy, maxRestarts, withinMs, backoff: backoff === undefined ? null : checkBackoff(backoff), children: specs };
}

function checkBackoff(backoff: unknown): Required<Backoff> {
  if (!isRecord(backoff)) throw new TypeError(`${CALL}: backoff must be an object ({ minMs, maxMs, jitter }), got ${show(backoff)}`);
  const extra = unknownKey(backoff, BACKOFF_FIELDS);
  if (extra !== undefined) throw new TypeError(`${CALL}: backoff has an unknown field ${JSON.stringify(extra)} (it has minMs, maxMs, jitter)`);
  const { minMs, maxMs, jitter = 0 } = backoff as Backoff;
  checkPositiveMs('backoff.minMs', minMs);
  if (typeof maxMs !== 'number' || !(maxMs >= minMs) || maxMs === Infinity) {
    throw new RangeError(`${CALL}: backoff.maxMs must be a finite number of ms, at least backoff.minMs (${minMs}), got ${show(maxMs)}`);
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(`${CALL}: backoff.jitter must be a number from 0 to 1, got ${show(jitter)}`);
  }
  return { minMs, maxMs, jitter };
}

function checkPositiveMs(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw new RangeError(`${CALL}: ${field} must be a positive, finite number of ms, got ${show(value)}`);
  }
}
