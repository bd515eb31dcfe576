/**
 * `replay(body, trace)`: run a body again under a trace's schedule and check
 * that it does exactly what the trace recorded — a failing seed kept as a
 * regression test, or a golden run that must not drift. It fails at the
 * first event that differs.
 */
import type { ErrorHandler, Operation } from 'grove';
import { checkBody } from '../lib/internal/validate.js';
import { checkSchedule } from '../lib/internal/schedule.js';
import { checkFaultPlan, type FaultPlan } from './inject.js';
import { runOnce } from './simulation.js';
import { checkSimulateOptions } from './simulate.js';
import { checkTrace, describeEvent, describeOutcome, sameEvent, type Trace, type TraceEvent } from './trace.js';

/** Options of `replay`. */
export interface ReplayOptions {
  /** The fault to inject, when the trace's own cannot be read back (a predicate target does not survive JSON). */
  fault?: FaultPlan;
  /** Receives the errors the hub reports (greenlets that failed unwatched, link callbacks that threw). */
  onError?: ErrorHandler;
}

const FIELDS: ReadonlySet<string> = new Set(['fault', 'onError']);

/** A replayed run that did not do what its trace recorded: where it first differed, and both versions. */
export class TraceDivergence extends Error {
  static {
    this.prototype.name = 'TraceDivergence';
  }
  /** The index of the first event that differs (the number of events when only the outcome differs). */
  readonly index: number;
  /** What the trace recorded there, as text. */
  readonly expected: string;
  /** What the run did there, as text. */
  readonly actual: string;
  /** The trace of the replayed run. */
  readonly trace: Trace;

  constructor(index: number, expected: string, actual: string, trace: Trace) {
    super(`replay: the run differs from the trace at event ${index}:\n\texpected ${expected}\n\tgot      ${actual}`);
    this.index = index;
    this.expected = expected;
    this.actual = actual;
    this.trace = trace;
  }
}

function eventText(event: TraceEvent | undefined, end: string): string {
  return event === undefined ? end : describeEvent(event);
}

/**
 * Runs `body` on a fresh virtual-clock hub with the schedule (seed,
 * strategy, depth, steps, fault) recorded in `trace`, records it, and
 * compares as it goes: at the first event that differs the run is cut
 * short (its main greenlet killed, so a run that went another way cannot
 * run for ever) and `replay` rejects with a `TraceDivergence` naming that
 * event (its index, what was recorded, what happened). When every event
 * and the outcome match, it settles as the body did: its value, or its
 * error again (the recorded failure, reproduced).
 */
export function replay<T>(body: () => Operation<T>, trace: Trace, options?: ReplayOptions): Promise<T>;
export function replay<T>(body: () => PromiseLike<T>, trace: Trace, options?: ReplayOptions): Promise<T>;
export function replay<T>(body: () => T, trace: Trace, options?: ReplayOptions): Promise<T>;
export function replay<T>(body: () => Operation<T> | PromiseLike<T> | T, trace: Trace, options: ReplayOptions = {}): Promise<T> {
  checkBody('replay', 'body', body);
  checkTrace('replay', trace);
  checkSimulateOptions('replay', options, FIELDS);
  const { seed, strategy, depth, steps } = trace.schedule;
  checkSchedule('replay', { seed, strategy, depth, steps });
  const fault = options.fault ?? trace.schedule.fault;
  if (fault !== undefined) checkFaultPlan('replay', fault);
  return runOnce(body, { seed, strategy, depth, steps, fault, onError: options.onError, trace: true, expected: trace.events }).then((run) => {
    const events = run.trace!.events;
    const expected = trace.events;
    const length = Math.max(events.length, expected.length);
    for (let i = 0; i < length; i++) {
      if (events[i] === undefined || expected[i] === undefined || !sameEvent(events[i], expected[i])) {
        throw new TraceDivergence(i, eventText(expected[i], 'the end of the trace'), eventText(events[i], 'the end of the run'), run.trace!);
      }
    }
    const outcome = run.trace!.outcome;
    if (JSON.stringify(outcome) !== JSON.stringify(trace.outcome)) {
      throw new TraceDivergence(length, `the body ${describeOutcome(trace.outcome)}`, `the body ${describeOutcome(outcome)}`, run.trace!);
    }
    if (!run.ok) throw run.error;
    return run.value as T;
  });
}
