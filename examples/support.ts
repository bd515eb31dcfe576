/**
 * Shared by the examples: each exports `main(log)` so that a test can run it
 * on a virtual clock and compare what it printed, and runs itself when
 * executed directly (`node --import tsx examples/...`).
 */
import { pathToFileURL } from 'node:url';
import { run, type Operation } from 'grove';

/** Where an example prints its lines. */
export type Log = (line: string) => void;

/** Runs `main(console.log)` when the module is the program's entry point. */
export function runIfMain(url: string, main: (log: Log) => Operation<unknown>): void {
  const entry = process.argv[1];
  if (entry && url === pathToFileURL(entry).href) {
    run(() => main((line) => console.log(line))).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}

/** A tiny seeded random generator, so that "random" examples replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
