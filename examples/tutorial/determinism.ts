/**
 * The tutorial's "Determinism": greenlets given the same input run in the
 * same order every time. A Pool(10) runs `echo` (sleep 1 ms, return the
 * input) over range(10) with `imapUnordered`, collecting the results in the
 * order the jobs finish; four runs agree exactly. (The tutorial's other
 * half, a multiprocessing pool whose runs disagree, has no counterpart.)
 */
import { Pool, sleep, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

function* echo(i: number): Operation<number> {
  yield* sleep(1);
  return i;
}

/** Python's `range(n)`. */
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** One run: `echo` over range(10) in `pool`, the values in the order the jobs finished. */
export function* finishOrder(pool: Pool = new Pool(10)): Operation<number[]> {
  const results = pool.imapUnordered(echo, range(10));
  const run: number[] = [];
  for (let r = yield* results.next(); !r.done; r = yield* results.next()) run.push(r.value);
  return run;
}

export function* main(log: Log): Operation<void> {
  const p = new Pool(10);
  const run1 = yield* finishOrder(p);
  const run2 = yield* finishOrder(p);
  const run3 = yield* finishOrder(p);
  const run4 = yield* finishOrder(p);
  const same = (a: number[], b: number[]): boolean => a.join() === b.join();
  log(String(same(run1, run2) && same(run2, run3) && same(run3, run4)));
}

runIfMain(import.meta.url, main);
