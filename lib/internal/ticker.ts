/**
 * A coarse clock in shared memory, for the blocking detector (blocking.ts).
 *
 * The detector must know how long each greenlet step took, and reading a
 * clock costs more than a whole step does (`performance.now()` is ~0.1 µs
 * on Node 20; two reads per step cut the `switch` bench to a third). So a
 * worker thread, the ticker, writes the time (ms, the low 32 bits of the
 * epoch time) into a SharedArrayBuffer every `period` ms, and a step reads
 * that cell before and after: two memory loads. Its resolution is the
 * period, which is why the detector reports durations as approximate.
 *
 * The ticker runs only while some hub's loop runs: a hub entering its loop
 * writes the time itself (so the clock is never stale when a step starts)
 * and counts itself in; the ticker sleeps in `Atomics.wait` while the count
 * is 0, so an idle program pays nothing. It is started on the first use, is
 * `unref`'d (it never keeps the process alive), and is shared with worker
 * threads started afterwards (through `setEnvironmentData`), so a program
 * has one, whatever its number of threads.
 */
import { Worker, getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';

/** Cell: the time, ms (low 32 bits of epoch ms; differences are taken modulo 2^32). */
export const NOW = 0;
/** Cell: the number of hub loops running now, in every thread that shares the ticker. */
const ACTIVE = 1;
/** Cell: the tick period in ms. */
const PERIOD = 2;

/** The longest tick period: the resolution of a duration the detector reports. */
const MAX_PERIOD_MS = 10;

const KEY = 'grove.ticker';

/** The ticker's loop, run in the worker thread (CommonJS, evaluated). */
const TICKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData);
const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  while (Atomics.load(cells, ${ACTIVE}) <= 0) Atomics.wait(cells, ${ACTIVE}, Atomics.load(cells, ${ACTIVE}));
  Atomics.store(cells, ${NOW}, Math.floor(performance.timeOrigin + performance.now()) | 0);
  Atomics.wait(nap, 0, 0, Atomics.load(cells, ${PERIOD}));
}
`;

let cells: Int32Array | null = null;

/** The current time as the ticker writes it. */
export function wallMs(): number {
  return Math.floor(performance.timeOrigin + performance.now()) | 0;
}

/**
 * The ticker's cells, starting it on first use; `resolutionMs` lowers its
 * period (never above 10 ms) for a detector with a small threshold. Returns
 * null if no worker thread can be started (the detector is then off).
 */
export function tickerCells(resolutionMs: number): Int32Array | null {
  if (cells === null) cells = shared() ?? start();
  if (cells !== null) {
    const period = Math.max(1, Math.min(MAX_PERIOD_MS, Math.floor(resolutionMs)));
    if (period < Atomics.load(cells, PERIOD)) Atomics.store(cells, PERIOD, period);
  }
  return cells;
}

/** A hub's loop starts: the clock is set to now, and the ticker wakes if it slept. */
export function enterLoop(ticks: Int32Array, nowMs: number): void {
  Atomics.store(ticks, NOW, nowMs);
  if (Atomics.add(ticks, ACTIVE, 1) === 0) Atomics.notify(ticks, ACTIVE);
}

/** A hub's loop ends. */
export function leaveLoop(ticks: Int32Array): void {
  Atomics.sub(ticks, ACTIVE, 1);
}

/** The ticker of the main thread, if this is a worker thread started after it. */
function shared(): Int32Array | null {
  if (isMainThread) return null;
  const buffer = getEnvironmentData(KEY);
  return buffer instanceof SharedArrayBuffer ? new Int32Array(buffer) : null;
}

function start(): Int32Array | null {
  const buffer = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const ticks = new Int32Array(buffer);
  Atomics.store(ticks, PERIOD, MAX_PERIOD_MS);
  Atomics.store(ticks, NOW, wallMs());
  try {
    const worker = new Worker(TICKER_SOURCE, {
      eval: true,
      workerData: buffer,
      name: 'grove ticker',
      stdout: true,
      stderr: true,
    });
    worker.unref();
    // A ticker that fails (out of resources) must not take the program down: the clock just stops.
    worker.on('error', () => {});
  } catch {
    return null;
  }
  if (isMainThread) setEnvironmentData(KEY, buffer);
  return ticks;
}
