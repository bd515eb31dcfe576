/**
 * The `'shuffle'` schedule of a seeded hub: each batch of ready tasks runs in
 * an order the seed draws, and now and then one is deferred to the next
 * batch, so that steps of different greenlets can also overtake each other
 * across batches (a race FIFO order hides). Cheap and good at shallow races;
 * `pct.ts` finds the deep ones.
 */
import type { Deque } from './deque.js';
import type { Task } from './task.js';
import type { SchedulePolicy } from './schedule.js';
import { RUN_TASK, SCHEDULED } from './keys.js';

/** How often a ready task is deferred to the next batch. */
const DEFER_CHANCE = 0.25;

export class ShuffleSchedule implements SchedulePolicy {
  /** Tasks of the batch being run that have not had their turn yet (they are out of the ready queue). */
  held = 0;
  steps = 0;

  constructor(private readonly random: () => number) {}

  tie(): number {
    return Math.floor(this.random() * 2 ** 52);
  }

  run(ready: Deque<Task>): void {
    const random = this.random;
    const batch: Task[] = [];
    let n = ready.length;
    while (n-- > 0) batch.push(ready.shift()!);
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = batch[i];
      batch[i] = batch[j];
      batch[j] = t;
    }
    this.held = batch.length;
    try {
      for (const task of batch) {
        this.held--;
        if (random() < DEFER_CHANCE && task[SCHEDULED]) ready.push(task);
        else {
          this.steps++;
          task[RUN_TASK]();
        }
      }
    } finally {
      this.held = 0;
    }
  }
}
