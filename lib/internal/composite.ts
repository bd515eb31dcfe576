/**
 * Operations built from other operations (`withTimeout`, `Timeout.scope`,
 * `joinAll`'s helpers...). A plain generator would slip past the check for a
 * blocking call made without `yield*`; wrapped here, the runtime sees them
 * as it sees every leaf call. They allocate per call: none is on a hot path.
 */
import { ctx } from './context.js';
import { claimFresh, markFresh, type Labelled } from './wait.js';
import { OPERATION } from './brand.js';
import type { Operation, Suspend } from '../operation.js';

export class Composite<T> implements Operation<T>, Labelled {
  declare readonly [OPERATION]: true;
  /** The child Operation this call was given unused, to be used when the call runs. */
  private readonly child: Labelled | null;

  /**
   * @param label the call's name for messages
   * @param body runs the operation when it is used
   * @param child an Operation given to the call (e.g. `scope(q.get())`)
   */
  constructor(
    readonly label: string,
    private readonly body: () => Iterator<Suspend, T, unknown>,
    child?: unknown,
  ) {
    if (child !== undefined && child === ctx.fresh) {
      // The child is now this call's to run; it becomes "unused" again when the call runs.
      this.child = ctx.fresh;
      ctx.fresh = null;
      ctx.freshOwner = null;
    } else this.child = null;
    markFresh(this);
  }

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    claimFresh(this);
    if (this.child !== null) {
      ctx.fresh = this.child;
      ctx.freshOwner = ctx.current;
    }
    return this.body();
  }
}
(Composite.prototype as unknown as { [OPERATION]: boolean })[OPERATION] = true;
