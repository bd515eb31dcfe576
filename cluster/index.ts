/**
 * grove/cluster: actors on other threads and on other machines (processes
 * joined over NATS), reached with the same `ActorRef`, `send`, `ask`,
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
 *
 * // a process of a cluster: join it, name an actor for every node, use another node's
 * const node = yield* connectNode({ name: 'a', servers: 'nats://10.0.0.5:4222' });
 * yield* registerGlobal('jobs', jobs);
 * const far = yield* spawnRemote(remoteNode('b'), HASHER, 7);
 * const other = whereisGlobal(Ledger);                         // a RemoteRef, or undefined
 * yield* node.close();
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
export {
  monitorNode, monitorNodes, demonitorNode, NodeMonitorRef, NodesMonitorRef, type NodeDownMessage, type NodeUpMessage,
} from './node-monitor.js';
export { connectNode, ClusterNode, ConnectFailed, type ConnectNodeOptions } from './cluster-node.js';
export { remoteNode, RemoteNode, type RemoteNodeOptions } from './remote-node.js';
export { registerGlobal, unregisterGlobal, whereisGlobal, registeredGlobal, GlobalNameTaken } from './global-registry.js';
