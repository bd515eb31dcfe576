/**
 * The tutorial's "Queues", both examples. First, a boss fills an unbounded
 * Queue with 24 tasks, then three workers take turns (`sleep(0)` after each
 * task) until it is empty. Second, a bounded Queue (maxsize 3): the boss
 * runs beside the workers, its `put` blocks while the queue is full, and a
 * worker's `get({ timeout: 1000 })` throws `Empty` once no work has come for
 * a second. Both give a strict steve/john/... rotation — the order the
 * German text (001) shows; the English one shows an old gevent's.
 */
import { Empty, Queue, joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

/** Python's `range(start, stop)`. */
const range = (start: number, stop: number): number[] => Array.from({ length: stop - start }, (_, i) => start + i);

/** The first example: workers drain a queue the boss filled beforehand. */
export function* unbounded(log: Log): Operation<void> {
  const tasks = new Queue<number>();

  function* worker(n: string): Operation<void> {
    while (!tasks.empty()) {
      const task = yield* tasks.get();
      log(`Worker ${n} got task ${task}`);
      yield* sleep(0);
    }
    log('Quitting time!');
  }

  function boss(): void {
    for (const i of range(1, 25)) tasks.putNowait(i);
  }

  yield* spawn(boss).join();
  yield* joinAll([spawn(worker, 'steve'), spawn(worker, 'john'), spawn(worker, 'nancy')]);
}

/** The second example: the boss blocks on a full queue of 3; idle workers quit after 1 s. */
export function* bounded(log: Log): Operation<void> {
  const tasks = new Queue<number>(3);

  function* worker(n: string): Operation<void> {
    try {
      for (;;) {
        const task = yield* tasks.get({ timeout: 1000 }); // decrements queue size by 1
        log(`Worker ${n} got task ${task}`);
        yield* sleep(0);
      }
    } catch (error) {
      if (!(error instanceof Empty)) throw error;
      log('Quitting time!');
    }
  }

  // The boss waits to hand out work until a worker is free, since the queue holds at most 3 tasks.
  function* boss(): Operation<void> {
    for (const i of range(1, 10)) yield* tasks.put(i);
    log('Assigned all work in iteration 1');
    for (const i of range(10, 20)) yield* tasks.put(i);
    log('Assigned all work in iteration 2');
  }

  yield* joinAll([spawn(boss), spawn(worker, 'steve'), spawn(worker, 'john'), spawn(worker, 'bob')]);
}

export function* main(log: Log): Operation<void> {
  yield* unbounded(log);
  yield* bounded(log);
}

runIfMain(import.meta.url, main);
