/** Helpers of the grove/cluster tests: a hub that records its reports, and the check that no thread is left running. */
import { Hub, getCurrent, killAll, type Operation } from 'grove';
import { threads } from 'grove/cluster';
import { errorSink } from '../support.js';

/** The module the test threads run. */
export const TEST_THREAD = new URL('./fixtures/test-thread.ts', import.meta.url);
/** A module that throws as it loads. */
export const BROKEN_THREAD = new URL('./fixtures/broken-thread.ts', import.meta.url);

/** What `onThreads` gives back: the body's value and what the hub reported. */
export interface Outcome<T> {
  value: T;
  reports: string[];
}

/**
 * Runs `body` on a fresh real-clock hub that records its reports (errorSink),
 * then checks that it left no thread running: greenlets it left are
 * killed, any thread still up is terminated and the run fails, naming
 * them; threads that are ending are waited for (up to 5 s).
 */
export async function onThreads<T>(body: () => Operation<T>): Promise<Outcome<T>> {
  const sink = errorSink();
  const hub = new Hub({ onError: sink.onError });
  let value: T | undefined;
  let failure: unknown = null;
  try {
    value = await hub.run(body);
  } catch (error) {
    failure = error;
  }
  // Whatever the body left running (a supervisor would restart what the threads' end takes) goes first.
  await hub.run(function* () {
    yield* killAll(hub.greenlets().filter((g) => g !== getCurrent()));
  });
  const left = threads().filter((t) => t.alive);
  for (const t of left) t.terminate();
  await Promise.race([Promise.all(threads().map((t) => t.whenExited())), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  if (failure !== null) throw failure;
  if (left.length > 0) throw new Error(`the test left threads running: ${left.join(', ')}`);
  if (threads().length > 0) throw new Error(`threads still running 5 s after the test: ${threads().join(', ')}`);
  return { value: value as T, reports: sink.reports };
}
