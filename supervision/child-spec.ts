/**
 * Child specifications (OTP's `child_spec()`): what a supervisor starts,
 * when it restarts it, and how it stops it — and their eager validation,
 * which names the field that is wrong (options.ts shares its small checks
 * of an object's shape). The supervisor (supervisor.ts) keeps
 * a spec with every default filled in (`Required<ChildSpec>`); its state
 * record (state.ts) holds those.
 */
import { Greenlet } from '../lib/greenlet.js';
import { isRecord, show, unknownKey } from '../lib/internal/validate.js';

/**
 * When a child that exited is restarted: `'permanent'` always;
 * `'transient'` unless it exited `'normal'` or `'shutdown'`; `'temporary'`
 * never (its spec is removed when it exits).
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * How a child is stopped: a number of ms to wait for it to exit after
 * raising `ExitSignal('shutdown')` in it, before killing it plainly;
 * `'brutal'` kills it at once; `'infinity'` waits as long as it takes (the
 * right choice for a child supervisor, which stops a whole subtree).
 */
export type Shutdown = number | 'brutal' | 'infinity';

/** A worker, or a supervisor (which counts as up once all its own children are). */
export type ChildType = 'worker' | 'supervisor';

/**
 * One child of a supervisor. `G` is what its `start` returns: the greenlet
 * it makes (an Actor class, a Supervisor...), with `| 'ignore'` if it may
 * decline to start — so `startChild(spec)` and `child(spec)` give that
 * type (and `| undefined` for a start that may ignore); `A` are the
 * arguments of a `simpleOneForOne` template's `start`.
 */
export interface ChildSpec<G extends Greenlet<unknown> | 'ignore' = Greenlet<unknown> | 'ignore', A extends unknown[] = never> {
  /** Names the child within its supervisor: a non-empty string, unique among its children. */
  readonly id: string;
  /**
   * Returns a new greenlet (an Actor, a Greenlet or a Supervisor), not yet
   * started: the supervisor starts it. Called for every start and restart,
   * in the supervisor's greenlet; it must not block. A `start` that throws,
   * or returns anything but a live greenlet or `'ignore'`, is a failed
   * start. The template of a `simpleOneForOne` supervisor is called with
   * the arguments given to `startChild(args)`.
   *
   * `'ignore'` (OTP's `ignore`) declines to start, and is not a failure:
   * the child is kept, not running (as after `terminateChild`), and the
   * supervisor goes on — a `simpleOneForOne` child is not added at all;
   * `startChild` and `restartChild` return undefined. On a restart it
   * leaves the child stopped (a dynamic child is forgotten); the restart
   * still counted towards the intensity.
   */
  readonly start: (...args: A) => G;
  /** `'permanent'` by default. */
  readonly restart?: RestartType;
  /** 5000 ms for a worker, `'infinity'` for a supervisor by default (OTP's defaults). */
  readonly shutdown?: Shutdown;
  /** `'worker'` by default. */
  readonly type?: ChildType;
  /**
   * Your own data, kept with the spec and never read by the supervisor
   * (a spec built from configuration can carry its extra fields here:
   * every other unknown key is refused, to catch typos). `startChild`
   * sends its spec as a message, so there `meta` is deep-frozen, as
   * messages are; in `new Supervisor`'s children it is kept as given.
   */
  readonly meta?: unknown;
}

const FIELDS = new Set(['id', 'start', 'restart', 'shutdown', 'type', 'meta']);
const RESTARTS: readonly string[] = ['permanent', 'transient', 'temporary'];
const TYPES: readonly string[] = ['worker', 'supervisor'];

/**
 * Checks a child spec and fills in its defaults. Throws a `TypeError` (or a
 * `RangeError` for a negative shutdown) whose message names the call and
 * the field: `new Supervisor: children[1].restart must be ...`.
 */
export function checkChildSpec(call: string, where: string, spec: unknown): Required<ChildSpec> {
  if (!isRecord(spec)) throw new TypeError(`${call}: ${where} must be a child spec object ({ id, start, ... }), got ${show(spec)}`);
  const extra = unknownKey(spec, FIELDS);
  if (extra !== undefined) {
    throw new TypeError(
      `${call}: ${where} has an unknown field ${JSON.stringify(extra)} (a child spec has id, start, restart, shutdown, type, and meta for your own data)`,
    );
  }
  const { id, start, restart = 'permanent', type = 'worker', meta } = spec as Partial<ChildSpec>;
  checkId(call, `${where}.id`, id);
  if (typeof start !== 'function') throw new TypeError(`${call}: ${where}.start must be a function returning a greenlet, got ${show(start)}`);
  if (!RESTARTS.includes(restart)) {
    throw new TypeError(`${call}: ${where}.restart must be 'permanent', 'transient' or 'temporary', got ${show(restart)}`);
  }
  if (!TYPES.includes(type)) throw new TypeError(`${call}: ${where}.type must be 'worker' or 'supervisor', got ${show(type)}`);
  const shutdown = (spec as Partial<ChildSpec>).shutdown ?? (type === 'supervisor' ? 'infinity' : 5000);
  checkShutdown(call, `${where}.shutdown`, shutdown);
  return { id, start, restart, shutdown, type, meta };
}

/** @internal Checks a child id (`field`, of `call`): a non-empty string. */
export function checkId(call: string, field: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '') throw new TypeError(`${call}: ${field} must be a non-empty string, got ${show(id)}`);
}

function checkShutdown(call: string, field: string, shutdown: unknown): void {
  if (shutdown === 'brutal' || shutdown === 'infinity') return;
  if (typeof shutdown !== 'number' || Number.isNaN(shutdown)) {
    throw new TypeError(`${call}: ${field} must be a number of ms, 'brutal' or 'infinity', got ${show(shutdown)}`);
  }
  if (!(shutdown >= 0) || shutdown === Infinity) {
    throw new RangeError(`${call}: ${field} must be a non-negative, finite number of ms ('infinity' to wait forever), got ${show(shutdown)}`);
  }
}

/**
 * What `start` returned, checked: a greenlet that is alive. Returns an
 * error describing what is wrong, or null when it is fine.
 */
export function badStartResult(spec: Required<ChildSpec>, value: unknown): TypeError | null {
  if (!(value instanceof Greenlet)) {
    const hint = value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
      ? ' (a generator function? start must return a greenlet: () => new Greenlet(body) or () => new MyActor())'
      : '';
    return new TypeError(`child ${JSON.stringify(spec.id)}: start must return a greenlet or 'ignore', got ${show(value)}${hint}`);
  }
  if (value.dead) return new TypeError(`child ${JSON.stringify(spec.id)}: start returned ${value}, which is already dead`);
  return null;
}
