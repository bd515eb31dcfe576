/**
 * Typed references to actors: `ActorRef<M>`, what `ask` and the registry's
 * `send` take, and `RegistryName<M>`, a registered name that carries the
 * type of the messages its actor takes.
 *
 * An `Actor<M>` is itself an `ActorRef<M>`. A ref exposes only what a
 * client needs (sending), so a module can hand out `ActorRef<Request>`
 * without handing out the actor; and it is contravariant in `M`: an actor
 * taking `A | B` can be given where an `ActorRef<A>` is wanted.
 */

/**
 * A reference to an actor that takes messages of type `M`: what `ask`,
 * `send` and `register` take. Implemented by `Actor<M>`; the runtime
 * checks at each call that it is given an actor.
 */
export interface ActorRef<in M> {
  /** The actor's name (`greenlet.name`). */
  readonly name: string;
  /** True once the actor has ended. */
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
