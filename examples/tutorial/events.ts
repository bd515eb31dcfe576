/**
 * The tutorial's "Events": an Event that wakes five waiters at once when
 * the setter is done, and an AsyncResult that carries a value along with
 * the wake-up call (a future). Times are milliseconds: gevent's
 * `sleep(3)` is `sleep(3000)`.
 */
import { AsyncResult, Event, joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

export function* main(log: Log): Operation<void> {
  // Illustrates the use of events.
  const evt = new Event();

  function* setter(): Operation<void> {
    // After 3 seconds, wake all greenlets waiting on evt.
    log('A: Hey wait for me, I have to do something');
    yield* sleep(3000);
    log("Ok, I'm done");
    evt.set();
  }

  function* waiter(): Operation<void> {
    // After 3 seconds the wait() call unblocks.
    log("I'll wait for you");
    yield* evt.wait(); // blocking
    log("It's about time");
  }

  yield* joinAll([spawn(setter), spawn(waiter), spawn(waiter), spawn(waiter), spawn(waiter), spawn(waiter)]);

  // An AsyncResult sends a value along with the wake-up call.
  const a = new AsyncResult<string>();

  function* resultSetter(): Operation<void> {
    // After 3 seconds, set the result of a.
    yield* sleep(3000);
    a.set('Hello!');
  }

  function* resultWaiter(): Operation<void> {
    // After 3 seconds get() unblocks, once the setter has put a value in a.
    log(yield* a.get());
  }

  yield* joinAll([spawn(resultSetter), spawn(resultWaiter)]);

  // The English edition's version: set() with no value just wakes the getter.
  const done = new AsyncResult<void>();

  function* wakeSetter(): Operation<void> {
    yield* sleep(3000);
    done.set();
  }

  function* wakeWaiter(): Operation<void> {
    yield* done.get(); // blocking
    log('I live!');
  }

  yield* joinAll([spawn(wakeSetter), spawn(wakeWaiter)]);
}

runIfMain(import.meta.url, main);
