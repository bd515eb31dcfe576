/**
 * The tutorial's "Program Shutdown": a greenlet that runs forever must not
 * outlive the program, so the program listens for a signal and kills its
 * greenlets before it exits (gevent: `gevent.signal(signal.SIGQUIT,
 * gevent.kill)`). Here the signal handler, which Node calls outside any
 * greenlet, only sets an AsyncResult; main wakes on it and calls
 * `shutdown()`, which kills every other greenlet, newest first, and waits
 * until their `finally` blocks have run.
 *
 * Run directly, it waits for a real signal: Ctrl+C (SIGINT), Ctrl+\
 * (SIGQUIT) or `kill <pid>` (SIGTERM). A test passes its own EventEmitter.
 */
import type { EventEmitter } from 'node:events';
import { AsyncResult, shutdown, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

/** The signals that stop the program. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT'];

/** gevent's `run_forever`: sleeps a second at a time until it is killed. */
function* runForever(log: Log): Operation<void> {
  try {
    for (let seconds = 1; ; seconds++) {
      yield* sleep(1000);
      log(`runForever: still running after ${seconds} s`);
    }
  } finally {
    log('runForever: killed; its finally block ran');
  }
}

/**
 * Runs `runForever` until `signals` emits one of STOP_SIGNALS, then shuts
 * every other greenlet down and returns. `signals` is the process by
 * default; the listeners are removed when main ends, whatever ends it.
 */
export function* main(log: Log, signals: EventEmitter = process): Operation<void> {
  const received = new AsyncResult<NodeJS.Signals>();
  // Called by Node, outside any greenlet: it must not block, so it only hands the signal to main.
  const onSignal = (signal: NodeJS.Signals): void => received.set(signal);
  for (const name of STOP_SIGNALS) signals.once(name, onSignal);
  try {
    // Its timer keeps the hub (and Node) alive while main waits for the signal.
    spawn(runForever, log);
    log(`main: running until ${STOP_SIGNALS.join(', ')}`);
    const signal = yield* received.get();
    log(`main: received ${signal}; shutting down`);
    yield* shutdown(); // GreenletExit in every other greenlet; waits for their deaths
    log('main: every other greenlet is dead; exiting');
  } finally {
    // Without listeners, the process's default action for these signals (exit) is back.
    for (const name of STOP_SIGNALS) signals.off(name, onSignal);
  }
}

runIfMain(import.meta.url, main);
