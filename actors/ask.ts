/**
 * Request/reply between actors: `ask(actor, (replyTo) => message)` sends a
 * message carrying a fresh `ReplyTo` and blocks until `replyTo.reply(value)`.
 * Like Erlang's `gen_server:call`, the asker watches the target while it
 * waits (relations.ts), so a target that dies before replying fails the ask
 * at once instead of leaving it to its timeout. Each ask has its own
 * `ReplyTo`: a reply that comes after the ask gave up is discarded, never
 * mistaken for the answer to a later ask.
 *
 * The target may be an actor on another thread or machine (a `RemoteRef`,
 * grove/cluster): its node watches it for the asker, the `ReplyTo` travels
 * in the message as a reference, and the reply comes back to it; a node
 * that becomes unreachable fails the ask with `'noconnection'`.
 */
import { WaitOp, type WaitState } from '../lib/internal/wait.js';
import { ctx } from '../lib/internal/context.js';
import { checkFunction, checkOptions, optionKeys, show, type TimeoutOption } from '../lib/internal/validate.js';
import { NotInGreenlet, describeReason } from '../lib/errors.js';
import { Timeout } from '../lib/timeout.js';
import type { Greenlet } from '../lib/greenlet.js';
import type { Operation, Suspend } from '../lib/operation.js';
import { Actor, notStarted } from './actor.js';
import { remoteOf, type ActorRef } from './ref.js';
import { prepareMessage } from './config.js';
import { unwatchDeath, watchDeath } from './relations.js';
import { HUB, WAIT, WAITING_ON, WAKE } from '../lib/internal/keys.js';

/** Options of `ask`. */
export interface AskOptions {
  /**
   * Give up after this many ms and throw `Timeout` (no default: the ask
   * waits until the reply or the target's death). A Timeout given here is
   * started for the call and raised itself if it fires.
   */
  timeout?: TimeoutOption;
}
const ASK_KEYS = optionKeys<AskOptions>({ timeout: true });

/**
 * Thrown by `ask` when the target exits before replying (`reason` is its
 * exit reason), or was not alive when asked (`reason` is `'noproc'`), or,
 * for a remote target, when its node becomes unreachable (`'noconnection'`).
 * An ordinary error, not a signal: catch it to handle a dead server.
 */
export class AskFailed extends Error {
  static {
    this.prototype.name = 'AskFailed';
  }
  /** The target's exit reason, or `'noproc'`. */
  readonly reason: unknown;
  /**
   * The actor that was asked (a `RemoteRef` for one on another thread or
   * machine); for an ask sent through a `Router`, the worker it was handed
   * to, when that worker died before replying.
   */
  readonly target: ActorRef<never>;
  /** True when it was not alive when asked (`reason` is then `'noproc'`); false when it died before replying. */
  readonly notAlive: boolean;
  /**
   * @param call the call that asked, for the message (`ask`, or a call built
   *   on it such as `Supervisor.startChild`)
   */
  constructor(target: ActorRef<never>, reason: unknown, wasDead: boolean, call = 'ask') {
    super(
      wasDead
        ? `${call}: ${target} is not alive (noproc)`
        : `${call}: ${target} exited with ${describeReason(reason)} before replying`,
    );
    this.reason = reason;
    this.target = target;
    this.notAlive = wasDead;
  }
}

/** The reply type of a message type: `R` of its `replyTo: ReplyTo<R>` field(s), else unknown. */
export type ReplyType<M> = [RepliesIn<M>] extends [never] ? unknown : RepliesIn<M>;
type RepliesIn<M> = M extends { readonly replyTo: ReplyTo<infer R> } ? R : never;

/**
 * The messages of type `M` that an `ask` may build: the variants with a
 * `replyTo` field (one without it could never be answered, and the ask
 * would hang until its timeout). Anything, for an actor of `unknown`.
 */
export type AskMessage<M> = unknown extends M ? unknown : Extract<M, { readonly replyTo: ReplyTo<never> }>;

/** ReplyTo states. */
const NEW = 0;
const PENDING = 1;
const REPLIED = 2;
const FAILED = 3;
const DONE = 4;

/**
 * Where the answer to one `ask` goes: the target calls `replyTo.reply(value)`
 * once. Put it in the message; it is not frozen with it.
 */
