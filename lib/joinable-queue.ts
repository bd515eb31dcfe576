/**
 * `JoinableQueue`: a Queue that also counts unfinished tasks, for a
 * producer that waits until consumers have processed everything it put
 * (`taskDone()` after each item got, `join()` to wait for the count to
 * reach 0). Everything else is Queue's (`queue.ts`).
 */
import { KIND_FLAG, TurnWaitOp, type WaitState } from './internal/wait.js';
import { LinkList } from './internal/link-list.js';
import type { Task } from './internal/task.js';
import { checkOptions } from './internal/validate.js';
import type { Operation } from './operation.js';
import { QUEUE_WAIT_KEYS, Queue, hubOf, type QueueWaitOptions } from './queue.js';
import { HEAD, PUSH, RUN_TASK, SCHEDULED, SHIFT, TAIL } from './internal/keys.js';

/** `JoinableQueue.join()`: true once every task is done, false on timeout. KIND_FLAG: woken by a round. */
class JoinOp extends TurnWaitOp<boolean> {
  constructor(readonly label: string) {
    super();
  }
  protected isReady(s: WaitState): boolean {
    return (s.flags & KIND_FLAG) !== 0 || (s.target as JoinableQueue<unknown>).unfinishedTasks === 0;
  }
  protected outcome(): boolean {
    return true;
  }
  protected enlist(s: WaitState): void {
    if (s.list === null) (s.target as JoinableQueue<unknown>).enlistJoiner(s);
  }
  protected expire(): boolean {
    return false;
  }
}

const JOIN_OPS = new Map<string, JoinOp>();

/** The `join` call of a class, labelled with its name (`JoinableQueue.join`). */
function joinOf(name: string): JoinOp {
  let op = JOIN_OPS.get(name);
  if (op === undefined) JOIN_OPS.set(name, (op = new JoinOp(`${name}.join`)));
  return op;
}

/** The greenlets blocked in `JoinableQueue.join()`, and the round that wakes them. */
class Joiners extends LinkList implements Task {
  [SCHEDULED] = false;

  schedule(): void {
    if (!this[SCHEDULED] && this[HEAD] !== null) hubOf(this[HEAD]).schedule(this);
  }

  /** Wakes every joiner blocked when the round starts (gevent's Event: they all return true). */
  [RUN_TASK](): void {
    this[SCHEDULED] = false;
    const last = this[TAIL];
    for (let node = this[SHIFT](); node !== null; node = this[SHIFT]()) {
      node.notify(this);
      if (node === last) break;
    }
  }
}

/**
 * A Queue that counts unfinished tasks: each item put is one, `taskDone()`
 * marks one finished, and `join()` waits until none is left.
 */
export class JoinableQueue<T> extends Queue<T> {
  private unfinished = 0;
  private joiners: Joiners | null = null;
  private readonly joinOp = joinOf(this.constructor.name);

  /** Items put and not yet marked done with `taskDone()`. */
  get unfinishedTasks(): number {
    return this.unfinished;
  }

  /**
   * Marks one task (an item got earlier) as finished; when none is left,
   * wakes the greenlets blocked in `join()`. Never switches. Throws a
   * RangeError if every task is already done.
   */
  taskDone(): void {
    if (this.unfinished <= 0) {
      throw new RangeError(`${this.constructor.name}.taskDone: called more times than items were put (task_done() called too many times)`);
    }
    if (--this.unfinished === 0) this.joiners?.schedule();
  }

  /**
   * Blocks until every item put has been marked done with `taskDone()`, and
   * returns true (at once if none is unfinished). With `timeout` (ms):
   * false if the time is up first; a Timeout given as `timeout` is raised
   * itself. Joiners are woken together, in the order they blocked, as
   * gevent's Event wakes its waiters.
   */
  join(options?: QueueWaitOptions): Operation<boolean> {
    checkOptions(this.joinOp.label, options, QUEUE_WAIT_KEYS);
    return this.joinOp.call(this, undefined, options?.timeout);
  }

  /** @internal */
  enlistJoiner(s: WaitState): void {
    (this.joiners ??= new Joiners())[PUSH](s);
  }

  protected override store(item: T): void {
    super.store(item);
    this.unfinished++;
  }

  protected override drain(): number {
    const count = super.drain();
    if (count > 0 && this.unfinished > 0) {
      this.unfinished = Math.max(0, this.unfinished - count);
      if (this.unfinished === 0) this.joiners?.schedule();
    }
    return count;
  }

  protected override describe(): string {
    return `${super.describe()} unfinished=${this.unfinished}`;
  }
}
