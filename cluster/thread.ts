/**
 * Worker threads as nodes: `spawnThread(module)` starts a worker thread
 * with its own hub, which loads `module` (where it `offer`s the actor
 * kinds and jobs it serves) and is then a node like any other: actors are
 * spawned on it (`spawnRemote`), jobs run on it (`runInThread`), and its
 * actors are reached through `RemoteRef`s with the same `send`, `ask`,
 * `link`, `monitor` and `exit` as local ones.
 *
 * A thread that ends — `stop()`, `terminate()`, an uncaught error, its
 * module calling `process.exit()` — is a node down at once: links to its
 * actors get `'noconnection'`, and so do monitors and asks. While it is up
 * it holds the hub that started it (a `run()` waiting on its actors is not
 * given LoopExit), so stop every thread you start: `threads()` lists the
 * ones still running.
 */
import { Worker } from 'node:worker_threads';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callOperation } from '../lib/call.js';
import { getHub, type Hub, type HubHold } from '../lib/hub.js';
import { ctx } from '../lib/internal/context.js';
import { Composite } from '../lib/internal/composite.js';
import { checkMs, checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { decodeReason } from './codec.js';
import { localNode } from './local-node.js';
import { newNodeId, nodeKey, type NodeId } from './node-id.js';
import type { Peer } from './peer.js';
import type { Place } from './remote-spawn.js';
import { REPORT, READY, STOP, threadTransport } from './thread-transport.js';
import { PICK } from './keys.js';

/** Options of `spawnThread`. */
export interface ThreadOptions {
  /** The thread's node name (`thread-<n>` by default); its id adds an incarnation. */
  name?: string;
  /**
   * Modules the thread imports before `module`, in order (URLs, absolute
   * paths or package names): a loader's registration, say, when `module`
   * is TypeScript and this Node does not pass `--import` hooks on to
   * worker threads (Node 20 does not).
   */
  imports?: ReadonlyArray<string | URL>;
}
const THREAD_KEYS = optionKeys<ThreadOptions>({ name: true, imports: true });

/** Options of `ThreadNode.stop()`. */
export interface ThreadStopOptions {
  /** How long (ms) the thread's greenlets have to stop before the thread is terminated; 5000 by default. */
  timeout?: number;
}
/** @internal */
export const THREAD_STOP_KEYS = optionKeys<ThreadStopOptions>({ timeout: true });

/**
 * Thrown by `spawnThread` when the thread ended before its module was
 * loaded: the module (or one in `imports`) failed to load or threw
 * (`cause`), or the thread exited.
 */
export class ThreadStartFailed extends Error {
  static {
    this.prototype.name = 'ThreadStartFailed';
  }
}

// grove runs from its TypeScript sources under tsx (its own tests and examples), or from dist/.
const SOURCE = import.meta.url.endsWith('.ts');
const BOOT = new URL(SOURCE ? './boot.ts' : './cluster-boot.cjs', import.meta.url).href;
/** A thread's first code: registers tsx for grove's sources if need be, imports `imports`, then boot.ts, which loads the module. */
const BOOT_CODE = `'use strict';
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx !== null) (await import(workerData.tsx)).register();
  for (const specifier of workerData.imports) await import(specifier);
  const boot = await import(workerData.boot);
  await (boot.bootThread ?? boot.default.bootThread)(workerData);
})();
`;

/** The threads this thread started whose worker has not exited. */
const live = new Set<ThreadNode>();
let started = 0;

/**
 * A worker thread started by `spawnThread`: a node, and a `Place` to
 * spawn actors and run jobs on. Its `id` (name and incarnation) is its
 * node id.
 */
export class ThreadNode implements Place {
  /** Its node id. */
  readonly id: NodeId;
  /** @internal its node, as this thread sees it. */
  readonly peer: Peer;
  private readonly worker: Worker;
  private readonly hub: Hub;
  private hold: HubHold | null;
  /** @internal settles when its module is loaded (rejects with ThreadStartFailed if it ends first). */
  readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  private settleReady: (error: Error | null) => void = () => {};
  private failure: Error | null = null;

  /** @internal made by `spawnThread`. */
  constructor(module: string, name: string, imports: string[]) {
    const node = localNode();
    const transport = threadTransport(node);
    const id = newNodeId(name);
    const key = nodeKey(id);
    this.hub = ctx.hub ?? getHub();
    this.hold = this.hub.hold();
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => {
        this.settleReady = () => {};
        if (error === null) resolve();
        else reject(error);
      };
    });
    this.worker = new Worker(BOOT_CODE, {
      eval: true,
      workerData: {
        id,
        parent: node.selfKey,
        module,
        imports,
        boot: BOOT,
        // Only from the sources (under tsx); rollup's CommonJS build drops import.meta.resolve, never reached there.
        tsx: SOURCE ? import.meta.resolve('tsx/esm/api') : null,
      },
    });
    transport.addChild(key, this.worker);
    this.peer = node.peerFor(key);
    this.id = this.peer.id;
    this.peer.hub = this.hub;
    this.peer.downListeners.add(this);
    live.add(this);
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => live.delete(this));
    this.worker.on('message', (message: unknown[]) => {
      if (message[0] === READY) this.settleReady(null);
      else if (message[0] === REPORT) this.report(message);
      else transport.fromChild(key, message);
    });
    this.worker.on('error', (error) => {
      this.failure ??= error;
      transport.childGone(key);
    });
    this.worker.on('exit', (code) => {
      this.failure ??= new Error(`the thread exited with code ${code}`);
      transport.childGone(key);
    });
  }

  /** The thread's name (its node id's). */
  get name(): string {
    return this.id.name;
  }

  /** True until the thread has ended (or is ending: after `stop()` has begun, or `terminate()`). */
  get alive(): boolean {
    return !this.peer.down;
  }

  /**
   * Stops the thread: its greenlets are stopped as `shutdown()` stops them
   * (actors with `'shutdown'`, their `terminate` runs; what they send as
   * they go is delivered), then it ends. Blocks until it has ended; after
   * `timeout` ms (5000 by default) it is terminated. A thread already
   * ended: returns at once. A kill of the caller ends the wait, not the
   * stop. Use with `yield*`.
   */
  stop(options?: ThreadStopOptions): Operation<void> {
    checkOptions('ThreadNode.stop', options, THREAD_STOP_KEYS);
    const timeout = options?.timeout === undefined ? 5000 : checkMs('ThreadNode.stop', 'timeout', options.timeout);
    const self = this;
    return new Composite<void>('ThreadNode.stop', function* () {
      if (self.alive) self.worker.postMessage([STOP, timeout]);
      // The thread's own timeout runs first; this one only catches a thread that cannot stop (a busy loop).
      const ended = yield* callOperation((signal) =>
        Promise.race([self.exited.then(() => true), new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeout + 1000);
          signal.addEventListener('abort', () => clearTimeout(timer));
          void self.exited.then(() => clearTimeout(timer));
        })]),
      );
      if (!ended) {
        self.terminate();
        yield* callOperation(self.exited);
      }
    });
  }

  /**
   * Ends the thread now (`worker.terminate()`): whatever it is doing stops
   * mid-way, and it is down at once — links, monitors and asks on its
   * actors get `'noconnection'` before this returns. Never blocks.
   */
  terminate(): void {
    threadTransport(localNode()).childGone(nodeKey(this.id));
    void this.worker.terminate();
  }

  /** @internal a thread is used for a spawn or a job only while it is up. */
  *[PICK](): Generator<never, Peer, unknown> {
    return this.peer;
  }

  /** @internal settles when the thread has ended (its worker's `exit` event). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  /** @internal it went down: release the hub, settle a start still pending. */
  peerDown(): void {
    this.hold?.release();
    this.hold = null;
    const cause = this.failure;
    this.settleReady(new ThreadStartFailed(`spawnThread: ${this.name} ended before its module was loaded${cause === null ? '' : `: ${cause.message}`}`, cause === null ? undefined : { cause }));
  }

  /** The thread's hub reported an error: report it here, through the hub that started the thread. */
  private report(message: unknown[]): void {
    const [, where, reason, greenlet] = message as [number, 'greenlet' | 'link' | 'deadLetter', unknown, string | null];
    const error = decodeReason(reason, localNode());
    if (error instanceof Error && greenlet !== null) error.message += ` (in ${greenlet} on ${this.name})`;
    this.hub.report(error, { where });
  }

  toString(): string {
    return `<ThreadNode ${this.name}${this.alive ? '' : ' (down)'}>`;
  }

  /** How `console.log` and `util.inspect` show it. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal a module given as a URL, a file URL string or an absolute path, as a URL string. */
