/**
 * The runtime's process-wide settings (for now, one debugging aid). The actor
 * layer has its own, `configureActors`.
 */
import { traceOperations, tracingOperations } from './internal/wait.js';
import { checkOptions, optionKeys, show } from './internal/validate.js';

/** The settings `configure` changes. */
export interface Settings {
  /**
   * Record where each Operation is made, so that a `DroppedOperation` (a
   * blocking call made without `yield*`) shows the stack of the call that
   * made it, not just that of the blocking call that noticed. Off by
   * default: it captures a stack at every blocking call (measured on the
   * built bundle, `sleep(0)` goes from about 0.2 µs to 10 µs); off, it costs
   * one test of a flag. Also turned on by the environment variable
   * `GROVE_TRACE_OPERATIONS=1` when grove loads.
   */
  traceOperations: boolean;
}
const SETTINGS_KEYS = optionKeys<Settings>({ traceOperations: true });

/**
 * Changes the runtime's settings for the whole process (every hub) and
 * returns the settings that were in effect before, so a test can put them
 * back. Takes effect for the next blocking call.
 */
export function configure(options: Partial<Settings>): Settings {
  checkOptions('configure', options, SETTINGS_KEYS);
  if (options === undefined) throw new TypeError('configure: options must be an object, got undefined');
  const before: Settings = { traceOperations: tracingOperations() };
  const { traceOperations: trace } = options;
  if (trace !== undefined) {
    if (typeof trace !== 'boolean') throw new TypeError(`configure: traceOperations must be a boolean, got ${show(trace)}`);
    traceOperations(trace);
  }
  return before;
}
