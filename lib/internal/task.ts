/**
 * What the hub's ready queue holds: a greenlet to resume, or a notifier (an
 * Event's wake-up round, a Queue's hand-out, a dead greenlet's links) that
 * runs in the hub and resumes its waiters in order.
 */
import { RUN_TASK, SCHEDULED } from './keys.js';

export interface Task {
  /** True while the task is in a ready queue; keeps it from being queued twice. */
  [SCHEDULED]: boolean;
  /** Runs in the hub, outside any greenlet; must not throw. */
  [RUN_TASK](): void;
}
