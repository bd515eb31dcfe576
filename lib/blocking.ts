/**
 * The blocking detector (gevent's `max_blocking_time`): a greenlet step
 * that holds the hub longer than a threshold is reported — the greenlet's
 * name, about how long, and the blocking calls it resumed from and
 * suspended in — as a `blocking` event on `hub.events$` and a `HubBlocked`
 * notice through the hub's error handler (`where: 'blocking'`; by default
 * one line on stderr).
 *
 * A step is what a greenlet runs between two blocking calls: while it runs
 * nothing else does — no other greenlet, timer, promise or I/O callback —
 * so a step that computes for 200 ms (a big `JSON.parse`, a synchronous
 * file read, a tight loop that forgot to `sleep(0)`) stalls every request
 * of a server for 200 ms. The detector cannot interrupt such a step (no
 * cooperative scheduler can; a Timeout too waits for the next blocking
 * call): it says afterwards which greenlet it was, so the step can be cut
 * up with `sleep(0)`, moved to a worker thread, or made asynchronous.
 *
 * It is on by default on real-clock hubs, with a generous threshold
 * (100 ms: well above any step a healthy program takes, well below what a
 * user notices), and off on virtual-clock hubs (tests, where steps are
 * short and a busy CI machine would make it noisy); `new Hub({
 * maxBlockingMs })` sets one hub, `configure({ maxBlockingMs: { real,
 * virtual } })` the defaults. Durations come from the coarse clock of
 * internal/ticker.ts: two memory loads per step, not two clock reads, and
 * accurate to about 10 ms.
 */
import type { Greenlet } from './greenlet.js';
import type { Hub } from './hub.js';
import { show } from './internal/validate.js';
import { NOW, enterLoop, leaveLoop, tickerCells } from './internal/ticker.js';
import { RESUME, RUNS, WAIT, WAITING_ON } from './internal/keys.js';

/** The default threshold of each kind of hub, in ms; null: off. */
export interface BlockingDefaults {
  /** Real-clock hubs: 100 ms by default. */
  real: number | null;
  /** Virtual-clock hubs: off (null) by default. */
  virtual: number | null;
}

/** @internal the defaults in effect (config.ts changes them). */
export const blockingDefaults: BlockingDefaults = { real: 100, virtual: null };

/**
 * What the hub's error handler receives (with `where: 'blocking'`) when a
 * greenlet step held the hub longer than the hub's `maxBlockingMs`: a
 * notice, not a crash — the greenlet goes on. Its message names the
 * greenlet, the duration and where the step began and ended.
 */
export class HubBlocked extends Error {
  static {
    this.prototype.name = 'HubBlocked';
  }
  constructor(
    /** The greenlet whose step it was. */
    readonly greenlet: Greenlet<unknown>,
    /** About how long the step held the hub, in ms (the coarse clock's resolution is ~10 ms). */
    readonly ms: number,
    /** The blocking call the step resumed from (`'sleep'`, `'Queue.get'`...), or `'start'` for a greenlet's first step. */
    readonly resumedIn: string,
    /** The blocking call the step ended in, or `'exit'` if the greenlet ended. */
    readonly suspendedIn: string,
    /** The hub's threshold, in ms. */
    readonly thresholdMs: number,
  ) {
    const from = resumedIn === 'start' ? 'from its start' : `from ${resumedIn}()`;
    const to = suspendedIn === 'exit' ? 'to its end' : `to ${suspendedIn}()`;
    super(
      `${greenlet.name} held the hub for about ${ms} ms (over ${thresholdMs} ms) ${from} ${to}, ` +
        'without yielding: nothing else ran meanwhile',
    );
  }
}

/** @internal a hub's detector: its threshold, and the ticker's clock once its loop has run. */
export class BlockingWatch {
  ticks: Int32Array | null = null;
  constructor(readonly thresholdMs: number) {}

  /** The hub's loop starts (`nowMs`: the hub's `performance.now()` then). */
  enter(nowMs: number): void {
    const ticks = (this.ticks ??= tickerCells(this.thresholdMs / 10));
    if (ticks !== null) enterLoop(ticks, Math.floor(performance.timeOrigin + nowMs) | 0);
  }

  /** The hub's loop ends. */
  leave(): void {
    if (this.ticks !== null) leaveLoop(this.ticks);
  }
}

/**
 * @internal checks a `maxBlockingMs` (`call`'s `field`): a positive, finite
 * number of ms, or null (off).
 */
export function checkMaxBlockingMs(call: string, field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw new RangeError(`${call}: ${field} must be a positive, finite number of ms, or null (off), got ${show(value)}`);
  }
  return value;
}

/**
 * @internal resumes `g` as `Greenlet[STEP]` does when its hub watches for
 * blocking: timed by the ticker, and reported if it held the hub too long.
 */
export function watchedStep(g: Greenlet<unknown>, hub: Hub): void {
  const watch = hub.watch!;
  const ticks = watch.ticks;
  if (ticks === null) {
    g[RESUME]();
    return;
  }
  // Plain loads, not Atomics.load (~6 ns each on Node 20, not inlined): an aligned Int32Array element
  // cannot tear, and a value a tick late only shifts the measure by one tick.
  const before = ticks[NOW];
  // Where the step starts, read now (cheaply: the call objects, not their labels) for the report.
  const first = g[RUNS] === 0;
  const waiting = g[WAITING_ON] ?? g[WAIT]?.op ?? null;
  g[RESUME]();
  const held = (ticks[NOW] - before) | 0;
  if (held < watch.thresholdMs) return;
  const resumedIn = first ? 'start' : (waiting?.label ?? 'a kill');
  const suspendedIn = g.dead ? 'exit' : (g[WAITING_ON]?.label ?? 'sleep');
  const notice = new HubBlocked(g, held, resumedIn, suspendedIn, watch.thresholdMs);
  if (hub.listeners !== null) hub.emit({ type: 'blocking', greenlet: g, ms: held, resumedIn, suspendedIn });
  hub.report(notice, { greenlet: g, where: 'blocking' });
}
