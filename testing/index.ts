/**
 * grove/testing: unit tests of greenlet and actor protocols on a virtual
 * clock, deterministic and replayable.
 */
export { simulate, type SimulateOptions } from './simulate.js';
