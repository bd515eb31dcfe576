/**
 * Erlang links between any two greenlets, and `exit(target, reason)`,
 * Erlang's `exit/2`. A link is bidirectional and there is at most one per
 * pair; when either side exits, the other gets an exit signal carrying the
 * exit reason (signal.ts says what a signal does). Signals are delivered
 * from the hub after the death, in the order of deaths.
 */
import { ExitSignal, GreenletExit, NormalExit } from '../lib/errors.js';
import { Greenlet, checkGreenlet } from '../lib/greenlet.js';
import { ctx } from '../lib/internal/context.js';
import { Actor } from './actor.js';
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
 */
export function link(a: Greenlet<unknown>, b: Greenlet<unknown>): void {
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
 * blocks.
 */
export function unlink(a: Greenlet<unknown>, b: Greenlet<unknown>): void {
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
 * Never blocks.
 */
export function exit(target: Greenlet<unknown>, reason: unknown): void {
  checkGreenlet('exit', target, 'target');
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
