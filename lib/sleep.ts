/**
 * `sleep(ms)`: block the calling greenlet for `ms` milliseconds and let the
 * others run. `sleep(0)` is a pure yield: the caller goes to the tail of the
 * ready queue, behind every greenlet already queued, and the hub does not
 * process timers for it — so greenlets that `sleep(0)` in turn alternate
 * strictly.
 */
import { KIND_FLAG, SUSPEND, WaitOp, markFresh, type WaitState } from './internal/wait.js';
import { ctx } from './internal/context.js';
import { checkMs } from './internal/validate.js';
import type { Operation, Suspend } from './operation.js';
import type { Greenlet } from './greenlet.js';
import { HUB, WAIT, WAITING_ON, WAKE } from './internal/keys.js';

/** What `sleep(0)` returns to `yield*`: suspended, then done (shared, never written). */
const SUSPENDED: IteratorResult<Suspend, void> = Object.freeze({ done: false, value: SUSPEND });
const RESUMED: IteratorResult<Suspend, void> = Object.freeze({ done: true, value: undefined });

/** `sleep(0)`: its only state is the greenlet's `waitingOn`, so it needs no WaitState. */
class YieldOp extends WaitOp<void> {
  readonly label = 'sleep';

  yieldNow(): Operation<void> {
    markFresh(this);
    return this;
  }

  override next(): IteratorResult<Suspend, void> {
    const g = ctx.current!;
    if (g[WAITING_ON] === (this as WaitOp<unknown>)) {
      g[WAITING_ON] = null;
      return RESUMED;
    }
    g[WAITING_ON] = this as WaitOp<unknown>;
    g[WAKE]();
    const hub = g[HUB]!;
    if (hub.tracers !== null) hub.trace({ type: 'suspend', greenlet: g, label: 'sleep' });
    return SUSPENDED;
  }

  override cancel(): void {}
  protected isReady(): boolean {
    return false;
  }
  protected outcome(): void {}
  protected expire(): void {}
  protected enlist(): void {}
}

/** `sleep(ms > 0)`: a timer; KIND_FLAG marks it fired. */
class SleepOp extends WaitOp<void> {
  readonly label = 'sleep';

  protected isReady(s: WaitState): boolean {
    return (s.flags & KIND_FLAG) !== 0;
  }
  protected outcome(): void {}
  protected expire(): void {}
  protected enlist(s: WaitState): void {
    s.greenlet[HUB]!.addTimer(s, s.arg as number);
  }

  override fire(s: WaitState): void {
    s.flags |= KIND_FLAG;
    s.greenlet[WAKE]();
  }

  override completed(s: WaitState): boolean {
    return (s.flags & KIND_FLAG) !== 0;
  }

  override cancel(g: Greenlet<unknown>): void {
    const s = g[WAIT]!;
    if (s.heapIndex >= 0) g[HUB]!.removeTimer(s);
  }
}

const YIELD = new YieldOp();
const SLEEP = new SleepOp();

/**
 * Blocks the calling greenlet for `ms` milliseconds (0: just yield to the
 * others; Infinity: for ever — only a kill, a Timeout or LoopExit ends it).
 * A kill or a Timeout interrupts it, `sleep(0)` included. Any length works
 * on either clock: a real clock waits out delays past Node's limit (~24.8
 * days) in steps.
 */
export function sleep(ms = 0): Operation<void> {
  checkMs('sleep', 'ms', ms);
  return ms === 0 ? YIELD.yieldNow() : SLEEP.call(null, ms);
}
