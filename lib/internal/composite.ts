/**
 * Operations built from other operations (`withTimeout`, `Timeout.scope`,
 * `sem.scope`, `map`...). A plain generator would slip past the check for a
 * blocking call made without `yield*`; wrapped here, the runtime sees them
 * as it sees every leaf call. They allocate per call: none is on a hot path.
 *
 * A composite may be handed an Operation already made (`sem.scope(q.get())`):
 * that child is the greenlet's unused call, and a leaf call keeps its
 * arguments in the greenlet's one WaitState. The composite takes the child
 * over and sets its arguments aside, so it can block first (acquiring the
 * semaphore) and then `rearm()` the child just before running it.
 */
import { ctx } from './context.js';
import { claimFresh, markFresh, type Labelled, type WaitOp } from './wait.js';
import { OPERATION } from './brand.js';
import type { Timeout } from '../timeout.js';
import type { Operation, Suspend } from '../operation.js';
import { WAIT, WAIT_STATE } from './keys.js';

/** A leaf call's arguments, set aside while its composite blocks on something else. */
interface SavedCall {
  op: WaitOp<unknown> | null;
  target: unknown;
  arg: unknown;
  timeout: number | Timeout | null;
  flags: number;
}

export class Composite<T> implements Operation<T>, Labelled {
  declare readonly [OPERATION]: true;
  /** The child Operation this call was given unused, to be run when the call runs. */
  private readonly child: Labelled | null = null;
  private readonly saved: SavedCall | null = null;

  /**
   * @param label the call's name for messages
   * @param body runs the operation when it is used; it must call `rearm()`
   *   right before `yield*`-ing the child it was given (if any)
   * @param child an Operation given to the call (e.g. `scope(q.get())`)
   */
  constructor(
    readonly label: string,
    private readonly body: (rearm: () => void) => Iterator<Suspend, T, unknown>,
    child?: unknown,
  ) {
    const g = ctx.current;
    if (child !== undefined && child === ctx.fresh && g !== null) {
      this.child = ctx.fresh;
      const s = g[WAIT];
      // A leaf child's arguments live in the WaitState; a composite child keeps its own.
      if (s !== null && s.op === (child as unknown)) {
        this.saved = { op: s.op, target: s.target, arg: s.arg, timeout: s.timeout, flags: s.flags };
      }
      ctx.fresh = null;
    }
    markFresh(this);
  }

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    claimFresh(this);
    return this.body(() => this.rearm());
  }

  /** Makes the child the greenlet's unused call again, with its arguments back. */
  private rearm(): void {
    const child = this.child;
    if (child === null) return;
    const g = ctx.current!;
    const saved = this.saved;
    if (saved !== null) {
      const s = g[WAIT_STATE]();
      s.op = saved.op;
      s.target = saved.target;
      s.arg = saved.arg;
      s.timeout = saved.timeout;
      s.flags = saved.flags;
    }
    ctx.fresh = child;
  }
}
(Composite.prototype as unknown as { [OPERATION]: boolean })[OPERATION] = true;
