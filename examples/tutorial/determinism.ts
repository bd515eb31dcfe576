/**
 * The tutorial's "Determinism": greenlets given the same input run in the
 * same order every time. Ten tasks each sleep 1 ms and return their input;
 * collected in the order they finish, four runs agree exactly.
 */
import { joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

function* echo(i: number): Operation<number> {
  yield* sleep(1);
  return i;
}

/** One run: the values in the order the greenlets finished. */
export function* finishOrder(): Operation<number[]> {
  const finished = yield* joinAll(Array.from({ length: 10 }, (_, i) => spawn(echo, i)));
  return finished.map((g) => g.value as number);
}

export function* main(log: Log): Operation<void> {
  const runs: number[][] = [];
  for (let i = 0; i < 4; i++) runs.push(yield* finishOrder());
  log(runs[0].join(','));
  log(String(runs.every((r) => r.join() === runs[0].join())));
}

runIfMain(import.meta.url, main);
