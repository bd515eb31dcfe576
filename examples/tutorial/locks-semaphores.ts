/**
 * The tutorial's "Locks and Semaphores": a BoundedSemaphore(2) lets at most
 * two workers in at a time, acquired and released by hand (`worker1`) or
 * held for a block with `scope()` (`worker2`, Python's `with sem:`). The
 * workers run in a `Pool`, as in the tutorial.
 *
 * A Semaphore with a bound of 1 is a Lock: it makes sure only one greenlet
 * uses a resource at a time.
 */
import { BoundedSemaphore, Pool, sleep, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

export function* main(log: Log): Operation<void> {
  const sem = new BoundedSemaphore(2);

  function* worker1(n: number): Operation<void> {
    yield* sem.acquire();
    log(`Worker ${n} acquired semaphore`);
    yield* sleep(0);
    sem.release();
    log(`Worker ${n} released semaphore`);
  }

  function* worker2(n: number): Operation<void> {
    yield* sem.scope(function* () {
      log(`Worker ${n} acquired semaphore`);
      yield* sleep(0);
    });
    log(`Worker ${n} released semaphore`);
  }

  const pool = new Pool();
  yield* pool.map(worker1, [0, 1]);
  yield* pool.map(worker2, [3, 4, 5]);
}

runIfMain(import.meta.url, main);
