/**
 * The tutorial's "Synchronous & Asynchronous Execution": two greenlets that
 * hand control to each other with `sleep(0)`; greenlets that wait side by
 * side (gevent's `select` example); and tasks that sleep a random time, run
 * one after the other and then all at once.
 */
import { getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, seededRandom, type Log } from '../support.js';

export function* contextSwitch(log: Log): Operation<void> {
  function* foo(): Operation<void> {
    log('Explicit context to foo');
    yield* sleep(0);
    log('Explicit context switch to foo again');
  }
  function* bar(): Operation<void> {
    log('Explicit context to bar');
    yield* sleep(0);
    log('Implicit context switch back to bar');
  }
  yield* joinAll([spawn(foo), spawn(bar)]);
}

export function* waitingSideBySide(log: Log): Operation<void> {
  const start = getHub().now();
  const tic = () => `at ${((getHub().now() - start) / 1000).toFixed(1)} seconds`;
  function* gr(): Operation<void> {
    log(`Started Polling: ${tic()}`);
    yield* sleep(2000); // gevent's example blocks in select() for 2 s
    log(`Ended Polling: ${tic()}`);
  }
  function* gr3(): Operation<void> {
    log(`Hey lets do some stuff while the greenlets poll, ${tic()}`);
    yield* sleep(1000);
  }
  yield* joinAll([spawn(gr), spawn(gr), spawn(gr3)]);
}

export function* randomTasks(log: Log, seed = 7): Operation<number[]> {
  const random = seededRandom(seed);
  const delays: number[] = [];
  function* task(pid: number): Operation<void> {
    const ms = Math.floor(random() * 3); // 0, 1 or 2 ms, like random.randint(0, 2) * 0.001
    delays[pid] = ms;
    yield* sleep(ms);
    log(`Task ${pid} done`);
  }
  log('Synchronous:');
  for (let i = 1; i < 10; i++) yield* task(i);
  log('Asynchronous:');
  yield* joinAll(Array.from({ length: 10 }, (_, i) => spawn(task, i)));
  return delays;
}

export function* main(log: Log): Operation<void> {
  yield* contextSwitch(log);
  yield* waitingSideBySide(log);
  yield* randomTasks(log);
}

runIfMain(import.meta.url, main);
