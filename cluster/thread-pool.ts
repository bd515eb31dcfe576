/**
 * A pool of worker threads running one module: `spawnThreads(module, {
 * threads })`. It is a `Place`: `spawnRemote(pool, ...)` starts actors on
 * its threads in turn (round-robin), `runInThread(pool, ...)` runs a job
 * on the thread with the fewest requests in flight. A thread that died is
 * started again (a new node: same name, new incarnation) the next time the
 * pool needs it, so a supervisor restarting a crashed thread's actors
 * (`remoteChild`) gets them on a new thread.
 */
import { availableParallelism } from 'node:os';
import { Greenlet } from '../lib/greenlet.js';
import { Composite } from '../lib/internal/composite.js';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { joinAll } from '../lib/join.js';
import type { Peer } from './peer.js';
import type { Place } from './remote-spawn.js';
import { THREAD_STOP_KEYS, moduleUrl, spawnThread, threadOptions, ThreadNode, type ThreadOptions, type ThreadStopOptions } from './thread.js';
import { PICK } from './keys.js';

/** Options of `spawnThreads`. */
export interface ThreadPoolOptions extends ThreadOptions {
  /** How many threads (a positive integer); `os.availableParallelism()` by default. */
  threads?: number;
}
const POOL_KEYS = optionKeys<ThreadPoolOptions>({ name: true, imports: true, threads: true });

let pools = 0;

/** A fixed number of worker threads running one module (see `spawnThreads`). */
export class ThreadPool implements Place {
  /** How many threads it keeps. */
  readonly size: number;
  /** Its name; its threads are `<name>-1`, `<name>-2`... */
  readonly name: string;
  private readonly slots: (ThreadNode | null)[];
  private readonly starting: (Greenlet<ThreadNode> | null)[];
  private next = 0;
  private stopped = false;

  /** @internal made by `spawnThreads`. */
  constructor(
    private readonly module: string,
    name: string,
    private readonly imports: ReadonlyArray<string | URL>,
    size: number,
  ) {
    this.name = name;
    this.size = size;
    this.slots = new Array<ThreadNode | null>(size).fill(null);
    this.starting = new Array<Greenlet<ThreadNode> | null>(size).fill(null);
  }

  /** Its threads that are up, in slot order. */
  nodes(): ThreadNode[] {
    return this.slots.filter((t): t is ThreadNode => t !== null && t.alive);
  }

  /**
   * Stops every thread (as `ThreadNode.stop` does, all at once) and starts
   * no more. Blocks until all have ended. Use with `yield*`.
   */
  stop(options?: ThreadStopOptions): Operation<void> {
    checkOptions('ThreadPool.stop', options, THREAD_STOP_KEYS);
    this.stopped = true;
    const threads = this.nodes();
    return new Composite<void>('ThreadPool.stop', function* () {
      const stopping = threads.map((t) => new Greenlet(function* () {
        yield* t.stop(options);
      }).start());
      yield* joinAll(stopping, { raiseError: true });
    });
  }

  /** Terminates every thread now (`ThreadNode.terminate`) and starts no more. Never blocks. */
  terminate(): void {
    this.stopped = true;
    for (const t of this.nodes()) t.terminate();
  }

  /** @internal a thread for a spawn (round-robin) or a job (fewest requests in flight), started again if it died. */
  *[PICK](purpose: 'spawn' | 'job'): Generator<Suspend, Peer, unknown> {
    let slot = this.next;
    if (purpose === 'job') {
      let fewest = Infinity;
      for (let i = 0; i < this.size; i++) {
        const t = this.slots[i];
        // A slot whose thread is gone counts as idle: using it starts a new thread.
        const load = t !== null && t.alive ? t.peer.requests.size : 0;
        if (load < fewest) [fewest, slot] = [load, i];
      }
    } else this.next = (this.next + 1) % this.size;
    return (yield* this.thread(slot)).peer;
  }

  /** The thread of slot `i`, started if it is missing or dead (one start per slot at a time). */
  *thread(i: number): Generator<Suspend, ThreadNode, unknown> {
    const current = this.slots[i];
    if (current !== null && current.alive) return current;
    if (this.stopped) throw new Error(`ThreadPool: ${this.name} is stopped; it starts no more threads`);
    let starting = this.starting[i];
    if (starting === null) {
      const [module, options] = [this.module, { name: `${this.name}-${i + 1}`, imports: this.imports }];
      starting = this.starting[i] = new Greenlet(function* () {
        return yield* spawnThread(module, options);
      }).start();
    }
    try {
      const thread = yield* starting.get();
      if (this.stopped) {
        // Stopped while this thread was starting: it is not kept.
        thread.terminate();
        throw new Error(`ThreadPool: ${this.name} is stopped; it starts no more threads`);
      }
      this.slots[i] = thread;
      return thread;
    } finally {
      if (this.starting[i] === starting && starting.dead) this.starting[i] = null;
    }
  }

  toString(): string {
    return `<ThreadPool ${this.name}: ${this.nodes().length}/${this.size} up>`;
  }

  /** How `console.log` and `util.inspect` show it. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Starts `threads` worker threads (`os.availableParallelism()` by
 * default), each running `module` as `spawnThread` does, and returns the
 * pool once every one has loaded it. Throws `ThreadStartFailed` (and
 * terminates the others) if one fails to start. Stop it with `yield*
 * pool.stop()`. Use with `yield*`.
 */
export function spawnThreads(module: string | URL, options?: ThreadPoolOptions): Operation<ThreadPool> {
  checkOptions('spawnThreads', options, POOL_KEYS);
  const size = options?.threads ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`spawnThreads: threads must be a positive integer, got ${show(size)}`);
  const url = moduleUrl('spawnThreads', module);
  const [name, imports] = threadOptions('spawnThreads', { name: options?.name, imports: options?.imports }, `pool-${pools + 1}`);
  return new Composite<ThreadPool>('spawnThreads', function* () {
    pools++;
    const pool = new ThreadPool(url, name, imports, size);
    const starts = Array.from({ length: size }, (_, i) => new Greenlet(function* () {
      return yield* pool.thread(i);
    }).start());
    try {
      yield* joinAll(starts, { raiseError: true });
    } catch (error) {
      pool.terminate();
      throw error;
    }
    return pool;
  });
}
