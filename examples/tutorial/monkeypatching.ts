/**
 * The tutorial's "Monkeypatching". gevent patches the standard library
 * (socket, select, time.sleep...) so that its blocking calls yield to the
 * hub. grove patches nothing: Node's I/O is already asynchronous, and
 * `call()` lets a greenlet wait for a promise while the hub runs the
 * others. Three greenlets wait on real timers (`timers/promises`), one
 * sleeps on the hub, one reads a file (`fs/promises`): the waits overlap.
 *
 * What no patch can fix is a synchronous call: it holds the one thread, so
 * every greenlet waits (`blockingCall`, below, shows it).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { call, getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

/** Promise-based I/O inside greenlets, beside a greenlet sleeping on the hub; returns the ms it took. */
export function* cooperativeIo(log: Log): Operation<number> {
  const hub = getHub();
  const start = hub.now();

  function* download(name: string, ms: number): Operation<void> {
    log(`${name}: waiting ${ms} ms on a real timer`);
    // Given a function, call() passes an AbortSignal: killing this greenlet cancels the timer.
    yield* call((signal) => delay(ms, undefined, { signal }));
    log(`${name}: done`);
  }

  function* sleeper(ms: number): Operation<void> {
    log(`sleeper: sleeping ${ms} ms on the hub`);
    yield* sleep(ms);
    log('sleeper: awake');
  }

  function* reader(): Operation<void> {
    log('reader: reading this file');
    const text = yield* call((signal) => readFile(fileURLToPath(import.meta.url), { encoding: 'utf8', signal }));
    log(`reader: it starts with ${JSON.stringify(text.split('\n')[0])}`);
  }

  // The waits end 30 ms apart, in the order they start: a pause of the process between
  // two starts (a GC, a busy machine) only delays the later wait's end further.
  yield* joinAll([
    spawn(download, 'download 1', 30),
    spawn(sleeper, 60),
    spawn(download, 'download 2', 90),
    spawn(download, 'download 3', 150),
    spawn(reader),
  ]);
  const elapsed = hub.now() - start;
  log(
    elapsed < 330
      ? 'main: waits of 30 + 60 + 90 + 150 ms took less than 330 ms: they overlapped'
      : `main: waits of 30 + 60 + 90 + 150 ms took ${Math.round(elapsed)} ms: they ran one after another`,
  );
  return elapsed;
}

/** A synchronous 60 ms wait (an unpatched `time.sleep`) while a greenlet sleeps 10 ms: it wakes late. */
export function* blockingCall(log: Log): Operation<void> {
  const hub = getHub();

  function* sleeper(): Operation<void> {
    const start = hub.now();
    log('sleeper: sleeping 10 ms on the hub');
    yield* sleep(10);
    const late = hub.now() - start - 10;
    log(late >= 40 ? 'sleeper: awake, 40 ms late or more: the blocker held the thread' : 'sleeper: awake on time');
  }

  function blocker(): void {
    log('blocker: waiting 60 ms synchronously');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60); // holds the thread: nothing else runs
    log('blocker: done');
  }

  yield* joinAll([spawn(sleeper), spawn(blocker)]);
}

export function* main(log: Log): Operation<void> {
  yield* cooperativeIo(log);
  yield* blockingCall(log);
}

runIfMain(import.meta.url, main);
