/**
 * Using what other nodes offer (offer.ts): `spawnRemote` starts an actor
 * of an offered kind on a place (a thread, a pool of threads) and returns
 * its `RemoteRef` once it is up; `runInThread` runs an offered job there
 * and returns its result. Both block only the calling greenlet, fail with
 * `'noconnection'` if the node goes down first, and tell the node when
 * the caller gives up (a kill, a Timeout): a job is cancelled, an actor
 * that comes up for nobody is killed.
 */
import { callOperation } from '../lib/call.js';
import { describeReason, Interrupt } from '../lib/errors.js';
import type { Greenlet } from '../lib/greenlet.js';
import { Composite } from '../lib/internal/composite.js';
import { show } from '../lib/internal/validate.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { exit } from '../actors/link.js';
import { encode } from './codec.js';
import { JOB, JOB_CANCEL, SPAWN } from './frames.js';
import { localNode } from './local-node.js';
import type { NodeId } from './node-id.js';
import type { Job, Spawnable } from './offer.js';
import { NOCONNECTION, type Peer } from './peer.js';
import type { RemoteRef } from './remote-ref.js';
import { PICK } from './keys.js';

/**
 * Where actors are spawned and jobs run: a `ThreadNode` (one thread), a
 * `ThreadPool` (it picks a thread, and starts one in place of a thread
 * that died) or a `RemoteNode` (a node of the cluster, `remoteNode(name)`).
 */
export interface Place {
  /** @internal the node to use, started if need be (a pool); throws if there is none. */
  [PICK](purpose: 'spawn' | 'job'): Operation<Peer>;
}

/** What `spawnRemote` and `runInThread` throw when the other node did not do it: `SpawnFailed`, `JobFailed`. */
export abstract class RemoteCallFailed extends Error {
  /** `'noconnection'`, or what it failed with over there (a `RemoteError`, or an exit reason). */
  readonly reason: unknown;
  /** The node it was asked of. */
  readonly node: NodeId;
  constructor(message: string, node: NodeId, reason: unknown) {
    super(`${message}: ${describeReason(reason)}`, reason instanceof Error ? { cause: reason } : undefined);
    this.reason = reason;
    this.node = node;
  }
}

/**
 * Thrown by `spawnRemote` (and by a `remoteChild`'s start) when the actor
 * did not come up: its node offers no such kind, its factory or its
 * `init` threw (`reason` is that error, a `RemoteError`), or the node
 * became unreachable (`reason` is `'noconnection'`).
 */
export class SpawnFailed extends RemoteCallFailed {
  static {
    this.prototype.name = 'SpawnFailed';
  }
  constructor(kind: string, node: NodeId, reason: unknown) {
    super(`spawnRemote: ${JSON.stringify(kind)} did not start on ${node.name}`, node, reason);
  }
}

/**
 * Thrown by `runInThread` when the job did not return a result: it threw
 * (`reason` is its error, a `RemoteError`), it was killed over there
 * (`'killed'`), its result was not plain data, its node offers no such
 * job, or the node became unreachable (`'noconnection'`).
 */
export class JobFailed extends RemoteCallFailed {
  static {
    this.prototype.name = 'JobFailed';
  }
  constructor(name: string, node: NodeId, reason: unknown) {
    super(`runInThread: job ${JSON.stringify(name)} on ${node.name} failed`, node, reason);
  }
}

function checkPlace(call: string, where: unknown): asserts where is Place {
  if (where === null || typeof where !== 'object' || typeof (where as Partial<Place>)[PICK] !== 'function') {
    throw new TypeError(`${call}: where must be a ThreadNode, a ThreadPool or a RemoteNode, got ${show(where)}`);
  }
}

/** @internal checks a spawn's place and kind. */
export function checkSpawn(call: string, where: unknown, kind: unknown): void {
  checkPlace(call, where);
  if (kind === null || typeof kind !== 'object' || (kind as { kind?: unknown }).kind !== 'actor') {
    throw new TypeError(`${call}: kind must be a spawnable(), got ${show(kind)}`);
  }
}

/**
 * Sends a request to `peer` and waits for its answer: the value, or the
 * reason it failed with thrown as itself. If the caller stops waiting,
 * `abandoned(id)` tells the peer (the request stays known, so a late
 * answer reaches `late`).
 */
