/**
 * Erlang links between any two greenlets, and `exit(target, reason)`,
 * Erlang's `exit/2`. A link is bidirectional and there is at most one per
 * pair; when either side exits, the other gets an exit signal carrying the
 * exit reason (signal.ts says what a signal does). Signals are delivered
 * from the hub after the death, in the order of deaths.
 *
 * One side of a link (or the target of `exit`) may be an actor on another
 * thread or machine (a `RemoteRef`, grove/cluster): its node keeps its
 * half of the link, and a node that becomes unreachable signals every link
 * to its actors with `'noconnection'`.
 */
import { ExitSignal, GreenletExit, NormalExit } from '../lib/errors.js';
import { Greenlet, checkGreenlet } from '../lib/greenlet.js';
import { ctx } from '../lib/internal/context.js';
import { Actor } from './actor.js';
import { remoteOf, type ActorRef, type RemoteActor } from './ref.js';
import { ensureRelations, relationsOf } from './relations.js';
import { sendExitSignal } from './signal.js';
import { KILL_WITH, PARENT } from '../lib/internal/keys.js';
import { STOP_GRACEFULLY } from './keys.js';

/**
 * Links `a` and `b` (either may be the caller, or neither): when one exits
 * with any reason but `'normal'`, the other is killed with an `ExitSignal`
 * carrying that reason — unless it is an actor that traps exits, which
 * gets `{ type: 'EXIT', from, reason }` in its inbox instead (for a
 * `'normal'` exit too). Linking twice, or a greenlet to itself, does
 * nothing. If one of them is already dead, the other is signalled at once
 * with reason `'noproc'` (so a caller that does not trap exits gets that
 * ExitSignal thrown right here). Never blocks.
 *
 * One of them may be a remote actor (a `RemoteRef`): the link is the same,
 * and if its node becomes unreachable the local side is signalled with
 * `'noconnection'`; an actor its node does not know gives `'noproc'` when
 * the node answers. Both remote: a TypeError (link from one of their nodes).
 */
export function link(a: Greenlet<unknown> | ActorRef<never>, b: Greenlet<unknown> | ActorRef<never>): void {
  const remote = remoteSide('link', a, b);
  if (remote !== null) {
    const [local, other] = remote;
    // A remote actor's node answers for it: 'noproc', or 'noconnection' for a node that is gone.
    if (local.dead) other.exit(local, 'noproc');
    else other.link(local);
    return;
  }
  checkGreenlet('link', a, 'a');
  checkGreenlet('link', b, 'b');
  if (a === b) return;
  if (a.dead || b.dead) {
    if (!a.dead) sendExitSignal(a, b, 'noproc');
    else if (!b.dead) sendExitSignal(b, a, 'noproc');
    return;
  }
  (ensureRelations(a).links ??= new Set()).add(b);
  (ensureRelations(b).links ??= new Set()).add(a);
}

/**
 * Removes the link between `a` and `b`, if any (from either side, or from
 * a third greenlet): from now on neither's exit signals the other. An
 * `EXIT` already delivered to a trapping actor stays in its inbox. Never
 * blocks. One of them may be a remote actor, as for `link`.
 */
export function unlink(a: Greenlet<unknown> | ActorRef<never>, b: Greenlet<unknown> | ActorRef<never>): void {
  const remote = remoteSide('unlink', a, b);
  if (remote !== null) {
    remote[1].unlink(remote[0]);
    return;
  }
  checkGreenlet('unlink', a, 'a');
  checkGreenlet('unlink', b, 'b');
  relationsOf(a)?.links?.delete(b);
  relationsOf(b)?.links?.delete(a);
}

/**
 * Erlang's `exit/2`: sends an exit signal with `reason` to `target`, from
 * the calling greenlet. `'kill'` cannot be trapped: the target is killed
 * (with `GreenletExit`) and exits `'killed'`. `'normal'` is ignored by a
 * target that does not trap exits — unless the target is the caller, which
 * then ends at once with reason `'normal'`. Any other reason kills a
 * target that does not trap exits with an `ExitSignal(reason)`. A trapping
 * actor gets `{ type: 'EXIT', from: caller, reason }` in its inbox
 * instead — unless the caller is its parent (the supervisor that started
 * it): then, as a gen_server does with its parent's exit, it finishes the
 * message it is handling and ends with `reason` (its `terminate` runs).
 * The signal takes effect when called (the target is interrupted where it
 * is blocked; the caller itself, right here). A dead target: nothing.
 * Never blocks. A remote target (a `RemoteRef`) gets the signal on its
 * own node, in order with the messages sent to it, by the same rules.
 */
export function exit(target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void {
  const remote = remoteOf(target);
  if (remote !== null) {
    if (!target.dead) remote.exit(ctx.current, reason);
    return;
  }
  checkGreenlet('exit', target, 'target');
  if (reason === undefined) {
    // exitReason() says undefined of a live greenlet: as a reason it would read as "still alive".
    throw new TypeError("exit: reason must be given ('normal', 'kill', 'shutdown', a string, an error...), got undefined");
  }
  if (target.dead) return;
  const from = ctx.current;
  if (reason === 'kill') {
    target[KILL_WITH](new GreenletExit());
    return;
  }
  if (reason === 'normal' && target === from && !(target instanceof Actor && target.trapExit)) {
    target[KILL_WITH](new NormalExit());
    return;
  }
  if (from !== null && target[PARENT] === from && target instanceof Actor && target.trapExit) {
    target[STOP_GRACEFULLY](new ExitSignal(reason));
    return;
  }
  sendExitSignal(target, from, reason);
}

/**
 * For a pair with a remote actor in it: the local greenlet and the remote
 * actor's hooks; null when both are local (or not refs at all:
 * the caller's checks then say so).
 */
function remoteSide(
  call: string,
  a: Greenlet<unknown> | ActorRef<never>,
  b: Greenlet<unknown> | ActorRef<never>,
): [Greenlet<unknown>, RemoteActor] | null {
  const ra = remoteOf(a);
  const rb = remoteOf(b);
  if (ra === null && rb === null) return null;
  if (ra !== null && rb !== null) {
    throw new TypeError(`${call}: a (${a}) and b (${b}) are both remote actors: ${call} them from the node of one of them`);
  }
  if (ra !== null) {
    checkGreenlet(call, b, 'b');
    return [b, ra];
  }
  checkGreenlet(call, a, 'a');
  return [a, rb!];
}
