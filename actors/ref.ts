/**
 * Typed references to actors: `ActorRef<M>`, what `ask` and the registry's
 * `send` take, and `RegistryName<M>`, a registered name that carries the
 * type of the messages its actor takes.
 *
 * An `Actor<M>` is itself an `ActorRef<M>`. A ref exposes only what a
 * client needs (sending), so a module can hand out `ActorRef<Request>`
 * without handing out the actor; and it is contravariant in `M`: an actor
 * taking `A | B` can be given where an `ActorRef<A>` is wanted.
 *
 * An actor in another place (a worker thread, another machine) is reached
 * through grove/cluster's `RemoteRef`, also an `ActorRef<M>`. The actor
 * layer's calls (`link`, `monitor`, `ask`, `exit`, `send`) find what such a
 * ref does for them through `remoteOf` and the `RemoteActor` hooks below,
 * so they need not know how its place is reached.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { DeathWatch } from './relations.js';
import { REMOTE } from './keys.js';

/**
 * A reference to an actor that takes messages of type `M`: what `ask`,
 * `send`, `link`, `monitor` and `exit` take. Implemented by `Actor<M>` and,
 * for an actor on another thread or machine, by grove/cluster's
 * `RemoteRef<M>`; the runtime checks at each call that it is given one of
 * them (`register` takes local actors only).
 */
export interface ActorRef<in M> {
  /** The actor's name (`greenlet.name`). */
  readonly name: string;
  /** True once the actor has ended (for a remote actor: once that is known here). */
  readonly dead: boolean;
  /** Puts `message` in its inbox, frozen; never blocks (see `Actor.send`). */
  send(message: M): void;
}

/** Types the messages of a registered name (never set: a type only). */
declare const MESSAGES: unique symbol;

/**
 * A registered name with the type of its actor's messages:
 * `const Jobs = registryName<JobMessage>('jobs')`, then `register(Jobs,
 * jobs)` takes only an actor of `JobMessage`s, `whereis(Jobs)` is an
 * `Actor<JobMessage> | undefined`, and `send(Jobs, m)` checks `m`. The
 * type is the programmer's word (the registry cannot check an actor's
 * message type at run time); plain string names keep working.
 */
export interface RegistryName<M> {
  /** The name, as the registry holds it. */
  readonly name: string;
  /** @internal the message type, for the compiler only (invariant: the name is both written and read). */
  readonly [MESSAGES]?: (message: M) => M;
}

/**
 * @internal What a reference to an actor in another place does for the
 * actor layer (implemented by grove/cluster's RemoteRef, found with
 * `remoteOf`). Each call returns at once; the other place is told in order
 * with the messages sent to it, at most once.
 */
export interface RemoteActor {
  /** Links the local greenlet `local` to the actor; if that actor is gone, `local` gets an exit signal `'noproc'`. */
  link(local: Greenlet<unknown>): void;
  /** Removes the link between `local` and the actor, if any. */
  unlink(local: Greenlet<unknown>): void;
  /**
   * Calls `watch.targetDied(ref, reason)` once when the actor exits (its
   * reason), is not there (`'noproc'`), or its place becomes unreachable
   * (`'noconnection'`). A monitor's or a pending ask's watch.
   */
  watch(watch: DeathWatch): void;
  /** Stops a watch: `targetDied` will not be called for it. */
  unwatch(watch: DeathWatch): void;
  /** Erlang's `exit/2` on the actor, from the greenlet `from` (null outside any greenlet). */
  exit(from: Greenlet<unknown> | null, reason: unknown): void;
}

/** @internal the RemoteActor hooks of a reference to an actor elsewhere, or null for anything else. */
export function remoteOf(value: unknown): RemoteActor | null {
  if (value === null || typeof value !== 'object' || !(REMOTE in value)) return null;
  return (value as { [REMOTE]: RemoteActor })[REMOTE];
}
