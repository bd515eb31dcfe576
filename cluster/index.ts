/**
 * grove/cluster: actors on other threads (and, through the same layer, on
 * other machines), reached with the same `ActorRef`, `send`, `ask`,
 * `link`, `monitor` and `exit` as local ones.
 *
 * ```ts
 * // hash-worker.ts, the module each thread runs: what it offers
 * offer(HASHER, (seed) => new Hasher(seed));
 *
 * // main
 * const pool = yield* spawnThreads(new URL('./hash-worker.js', import.meta.url), { threads: 4 });
 * const hasher = yield* spawnRemote(pool, HASHER, 7);          // a RemoteRef<HashMessage>
 * const digest = yield* ask(hasher, (replyTo) => ({ type: 'hash', text: 'abc', replyTo }));
 * yield* pool.stop();
 * ```
 *
 * Erlang's semantics across nodes: messages between two actors arrive in
 * order, at most once; a node that goes away gives `'noconnection'` to
 * every link, monitor and ask on its actors; an actor its node does not
 * know gives `'noproc'`. Messages are plain data, checked at `send`
 * (`NotPlainData`), and frozen on arrival as local ones are.
 */
export { RemoteRef } from './remote-ref.js';
export { NotPlainData, RemoteError } from './codec.js';
export { sameNode, type NodeId } from './node-id.js';
export { selfNode } from './local-node.js';
export { spawnable, job, offer, type Spawnable, type Job } from './offer.js';
export { spawnRemote, runInThread, RemoteCallFailed, SpawnFailed, JobFailed, type Place } from './remote-spawn.js';
export { spawnThread, threads, ThreadNode, ThreadStartFailed, type ThreadOptions, type ThreadStopOptions } from './thread.js';
export { spawnThreads, ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
export { remoteChild, RemoteChild } from './remote-child.js';
export { monitorNode, demonitorNode, NodeMonitorRef, type NodeDownMessage } from './node-monitor.js';
