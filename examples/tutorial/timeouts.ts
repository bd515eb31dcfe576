/**
 * The tutorial's "Timeouts": a Timeout started by hand, a scoped one raising
 * a custom error, and the `{ timeout }` argument of `join`, `get` and
 * `withTimeout`.
 */
import { Timeout, sleep, spawn, withTimeout, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

class TooLong extends Error {
  override name = 'TooLong';
}

export function* main(log: Log): Operation<void> {
  function* wait(): Operation<void> {
    yield* sleep(2000);
  }

  // A Timeout started by hand raises in the greenlet that started it.
  const timeout = new Timeout(1000);
  timeout.start();
  try {
    yield* spawn(function* () {
      yield* sleep(10_000);
    }).join();
  } catch (error) {
    if (error !== timeout) throw error;
    log('Could not complete');
  }

  // gevent's `with Timeout(5, TooLong):`
  try {
    yield* new Timeout(5000, { exception: TooLong }).scope(sleep(10_000));
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
    log('Too long');
  }

  const timer1 = new Timeout(1000).start();
  const thread1 = spawn(wait);
  try {
    yield* thread1.join({ timeout: timer1 });
  } catch (error) {
    if (error !== timer1) throw error;
    log('Thread 1 timed out');
  }

  const timer2 = Timeout.startNew(1000);
  const thread2 = spawn(wait);
  try {
    yield* thread2.get({ timeout: timer2 });
  } catch (error) {
    if (error !== timer2) throw error;
    log('Thread 2 timed out');
  }

  try {
    yield* withTimeout(1000, wait);
  } catch (error) {
    if (!(error instanceof Timeout)) throw error;
    log('Thread 3 timed out');
  }
}

runIfMain(import.meta.url, main);
