/**
 * The runtime's ambient state, one object so every module reads and writes
 * the same slots: which greenlet is running, which hub's loop is running
 * and which async context's scope it entered, and the Operation created
 * but not yet started (for catching a blocking call made without
 * `yield*`), with where it was made when operations are traced.
 */
import type { Greenlet } from '../greenlet.js';
import type { Hub } from '../hub.js';
import type { Labelled } from './wait.js';
import type { Context } from './async-context.js';

export const ctx: {
  /** The greenlet running now; null in the hub (between greenlets) and outside any loop. */
  current: Greenlet<unknown> | null;
  /** The hub whose loop is running; null outside any loop. */
  hub: Hub | null;
  /**
   * The Operation the running greenlet created and has not used yet (one at
   * most). It is always the running greenlet's: only a greenlet can make
   * one, and a step never ends with one left — a step suspends only by
   * `yield*`-ing an Operation, which uses it, and a greenlet that ends with
   * one unused fails with DroppedOperation (greenlet.ts), which clears it.
   */
  fresh: Labelled | null;
  /** Where `fresh` was made (a captured stack), while operations are traced; see wait.ts. */
  freshSite: { stack?: string } | null;
  /** The async context whose scope the hub entered to run steps in (async-context.ts); null outside one. */
  scope: Context | null;
} = { current: null, hub: null, fresh: null, freshSite: null, scope: null };
