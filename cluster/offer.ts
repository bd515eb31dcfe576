/**
 * What a node offers other nodes: kinds of actors they may spawn on it
 * (Erlang's `spawn(Node, Module, Function, Args)`, named instead of sent
 * as code) and jobs they may run on it (`runInThread`). A module shared by
 * both sides names them with their types —
 *
 * ```ts
 * export const HASHER = spawnable<HashMessage, [seed: number]>('hasher');
 * export const HASH = job<[items: string[]], string[]>('hash');
 * ```
 *
 * — the thread's module offers them (`offer(HASHER, (seed) => new
 * Hasher(seed))`), and the other side uses the names (`spawnRemote(pool,
 * HASHER, 7)`). This module also serves the requests that arrive.
 */
import { spawn, exitReason, type Greenlet } from '../lib/greenlet.js';
import { show } from '../lib/internal/validate.js';
import type { Operation, PlainResult } from '../lib/operation.js';
import { Actor, StartFailed } from '../actors/actor.js';
import { link } from '../actors/link.js';
import { REMOTE } from '../actors/keys.js';
import { decode, encode, encodeReason, type Holes } from './codec.js';
import { JOB_DONE, SPAWNED } from './frames.js';
import type { Peer } from './peer.js';

/** Types a spawnable's messages and arguments (never set: a type only). */
declare const SPAWNS: unique symbol;
/** Types a job's arguments and result (never set: a type only). */
declare const RUNS: unique symbol;

/**
 * A kind of actor a node offers (`offer`) and others spawn there
 * (`spawnRemote`, `remoteChild`): a name, with the type of the actor's
 * messages `M` and of the arguments `A` its factory takes. Plain data, so
 * one module can define it for both sides.
 */
export interface Spawnable<M, A extends unknown[] = []> {
  readonly kind: 'actor';
  readonly name: string;
  /** @internal for the compiler only. */
  readonly [SPAWNS]?: [(message: M) => M, (...args: A) => void];
}

/**
 * A job a node offers (`offer`) and others run there (`runInThread`): a
 * name, with the types of its arguments `A` and of its result `R`.
 */
export interface Job<A extends unknown[], R> {
  readonly kind: 'job';
  readonly name: string;
  /** @internal for the compiler only. */
  readonly [RUNS]?: [(...args: A) => void, () => R];
}

