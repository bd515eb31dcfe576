/**
 * Every core: hashing spread over a pool of worker threads, each with a
 * supervised hasher actor (remoteChild), reached with the same `ask` as a
 * local actor. A poison text crashes one hasher: its ask fails at once,
 * its supervisor starts it again, and the text is left out. A job runs
 * on whichever thread is idle (runInThread). Everything stops in order.
 *
 * Run it: `node --import tsx --conditions=grove-source examples/every-core/hashing.ts`.
 */
import { joinAll, sleep, spawn, type Operation } from 'grove';
import { AskFailed, ask, exit, type ReplyTo } from 'grove/actors';
import { Supervisor, type ChildSpec } from 'grove/supervision';
import { remoteChild, runInThread, spawnThreads, type RemoteChild } from 'grove/cluster';
import { runIfMain, type Log } from '../support.js';
import { HASHER, ZEROES, type HashMessage } from './protocol.js';

const texts = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `text-${from + i}`);

export function* main(log: Log, threads = 2): Operation<void> {
  const pool = yield* spawnThreads(new URL('./hash-thread.ts', import.meta.url), { threads, name: 'hash' });
  log(`${pool.nodes().length} threads up: ${pool.nodes().map((t) => t.name).join(', ')}`);
  const specs: ChildSpec<RemoteChild<HashMessage>>[] = pool.nodes().map((thread, i) => ({
    id: `hasher-${i + 1}`,
    start: () => remoteChild(thread, HASHER, String(i + 1)),
  }));
  const sup = new Supervisor({ strategy: 'oneForOne', maxRestarts: 3, withinMs: 5000, children: specs }).start();
  yield* sup.up();

  function* hashOn(i: number, batch: string[]): Operation<string> {
    const hasher = sup.child(specs[i])!;
    try {
      const digests = yield* ask(hasher, (replyTo: ReplyTo<string[]>) => ({ type: 'hash', texts: batch, rounds: 1000, replyTo }), { timeout: 10_000 });
      return `${hasher.ref!.node.name} hashed ${digests.length} texts`;
    } catch (error) {
      if (!(error instanceof AskFailed)) throw error;
      return `${hasher.ref!.node.name}: its hasher crashed (${(error.reason as Error).message}); it is restarted`;
    }
  }

  const batches = specs.map((_, i) => spawn(hashOn, i, texts(i * 100, 100)));
  yield* joinAll(batches);
  for (const batch of batches) log(batch.value!);
  log(yield* hashOn(0, ['text-1', 'poison']));
  // The supervisor starts the crashed hasher again: wait until it is up.
  const crashed = sup.child(specs[0]);
  while (sup.child(specs[0]) === crashed || sup.child(specs[0]) === undefined) yield* sleep(5);
  yield* sup.child(specs[0])!.up();
  log(yield* hashOn(0, texts(1000, 10)));
  log(`zero digits: ${yield* runInThread(pool, ZEROES, texts(0, 1000))}`);

  exit(sup, 'shutdown');
  yield* sup.join();
  yield* pool.stop();
  log('stopped: the hashers, then the threads');
}

runIfMain(import.meta.url, main);