// A DeathWatch (relations.ts), checked where it is added; not declared `implements`, as that interface is
// internal and left out of the published types.
export class ReplyTo<R> {
  /** @internal */
  state = NEW;
  private result: unknown = undefined;
  private asker: Greenlet<unknown> | null = null;
  /** The worker a router handed the request to: watched as the target is. */
  private via: Actor<unknown> | null = null;
  /** Who died before replying: the target, or `via`. */
  private failed: ActorRef<never> | null = null;

  /** @internal made by `ask()` (and by grove/cluster for a ReplyTo that came from another node). */
  constructor(
    /** The actor asked (a `RemoteRef` for one on another thread or machine). */
    readonly target: ActorRef<never>,
  ) {}

  /**
   * Answers the ask: the asker resumes with `value` (deep-frozen, as
   * messages are). Returns true; false, and the value is discarded, if the
   * ask is over (answered already, timed out, its asker killed). Never
   * blocks; callable from anywhere.
   */
  reply(value: R): boolean {
    if (this.state !== PENDING) return false;
    this.state = REPLIED;
    this.result = prepareMessage(value);
    this.unwatch();
    const hub = this.asker?.[HUB];
    if (hub != null && hub.tracers !== null) hub.trace({ type: 'actorReply', greenlet: this.asker!, from: ctx.current, value: this.result });
    this.wakeAsker();
    return true;
  }

  toString(): string {
    return `<ReplyTo ${this.asker?.name ?? '?'} <- ${this.target.name}>`;
  }

  /** How `console.log` and `util.inspect` show it: `<ReplyTo asker <- target>`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal the ask runs in `asker`: send the message `make` builds, watching the target. */
  begin(asker: Greenlet<unknown>, make: (replyTo: ReplyTo<R>) => unknown): void {
    this.asker = asker;
    const target = this.target;
    // A remote actor's node gives the reason itself: 'noproc', or 'noconnection' for a node that is gone.
    if (target.dead && remoteOf(target) === null) {
      this.state = FAILED;
      this.result = NOPROC;
      return;
    }
    this.state = PENDING;
    watchDeath(target, this);
    if (this.state !== PENDING) return;
    try {
      (target as ActorRef<unknown>).send(make(this));
    } catch (error) {
      this.abandon();
      throw error;
    }
  }

  /**
   * @internal a router (supervision/router.ts) handed the request on to
   * `worker`: if the worker dies before replying, the ask fails at once as
   * it would if the target died, naming the worker. Replaces an earlier
   * hand-off; null: taken back from the worker (to be routed again).
   */
  handedTo(worker: Actor<unknown> | null): void {
    if (this.state !== PENDING) return;
    if (this.via !== null) unwatchDeath(this.via, this);
    this.via = worker;
    if (worker !== null) watchDeath(worker, this);
  }

  /** @internal the target (or the worker it was handed to) died before replying. */
  targetDied(target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void {
    if (this.state !== PENDING) return;
    this.state = FAILED;
    this.result = reason;
    this.failed = target as ActorRef<never>;
    this.unwatch();
    this.wakeAsker();
  }

  /** @internal the ask's outcome: the reply, or AskFailed. */
  finish(): unknown {
    const result = this.result;
    const failed = this.state === FAILED;
    this.state = DONE;
    this.result = undefined;
    if (failed) {
      if (result === NOPROC) throw new AskFailed(this.target, 'noproc', true);
      throw new AskFailed(this.failed ?? this.target, result, false);
    }
    return result;
  }

  /** @internal the ask gave up (timeout, kill, a failed send): later replies are discarded. */
  abandon(): void {
    this.state = DONE;
    this.result = undefined;
    this.unwatch();
  }

  private unwatch(): void {
    unwatchDeath(this.target, this);
    if (this.via !== null) unwatchDeath(this.via, this);
  }

  private wakeAsker(): void {
    const asker = this.asker;
    // Only while it is blocked in this very ask: any other wake-up would be spurious.
    if (asker !== null && asker[WAITING_ON] === (ASK as WaitOp<unknown>) && asker[WAIT]!.target === this) asker[WAKE]();
  }
}

/** Marks "the target was dead when asked" (a target may itself exit with reason 'noproc'). */
const NOPROC = Symbol('grove.noproc');

/** `ask`: sends on first run, then waits for the ReplyTo to be answered or failed. */
class AskOp extends WaitOp<unknown> {
  readonly label = 'ask';