export function moduleUrl(call: string, module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module === 'string') {
    if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
    if (isAbsolute(module)) return pathToFileURL(module).href;
  }
  throw new TypeError(`${call}: module must be a URL or an absolute path (new URL('./worker.js', import.meta.url)), got ${show(module)}`);
}

/** @internal checks spawnThread's options; returns the name and the imports. */
export function threadOptions(call: string, options: ThreadOptions | undefined, defaultName: string): [string, string[]] {
  checkOptions(call, options, THREAD_KEYS);
  const name = options?.name ?? defaultName;
  if (typeof name !== 'string' || name === '' || name.includes('#')) {
    throw new TypeError(`${call}: name must be a non-empty string without '#', got ${show(name)}`);
  }
  const imports: unknown = options?.imports ?? [];
  if (!Array.isArray(imports)) throw new TypeError(`${call}: imports must be an array, got ${show(imports)}`);
  return [name, imports.map((specifier: unknown) => importSpecifier(call, specifier))];
}

/** One of `imports`: a URL, an absolute path, or a package name, as the thread will import it. */
function importSpecifier(call: string, specifier: unknown): string {
  if (specifier instanceof URL) return specifier.href;
  if (typeof specifier !== 'string' || specifier === '') {
    throw new TypeError(`${call}: imports must hold URLs, absolute paths or package names, got ${show(specifier)}`);
  }
  return isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
}

/**
 * Starts a worker thread running its own hub, loads `module` in it (a URL,
 * e.g. `new URL('./worker.js', import.meta.url)`, or an absolute path),
 * and returns its handle once the module is loaded. The module `offer`s
 * what others may spawn or run there. Blocks the calling greenlet only.
 * Throws `ThreadStartFailed` if the thread ends first (the module threw,
 * or failed to load). A kill of the caller terminates the thread. Stop it
 * with `yield* thread.stop()`. Use with `yield*`.
 */
export function spawnThread(module: string | URL, options?: ThreadOptions): Operation<ThreadNode> {
  const url = moduleUrl('spawnThread', module);
  const [name, imports] = threadOptions('spawnThread', options, `thread-${started + 1}`);
  return new Composite<ThreadNode>('spawnThread', function* () {
    started++;
    const thread = new ThreadNode(url, name, imports);
    yield* callOperation((signal) => {
      signal.addEventListener('abort', () => thread.terminate());
      return thread.ready;
    });
    return thread;
  });
}

/**
 * The threads this thread started (with `spawnThread` or a pool) that
 * have not ended yet, oldest first: up, or stopping (a terminated thread
 * is listed until its worker has exited, a few ms later).
 */
export function threads(): ThreadNode[] {
  return [...live];
}