function* request(
  peer: Peer,
  send: (id: number) => void,
  abandoned: (id: number) => void,
  late: (ok: boolean, value: unknown) => void,
): Generator<Suspend, unknown, unknown> {
  return yield* callOperation<unknown>(
    (signal) =>
      new Promise((resolve, reject) => {
        if (peer.down) return reject(NOCONNECTION);
        const id = peer.node.nextId();
        const pending = { settle: (ok: boolean, value: unknown) => (ok ? resolve(value) : reject(value)) };
        peer.requests.set(id, pending);
        send(id);
        signal.addEventListener('abort', () => {
          pending.settle = late;
          abandoned(id);
        });
      }),
  );
}

/**
 * @internal spawnRemote's work, with an optional local parent: the actor
 * is linked to it once up, and the parent's `exit` stops it as a parent's
 * does (remoteChild).
 */
export function spawnOn<M, A extends unknown[]>(
  call: string,
  where: Place,
  kind: Spawnable<M, A>,
  args: A,
  parent: Greenlet<unknown> | null,
): Operation<RemoteRef<M>> {
  checkSpawn(call, where, kind);
  const node = localNode();
  const [wire, holes] = encode(call, 'args', args, node);
  return new Composite<RemoteRef<M>>(call, function* () {
    const peer = yield* where[PICK]('spawn');
    if (parent !== null) node.exportGreenlet(parent);
    try {
      return (yield* request(
        peer,
        (id) => peer.push(SPAWN, id, kind.name, wire, holes, parent === null ? 0 : parent.id, parent === null ? '' : parent.name),
        () => {},
        // Up for a caller that is gone: nobody holds its reference, so it is stopped.
        (ok, ref) => ok && exit(ref as RemoteRef<never>, 'kill'),
      )) as RemoteRef<M>;
    } catch (reason) {
      if (reason instanceof Interrupt) throw reason;
      throw new SpawnFailed(kind.name, peer.id, reason);
    }
  });
}

/**
 * Starts an actor of an offered kind (`offer(kind, factory)` on the other
 * side) on `where` — a thread, or a pool (which picks one, round-robin) —
 * with `args` (plain data, checked now: `NotPlainData`), and returns its
 * reference once it is up (its `init` returned). Blocks the calling
 * greenlet only. Throws `SpawnFailed` if it does not come up or the node
 * goes down first. A kill or Timeout of the caller ends the wait; the
 * actor, if it comes up after all, is killed. Use with `yield*`.
 */
export function spawnRemote<M, A extends unknown[]>(where: Place, kind: Spawnable<M, A>, ...args: A): Operation<RemoteRef<M>> {
  return spawnOn('spawnRemote', where, kind, args, null);
}

/**
 * Runs an offered job (`offer(job, body)` on the other side) on `where` —
 * a thread, or a pool (which picks the thread with the fewest requests in
 * flight) — with `args` (plain data, checked now: `NotPlainData`), and
 * returns its result. Blocks the calling greenlet only; the others keep
 * running while the thread works. Throws `JobFailed` if the job throws
 * (`reason`: a `RemoteError`), its result is not plain data, or the
 * thread goes down first (`'noconnection'`).
 *
 * A kill or Timeout of the caller cancels the job: the thread is told and
 * kills the job's greenlet where it is blocked. A job that never blocks (a
 * plain function, or a generator that computes without `yield*`) cannot
 * be interrupted: it runs to its end and its result is dropped. Make a
 * long job cancellable by yielding now and then (`yield* sleep(0)`), or
 * terminate its thread. Use with `yield*`.
 */
export function runInThread<A extends unknown[], R>(where: Place, job: Job<A, R>, ...args: A): Operation<R> {
  checkPlace('runInThread', where);
  if (job === null || typeof job !== 'object' || job.kind !== 'job') throw new TypeError(`runInThread: job must be a job(), got ${show(job)}`);
  const [wire, holes] = encode('runInThread', 'args', args, localNode());
  return new Composite<R>('runInThread', function* () {
    const peer = yield* where[PICK]('job');
    try {
      return (yield* request(
        peer,
        (id) => peer.push(JOB, id, job.name, wire, holes),
        (id) => {
          peer.requests.delete(id);
          peer.push(JOB_CANCEL, id);
        },
        () => {},
      )) as R;
    } catch (reason) {
      if (reason instanceof Interrupt) throw reason;
      throw new JobFailed(job.name, peer.id, reason);
    }
  });
}
