/**
 * One run of a test body on a fresh virtual-clock hub, with what `simulate`,
 * `explore`, `exploreFaults` and `replay` each need around it: the schedule
 * options, a fault to inject, a trace to record, a count of the scheduling
 * steps. Internal: the public faces are in simulate.ts, explore.ts,
 * faults.ts and replay.ts.
 */
import { GreenletExit, Hub, defaultErrorHandler, type ErrorHandler, type Greenlet } from 'grove';
import type { Task } from '../lib/internal/task.js';
import { KILL_WITH, RUN_TASK, SCHEDULED } from '../lib/internal/keys.js';
import type { ScheduleOptions } from '../lib/internal/schedule.js';
import { InjectedFault, describeFault, injectFault, type FaultPlan } from './inject.js';
import { TraceRecorder, type Trace, type TraceEvent, type TraceSchedule } from './trace.js';

/** @internal how to run the body once. */
export interface RunSettings extends ScheduleOptions {
  onError?: ErrorHandler;
  fault?: FaultPlan;
  trace?: boolean;
  /**
   * The events a replay must reproduce: at the first that differs, the run
   * is cut short (its main greenlet killed), so a run that went another way
   * cannot go on for ever; the comparison then names that event.
   */
  expected?: readonly TraceEvent[];
  /**
   * Called with the hub before the body starts; returns what to call when
   * the run ends, which returns an error to fail the run with (a target
   * predicate that threw), or undefined.
   */
  watch?: (hub: Hub) => () => unknown;
}

/** @internal what one run gave. */
export interface RunResult {
  readonly ok: boolean;
  readonly value: unknown;
  readonly error: unknown;
  /** Scheduling steps a seeded hub took (PCT's run length); 0 for FIFO. */
  readonly steps: number;
  readonly trace: Trace | null;
}

/** The schedule part of `settings`, as a trace keeps it (only the options given). */
export function scheduleOf(settings: ScheduleOptions & { fault?: FaultPlan }): TraceSchedule {
  const schedule: { -readonly [K in keyof TraceSchedule]: TraceSchedule[K] } = {};
  if (settings.seed !== undefined) schedule.seed = settings.seed;
  if (settings.strategy !== undefined) schedule.strategy = settings.strategy;
  if (settings.depth !== undefined) schedule.depth = settings.depth;
  if (settings.steps !== undefined) schedule.steps = settings.steps;
  if (settings.fault !== undefined) schedule.fault = settings.fault;
  return schedule;
}

/** @internal runs `body` once as `settings` say (they were checked). Never rejects: the result says how it went. */
export async function runOnce(body: () => unknown, settings: RunSettings): Promise<RunResult> {
  const onError = settings.onError ?? defaultErrorHandler;
  const hub = new Hub({
    clock: 'virtual',
    seed: settings.seed,
    strategy: settings.strategy,
    depth: settings.depth,
    steps: settings.steps,
    // The injected crash is the test's own doing: not worth a report; what it leads to is.
    onError: settings.fault === undefined ? onError : (error, context) => void (error instanceof InjectedFault || onError(error, context)),
  });
  const expected = settings.expected ?? null;
  // Cut a diverging replay short from a greenlet of its own: never inside the step that diverged.
  const cut = (): void => hub.schedule(new CutRun(() => recorder?.main ?? null));
  const recorder = settings.trace === true ? new TraceRecorder(hub, expected, expected === null ? null : cut) : null;
  const fault = settings.fault;
  const injector =
    fault === undefined ? null : injectFault(hub, fault, (g, label) => recorder?.fault(g, fault.point, label, describeFault(fault.inject)));
  const unwatch = settings.watch?.(hub);
  let ok = true;
  let value: unknown;
  let error: unknown;
  try {
    value = await hub.run(body);
  } catch (e) {
    ok = false;
    error = e;
  }
  injector?.stop();
  const watchError = unwatch?.() ?? injector?.error;
  if (watchError !== undefined) {
    ok = false;
    error = watchError;
  }
  const trace = recorder === null ? null : recorder.finish(scheduleOf(settings), { ok, value, error });
  return { ok, value, error, steps: hub.policy?.steps ?? 0, trace };
}

/** What cuts a diverging replay short: a kill (an Interrupt, so a catch that rethrows them lets it through). */
class DivergedRun extends GreenletExit {
  static {
    this.prototype.name = 'DivergedRun';
  }
}

/** A hub task (no greenlet, so no event in the trace) that kills the run's main greenlet. */
class CutRun implements Task {
  [SCHEDULED] = false;
  constructor(private readonly main: () => Greenlet<unknown> | null) {}
  [RUN_TASK](): void {
    this.main()?.[KILL_WITH](new DivergedRun('replay: the run differs from its trace'));
  }
}
