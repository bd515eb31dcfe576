/**
 * The tutorial's "Greenlet State": `started`, `value`, `ready()`,
 * `successful()` and `exception` of a greenlet that wins and one that fails.
 * The failure stays inside its greenlet: `joinAll` does not throw it.
 */
import { joinAll, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

export function* main(log: Log): Operation<void> {
  const winner = spawn(() => 'You win!');
  const loser = spawn((): string => {
    throw new Error('You fail at failing.');
  });
  log(String(winner.started)); // true
  log(String(loser.started)); // true
  try {
    yield* joinAll([winner, loser]);
  } catch {
    log('This will never be reached');
  }
  log(String(winner.value)); // 'You win!'
  log(String(loser.value)); // undefined
  log(String(winner.ready())); // true
  log(String(loser.ready())); // true
  log(String(winner.successful())); // true
  log(String(loser.successful())); // false
  // The exception raised in fail() does not propagate outside the greenlet;
  // `yield* loser.get()` would rethrow it.
  log((loser.exception as Error).message);
}

runIfMain(import.meta.url, main);
