/**
 * grove/testing: unit tests of greenlet and actor protocols on a virtual
 * clock, deterministic and replayable.
 */
export { simulate, type SimulateOptions } from './simulate.js';
export { explore, ExploreFailure, type ExploreOptions } from './explore.js';
export { advance } from './advance.js';
export { TestProbe, ExpectationFailed, type Arrival, type ExpectOptions, type MessageMatcher, type ReasonMatcher } from './probe.js';