  override next(): IteratorResult<Suspend, unknown> {
    const s = ctx.current![WAIT]!;
    const request = s.target as ReplyTo<unknown>;
    if (request.state === NEW) {
      const make = s.arg as (replyTo: ReplyTo<unknown>) => unknown;
      s.arg = undefined;
      request.begin(s.greenlet, make);
    }
    return super.next();
  }
  protected isReady(s: WaitState): boolean {
    const state = (s.target as ReplyTo<unknown>).state;
    return state === REPLIED || state === FAILED;
  }
  protected outcome(s: WaitState): unknown {
    return (s.target as ReplyTo<unknown>).finish();
  }
  protected enlist(): void {
    // The ReplyTo wakes the asker itself: there is no waiter list to join.
  }
  /** The actor asked, not the ReplyTo. */
  override waitTarget(s: WaitState): unknown {
    return (s.target as ReplyTo<unknown>).target;
  }
  /** The reply (or the target's death) is in: `reply()` returned true, so the ask returns it. */
  override completed(s: WaitState): boolean {
    return this.isReady(s);
  }
  protected expire(s: WaitState): unknown {
    (s.target as ReplyTo<unknown>).abandon();
    throw new Timeout(s.timeout as number);
  }
  override cancel(g: Greenlet<unknown>): void {
    super.cancel(g);
    (g[WAIT]!.target as ReplyTo<unknown>).abandon();
  }
}

const ASK = new AskOp();

/**
 * Request/reply: sends `make(replyTo)` to `target` and blocks until the
 * target calls `replyTo.reply(value)`, then returns that value. Throws
 * `AskFailed` (its `reason` the exit reason) as soon as the target exits
 * without replying, or at once with reason `'noproc'` if it is not alive;
 * `Timeout` when `timeout` ms pass first; `MailboxFull` if its inbox is
 * full. A reply that comes after the ask ended is discarded. A remote
 * target (a `RemoteRef`): `AskFailed` with `'noproc'` if its node does not
 * know it, `'noconnection'` as soon as its node becomes unreachable; a
 * message that is not plain data is refused at once (grove/cluster's
 * `NotPlainData`). An actor cannot ask itself (an Error at once). A kill or a
 * Timeout interrupts the wait (the ask ends; a late reply is discarded),
 * but a reply `reply()` accepted is the answer: a Timeout that fires after
 * it came, before the asker resumed, waits for the asker's next blocking
 * call (or is cancelled with its scope).
 * An actor never started: an Error at once. Use with `yield*`.
 *
 * The message `make` builds must be one of the target's message variants
 * with a `replyTo` field (TypeScript rejects any other). The reply type
 * `R` comes from the `replyTo: ReplyTo<R>` fields of the target's message
 * type; when its messages expect different replies, name the one meant:
 * `ask(counter, (replyTo: ReplyTo<number>) => ({ type: 'get', replyTo }))`.
 */
export function ask<M, R = ReplyType<M>, const A extends AskMessage<M> = AskMessage<M>>(
  target: ActorRef<M>,
  make: (replyTo: ReplyTo<R>) => A,
  options?: AskOptions,
): Operation<R> {
  if (!(target instanceof Actor) && remoteOf(target) === null) {
    throw new TypeError(`ask: target must be an Actor, got ${show(target)}`);
  }
  checkFunction('ask', 'make', make);
  checkOptions('ask', options, ASK_KEYS);
  if (ctx.current === null) throw new NotInGreenlet('ask()');
  if ((ctx.current as unknown) === target) {
    // Erlang's gen_server:call to itself exits with calling_self: the request would sit in its own inbox.
    throw new Error(`ask: ${target} cannot ask itself: it would wait for a reply only it can give`);
  }
  // It would wait in the inbox of an actor that may never run: fail now, not at the timeout.
  if (target instanceof Actor && !target.started && !target.dead) throw notStarted('ask', target);
  return ASK.call(new ReplyTo<R>(target as ActorRef<never>), make, options?.timeout) as Operation<R>;
}
