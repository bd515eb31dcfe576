/**
 * The `'pct'` schedule of a seeded hub: Probabilistic Concurrency Testing
 * (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Every task (a greenlet, or a notifier such as a queue's hand-out round)
 * gets a random priority when it is first ready, and each step runs the
 * ready task of highest priority, until it blocks. At `depth - 1` steps
 * drawn uniformly from the first `steps`, the task about to run loses its
 * priority to every other task, and the choice is made again. That finds a
 * bug of depth d (d orderings that must happen in some order) among n tasks
 * and k steps with probability at least 1 / (n * k^(d-1)) per run, however
 * far apart the racing steps are — a greenlet can be held back behind
 * another's thousand steps, which batch shuffling almost never does.
 *
 * Strict priorities would let a greenlet that polls in a `sleep(0)` loop
 * starve the one it waits for, forever. Two guards keep such programs
 * finishing as they do under FIFO: a task picked SPIN_LIMIT times in a row
 * while others wait drops below every priority, and after FAIR_AFTER steps
 * the rest of the run is plain FIFO.
 */
import type { Deque } from './deque.js';
import type { Task } from './task.js';
import type { SchedulePolicy } from './schedule.js';
import { RUN_TASK } from './keys.js';

/** Picks in a row of one task while others are ready before it counts as polling (far above any race window worth a test). */
const SPIN_LIMIT = 1000;
/** Steps after which the schedule is FIFO: a bound on what a livelock under strict priorities can cost. */
const FAIR_AFTER = 200_000;

export class PctSchedule implements SchedulePolicy {
  readonly held = 0;
  steps = 0;
  /** Priorities by task, higher first: drawn in (0, 1); lowered ones are negative. */
  private readonly priorities = new Map<Task, number>();
  /** The steps at which the running task loses its priority, ascending. */
  private readonly changes: number[];
  private nextChange = 0;
  /** The priority the next polling task drops to: below every change point's. */
  private floor: number;
  private last: Task | null = null;
  private streak = 0;

  constructor(
    private readonly random: () => number,
    private readonly depth: number,
    horizon: number,
  ) {
    this.changes = Array.from({ length: depth - 1 }, () => 1 + Math.floor(random() * horizon)).sort((a, b) => a - b);
    this.floor = -depth;
  }

  tie(): number {
    return Math.floor(this.random() * 2 ** 52);
  }

  run(ready: Deque<Task>): void {
    if (ready.length === 0) return;
    if (this.steps >= FAIR_AFTER) {
      let n = ready.length;
      while (n-- > 0) ready.shift()![RUN_TASK]();
      return;
    }
    const step = ++this.steps;
    let index = this.highest(ready);
    const changes = this.changes;
    // The paper's i-th change point gives priority i: below every initial priority, above the earlier points' victims.
    while (this.nextChange < changes.length && changes[this.nextChange] === step) {
      this.priorities.set(ready.at(index)!, ++this.nextChange - this.depth);
      index = this.highest(ready);
    }
    let task = ready.at(index)!;
    if (task === this.last && ready.length > 1) {
      if (++this.streak >= SPIN_LIMIT) {
        this.priorities.set(task, --this.floor);
        this.streak = 0;
        index = this.highest(ready);
        task = ready.at(index)!;
      }
    } else this.streak = 0;
    this.last = task;
    ready.removeAt(index);
    task[RUN_TASK]();
  }

  /** Where in `ready` the task of highest priority is; a task seen for the first time draws its priority. */
  private highest(ready: Deque<Task>): number {
    const priorities = this.priorities;
    let best = 0;
    let bestPriority = -Infinity;
    for (let i = 0; i < ready.length; i++) {
      const task = ready.at(i)!;
      let priority = priorities.get(task);
      if (priority === undefined) {
        priority = this.random() || Number.MIN_VALUE;
        priorities.set(task, priority);
      }
      if (priority > bestPriority) {
        bestPriority = priority;
        best = i;
      }
    }
    return best;
  }
}
