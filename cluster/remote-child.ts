/**
 * Supervising actors on other threads and nodes: `remoteChild(where, kind,
 * ...args)` is what a child spec's `start` returns for an actor that is to
 * live on a thread (or a pool), or on a node of the cluster
 * (`remoteNode(name)`). It makes a local actor, a `RemoteChild`, that stands
 * for the remote one under any local supervisor, as Akka's remote
 * deployment does:
 *
 * - its `init` spawns the remote actor (it is up when that actor is up;
 *   a failed spawn is a failed start) and links to it as its parent;
 * - messages sent to it go on to the remote actor, in order (an `ask` to
 *   it is answered by the remote actor);
 * - when the remote actor exits — or its thread or node dies
 *   (`'noconnection'`) — the RemoteChild exits with the same reason, so its
 *   supervisor sees the child's exit as it would a local child's, and
 *   restarts it by its rules (on a new thread, for a pool whose thread is
 *   gone; on the node's next incarnation, for a `remoteNode(name)` whose
 *   process started again);
 * - when its supervisor stops it, it stops the remote actor the same way
 *   (`'shutdown'`; a trapping one finishes the message in hand) and ends
 *   once that one has; killed plainly, it kills the remote actor.
 */
import { ExitSignal } from '../lib/errors.js';
import type { Operation } from '../lib/operation.js';
import { Actor, type ActorOptions } from '../actors/actor.js';
import { exit } from '../actors/link.js';
import type { ExitMessage } from '../actors/signal.js';
import { checkPlain } from './codec.js';
import type { Spawnable } from './offer.js';
import type { RemoteRef } from './remote-ref.js';
import { checkSpawn, spawnOn, type Place } from './remote-spawn.js';

/** An `EXIT` signal (what a trapping actor receives from its links). */
function isExit(message: unknown): message is ExitMessage {
  return message !== null && typeof message === 'object' && (message as { type?: unknown }).type === 'EXIT' && 'from' in message && 'reason' in message;
}

/**
 * A local actor standing for an actor of kind `kind` on another thread or node
 * (see the module comment): give it to a supervisor, send to it, ask it.
 * Its `ref` is the remote actor's reference once it is up.
 */
export class RemoteChild<M> extends Actor<M> {
  private target: RemoteRef<M> | undefined = undefined;

  /** @internal made by `remoteChild`. */
  constructor(
    private readonly where: Place,
    private readonly kind: Spawnable<M, never[]>,
    private readonly args: unknown[],
    options?: ActorOptions,
  ) {
    super(options);
    this.trapExit = true;
  }

  /** The remote actor's reference, once it is up (undefined before, and after a failed start). */
  get ref(): RemoteRef<M> | undefined {
    return this.target;
  }

  /**
   * Sends `message` on to the remote actor (checked: plain data, else
   * `NotPlainData`); before it is up, the message waits here and goes on
   * in order once it is. Never blocks.
   */
  override send(message: M): void {
    const target = this.target;
    if (target !== undefined && !this.dead && this.inbox.qsize() === 0) {
      target.send(message);
      return;
    }
    checkPlain('send', 'message', message);
    super.send(message);
  }

  /** Spawns the remote actor, linked to this one as its parent; this actor is up when it is. */
  protected override *init(): Operation<void> {
    this.target = yield* spawnOn('remoteChild', this.where, this.kind, this.args as never[], this);
  }

  /** The remote actor's exit ends this one with the same reason; anything else goes on to it. */
  protected override receive(message: M): void {
    if (isExit(message)) {
      // From the remote actor (its exit, or 'noconnection'), or from another link: exit as a non-trapping actor would.
      if ((message.from as unknown) === this.target || message.reason !== 'normal') throw new ExitSignal(message.reason);
      return;
    }
    this.target!.send(message);
  }

  /** Stops the remote actor as a parent does, and waits for its exit (within the child's shutdown time). */
  protected override *terminate(reason: unknown): Operation<void> {
    const target = this.target;
    if (target === undefined || target.dead) return;
    // A parent's 'normal' would be ignored by an actor that does not trap exits: it is told to shut down.
    exit(target, reason === 'normal' ? 'shutdown' : reason);
    yield* this.receiveMatching((m) => isExit(m) && (m.from as unknown) === target);
  }

  /** A RemoteChild killed plainly (its supervisor's shutdown time ran out) kills the remote actor. */
  protected override *run(): Operation<void> {
    try {
      yield* super.run();
    } finally {
      const target = this.target;
      if (target !== undefined && !target.dead) exit(target, 'kill');
    }
  }
}

/**
 * A child for a supervisor that lives on another thread or node: returns a new,
 * not started `RemoteChild` that, once started, spawns an actor of kind
 * `kind` (offered there) on `where` with `args`, and stands for it (see
 * `RemoteChild`). Use it as a child spec's `start`:
 * `{ id: 'hasher', start: () => remoteChild(pool, HASHER, 7) }`. The args
 * are checked now (plain data: `NotPlainData`). Never blocks.
 */
export function remoteChild<M, A extends unknown[]>(where: Place, kind: Spawnable<M, A>, ...args: A): RemoteChild<M> {
  checkSpawn('remoteChild', where, kind);
  checkPlain('remoteChild', 'args', args);
  return new RemoteChild<M>(where, kind as unknown as Spawnable<M, never[]>, args, { name: `${kind.name}@remote` });
}
