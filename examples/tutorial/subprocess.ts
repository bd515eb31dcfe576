/**
 * The tutorial's "Subprocess": a child process runs while a `cron` greenlet
 * keeps printing (gevent: `gevent.subprocess.Popen(...).communicate()`).
 * The child is Node itself (`process.execPath -e ...`), so the example needs
 * no outside command: like gevent's `sleep 1; uname`, it takes a while and
 * prints the OS's name. Its stdout 'data' events, which Node delivers
 * outside any greenlet, feed a Queue line by line, and a reader greenlet
 * prints them; the exit code comes through `call()` on the 'close' event.
 */
import { spawn as spawnProcess } from 'node:child_process';
import { once } from 'node:events';
import { Queue, QueueShutDown, call, getCurrent, killAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

/** The child's program: two lines 60 ms apart, then, like `uname`, the OS's name (`os.type()`). */
export const CHILD_SCRIPT = `
console.log('child: started');
setTimeout(() => console.log('child: still working'), 60);
setTimeout(() => console.log(require('node:os').type()), 120);
`;

/** How often cron prints, in ms. */
export const CRON_MS = 40;

/** Splits the chunks of a stream into lines: `push` returns the lines a chunk completes. */
function lineSplitter(): { push(chunk: string): string[]; end(): string[] } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!; // the text after the last newline: the start of a line still to come
      return lines;
    },
    end: () => (partial === '' ? [] : [partial]),
  };
}

/** Runs the child beside cron, prints the child's lines as they come, and returns its exit code. */
export function* main(log: Log): Operation<number | null> {
  function* cron(): Operation<void> {
    for (;;) {
      log('cron');
      yield* sleep(CRON_MS);
    }
  }

  // The child is killed if this greenlet is (its AbortSignal aborts on kill).
  const child = spawnProcess(process.execPath, ['-e', CHILD_SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
    signal: getCurrent().signal,
  });
  // Listen before anything can switch, so that no event is missed.
  const closed = once(child, 'close');
  const lines = new Queue<string>();
  const splitter = lineSplitter();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => splitter.push(chunk).forEach((line) => lines.putNowait(line)));
  // 'end' comes once stdout is drained, before 'close': the reader gets every line, then QueueShutDown.
  child.stdout.on('end', () => {
    splitter.end().forEach((line) => lines.putNowait(line));
    lines.shutdown();
  });

  function* reader(): Operation<void> {
    try {
      for (;;) log(yield* lines.get());
    } catch (error) {
      if (!(error instanceof QueueShutDown)) throw error;
    }
  }

  const ticker = spawn(cron);
  const printer = spawn(reader);
  try {
    // The hub counts a greenlet in call() as waiting on the outside world: no LoopExit meanwhile.
    const [code] = (yield* call(closed)) as [number | null, NodeJS.Signals | null];
    yield* printer.join();
    log(`child exited with code ${code}`);
    return code;
  } finally {
    // gevent's g.kill(); the printer is dead already, unless the child failed.
    yield* killAll([ticker, printer]);
  }
}

runIfMain(import.meta.url, main);
