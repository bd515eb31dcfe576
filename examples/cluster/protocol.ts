/**
 * What the cluster examples' processes share: the names they find each
 * other by, and the messages, with their types. Both sides import it.
 */
import { sleep, type Operation } from 'grove';
import { registryName, type ActorRef, type RegistryName, type ReplyTo } from 'grove/actors';
import { whereisGlobal } from 'grove/cluster';

/** The NATS server(s) the examples join: `NATS_URL`, or a server on this machine. */
export const SERVERS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** How soon a silent node is down: `DOWN_AFTER_MS` (5000 by default), with heartbeats five times as often. */
export function timing(): { heartbeatMs: number; downAfterMs: number } {
  const downAfterMs = Number(process.env.DOWN_AFTER_MS ?? 5000);
  return { heartbeatMs: Math.max(10, Math.round(downAfterMs / 5)), downAfterMs };
}

/** Ping-pong: what the pong process's actor takes. */
export type PongMessage =
  | { type: 'ping'; n: number; from: ActorRef<PingMessage> }
  | { type: 'count'; replyTo: ReplyTo<number> }
  | { type: 'stop' };
/** Ping-pong: what the ping process's actor takes. */
export type PingMessage = { type: 'pong'; n: number };
/** The name the pong actor is registered under, for the whole cluster. */
export const PONG = registryName<PongMessage>('pong');

/** A job of the work queue: find the digit sum of `n` cubed. */
export interface Job {
  readonly id: number;
  readonly n: number;
}
/** Work queue: what the queue actor takes from its workers (each names itself, so the queue can monitor it). */
export type QueueMessage =
  | { type: 'take'; worker: ActorRef<never>; replyTo: ReplyTo<Job | null> }
  | { type: 'done'; worker: ActorRef<never>; job: Job; result: number };
/** The name the queue actor is registered under. */
export const JOBS = registryName<QueueMessage>('jobs');

/** The work itself (slow on purpose, so that several workers share it). */
export function digitSumOfCube(n: number): number {
  let sum = 0;
  for (const digit of String(BigInt(n) ** 3n)) sum += Number(digit);
  return sum;
}

/** The actor registered as `name` in the cluster, waiting up to 30 s for it (its process may start after this one). */
export function* findGlobal<M>(name: RegistryName<M>, who: string): Operation<ActorRef<M>> {
  for (let waited = 0; ; waited += 100) {
    const found = whereisGlobal(name);
    if (found !== undefined) return found;
    if (waited >= 30_000) throw new Error(`${who}: nobody registered ${JSON.stringify(name.name)} within 30 s (start its process)`);
    yield* sleep(100);
  }
}
