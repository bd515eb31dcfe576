/**
 * The runtime's process-wide settings: a debugging aid (tracing where
 * Operations are made), the propagation of Node's async context into
 * greenlets, and the blocking detector's default thresholds. The actor
 * layer has its own, `configureActors`.
 */
import { traceOperations, tracingOperations } from './internal/wait.js';
import { propagateAsyncContext, propagatingAsyncContext } from './internal/async-context.js';
import { blockingDefaults, checkMaxBlockingMs, type BlockingDefaults } from './blocking.js';
import { checkOptions, isRecord, optionKeys, show } from './internal/validate.js';

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
  /**
   * Run each greenlet in the `AsyncLocalStorage` context it was made in
   * (Node's convention for callbacks and promises, which OpenTelemetry's
   * context and pino's child loggers rely on): a greenlet spawned inside
   * `als.run(store, ...)` sees `store`, whatever greenlet or callback
   * resumes it later. On by default, and cheap: a captured context is
   * shared by the greenlets made in it and entered once for a batch of
   * their steps (internal/async-context.ts); see the README's "Request
   * context across greenlets" for the figures (a few percent). Off,
   * greenlets see the context of whatever made the hub run. Applies to
   * greenlets made after the change. `GROVE_ASYNC_CONTEXT=0` in the
   * environment turns it off when grove loads.
   */
  asyncContext: boolean;
  /**
   * The blocking detector's default threshold, in ms, for hubs created
   * afterwards: `real` for real-clock hubs (100 by default), `virtual` for
   * virtual-clock ones (null, off, by default). A hub's own
   * `maxBlockingMs` option wins. Give either or both.
   */
  maxBlockingMs: Partial<BlockingDefaults>;
}
const SETTINGS_KEYS = optionKeys<Settings>({ traceOperations: true, asyncContext: true, maxBlockingMs: true });

const CLOCKS = optionKeys<BlockingDefaults>({ real: true, virtual: true });

/**
 * Changes the runtime's settings for the whole process (every hub) and
 * returns the settings that were in effect before, so a test can put them
 * back. Takes effect for the next blocking call (`traceOperations`), the
 * next greenlet made (`asyncContext`), the next hub created
 * (`maxBlockingMs`).
 */
export function configure(options: Partial<Settings>): Settings {
  checkOptions('configure', options, SETTINGS_KEYS);
  if (options === undefined) throw new TypeError('configure: options must be an object, got undefined');
  const before: Settings = {
    traceOperations: tracingOperations(),
    asyncContext: propagatingAsyncContext(),
    maxBlockingMs: { ...blockingDefaults },
  };
  const { traceOperations: trace, asyncContext, maxBlockingMs } = options;
  if (trace !== undefined && typeof trace !== 'boolean') throw new TypeError(`configure: traceOperations must be a boolean, got ${show(trace)}`);
  if (asyncContext !== undefined && typeof asyncContext !== 'boolean') {
    throw new TypeError(`configure: asyncContext must be a boolean, got ${show(asyncContext)}`);
  }
  let thresholds: Partial<BlockingDefaults> = {};
  if (maxBlockingMs !== undefined) {
    if (!isRecord(maxBlockingMs)) throw new TypeError(`configure: maxBlockingMs must be an object ({ real, virtual }), got ${show(maxBlockingMs)}`);
    checkOptions('configure: maxBlockingMs', maxBlockingMs, CLOCKS);
    thresholds = maxBlockingMs;
    for (const [key, value] of Object.entries(thresholds)) {
      if (value !== undefined) checkMaxBlockingMs('configure', `maxBlockingMs.${key}`, value);
    }
  }
  if (trace !== undefined) traceOperations(trace);
  if (asyncContext !== undefined) propagateAsyncContext(asyncContext);
  if (thresholds.real !== undefined) blockingDefaults.real = thresholds.real;
  if (thresholds.virtual !== undefined) blockingDefaults.virtual = thresholds.virtual;
  return before;
}
