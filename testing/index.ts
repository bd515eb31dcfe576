/**
 * grove/testing: unit tests of greenlet and actor protocols on a virtual
 * clock, deterministic and replayable: `simulate` one run, `explore` many
 * schedules, `exploreFaults` a fault at every suspension point, `replay` a
 * recorded trace, `sequenceChart` to look at one, `TestProbe` to state what
 * an actor must receive.
 */
export { simulate, TracedFailure, type SimulateOptions, type Traced } from './simulate.js';
export { explore, ExploreFailure, type ExploreOptions } from './explore.js';
export {
  exploreFaults,
  FaultFailure,
  TargetNotFound,
  type ExploreFaultsOptions,
  type FaultReport,
  type FaultPoint,
} from './faults.js';
export { InjectedFault, type Fault, type FaultPlan, type FaultTarget, type SuspensionPoint } from './inject.js';
export { replay, TraceDivergence, type ReplayOptions } from './replay.js';
export { sequenceChart } from './chart.js';
export type { Trace, TraceEvent, TraceOutcome, TraceSchedule } from './trace.js';
export { advance } from './advance.js';
export { TestProbe, ExpectationFailed, type Arrival, type ExpectOptions, type MessageMatcher, type ReasonMatcher } from './probe.js';