/** The name a spawnable or a job is offered under: a non-empty string. */
function checkName(call: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${call}: name must be a non-empty string, got ${show(name)}`);
  return name;
}

/** Names a kind of actor, with its message type `M` and its factory's arguments `A` (see `Spawnable`). */
export function spawnable<M, A extends unknown[] = []>(name: string): Spawnable<M, A> {
  return Object.freeze({ kind: 'actor', name: checkName('spawnable', name) });
}

/** Names a job, with its arguments `A` and its result `R` (see `Job`). */
export function job<A extends unknown[], R>(name: string): Job<A, R> {
  return Object.freeze({ kind: 'job', name: checkName('job', name) });
}

type Factory = (...args: unknown[]) => unknown;
const actorKinds = new Map<string, Factory>();
const jobBodies = new Map<string, Factory>();

/**
 * Offers a kind of actor to other nodes: `factory(...args)` makes a new,
 * not started actor each time a node spawns one here; the node then
 * starts it and answers once it is up (its `init` returned). Or offers a
 * job: `body(...args)` runs as a greenlet here for each `runInThread`; a
 * generator body can be cancelled at its blocking points, a plain one
 * runs to the end (see `runInThread`). Call it at load, in the thread's
 * module (or in a cluster node's program, before it joins). Offering a
 * name twice throws.
 */
export function offer<M, A extends unknown[]>(kind: Spawnable<M, A>, factory: (...args: A) => Actor<M>): void;
export function offer<A extends unknown[], R>(kind: Job<A, R>, body: (...args: A) => Operation<R>): void;
export function offer<A extends unknown[], R>(kind: Job<A, R>, body: (...args: A) => PromiseLike<R>): void;
export function offer<A extends unknown[], R>(kind: Job<A, R>, body: (...args: A) => PlainResult<R>): void;
export function offer(kind: Spawnable<unknown, unknown[]> | Job<unknown[], unknown>, fn: Factory): void {
  if (kind === null || typeof kind !== 'object' || (kind.kind !== 'actor' && kind.kind !== 'job')) {
    throw new TypeError(`offer: kind must be a spawnable() or a job(), got ${show(kind)}`);
  }
  const name = checkName('offer', kind.name);
  if (typeof fn !== 'function') throw new TypeError(`offer: the ${kind.kind === 'actor' ? 'factory' : 'body'} of ${JSON.stringify(name)} must be a function, got ${show(fn)}`);
  const table = kind.kind === 'actor' ? actorKinds : jobBodies;
  if (table.has(name)) throw new Error(`offer: ${kind.kind === 'actor' ? 'an actor kind' : 'a job'} named ${JSON.stringify(name)} is offered already`);
  table.set(name, fn);
}

/** The error for a name this node does not offer. */
function notOffered(peer: Peer, what: string, name: string, table: Map<string, Factory>): Error {
  const offered = [...table.keys()].sort().map((n) => JSON.stringify(n));
  return new Error(
    `${peer.node.id.name} offers no ${what} named ${JSON.stringify(name)} (it offers ${offered.length === 0 ? 'none' : offered.join(', ')}): ` +
      'offer() it in the module the thread runs',
  );
}

/**
 * @internal a SPAWN from `peer`: makes the actor, starts it, and answers
 * SPAWNED once it is up, or with why it did not come up. With a parent,
 * the actor is linked to it first thing after, and the parent's `exit`
 * stops it as a parent's does.
 */
export function serveSpawn(peer: Peer, requestId: number, name: string, wire: unknown, holes: Holes, parentId: number, parentName: string): void {
  const node = peer.node;
  const fail = (reason: unknown): void => peer.push(SPAWNED, requestId, 0, '', encodeReason(reason, node));
  const factory = actorKinds.get(name);
  if (factory === undefined) return fail(notOffered(peer, 'actor kind', name, actorKinds));
  const args = decode(wire, holes, node) as unknown[];
  spawn(function* starting() {
    let actor: unknown;
    try {
      actor = factory(...args);
      if (!(actor instanceof Actor) || actor.started || actor.dead) {
        throw new TypeError(`offer: the factory of ${JSON.stringify(name)} must return a new Actor (not started), got ${show(actor)}`);
      }
      actor.start();
      yield* actor.up();
    } catch (error) {
      return fail(error instanceof StartFailed ? error.reason : error);
    }
    const exported = node.exportGreenlet(actor);
    if (parentId !== 0) {
      const parent = peer.ref(parentId, parentName);
      if (exported !== null) exported.parent = parent[REMOTE];
      link(actor, parent);
    }
    peer.push(SPAWNED, requestId, actor.id, actor.name, null);
  });
}

/**
 * @internal a JOB from `peer`: runs the body as a greenlet and answers
 * JOB_DONE with its result, or with its exit reason if it failed. A
 * JOB_CANCEL kills it first (no answer then: the caller is gone).
 */
export function serveJob(peer: Peer, jobId: number, name: string, wire: unknown, holes: Holes): void {
  const node = peer.node;
  const body = jobBodies.get(name);
  if (body === undefined) {
    peer.push(JOB_DONE, jobId, 0, encodeReason(notOffered(peer, 'job', name, jobBodies), node), undefined);
    return;
  }
  const args = decode(wire, holes, node) as unknown[];
  const g = spawn(body as (...a: unknown[]) => Operation<unknown>, ...args);
  g.name = `job ${name} #${jobId}`;
  peer.jobs.set(jobId, g);
  // A link: the job's failure goes back to the caller, rather than being reported here.
  g.link((done: Greenlet<unknown>) => {
    if (peer.jobs.get(jobId) !== done) return;
    peer.jobs.delete(jobId);
    const reason = exitReason(done);
    if (reason !== 'normal') {
      peer.push(JOB_DONE, jobId, 0, encodeReason(reason, node), undefined);
      return;
    }
    try {
      const [result, resultHoles] = encode('runInThread', 'the result', done.value, node);
      peer.push(JOB_DONE, jobId, 1, result, resultHoles);
    } catch (error) {
      peer.push(JOB_DONE, jobId, 0, encodeReason(error, node), undefined);
    }
  });
}
